import type { BatchGroup } from '../detection/BatchAggregator.js';
import type { WindowState } from '../window/WindowState.js';
import { emptyState } from '../window/WindowState.js';
import type {
  ApplyCounts,
  CloserState,
  LateMarker,
  PartitionProgress,
  StoredWindow,
} from './TableWindowStore.js';
import type { WindowStore } from './WindowStore.js';

/**
 * The in-memory twin of `TableWindowStore`: the same semantics (rows per source, bin and
 * partition; forward-only closer and progress; late marks with versions) without I/O, for fast
 * tests and benchmarks. Not durable, single process.
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

  async advanceCloser(next: Omit<CloserState, 'etag'>, _current: CloserState): Promise<CloserState> {
    const c = this.#closer;
    this.#closer = {
      announcedMs: Math.max(c.announcedMs, next.announcedMs),
      evaluatedMs: Math.max(c.evaluatedMs, next.evaluatedMs),
      sweptMs: Math.max(c.sweptMs, next.sweptMs),
      etag: String(++this.#version),
    };
    return this.#closer;
  }

  async recordProgress(progress: PartitionProgress): Promise<void> {
    const current = this.#progress.get(progress.partition);
    this.#progress.set(progress.partition, {
      partition: progress.partition,
      maxEventTimeMs: Math.max(progress.maxEventTimeMs, current?.maxEventTimeMs ?? 0),
      minEventTimeMs: Math.min(progress.minEventTimeMs, current?.minEventTimeMs ?? Number.MAX_SAFE_INTEGER),
      maxEnqueuedTimeMs: Math.max(progress.maxEnqueuedTimeMs, current?.maxEnqueuedTimeMs ?? 0),
      lastSequenceNumber: Math.max(progress.lastSequenceNumber, current?.lastSequenceNumber ?? 0),
      updatedAtMs: Math.max(progress.updatedAtMs, current?.updatedAtMs ?? 0),
      ...((progress.feed ?? current?.feed) === 'flowlog'
        ? {
            feed: 'flowlog' as const,
            ...(Math.max(progress.feedEndMs ?? 0, current?.feedEndMs ?? 0) > 0
              ? { feedEndMs: Math.max(progress.feedEndMs ?? 0, current?.feedEndMs ?? 0) }
              : {}),
          }
        : {}),
    });
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
