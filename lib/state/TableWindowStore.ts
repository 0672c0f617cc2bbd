import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { ServiceConnection } from '../config/appSettings.js';
import type { BatchGroup } from '../detection/BatchAggregator.js';
import { decodeState, encodeState } from '../window/stateCodec.js';
import type { WindowState } from '../window/WindowState.js';
import { emptyState } from '../window/WindowState.js';
import { binRange, binStartOfKey, lateMarkerPartitionKey, windowPartitionKey, windowRowKey } from './keys.js';
import { type CachedRow, RowCache } from './RowCache.js';
import type { StorageRetryOptions } from './storageClients.js';
import {
  asStorageFailure,
  createTableClient,
  ensureTable,
  onceSucceeded,
  statusOf,
} from './storageClients.js';
import type { WindowStore } from './WindowStore.js';

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

/** The row cache of a store built without a budget (the CLI's table replay): 256 MiB. */
export const DEFAULT_ROW_CACHE_BYTES = 256 * 1024 * 1024;
const MAX_TRANSACTION = 100;
/** Each round re-reads every row of the chunk: more than one is needed only while two instances write the same partition. */
const MAX_CONFLICT_ROUNDS = 4;
const CLOSER_PK = 'closer';
const CLOSER_RK = 'state';
const PROGRESS_PK = 'progress';

/**
 * Window state in Azure Table Storage (see keys.ts for the key design).
 *
 * Exact under concurrency: each Event Hub partition writes only its own rows, every write is
 * conditional (create, or replace with the ETag read), and a conflict re-reads every row of the
 * transaction with one query and re-applies, so a chunk whose whole cache is stale (the partition
 * moved from this instance and back, or a response was lost after commit) needs one round.
 * Idempotent under redelivery: a row keeps its partition's high-water sequence number and
 * `WindowAccumulator.applyTo` adds only messages above it. Frugal: at most one write per
 * (source, bin) per batch, grouped in transactions of up to 100 rows per PartitionKey; rows this
 * instance wrote last are cached with their ETag (within a byte budget, see `RowCache`), so the
 * steady state needs no reads at all.
 */
export class TableWindowStore implements WindowStore {
  readonly windows: TableClient;
  readonly control: TableClient;
  readonly #cache: RowCache;
  readonly #ensureTables: () => Promise<void>;

  constructor(windows: TableClient, control: TableClient, rowCacheBytes = DEFAULT_ROW_CACHE_BYTES) {
    this.windows = windows;
    this.control = control;
    this.#cache = new RowCache(rowCacheBytes);
    this.#ensureTables = onceSucceeded(() =>
      Promise.all([ensureTable(windows), ensureTable(control)]).then(() => undefined),
    );
  }

  static fromConnection(
    connection: ServiceConnection,
    tablePrefix: string,
    retry?: StorageRetryOptions,
    rowCacheBytes?: number,
  ): TableWindowStore {
    return new TableWindowStore(
      createTableClient(connection, `${tablePrefix}Windows`, retry),
      createTableClient(connection, `${tablePrefix}Control`, retry),
      rowCacheBytes,
    );
  }

  /** The row cache's rows, estimated bytes and evictions (for the invocation summary). */
  get rowCache(): RowCache['stats'] {
    return this.#cache.stats;
  }

  /** Creates the tables once per process. */
  ready(): Promise<void> {
    return this.#ensureTables();
  }

  /**
   * Applies a batch's groups from Event Hub partition `partition`.
   * @throws {StorageUnavailableError} when storage stays unavailable after the SDK's retries
   */
  async applyWindows(partition: string, groups: Iterable<BatchGroup>): Promise<ApplyCounts> {
    await this.ready();
    const counts: ApplyCounts = { entityWrites: 0, transactions: 0, conflicts: 0, reads: 0 };
    const byPartitionKey = new Map<string, BatchGroup[]>();
    for (const g of groups) {
      const pk = windowPartitionKey(g.source, g.binStartMs);
      const list = byPartitionKey.get(pk);
      if (list === undefined) byPartitionKey.set(pk, [g]);
      else list.push(g);
    }
    const work: Promise<void>[] = [];
    for (const [pk, list] of byPartitionKey) {
      for (let i = 0; i < list.length; i += MAX_TRANSACTION) {
        work.push(this.#applyChunk(pk, partition, list.slice(i, i + MAX_TRANSACTION), counts));
      }
    }
    await settleAll(work);
    return counts;
  }

  async #applyChunk(pk: string, partition: string, groups: BatchGroup[], counts: ApplyCounts): Promise<void> {
    const rowKeys = groups.map((g) => windowRowKey(g.source, partition));
    /** What a conflict round read (undefined: no such row): used even if the cache dropped it since. */
    let read: Map<string, CachedRow | undefined> | undefined;
    for (let round = 0; ; round++) {
      const actions: TransactionAction[] = [];
      const next: WindowState[] = [];
      groups.forEach((g, i) => {
        const rk = rowKeys[i] as string;
        const cached = read !== undefined ? read.get(rk) : this.#cache.get(`${pk}\n${rk}`);
        const state = g.accumulator.applyTo(cached?.state ?? emptyState(), partition);
        next.push(state);
        const entity = { partitionKey: pk, rowKey: rk, state: encodeState(state), ports: state.ports.size };
        actions.push(
          cached === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag: cached.etag }],
        );
      });
      try {
        counts.transactions++;
        const response = await this.windows.submitTransaction(actions);
        counts.entityWrites += actions.length;
        response.subResponses.forEach((sub, i) => {
          if (sub.etag !== undefined)
            this.#remember(pk, rowKeys[i] as string, sub.etag, next[i] as WindowState);
        });
        return;
      } catch (error) {
        const status = statusOf(error);
        if ((status !== 409 && status !== 412 && status !== 404) || round >= MAX_CONFLICT_ROUNDS) {
          // The outcome is unknown: the transaction may have committed with its response lost.
          // Forget the rows it may have changed, so the next attempt starts from what is stored.
          for (const rk of rowKeys) this.#cache.forget(`${pk}\n${rk}`);
          throw asStorageFailure(error, 'window write');
        }
        // A row exists (409), changed (412: another instance wrote it while it owned the
        // partition, or our own earlier attempt committed and its response was lost) or was swept
        // (404). Whatever the number of stale rows, one query re-reads them all, so the next
        // round writes against what is stored.
        counts.conflicts++;
        const refreshed = await this.#readChunk(pk, rowKeys);
        counts.reads += refreshed.requests;
        read = refreshed.rows;
      }
    }
  }

  /**
   * Reads the rows `rowKeys` of one PartitionKey with one range query (paged): each row as stored,
   * or undefined when there is none; the cache learns the same. Returns the requests made too.
   */
  async #readChunk(
    pk: string,
    rowKeys: readonly string[],
  ): Promise<{ rows: Map<string, CachedRow | undefined>; requests: number }> {
    const rows = new Map<string, CachedRow | undefined>(rowKeys.map((rk) => [rk, undefined]));
    const sorted = [...rows.keys()].sort();
    let requests = 0;
    try {
      const pages = this.windows
        .listEntities<{ state: Uint8Array }>({
          queryOptions: {
            filter: odata`PartitionKey eq ${pk} and RowKey ge ${sorted[0] as string} and RowKey le ${sorted[sorted.length - 1] as string}`,
            select: ['RowKey', 'state'],
          },
        })
        .byPage();
      for await (const page of pages) {
        requests++;
        for (const e of page) {
          const rk = e.rowKey as string;
          if (rows.has(rk)) rows.set(rk, { etag: e.etag, state: decodeState(toBytes(e.state)) });
        }
      }
    } catch (error) {
      for (const rk of rowKeys) this.#cache.forget(`${pk}\n${rk}`);
      throw asStorageFailure(error, 'window read');
    }
    for (const [rk, row] of rows) {
      if (row === undefined) this.#cache.forget(`${pk}\n${rk}`);
      else this.#cache.remember(`${pk}\n${rk}`, row);
    }
    return { rows, requests };
  }

  #remember(pk: string, rk: string, etag: string, state: WindowState): void {
    this.#cache.remember(`${pk}\n${rk}`, { etag, state });
  }

  /** Every stored row of a bin (all sources, all partitions). */
  async *listBinWindows(binStartMs: number): AsyncIterable<StoredWindow> {
    await this.ready();
    const { from, to } = binRange(binStartMs);
    try {
      const rows = this.windows.listEntities<{ state: Uint8Array }>({
        queryOptions: {
          filter: odata`PartitionKey ge ${from} and PartitionKey lt ${to}`,
          select: ['RowKey', 'state'],
        },
      });
      for await (const row of rows) yield toStoredWindow(row.rowKey as string, row.state);
    } catch (error) {
      throw asStorageFailure(error, 'bin scan');
    }
  }

  /** The stored rows of one (source, bin), one per partition that saw it. */
  async readWindowRows(source: string, binStartMs: number): Promise<StoredWindow[]> {
    await this.ready();
    const pk = windowPartitionKey(source, binStartMs);
    const out: StoredWindow[] = [];
    try {
      const rows = this.windows.listEntities<{ state: Uint8Array }>({
        queryOptions: {
          filter: odata`PartitionKey eq ${pk} and RowKey ge ${`${source}|`} and RowKey lt ${`${source}}`}`,
          select: ['RowKey', 'state'],
        },
      });
      for await (const row of rows) out.push(toStoredWindow(row.rowKey as string, row.state));
    } catch (error) {
      throw asStorageFailure(error, 'window read');
    }
    return out;
  }

  /** Deletes every row of the given bins; returns the number of rows deleted. */
  async deleteBins(binStarts: readonly number[]): Promise<number> {
    await this.ready();
    let deleted = 0;
    for (const start of binStarts) {
      const { from, to } = binRange(start);
      const byPk = new Map<string, string[]>();
      try {
        const rows = this.windows.listEntities({
          queryOptions: {
            filter: odata`PartitionKey ge ${from} and PartitionKey lt ${to}`,
            select: ['PartitionKey', 'RowKey'],
          },
        });
        for await (const row of rows) {
          const list = byPk.get(row.partitionKey as string) ?? [];
          list.push(row.rowKey as string);
          byPk.set(row.partitionKey as string, list);
        }
      } catch (error) {
        throw asStorageFailure(error, 'retention scan');
      }
      for (const [pk, rks] of byPk) {
        for (let i = 0; i < rks.length; i += MAX_TRANSACTION) {
          const chunk = rks.slice(i, i + MAX_TRANSACTION);
          try {
            await this.windows.submitTransaction(
              chunk.map((rk) => ['delete', { partitionKey: pk, rowKey: rk }]),
            );
            deleted += chunk.length;
          } catch (error) {
            // Rows deleted by a concurrent sweep are fine; retry one by one, ignoring 404.
            if (statusOf(error) !== 404) throw asStorageFailure(error, 'retention delete');
            for (const rk of chunk) {
              try {
                await this.windows.deleteEntity(pk, rk);
                deleted++;
              } catch (inner) {
                if (statusOf(inner) !== 404) throw asStorageFailure(inner, 'retention delete');
              }
            }
          }
          for (const rk of chunk) this.#cache.forget(`${pk}\n${rk}`);
        }
      }
    }
    return deleted;
  }

  /** The closing timer's position; zeros when it never ran. */
  async readCloser(): Promise<CloserState> {
    await this.ready();
    try {
      const e = await this.control.getEntity<{ announcedMs: number; evaluatedMs: number; sweptMs: number }>(
        CLOSER_PK,
        CLOSER_RK,
      );
      return { announcedMs: e.announcedMs, evaluatedMs: e.evaluatedMs, sweptMs: e.sweptMs, etag: e.etag };
    } catch (error) {
      if (statusOf(error) === 404) return { announcedMs: 0, evaluatedMs: 0, sweptMs: 0, etag: undefined };
      throw asStorageFailure(error, 'closer read');
    }
  }

  /**
   * Moves the closing timer's position forward, never back: on a concurrent change (412/409) it
   * re-reads and keeps the larger of each field.
   */
  async advanceCloser(next: Omit<CloserState, 'etag'>, current: CloserState): Promise<CloserState> {
    let base = current;
    for (let attempt = 0; attempt < 10; attempt++) {
      const merged = {
        announcedMs: Math.max(base.announcedMs, next.announcedMs),
        evaluatedMs: Math.max(base.evaluatedMs, next.evaluatedMs),
        sweptMs: Math.max(base.sweptMs, next.sweptMs),
      };
      if (
        base.etag !== undefined &&
        merged.announcedMs === base.announcedMs &&
        merged.evaluatedMs === base.evaluatedMs &&
        merged.sweptMs === base.sweptMs
      ) {
        return base;
      }
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
            ? await this.control.createEntity(entity)
            : await this.control.updateEntity(entity, 'Replace', { etag: base.etag });
        return { ...merged, etag: r.etag };
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw asStorageFailure(error, 'closer write');
        base = await this.readCloser();
      }
    }
    throw asStorageFailure(new Error('closer row kept changing'), 'closer write');
  }

  /** Records a partition's progress; the stored values only move forward. */
  async recordProgress(progress: PartitionProgress): Promise<void> {
    await this.ready();
    for (let attempt = 0; attempt < 10; attempt++) {
      let current: (PartitionProgress & { etag: string }) | undefined;
      try {
        const e = await this.control.getEntity<Omit<PartitionProgress, 'partition'>>(
          PROGRESS_PK,
          progress.partition,
        );
        current = { ...e, partition: progress.partition, etag: e.etag };
      } catch (error) {
        if (statusOf(error) !== 404) throw asStorageFailure(error, 'progress read');
      }
      const entity = {
        partitionKey: PROGRESS_PK,
        rowKey: progress.partition,
        maxEventTimeMs: {
          value: Math.max(progress.maxEventTimeMs, current?.maxEventTimeMs ?? 0),
          type: 'Double' as const,
        },
        minEventTimeMs: {
          value: Math.min(progress.minEventTimeMs, current?.minEventTimeMs ?? Number.MAX_SAFE_INTEGER),
          type: 'Double' as const,
        },
        maxEnqueuedTimeMs: {
          value: Math.max(progress.maxEnqueuedTimeMs, current?.maxEnqueuedTimeMs ?? 0),
          type: 'Double' as const,
        },
        lastSequenceNumber: {
          value: Math.max(progress.lastSequenceNumber, current?.lastSequenceNumber ?? 0),
          type: 'Double' as const,
        },
        updatedAtMs: {
          value: Math.max(progress.updatedAtMs, current?.updatedAtMs ?? 0),
          type: 'Double' as const,
        },
        ...feedFields(progress, current),
      };
      try {
        if (current === undefined) await this.control.createEntity(entity);
        else await this.control.updateEntity(entity, 'Replace', { etag: current.etag });
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw asStorageFailure(error, 'progress write');
      }
    }
    throw asStorageFailure(new Error('progress row kept changing'), 'progress write');
  }

  /** Every partition's recorded progress. */
  async readProgress(): Promise<PartitionProgress[]> {
    await this.ready();
    const out: PartitionProgress[] = [];
    try {
      const rows = this.control.listEntities<Omit<PartitionProgress, 'partition'>>({
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
      for (let i = 0; i < list.length; i += MAX_TRANSACTION)
        work.push(this.control.submitTransaction(list.slice(i, i + MAX_TRANSACTION)));
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
      const rows = this.control.listEntities({
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
      await this.control.deleteEntity(lateMarkerPartitionKey(marker.binStartMs), marker.source, {
        etag: marker.etag,
      });
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 412) throw asStorageFailure(error, 'late marker delete');
    }
  }
}

/** The feed fields of a progress row: a flow-log feed keeps its kind and the latest hour end. */
function feedFields(
  progress: PartitionProgress,
  current: PartitionProgress | undefined,
): { feed?: string; feedEndMs?: { value: number; type: 'Double' } } {
  const feed = progress.feed ?? current?.feed;
  if (feed !== 'flowlog') return {};
  const end = Math.max(progress.feedEndMs ?? 0, current?.feedEndMs ?? 0);
  return { feed, ...(end > 0 ? { feedEndMs: { value: end, type: 'Double' } } : {}) };
}

function toStoredWindow(rowKey: string, state: Uint8Array): StoredWindow {
  const bar = rowKey.lastIndexOf('|');
  return {
    source: rowKey.slice(0, bar),
    partition: rowKey.slice(bar + 1),
    state: decodeState(toBytes(state)),
  };
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError('window row without a binary state');
}

/** Awaits every promise, then rethrows the first failure: no write is left running unobserved. */
async function settleAll(work: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}
