import type { WindowAccumulator, WindowState } from '../window/WindowState.js';

/** Where the closing timer stands. Times are bin boundaries in ms since the epoch. */
export interface CloserState {
  /** Every bin ending at or before this time is closed: ingest marks rows for such bins as late. */
  readonly announcedMs: number;
  /** Every bin ending at or before this time has been evaluated. */
  readonly evaluatedMs: number;
  /** Every bin ending at or before this time has been deleted (retention). */
  readonly sweptMs: number;
  readonly etag: string | undefined;
}

/** The closer's three boundaries, without the version they were read at. */
export type CloserPosition = Omit<CloserState, 'etag'>;

/** What one partition has processed, recorded after each batch for the closing timer. */
export interface PartitionProgress {
  readonly partition: string;
  /** Latest event time of a counted row (clamped to the enqueued time plus a small skew). */
  readonly maxEventTimeMs: number;
  /** Earliest event time seen: where a timer that never ran starts evaluating. */
  readonly minEventTimeMs: number;
  /** Latest Event Hub enqueued time processed. */
  readonly maxEnqueuedTimeMs: number;
  readonly lastSequenceNumber: number;
  /** Wall-clock time of the batch that last advanced it: a partition silent for long stops holding the watermark. */
  readonly updatedAtMs: number;
  /** What the record tracks: an Event Hub partition (the default), or a flow-log feed (docs/flow-logs.md). */
  readonly feed?: FeedKind;
  /** Flow-log feeds: the end of the hour of the latest blob read (its records are all before it). */
  readonly feedEndMs?: number;
}

/**
 * The kinds of feed whose progress the closing timer reads: an Event Hub partition, or a
 * flow-log feed, one network interface's hourly `PT1H.json` blobs, read from Storage.
 */
export type FeedKind = 'eventhub' | 'flowlog';

/** One (source, bin) of a batch and what the batch's rows add to it. */
export interface BatchGroup {
  readonly source: string;
  readonly binStartMs: number;
  readonly accumulator: WindowAccumulator;
}

/** Counts of one `applyWindows` call, for the invocation summary and the benchmark. */
export interface ApplyCounts {
  entityWrites: number;
  transactions: number;
  conflicts: number;
  reads: number;
}

/** One stored window row. */
export interface StoredWindow {
  readonly source: string;
  readonly partition: string;
  readonly state: WindowState;
}

/** A late marker: a (source, bin) that received rows after its bin was announced closed. */
export interface LateMarker {
  readonly source: string;
  readonly binStartMs: number;
  readonly etag: string;
}

/**
 * Where window state, partition progress, the closer's position and late marks live. The Table
 * Storage implementation runs in Azure; the in-memory twin serves fast tests and benchmarks. Both
 * pass the same contract tests (test/integration/stateContract.test.ts) and apply the same
 * forward-only rules (`forwardOnly.ts`).
 */
export interface WindowStore {
  ready(): Promise<void>;
  /** Applies a batch's groups from one Event Hub partition: at most one write per (source, bin). */
  applyWindows(partition: string, groups: Iterable<BatchGroup>): Promise<ApplyCounts>;
  /** Every stored row of a bin. */
  listBinWindows(binStartMs: number): AsyncIterable<StoredWindow>;
  /** The stored rows of one (source, bin), one per partition. */
  readWindowRows(source: string, binStartMs: number): Promise<StoredWindow[]>;
  /** Deletes every row of the given bins; returns how many. */
  deleteBins(binStarts: readonly number[]): Promise<number>;
  readCloser(): Promise<CloserState>;
  /** Moves the closer forward, never back (`mergeCloser`: the larger of each field wins on a concurrent change). */
  advanceCloser(next: CloserPosition, current: CloserState): Promise<CloserState>;
  /** Records a partition's progress; stored values only move forward (`mergeProgress`: the minimum backward). */
  recordProgress(progress: PartitionProgress): Promise<void>;
  readProgress(): Promise<PartitionProgress[]>;
  markLate(windows: readonly { source: string; binStartMs: number }[]): Promise<void>;
  listLateMarkers(): AsyncIterable<LateMarker>;
  /** Deletes a late mark unless it was set again since it was read. */
  deleteLateMarker(marker: LateMarker): Promise<void>;
}
