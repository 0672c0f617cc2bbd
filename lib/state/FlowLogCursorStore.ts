import type { FlowLogBlobRef } from '../flowlogs/flowLogBlob.js';
import type { BlobCursor } from '../flowlogs/pt1hLayout.js';

/** Where the flow-log function stands in one blob, and which of its events it has covered. */
export interface FlowLogCursor extends BlobCursor {
  /**
   * The highest Event Grid `sequencer` of an event for this blob whose commit has been read: a
   * later read started after that event was sent, so every commit up to it is counted. An event
   * with a sequencer at or below it is a duplicate or late delivery and needs no read at all.
   */
  readonly coveredSequencer: string | undefined;
  /** Wall-clock time of the read that wrote it. */
  readonly updatedAtMs: number;
}

/** A stored cursor and the version to replace it conditionally. */
export interface StoredCursor {
  /** The cursor, or undefined when the stored row could not be read (it is then overwritten). */
  readonly cursor: FlowLogCursor | undefined;
  readonly version: string;
  /** Why the stored row could not be read. */
  readonly problem?: string;
}

/**
 * Where the flow-log function keeps one cursor per blob. Both implementations (Table Storage,
 * in memory) pass the same contract test (test/integration/flowLogCursorStore.test.ts).
 */
export interface FlowLogCursorStore {
  read(ref: FlowLogBlobRef): Promise<StoredCursor | undefined>;
  /**
   * Saves `next` if the stored cursor is still `previous`; when another invocation saved one in
   * between, saves the merge of both (`mergeCursors`) instead. Returns what was stored.
   * @throws {StorageUnavailableError} when storage stays unavailable
   */
  save(ref: FlowLogBlobRef, next: FlowLogCursor, previous: StoredCursor | undefined): Promise<StoredCursor>;
  /** Deletes the cursors of blobs whose hour starts before `hourStartMs`; returns how many. */
  purgeBefore(hourStartMs: number): Promise<number>;
}

/** True when sequencer `a` is later than `b` (sequencers order by plain string comparison). */
function isLater(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && (b === undefined || a > b);
}

/**
 * The cursor two concurrent invocations agree on: the larger covered sequencer (each one's
 * commits were counted), and the position furthest along the same generation, or, across
 * generations, the one read last. A cursor is a hint for where to read next; counts never depend
 * on it (window rows' high-water marks do), so any choice here is exact, this one reads least.
 */
export function mergeCursors(a: FlowLogCursor, b: FlowLogCursor): FlowLogCursor {
  const position =
    a.generation === b.generation
      ? a.bytesRead >= b.bytesRead
        ? a
        : b
      : a.updatedAtMs >= b.updatedAtMs
        ? a
        : b;
  return {
    ...position,
    coveredSequencer: isLater(a.coveredSequencer, b.coveredSequencer)
      ? a.coveredSequencer
      : b.coveredSequencer,
    updatedAtMs: Math.max(a.updatedAtMs, b.updatedAtMs),
  };
}

/** True when an event with `sequencer` was already covered by a read (see `FlowLogCursor.coveredSequencer`). */
export function isCovered(cursor: FlowLogCursor | undefined, sequencer: string | undefined): boolean {
  return (
    cursor?.coveredSequencer !== undefined &&
    sequencer !== undefined &&
    !isLater(sequencer, cursor.coveredSequencer)
  );
}
