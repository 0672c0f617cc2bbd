import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { TABLE_TRANSACTION_LIMIT, type TableUse, tableReady } from '../azure/clients.js';
import { asStorageFailure, classifyStorageError } from '../azure/storageErrors.js';
import { StorageConflictError } from '../errors.js';
import { isSameCloser, mergeCloser, mergeProgress } from './forwardOnly.js';
import { binStartOfKey, lateMarkerPartitionKey } from './keys.js';
import { settleAll } from './settleAll.js';
import type { CloserPosition, CloserState, LateMarker, PartitionProgress } from './WindowStore.js';

const CLOSER_PK = 'closer';
const CLOSER_RK = 'state';
const PROGRESS_PK = 'progress';
/** Attempts of a conditional write of a Control row that keeps meeting concurrent writes. */
const MAX_ATTEMPTS = 10;

/**
 * The `<prefix>Control` table's rows of the window state: the closing timer's position (one row),
 * each partition's progress (one row per partition) and the late marks (`late-<bin>` / source).
 * Every write is conditional on the ETag read; on a concurrent change the row is read again and
 * the forward-only rules (`forwardOnly.ts`) merged over it.
 */
export class TableControlRows {
  readonly table: TableClient;
  readonly ready: () => Promise<void>;
  /** Each partition's progress row as this instance last wrote it, with its ETag. */
  readonly #progress = new Map<string, PartitionProgress & { readonly etag: string }>();

  constructor(table: TableClient, use: TableUse = 'create') {
    this.table = table;
    this.ready = tableReady(table, use);
  }

  /** The closing timer's position; zeros when it never ran. */
  async readCloser(): Promise<CloserState> {
    await this.ready();
    try {
      const e = await this.table.getEntity<{ announcedMs: number; evaluatedMs: number; sweptMs: number }>(
        CLOSER_PK,
        CLOSER_RK,
      );
      return { announcedMs: e.announcedMs, evaluatedMs: e.evaluatedMs, sweptMs: e.sweptMs, etag: e.etag };
    } catch (error) {
      if (classifyStorageError(error) === 'absent')
        return { announcedMs: 0, evaluatedMs: 0, sweptMs: 0, etag: undefined };
      throw asStorageFailure(error, 'closer read');
    }
  }

  /**
   * Moves the closing timer's position forward, never back: on a concurrent change (412/409) it
   * re-reads and merges (`mergeCloser`).
   */
  async advanceCloser(next: CloserPosition, current: CloserState): Promise<CloserState> {
    let base = current;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const merged = mergeCloser(base, next);
      if (base.etag !== undefined && isSameCloser(merged, base)) return base;
      const entity = {
        partitionKey: CLOSER_PK,
        rowKey: CLOSER_RK,
        announcedMs: { value: merged.announcedMs, type: 'Double' as const },
        evaluatedMs: { value: merged.evaluatedMs, type: 'Double' as const },
        sweptMs: { value: merged.sweptMs, type: 'Double' as const },
      };
      try {
        const r =
          base.etag === undefined
            ? await this.table.createEntity(entity)
            : await this.table.updateEntity(entity, 'Replace', { etag: base.etag });
        return { ...merged, etag: r.etag };
      } catch (error) {
        if (!isConcurrentChange(error)) throw asStorageFailure(error, 'closer write');
        base = await this.readCloser();
      }
    }
    throw keptChanging('the closer row', 'closer write');
  }

  /**
   * Records a partition's progress; the stored values only move forward (`mergeProgress`). The row
   * this instance wrote last is remembered with its ETag, so the next batch of the partition writes
   * over it without reading it first: a write conditional on that ETag succeeds only if the row is
   * still what was written, so the merge is the one a read would have given. When the row changed
   * (another instance owns the partition now, or a response was lost after the write), was deleted,
   * or the write failed, the row is forgotten and read again.
   */
  async recordProgress(progress: PartitionProgress): Promise<void> {
    await this.ready();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let current = this.#progress.get(progress.partition);
      this.#progress.delete(progress.partition);
      if (current === undefined) {
        try {
          const e = await this.table.getEntity<Omit<PartitionProgress, 'partition'>>(
            PROGRESS_PK,
            progress.partition,
          );
          current = { ...e, partition: progress.partition, etag: e.etag };
        } catch (error) {
          if (classifyStorageError(error) !== 'absent') throw asStorageFailure(error, 'progress read');
        }
      }
      const merged = mergeProgress(current, progress);
      const entity = {
        partitionKey: PROGRESS_PK,
        rowKey: progress.partition,
        maxEventTimeMs: { value: merged.maxEventTimeMs, type: 'Double' as const },
        minEventTimeMs: { value: merged.minEventTimeMs, type: 'Double' as const },
        maxEnqueuedTimeMs: { value: merged.maxEnqueuedTimeMs, type: 'Double' as const },
        lastSequenceNumber: { value: merged.lastSequenceNumber, type: 'Double' as const },
        updatedAtMs: { value: merged.updatedAtMs, type: 'Double' as const },
        ...(merged.feed === undefined ? {} : { feed: merged.feed }),
        ...(merged.feedEndMs === undefined
          ? {}
          : { feedEndMs: { value: merged.feedEndMs, type: 'Double' as const } }),
      };
      try {
        const written =
          current === undefined
            ? await this.table.createEntity(entity)
            : await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
        if (written.etag !== undefined)
          this.#progress.set(progress.partition, { ...merged, etag: written.etag });
        return;
      } catch (error) {
        // A replace of a row deleted since it was read or written (404) is a change like another.
        const deleted = current !== undefined && classifyStorageError(error) === 'absent';
        if (!isConcurrentChange(error) && !deleted) throw asStorageFailure(error, 'progress write');
      }
    }
    throw keptChanging(`the progress row of ${progress.partition}`, 'progress write');
  }

  /** Every partition's recorded progress. */
  async readProgress(): Promise<PartitionProgress[]> {
    await this.ready();
    const out: PartitionProgress[] = [];
    try {
      const rows = this.table.listEntities<Omit<PartitionProgress, 'partition'>>({
        queryOptions: { filter: odata`PartitionKey eq ${PROGRESS_PK}` },
      });
      for await (const r of rows) {
        out.push({
          partition: r.rowKey as string,
          maxEventTimeMs: r.maxEventTimeMs,
          minEventTimeMs: typeof r.minEventTimeMs === 'number' ? r.minEventTimeMs : r.maxEventTimeMs,
          maxEnqueuedTimeMs: r.maxEnqueuedTimeMs,
          lastSequenceNumber: r.lastSequenceNumber,
          updatedAtMs: r.updatedAtMs,
          ...(r.feed === 'flowlog' ? { feed: 'flowlog' as const } : {}),
          ...(typeof r.feedEndMs === 'number' ? { feedEndMs: r.feedEndMs } : {}),
        });
      }
    } catch (error) {
      throw asStorageFailure(error, 'progress read');
    }
    return out;
  }

  /** Marks (source, bin) pairs that received rows after their bin was announced closed. */
  async markLate(windows: readonly { source: string; binStartMs: number }[]): Promise<void> {
    if (windows.length === 0) return;
    await this.ready();
    const byPk = new Map<string, TransactionAction[]>();
    for (const w of windows) {
      const pk = lateMarkerPartitionKey(w.binStartMs);
      const list = byPk.get(pk) ?? [];
      list.push([
        'upsert',
        { partitionKey: pk, rowKey: w.source, binStartMs: { value: w.binStartMs, type: 'Double' } },
        'Replace',
      ]);
      byPk.set(pk, list);
    }
    const work: Promise<unknown>[] = [];
    for (const list of byPk.values()) {
      for (let i = 0; i < list.length; i += TABLE_TRANSACTION_LIMIT)
        work.push(this.table.submitTransaction(list.slice(i, i + TABLE_TRANSACTION_LIMIT)));
    }
    try {
      await settleAll(work);
    } catch (error) {
      throw asStorageFailure(error, 'late marker write');
    }
  }

  /** Every late marker. */
  async *listLateMarkers(): AsyncIterable<LateMarker> {
    await this.ready();
    try {
      const rows = this.table.listEntities({
        queryOptions: { filter: odata`PartitionKey ge ${'late-'} and PartitionKey lt ${'late.'}` },
      });
      for await (const r of rows) {
        const pk = r.partitionKey as string;
        yield { source: r.rowKey as string, binStartMs: binStartOfKey(pk.slice(5)), etag: r.etag };
      }
    } catch (error) {
      throw asStorageFailure(error, 'late marker scan');
    }
  }

  /** Deletes a late marker unless it was set again since it was read (then it stays for the next run). */
  async deleteLateMarker(marker: LateMarker): Promise<void> {
    try {
      await this.table.deleteEntity(lateMarkerPartitionKey(marker.binStartMs), marker.source, {
        etag: marker.etag,
      });
    } catch (error) {
      const kind = classifyStorageError(error);
      if (kind !== 'absent' && kind !== 'changed') throw asStorageFailure(error, 'late marker delete');
    }
  }
}

/** A create that met a row created meanwhile, or a replace that met a changed one. */
function isConcurrentChange(error: unknown): boolean {
  const kind = classifyStorageError(error);
  return kind === 'exists' || kind === 'changed';
}

function keptChanging(row: string, operation: string): StorageConflictError {
  return new StorageConflictError(
    `${row} kept changing: ${MAX_ATTEMPTS} conditional writes met another writer's change`,
    { context: { operation, attempts: MAX_ATTEMPTS } },
  );
}
