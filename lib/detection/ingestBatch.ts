import type { DetectionSettings } from '../config/detectionSettings.js';
import type { Limits } from '../config/limits.js';
import type { FastLinePath } from '../fastpath/FastLinePath.js';
import type { Logger } from '../observability/Logger.js';
import { LOG_MESSAGES } from '../observability/Logger.js';
import { type GunzipFailure, gunzipText, isGzip } from '../sources/formats/cloudWatchLogs.js';
import { decodeText } from '../sources/pipeline/decodeInput.js';
import { Normalizer } from '../sources/pipeline/Normalizer.js';
import type { SourceDecoder } from '../sources/pipeline/types.js';
import type { DeadLetterStore } from '../state/DeadLetterStore.js';
import { settleAll } from '../state/settleAll.js';
import type {
  ApplyCounts,
  BatchGroup,
  FeedKind,
  PartitionProgress,
  WindowStore,
} from '../state/WindowStore.js';
import { BatchAggregator } from './BatchAggregator.js';
import { isBeyondRetention, isBinClosed } from './binLifecycle.js';
import { BEYOND_RETENTION, RowRouter } from './RowRouter.js';

/** One Event Hub message of a batch, as the trigger delivers it. */
export interface BatchMessage {
  /** The body: bytes (dataType binary), or a string or value if the host converted it. */
  readonly body: unknown;
  readonly sequenceNumber: number;
  /** Enqueued time in ms since the epoch, when known. */
  readonly enqueuedTimeMs: number | undefined;
}

export interface IngestDependencies {
  readonly store: WindowStore;
  readonly settings: DetectionSettings;
  readonly decoders: readonly SourceDecoder[];
  /**
   * Reads the lines it can read whole (ASIM JSON lines, default AWS VPC records) without the full
   * decoders, with identical rows and counts (test/unit/fastpath); without it, every line is
   * decoded in full. Built for `decoders` and `limits.maxFieldChars`.
   */
  readonly fastPath?: FastLinePath;
  readonly logger: Logger;
  /** Wall-clock time of the invocation (recorded as the partition's last activity). */
  readonly nowMs: number;
  /** Limits on untrusted input and memory. */
  readonly limits: Limits;
  /** Where dead-letter samples are kept for operators (rate-limited); none in tests that do not need it. */
  readonly deadLetters?: DeadLetterStore;
  /** Identifies the writer in dead-letter row keys. */
  readonly instance?: string;
  /** Name of the input in dead-letter locations; `partition <id>` when not given. */
  readonly input?: string;
  /**
   * Where the batch's progress is recorded for the closing timer, when not under `partition`
   * itself: the blobs of a flow-log feed count into a window partition each but advance one feed.
   */
  readonly feed?: { readonly partition: string; readonly kind: FeedKind; readonly endMs: number | undefined };
}

/** What one batch did, logged once per invocation. */
export interface IngestSummary {
  readonly partition: string;
  /** What the partition reads: an Event Hub partition, or one generation of a flow-log blob. */
  readonly feed: FeedKind;
  readonly messages: number;
  readonly recordsRead: number;
  readonly recordsNormalized: number;
  /** Records read, by the source decoder that claimed them (decoded or not); a record no decoder claims counts only in `invalid`. */
  readonly recordsBySource: Record<string, number>;
  readonly rowsCounted: number;
  readonly rowsDropped: Record<string, number>;
  readonly skipped: Record<string, number>;
  readonly invalid: Record<string, number>;
  /** Records decoded with a counted fallback (an ambiguous device time zone), by `source: reason`. */
  readonly noted: Record<string, number>;
  readonly windows: number;
  readonly lateWindows: number;
  readonly storage: ApplyCounts;
  readonly deadLettersWritten: number;
  readonly maxEventTimeMs: number | undefined;
  readonly lagMs: number | undefined;
}

/** Event times further ahead of their enqueued time than this are not trusted to advance the watermark. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The Event Hub ingest use case: decodes and normalizes every message of one partition's batch,
 * filters and aggregates the rows per (source, bin) in memory, writes each (source, bin) once,
 * records the partition's progress, and marks windows whose bin was already closed.
 *
 * Bad records never fail the batch (decision D6); a storage failure throws
 * `StorageUnavailableError` so that the invocation fails and Event Hubs redelivers it. Redelivery
 * is harmless: window rows only add messages above their stored high-water mark.
 */
export async function ingestBatch(
  partition: string,
  messages: readonly BatchMessage[],
  deps: IngestDependencies,
): Promise<IngestSummary> {
  const { store, settings, logger } = deps;
  const closer = await store.readCloser();
  const router = new RowRouter(settings);
  let aggregator = new BatchAggregator(true);
  let tooLate = 0;
  let rowsCounted = 0;
  let maxEventTimeMs: number | undefined;
  let minEventTimeMs: number | undefined;
  let maxEnqueuedTimeMs = 0;
  let lastSequenceNumber = 0;
  let current: BatchMessage | undefined;
  let messageMaxTime: number | undefined;

  const { limits } = deps;
  const normalizer = new Normalizer(
    deps.decoders,
    { format: 'auto', maxDeadLetters: 50, maxFieldChars: limits.maxFieldChars },
    (session) => {
      const row = router.route(session);
      if (row === undefined || current === undefined) return;
      if (isBeyondRetention(row.binStartMs, closer.announcedMs, settings)) {
        tooLate++;
        return;
      }
      const clamped =
        current.enqueuedTimeMs === undefined
          ? row.timeMs
          : Math.min(row.timeMs, current.enqueuedTimeMs + CLOCK_SKEW_MS);
      if (messageMaxTime === undefined || clamped > messageMaxTime) messageMaxTime = clamped;
      if (minEventTimeMs === undefined || row.timeMs < minEventTimeMs) minEventTimeMs = row.timeMs;
      aggregator.add(row, current.sequenceNumber);
      rowsCounted++;
    },
  );
  const { fastPath } = deps;
  const openLines = fastPath === undefined ? undefined : fastPath.open.bind(fastPath);
  const storage: ApplyCounts = { entityWrites: 0, transactions: 0, conflicts: 0, reads: 0 };
  let windows = 0;
  let lateWindows = 0;
  /**
   * Writes the windows gathered so far (between messages, so a message's rows are never split),
   * then `progress` when given; without windows, only the progress.
   */
  const flush = async (progress?: PartitionProgress) => {
    const groups = [...aggregator.groups()];
    if (groups.length === 0) {
      if (progress !== undefined) await store.recordProgress(progress);
      return;
    }
    aggregator = new BatchAggregator(true);
    const r = await persistBatch(store, partition, groups, progress, settings);
    addCounts(storage, r.storage);
    windows += groups.length;
    lateWindows += r.late;
  };

  for (const message of messages) {
    current = message;
    messageMaxTime = undefined;
    const text = bodyText(message.body, limits.maxMessageBytes);
    const location = {
      input: deps.input ?? `partition ${partition}`,
      sequenceNumber: message.sequenceNumber,
    };
    if (text === undefined) {
      normalizer.reject('unreadable message body', `a ${typeof message.body}`, location);
    } else if (text === 'corrupt gzip') {
      normalizer.reject('unreadable message body', 'corrupt gzip', location);
    } else if (text === 'over the size limit' || text.length > limits.maxMessageBytes) {
      normalizer.reject(
        'message over the size limit',
        text === 'over the size limit' ? 'more than the limit after gunzip' : `${text.length} characters`,
        location,
        text === 'over the size limit' ? '' : text.slice(0, 64),
      );
    } else {
      decodeText(
        text,
        normalizer,
        {
          input: location.input,
          sequenceNumber: message.sequenceNumber,
          fallbackTimeMs: message.enqueuedTimeMs,
          referenceTimeMs: message.enqueuedTimeMs ?? deps.nowMs,
          maxDocumentChars: limits.maxMessageBytes,
          maxLineChars: limits.maxLineChars,
          maxItems: limits.maxRecordsPerMessage,
        },
        openLines,
      );
    }
    // Bounded memory: a batch with too many windows is written in parts, between messages.
    if (aggregator.size >= limits.maxOpenWindows) await flush();
    // A message's progress is its latest event time, or its enqueued time when it had no row.
    const progress = messageMaxTime ?? message.enqueuedTimeMs;
    if (progress !== undefined && (maxEventTimeMs === undefined || progress > maxEventTimeMs))
      maxEventTimeMs = progress;
    if (message.enqueuedTimeMs !== undefined && message.enqueuedTimeMs > maxEnqueuedTimeMs)
      maxEnqueuedTimeMs = message.enqueuedTimeMs;
    if (message.sequenceNumber > lastSequenceNumber) lastSequenceNumber = message.sequenceNumber;
  }

  const { feed } = deps;
  // The batch's last windows, then its progress (none for no message).
  await flush(
    messages.length === 0
      ? undefined
      : {
          partition: feed?.partition ?? partition,
          maxEventTimeMs: maxEventTimeMs ?? 0,
          minEventTimeMs: minEventTimeMs ?? maxEventTimeMs ?? 0,
          maxEnqueuedTimeMs,
          lastSequenceNumber,
          updatedAtMs: deps.nowMs,
          ...(feed === undefined
            ? {}
            : { feed: feed.kind, ...(feed.endMs === undefined ? {} : { feedEndMs: feed.endMs }) }),
        },
  );
  const deadLettersWritten =
    deps.deadLetters === undefined
      ? 0
      : await deps.deadLetters.write(normalizer.deadLetters, deps.nowMs, deps.instance ?? partition);

  const drops: Record<string, number> = Object.fromEntries(router.drops);
  if (tooLate > 0) drops[BEYOND_RETENTION] = tooLate;
  const summary: IngestSummary = {
    partition,
    feed: deps.feed?.kind ?? 'eventhub',
    messages: messages.length,
    recordsRead: normalizer.counts.itemsRead,
    recordsNormalized: normalizer.counts.recordsNormalized,
    recordsBySource: Object.fromEntries(normalizer.counts.bySource),
    rowsCounted,
    rowsDropped: drops,
    skipped: Object.fromEntries(normalizer.counts.skipped),
    invalid: Object.fromEntries(normalizer.counts.invalid),
    noted: Object.fromEntries(normalizer.counts.noted),
    windows,
    lateWindows,
    storage,
    deadLettersWritten,
    maxEventTimeMs,
    lagMs: maxEnqueuedTimeMs > 0 ? deps.nowMs - maxEnqueuedTimeMs : undefined,
  };
  if (normalizer.deadLetters.length > 0) {
    logger.warn(LOG_MESSAGES.deadLetters, { partition, samples: normalizer.deadLetters.slice(0, 5) });
  }
  logger.info(LOG_MESSAGES.ingestSummary, { ...summary });
  return summary;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The text of a message body: bytes are decoded as UTF-8, gzip bytes (a CloudWatch Logs
 * subscription payload as Kinesis or Firehose carry it) are decompressed first, up to `maxBytes`;
 * a value the host parsed is serialized back.
 */
function bodyText(body: unknown, maxBytes: number): string | GunzipFailure | undefined {
  if (body instanceof Uint8Array) return bytesText(body, maxBytes);
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return bytesText(new Uint8Array(body), maxBytes);
  if (body !== null && typeof body === 'object') {
    try {
      return JSON.stringify(body);
    } catch {
      return undefined;
    }
  }
  if (typeof body === 'number' || typeof body === 'boolean') return String(body);
  return undefined;
}

function bytesText(bytes: Uint8Array, maxBytes: number): string | GunzipFailure {
  return isGzip(bytes) ? gunzipText(bytes, maxBytes + 1) : utf8.decode(bytes);
}

function addCounts(into: ApplyCounts, more: ApplyCounts): void {
  into.entityWrites += more.entityWrites;
  into.transactions += more.transactions;
  into.conflicts += more.conflicts;
  into.reads += more.reads;
}

/**
 * Writes one batch's windows, then the partition's progress (when given) and, at the same time,
 * reads the closer, then marks the windows whose bin the timer had already announced closed.
 * Shared by the Event Hub function and the CLI's `--state table` replay.
 *
 * The progress and the closer read both wait for every window write, and neither needs the other:
 * a late mark depends only on whether the closer announced the bin before the read, which follows
 * the windows' writes either way, and a batch that fails before its marks land is delivered
 * again, writes nothing new and marks them then.
 */
export async function persistBatch(
  store: WindowStore,
  partition: string,
  groups: readonly BatchGroup[],
  progress: PartitionProgress | undefined,
  settings: DetectionSettings,
): Promise<{ storage: ApplyCounts; late: number }> {
  const storage = await store.applyWindows(partition, groups);
  // Read the closer after writing: if it announced a bin closed before our write landed, we see
  // it here and mark the window late, so the timer re-evaluates it (no lost late alert).
  const reading = store.readCloser();
  await settleAll(progress === undefined ? [reading] : [store.recordProgress(progress), reading]);
  const after = await reading;
  const late = groups.filter((g) => isBinClosed(g.binStartMs, after.announcedMs, settings.binMs));
  await store.markLate(late.map((g) => ({ source: g.source, binStartMs: g.binStartMs })));
  return { storage, late: late.length };
}
