import type { PartitionTail } from '../eventhub/PartitionBacklog.js';
import type { PartitionProgress } from '../state/WindowStore.js';
import { closedBoundaryOf, watermarkAt } from './binLifecycle.js';

/**
 * Where a partition stands. An Event Hub partition against the hub: `caught-up` when ingest has
 * recorded every event the hub holds (or it holds none), `behind` when events are unread (a
 * backlog, or invocations that keep failing and so never record progress), `unknown` when the hub
 * could not be asked. A feed that is no hub partition (a flow-log blob feed) has no tail to
 * compare with: `live` while it records progress, `idle` after `feedIdleMs` of silence.
 */
export type PartitionStanding = 'caught-up' | 'behind' | 'unknown' | 'live' | 'idle';

export interface PartitionView {
  readonly partition: string;
  readonly standing: PartitionStanding;
  /** Events the hub holds past the recorded progress (0 when caught up; undefined when unknown). */
  readonly unreadEvents: number | undefined;
  /** Events that expired from the hub before ingest recorded them: flows lost for good. */
  readonly expiredEvents: number;
  readonly progress: PartitionProgress | undefined;
}

export interface Watermark {
  /**
   * Every bin that ends at or before this time (bins are closed on their boundaries) holds all
   * its rows, lateness allowed for: the slowest partition that holds the watermark, or, when none
   * does, the latest progress of all, less the allowed lateness. Undefined when a partition that
   * holds it has never recorded progress, or nothing was ever recorded.
   */
  readonly watermarkMs: number | undefined;
  /** The partitions of the hub (or, when it could not be asked, those with recorded progress), then the other feeds. */
  readonly partitions: readonly PartitionView[];
  /** The partitions and feeds that hold the watermark: behind, unknown or live. */
  readonly holding: readonly PartitionView[];
}

/** Event Hubs names a hub's partitions `0` to `n - 1`. */
const HUB_PARTITION_ID = /^\d{1,4}$/;

/**
 * The event-time watermark from what ingest recorded and what the hub holds (`tails`, undefined
 * when the hub could not be asked). A hub partition holds the watermark at its progress while it
 * is behind; a caught-up partition does not, however old its progress. When the hub cannot be
 * asked, no partition can be shown to be caught up, so every one holds. A feed that is no hub
 * partition (progress recorded under another id: a flow-log blob feed) holds while it is live
 * (`feedStanding`): not after `feedIdleMs` without progress, nor once its blob's hour is over.
 */
export function watermarkOf(
  progress: readonly PartitionProgress[],
  tails: readonly PartitionTail[] | undefined,
  allowedLatenessMs: number,
  nowMs: number,
  feedIdleMs: number,
): Watermark {
  const byPartition = new Map(progress.map((p) => [p.partition, p]));
  const hubIds = new Set(
    tails === undefined
      ? progress.map((p) => p.partition).filter((id) => HUB_PARTITION_ID.test(id))
      : tails.map((t) => t.partition),
  );
  const hub: PartitionView[] =
    tails === undefined
      ? [...hubIds].map((id) => ({
          partition: id,
          standing: 'unknown' as const,
          unreadEvents: undefined,
          expiredEvents: 0,
          progress: byPartition.get(id),
        }))
      : tails.map((tail) => viewOf(tail, byPartition.get(tail.partition)));
  const feeds: PartitionView[] = progress
    .filter((p) => !hubIds.has(p.partition))
    .map((p) => ({
      partition: p.partition,
      standing: feedStanding(p, nowMs, feedIdleMs),
      unreadEvents: undefined,
      expiredEvents: 0,
      progress: p,
    }));
  const partitions = [...hub, ...feeds];
  const holding = partitions.filter((v) => v.standing !== 'caught-up' && v.standing !== 'idle');
  let basisMs: number | undefined;
  if (holding.length > 0) {
    basisMs = holding.some((v) => v.progress === undefined)
      ? undefined
      : Math.min(...holding.map((v) => (v.progress as PartitionProgress).maxEventTimeMs));
  } else {
    const recorded = partitions.flatMap((v) => (v.progress === undefined ? [] : [v.progress.maxEventTimeMs]));
    basisMs = recorded.length === 0 ? undefined : Math.max(...recorded);
  }
  return {
    watermarkMs: basisMs === undefined ? undefined : watermarkAt(basisMs, allowedLatenessMs),
    partitions,
    holding,
  };
}

/**
 * How long after its hour ends Network Watcher may still append a flow-log blob's last records: it
 * updates a blob "every few minutes" (docs/flow-logs.md), so its last records land shortly after
 * the hour.
 */
export const FLOW_LOG_LAST_APPEND_MS = 10 * 60_000;

/**
 * Whether a feed that is no hub partition holds the watermark. Any such feed is `idle` after
 * `feedIdleMs` without progress. A flow-log feed (a network interface's hourly `PT1H.json` blobs)
 * is also `idle` once the hour of the latest blob it read is over and that blob's last appends
 * are in: the blob stops growing at its hour's end, and a blob of the next hour, if the interface
 * has traffic, is what the feed reads next. Until then it holds while it is recent.
 */
export function feedStanding(p: PartitionProgress, nowMs: number, feedIdleMs: number): 'live' | 'idle' {
  if (p.updatedAtMs < nowMs - feedIdleMs) return 'idle';
  if (p.feed === 'flowlog' && p.feedEndMs !== undefined && nowMs >= p.feedEndMs + FLOW_LOG_LAST_APPEND_MS)
    return 'idle';
  return 'live';
}

function viewOf(tail: PartitionTail, progress: PartitionProgress | undefined): PartitionView {
  const lastRead = progress?.lastSequenceNumber ?? -1;
  const expiredEvents = tail.isEmpty ? 0 : Math.max(0, tail.beginningSequenceNumber - (lastRead + 1));
  if (tail.isEmpty || lastRead >= tail.lastEnqueuedSequenceNumber) {
    return { partition: tail.partition, standing: 'caught-up', unreadEvents: 0, expiredEvents, progress };
  }
  return {
    partition: tail.partition,
    standing: 'behind',
    unreadEvents: tail.lastEnqueuedSequenceNumber - Math.max(lastRead, tail.beginningSequenceNumber - 1),
    expiredEvents,
    progress,
  };
}

/**
 * The bins to close now: up to `completeMs` (every bin ending by the watermark, complete), and,
 * while partitions hold the watermark, up to `forcedMs` as well: a bin is never held open longer
 * than `maxCloseDelayMs` of wall-clock time past its end plus the lateness. Bins between the two
 * close without a partition's rows, and their alerts say so.
 */
export function closingBoundaries(
  watermark: Watermark,
  nowMs: number,
  binMs: number,
  allowedLatenessMs: number,
  maxCloseDelayMs: number,
): { completeMs: number | undefined; untilMs: number | undefined } {
  const completeMs =
    watermark.watermarkMs === undefined ? undefined : closedBoundaryOf(watermark.watermarkMs, binMs);
  // A bin held open for maxCloseDelayMs of wall-clock time closes as if the hub were at that time.
  const forcedMs =
    watermark.holding.length > 0
      ? closedBoundaryOf(watermarkAt(nowMs - maxCloseDelayMs, allowedLatenessMs), binMs)
      : undefined;
  const untilMs =
    completeMs === undefined
      ? forcedMs
      : forcedMs === undefined
        ? completeMs
        : Math.max(completeMs, forcedMs);
  return { completeMs, untilMs };
}
