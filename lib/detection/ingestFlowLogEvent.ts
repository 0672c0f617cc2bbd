import type { BlockBlobReader } from '../flowlogs/BlockBlobReader.js';
import { readBlobCreatedEvent } from '../flowlogs/blobCreatedEvent.js';
import { FLOW_LOG_CONTAINERS, toFlowLogBlobRef, windowPartitionOf } from '../flowlogs/flowLogBlob.js';
import { readNewBlocks } from '../flowlogs/readNewBlocks.js';
import { LOG_MESSAGES } from '../observability/Logger.js';
import type { DeadLetter } from '../sources/pipeline/Normalizer.js';
import type { FlowLogCursor, FlowLogCursorStore, StoredCursor } from '../state/FlowLogCursorStore.js';
import { isCovered } from '../state/FlowLogCursorStore.js';
import type { ApplyCounts } from '../state/WindowStore.js';
import type { BatchMessage, IngestDependencies, IngestSummary } from './ingestBatch.js';
import { ingestBatch } from './ingestBatch.js';

export interface FlowLogDependencies extends Omit<IngestDependencies, 'input' | 'feed'> {
  readonly blobs: BlockBlobReader;
  readonly cursors: FlowLogCursorStore;
  /**
   * Blob endpoint of the flow-log storage account (`https://<account>.blob.core.windows.net`):
   * an event naming a blob elsewhere is refused, so an event never makes the function read from
   * an account it was not deployed for.
   */
  readonly accountUrl: string;
}

/** What the function did with one event. */
export type FlowLogOutcome =
  /** New records were read and counted. */
  | 'counted'
  /** The event's commit was already read (a duplicate or late delivery): no blob request at all. */
  | 'covered'
  /** The blob had nothing new (its records were read by the invocation of a later event). */
  | 'current'
  /** The event is not for a flow-log blob of the account. */
  | 'refused'
  /** The blob was deleted before it could be read. */
  | 'absent'
  /** The blob is not laid out the way Network Watcher writes. */
  | 'unreadable';

/** What one event did, logged once per invocation. */
export interface FlowLogSummary {
  readonly outcome: FlowLogOutcome;
  readonly reason: string | undefined;
  readonly container: string | undefined;
  readonly blob: string | undefined;
  /** Why reading started over at the blob's first record. */
  readonly restart: 'replaced' | 'rewritten' | undefined;
  readonly blocks: number;
  readonly bytes: number;
  readonly recordsRead: number;
  /** Records read, by the source decoder that claimed them (decoded or not). */
  readonly recordsBySource: Record<string, number>;
  readonly rowsCounted: number;
  readonly invalid: Record<string, number>;
  readonly windows: number;
  readonly lateWindows: number;
  readonly storage: ApplyCounts;
  readonly deadLettersWritten: number;
  /**
   * How far this event moved its feed, in ms since the epoch: the latest event time read from the
   * blob (trusted up to 5 minutes past the commit time, as ingest trusts the enqueued time);
   * undefined when nothing was read. Its distance to the time of the log line is the blob's lag.
   */
  readonly maxEventTimeMs: number | undefined;
}

/** Most bytes read with one ranged request, and so counted in one round of window writes. */
const MAX_RUN_BYTES = 8 * 1024 * 1024;
const HOUR_MS = 3_600_000;
/** Source named in dead letters about events and blobs (rather than records). */
const EVENT_SOURCE = 'flow-log event';

/**
 * The flow-log use case: one Event Grid `BlobCreated` event for a Network Watcher `PT1H.json`
 * blob → the records committed since the blob's cursor, counted exactly as `ingest` counts an
 * Event Hub batch (decoders, source filter, per-(source, bin) aggregation, Table window state),
 * then the cursor moved past them.
 *
 * A blob is to this use case what a partition is to `ingest`: its records count into its own
 * window rows (one per generation of the blob), each block's sequence number is the byte offset
 * where it ends, and the rows keep the highest offset counted. So Event Grid's at-least-once,
 * out-of-order and concurrent deliveries never change a count: a block read twice adds nothing.
 * Progress for the closing timer is recorded under the blob's feed (the resource's hourly blobs).
 *
 * Never throws for bad input: an event that is not for a flow-log blob, a blob deleted or not
 * laid out as Network Watcher writes, a malformed record block, are counted and dead-lettered,
 * and the event is acknowledged. Storage failures throw `StorageUnavailableError`, so Event Grid
 * delivers the event again (and dead-letters it when retries run out).
 */
export async function ingestFlowLogEvent(raw: unknown, deps: FlowLogDependencies): Promise<FlowLogSummary> {
  const { logger } = deps;
  const storage: ApplyCounts = { entityWrites: 0, transactions: 0, conflicts: 0, reads: 0 };
  const totals = {
    blocks: 0,
    bytes: 0,
    recordsRead: 0,
    rowsCounted: 0,
    windows: 0,
    lateWindows: 0,
    deadLettersWritten: 0,
  };
  const invalid: Record<string, number> = {};
  const recordsBySource: Record<string, number> = {};
  let maxEventTimeMs: number | undefined;
  const deadLetters: DeadLetter[] = [];
  let container: string | undefined;
  let blob: string | undefined;
  let restart: 'replaced' | 'rewritten' | undefined;

  const finish = async (outcome: FlowLogOutcome, reason?: string): Promise<FlowLogSummary> => {
    if (deadLetters.length > 0 && deps.deadLetters !== undefined) {
      totals.deadLettersWritten += await deps.deadLetters.write(
        deadLetters,
        deps.nowMs,
        deps.instance ?? 'flowLogs',
      );
    }
    const summary: FlowLogSummary = {
      outcome,
      reason,
      container,
      blob,
      restart,
      ...totals,
      recordsBySource,
      invalid,
      storage,
      maxEventTimeMs,
    };
    if (deadLetters.length > 0)
      logger.warn(LOG_MESSAGES.deadLetters, { blob, samples: deadLetters.slice(0, 5) });
    logger.info(LOG_MESSAGES.flowLogSummary, { ...summary });
    return summary;
  };
  /** Counts a problem with the event or the blob (not with a record) and keeps a sample of it. */
  const reject = (reason: string, detail: string, input: string, excerpt: string) => {
    const key = `${EVENT_SOURCE}: ${reason}`;
    invalid[key] = (invalid[key] ?? 0) + 1;
    deadLetters.push({
      source: EVENT_SOURCE,
      reason,
      detail,
      location: { input },
      excerpt: excerpt.slice(0, 120),
    });
  };

  const reading = readBlobCreatedEvent(raw);
  if (!reading.ok) {
    reject(reading.reason, reading.detail, 'event', safeExcerpt(raw));
    return finish('refused', reading.reason);
  }
  const event = reading.event;
  container = event.container;
  blob = event.name;
  const input = `blob ${event.container}/${event.name}`;
  if (!FLOW_LOG_CONTAINERS.includes(event.container)) {
    reject('not a flow-log container', `container ${event.container}`, input, event.name);
    return finish('refused', 'not a flow-log container');
  }
  if (event.url !== undefined && !isInAccount(event.url, deps.accountUrl)) {
    reject('blob of another storage account', `url host ${hostOf(event.url)}`, input, event.name);
    return finish('refused', 'blob of another storage account');
  }

  const ref = toFlowLogBlobRef(event.container, event.name);
  let stored: StoredCursor | undefined = await deps.cursors.read(ref);
  if (stored?.problem !== undefined) {
    logger.warn('flow-log cursor unreadable', { blob, problem: stored.problem });
  }
  if (isCovered(stored?.cursor, event.sequencer)) return finish('covered');

  let outcome: FlowLogOutcome = 'current';
  let reason: string | undefined;
  let pending: FlowLogCursor | undefined;
  const feed = {
    partition: ref.feedPartition,
    kind: 'flowlog' as const,
    endMs: ref.hourStartMs === undefined ? undefined : ref.hourStartMs + HOUR_MS,
  };
  const steps = readNewBlocks(deps.blobs, ref.container, ref.name, stored?.cursor, {
    maxRunBytes: MAX_RUN_BYTES,
    maxBlockBytes: deps.limits.maxMessageBytes,
  });
  for await (const step of steps) {
    if (step.kind === 'current') break;
    if (step.kind === 'absent' || step.kind === 'unreadable') {
      outcome = step.kind;
      reason = step.kind === 'absent' ? 'blob not found' : step.reason;
      reject(reason, step.kind === 'absent' ? 'deleted before it was read' : step.detail, input, event.name);
      break;
    }
    // The cursor of the previous step is saved only now that this one is read: one write per
    // event in the common case, and a long backlog still keeps its progress run by run.
    if (pending !== undefined) stored = await deps.cursors.save(ref, pending, stored);
    if (step.restart !== undefined) {
      restart = step.restart;
      logger.warn('flow-log blob read again', { blob, restart: step.restart });
    }
    // The commit time plays the enqueued time's part (clamping event times, progress of a block
    // without a counted row); a commit time ahead of this clock is not trusted beyond it.
    const committedMs = Math.min(step.lastModifiedMs ?? deps.nowMs, deps.nowMs);
    const messages: BatchMessage[] = [];
    for (const b of step.blocks) {
      totals.blocks++;
      totals.bytes += b.sizeBytes;
      if (b.text === undefined) {
        reject(
          'block over the size limit',
          `${b.sizeBytes} bytes`,
          input,
          `block ending at byte ${b.endOffset}`,
        );
        totals.recordsRead++;
        continue;
      }
      messages.push({ body: b.text, sequenceNumber: b.endOffset, enqueuedTimeMs: committedMs });
    }
    const s: IngestSummary = await ingestBatch(windowPartitionOf(ref, step.generation), messages, {
      ...deps,
      input,
      feed,
    });
    totals.recordsRead += s.recordsRead;
    totals.rowsCounted += s.rowsCounted;
    totals.windows += s.windows;
    totals.lateWindows += s.lateWindows;
    totals.deadLettersWritten += s.deadLettersWritten;
    for (const [k, v] of Object.entries(s.invalid)) invalid[k] = (invalid[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.recordsBySource))
      recordsBySource[k] = (recordsBySource[k] ?? 0) + v;
    if (s.maxEventTimeMs !== undefined && (maxEventTimeMs === undefined || s.maxEventTimeMs > maxEventTimeMs))
      maxEventTimeMs = s.maxEventTimeMs;
    storage.entityWrites += s.storage.entityWrites;
    storage.transactions += s.storage.transactions;
    storage.conflicts += s.storage.conflicts;
    storage.reads += s.storage.reads;
    outcome = 'counted';
    pending = { ...step.cursor, coveredSequencer: stored?.cursor?.coveredSequencer, updatedAtMs: deps.nowMs };
  }
  if (pending !== undefined) {
    // Every commit up to this event's is now counted: a later copy of it needs no read.
    const covered = later(pending.coveredSequencer, outcome === 'counted' ? event.sequencer : undefined);
    await deps.cursors.save(ref, { ...pending, coveredSequencer: covered }, stored);
  }
  return finish(outcome, reason);
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/** True when `url` is a blob of the account whose blob endpoint is `accountUrl`. */
function isInAccount(url: string, accountUrl: string): boolean {
  const base = accountUrl.replace(/\/+$/, '');
  return url.startsWith(`${base}/`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.slice(0, 80);
  } catch {
    return 'not a URL';
  }
}

function safeExcerpt(raw: unknown): string {
  try {
    return (JSON.stringify(raw) ?? String(raw)).slice(0, 120);
  } catch {
    return typeof raw;
  }
}

/**
 * Cursors of blobs whose hour starts before this are no longer needed: Event Grid stops retrying
 * an event after 24 hours, and a blob's rows are swept after the retention. A cursor purged too
 * early costs one full read of its blob, never a count (the window rows' high-water marks).
 */
export function cursorHorizonMs(nowMs: number, retentionMs: number): number {
  const keepMs = Math.max(retentionMs, 26 * HOUR_MS);
  return Math.floor((nowMs - keepMs) / HOUR_MS) * HOUR_MS;
}
