import type { BatchGroup } from '../detection/BatchAggregator.js';
import type {
  ApplyCounts,
  CloserState,
  LateMarker,
  PartitionProgress,
  StoredWindow,
} from './TableWindowStore.js';

/**
 * Where window state, partition progress, the closer's position and late marks live. The Table
 * Storage implementation runs in Azure; the in-memory twin serves fast tests and benchmarks. Both
 * pass the same contract tests (test/integration/stateContract.test.ts).
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
  /** Moves the closer forward, never back (the larger of each field wins on a concurrent change). */
  advanceCloser(next: Omit<CloserState, 'etag'>, current: CloserState): Promise<CloserState>;
  /** Records a partition's progress; stored values only move forward (the minimum backward). */
  recordProgress(progress: PartitionProgress): Promise<void>;
  readProgress(): Promise<PartitionProgress[]>;
  markLate(windows: readonly { source: string; binStartMs: number }[]): Promise<void>;
  listLateMarkers(): AsyncIterable<LateMarker>;
  /** Deletes a late mark unless it was set again since it was read. */
  deleteLateMarker(marker: LateMarker): Promise<void>;
}
