import type { WindowState } from '../window/WindowState.js';
import { emptyState } from '../window/WindowState.js';
import { isSameCloser, mergeCloser, mergeProgress } from './forwardOnly.js';
import type {
  ApplyCounts,
  BatchGroup,
  CloserPosition,
  CloserState,
  LateMarker,
  PartitionProgress,
  StoredWindow,
  WindowStore,
} from './WindowStore.js';

/**
 * The in-memory twin of `TableWindowStore`: the same semantics (rows per source, bin and
 * partition; the closer and progress moved by the same forward-only rules, `forwardOnly.ts`; late
 * marks with versions) without I/O, for fast tests and benchmarks. Not durable, single process.
 */
export class InMemoryWindowStore implements WindowStore {
  /** bin start → source → partition → state */
  readonly #bins = new Map<number, Map<string, Map<string, WindowState>>>();
  #closer: CloserState = { announcedMs: 0, evaluatedMs: 0, sweptMs: 0, etag: undefined };
  readonly #progress = new Map<string, PartitionProgress>();
  readonly #late = new Map<string, LateMarker>();
  #version = 0;

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async applyWindows(partition: string, groups: Iterable<BatchGroup>): Promise<ApplyCounts> {
    let writes = 0;
    for (const g of groups) {
      let bin = this.#bins.get(g.binStartMs);
      if (bin === undefined) {
        bin = new Map();
        this.#bins.set(g.binStartMs, bin);
      }
      let rows = bin.get(g.source);
      if (rows === undefined) {
        rows = new Map();
        bin.set(g.source, rows);
      }
      rows.set(partition, g.accumulator.applyTo(rows.get(partition) ?? emptyState(), partition));
      writes++;
    }
    return { entityWrites: writes, transactions: writes === 0 ? 0 : 1, conflicts: 0, reads: 0 };
  }

  async *listBinWindows(binStartMs: number): AsyncIterable<StoredWindow> {
    for (const [source, rows] of this.#bins.get(binStartMs) ?? []) {
      for (const [partition, state] of rows) yield { source, partition, state };
    }
  }

  async readWindowRows(source: string, binStartMs: number): Promise<StoredWindow[]> {
    const rows = this.#bins.get(binStartMs)?.get(source) ?? new Map<string, WindowState>();
    return [...rows.entries()].map(([partition, state]) => ({ source, partition, state }));
  }

  async deleteBins(binStarts: readonly number[]): Promise<number> {
    let deleted = 0;
    for (const b of binStarts) {
      for (const rows of this.#bins.get(b)?.values() ?? []) deleted += rows.size;
      this.#bins.delete(b);
    }
    return deleted;
  }

  async readCloser(): Promise<CloserState> {
    return this.#closer;
  }

  async advanceCloser(next: CloserPosition, _current: CloserState): Promise<CloserState> {
    const merged = mergeCloser(this.#closer, next);
    if (this.#closer.etag !== undefined && isSameCloser(merged, this.#closer)) return this.#closer;
    this.#closer = { ...merged, etag: String(++this.#version) };
    return this.#closer;
  }

  async recordProgress(progress: PartitionProgress): Promise<void> {
    this.#progress.set(progress.partition, mergeProgress(this.#progress.get(progress.partition), progress));
  }

  async readProgress(): Promise<PartitionProgress[]> {
    return [...this.#progress.values()];
  }

  async markLate(windows: readonly { source: string; binStartMs: number }[]): Promise<void> {
    for (const w of windows) {
      this.#late.set(`${w.binStartMs}|${w.source}`, { ...w, etag: String(++this.#version) });
    }
  }

  async *listLateMarkers(): AsyncIterable<LateMarker> {
    yield* [...this.#late.values()];
  }

  async deleteLateMarker(marker: LateMarker): Promise<void> {
    const key = `${marker.binStartMs}|${marker.source}`;
    if (this.#late.get(key)?.etag === marker.etag) this.#late.delete(key);
  }
}
