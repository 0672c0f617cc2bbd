import type { CloserPosition, PartitionProgress } from './WindowStore.js';

/**
 * The rules by which the Control rows move, written once for every `WindowStore`: what a write
 * stores given what is stored, so that a concurrent, repeated or out-of-order write never moves
 * anything back. Each is a join (commutative, associative, idempotent): whichever order writes
 * land in, the stored row is the same.
 */

/** The closer after `next` is written over `current`: each boundary only moves forward. */
export function mergeCloser(current: CloserPosition, next: CloserPosition): CloserPosition {
  return {
    announcedMs: Math.max(current.announcedMs, next.announcedMs),
    evaluatedMs: Math.max(current.evaluatedMs, next.evaluatedMs),
    sweptMs: Math.max(current.sweptMs, next.sweptMs),
  };
}

/** Whether two closer positions are the same (a write would change nothing). */
export function isSameCloser(a: CloserPosition, b: CloserPosition): boolean {
  return a.announcedMs === b.announcedMs && a.evaluatedMs === b.evaluatedMs && a.sweptMs === b.sweptMs;
}

/**
 * A partition's progress after `next` is recorded over `current` (undefined: none yet): the
 * latest times and sequence number only move forward, the earliest event time only backward; a
 * flow-log feed stays one and keeps the latest end of hour read.
 */
export function mergeProgress(
  current: PartitionProgress | undefined,
  next: PartitionProgress,
): PartitionProgress {
  const merged = {
    partition: next.partition,
    maxEventTimeMs: Math.max(next.maxEventTimeMs, current?.maxEventTimeMs ?? 0),
    minEventTimeMs: Math.min(next.minEventTimeMs, current?.minEventTimeMs ?? Number.MAX_SAFE_INTEGER),
    maxEnqueuedTimeMs: Math.max(next.maxEnqueuedTimeMs, current?.maxEnqueuedTimeMs ?? 0),
    lastSequenceNumber: Math.max(next.lastSequenceNumber, current?.lastSequenceNumber ?? 0),
    updatedAtMs: Math.max(next.updatedAtMs, current?.updatedAtMs ?? 0),
  };
  if ((next.feed ?? current?.feed) !== 'flowlog') return merged;
  const feedEndMs = Math.max(next.feedEndMs ?? 0, current?.feedEndMs ?? 0);
  return { ...merged, feed: 'flowlog', ...(feedEndMs > 0 ? { feedEndMs } : {}) };
}
