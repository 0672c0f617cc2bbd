import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { TABLE_TRANSACTION_LIMIT, type TableUse, tableReady } from '../azure/clients.js';
import { asStorageFailure, classifyStorageError } from '../azure/storageErrors.js';
import {
  type BatchOperation,
  base64Of,
  base64Property,
  int32Property,
  TableBatchWriter,
} from '../azure/TableBatchWriter.js';
import { StorageConflictError } from '../errors.js';
import { decodeState, encodeStateShared } from '../window/stateCodec.js';
import { emptyState } from '../window/WindowState.js';
import { binRange, windowPartitionKey, windowRowKey } from './keys.js';
import { type CachedRow, RowCache } from './RowCache.js';
import { settleAll } from './settleAll.js';
import type { ApplyCounts, BatchGroup, StoredWindow } from './WindowStore.js';

/** Each round re-reads every row of the chunk: more than one is needed only while two instances write the same partition. */
const MAX_CONFLICT_ROUNDS = 4;

/**
 * The payload an entity-group transaction may carry (the service refuses more than 4 MiB; see
 * docs/platform.md), less room for the batch's own envelope. A row with its evidence can reach
 * about 49 KB, 66 KB once base64 in the request, so 100 such rows would be twice too many.
 */
export const TRANSACTION_PAYLOAD_BUDGET_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** What one action adds to the payload besides its state: its change-set part's headers, keys and JSON. */
const ACTION_OVERHEAD_BYTES = 1024;

/** The bytes a row's action takes in a transaction's payload (an upper estimate). */
export function actionPayloadBytes(stateBytes: number, partitionKey: string, rowKey: string): number {
  // Edm.Binary travels as base64; keys may need JSON escapes (at most 6 bytes per UTF-16 unit).
  return 4 * Math.ceil(stateBytes / 3) + 6 * (partitionKey.length + rowKey.length) + ACTION_OVERHEAD_BYTES;
}

/**
 * Splits items, in order, into runs whose summed `bytes` stay within `budget` (an item larger
 * than the budget alone makes a run of one).
 */
export function splitByBytes<T>(items: readonly T[], bytes: readonly number[], budget: number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let total = 0;
  items.forEach((item, i) => {
    const b = bytes[i] as number;
    if (run.length > 0 && total + b > budget) {
      runs.push(run);
      run = [];
      total = 0;
    }
    run.push(item);
    total += b;
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * The `<prefix>Windows` table: one row per (source, bin, Event Hub partition) (see keys.ts for
 * the key design), written conditionally and cached with its ETag.
 *
 * Exact under concurrency: each Event Hub partition writes only its own rows, every write is
 * conditional (create, or replace with the ETag read), and a conflict re-reads every row of the
 * transaction with one query and re-applies, so a chunk whose whole cache is stale (the partition
 * moved from this instance and back, or a response was lost after commit) needs one round.
 * Idempotent under redelivery: a row keeps its partition's high-water sequence number and
 * `WindowAccumulator.applyTo` adds only messages above it. Frugal: at most one write per
 * (source, bin) per batch, grouped in transactions of up to 100 rows per PartitionKey and at most
 * `TRANSACTION_PAYLOAD_BUDGET_BYTES` of payload; rows this
 * instance wrote last are cached with their ETag (within a byte budget, see `RowCache`), so the
 * steady state needs no reads at all.
 */
export class TableWindowRows {
  readonly table: TableClient;
  readonly #writer: TableBatchWriter;
  readonly #cache: RowCache;
  readonly ready: () => Promise<void>;

  constructor(table: TableClient, rowCacheBytes: number, use: TableUse = 'create') {
    this.table = table;
    this.#writer = new TableBatchWriter(table);
    this.#cache = new RowCache(rowCacheBytes);
    this.ready = tableReady(table, use);
  }

  /** The row cache's rows, estimated bytes and evictions (for the invocation summary). */
  get rowCache(): RowCache['stats'] {
    return this.#cache.stats;
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
      for (let i = 0; i < list.length; i += TABLE_TRANSACTION_LIMIT) {
        work.push(this.#applyChunk(pk, partition, list.slice(i, i + TABLE_TRANSACTION_LIMIT), counts));
      }
    }
    await settleAll(work);
    return counts;
  }

  async #applyChunk(pk: string, partition: string, groups: BatchGroup[], counts: ApplyCounts): Promise<void> {
    const rowKeys = groups.map((g) => windowRowKey(g.source, partition));
    const cacheKeys = rowKeys.map((rk) => cacheKeyOf(pk, rk));
    /** What a conflict round read (undefined: no such row): used even if the cache dropped it since. */
    let read: Map<string, CachedRow | undefined> | undefined;
    for (let round = 0; ; round++) {
      const operations: BatchOperation[] = [];
      /** Each row's new state as written (base64), for the cache. */
      const next: string[] = [];
      const payload: number[] = [];
      groups.forEach((g, i) => {
        const rk = rowKeys[i] as string;
        const cached = read !== undefined ? read.get(rk) : this.#cache.get(cacheKeys[i] as string);
        const stored = cached === undefined ? emptyState() : decodeState(Buffer.from(cached.state, 'base64'));
        const state = g.accumulator.applyTo(stored, partition);
        // Used at once (its length and base64), before the next state is encoded over it.
        const encoded = encodeStateShared(state);
        payload.push(actionPayloadBytes(encoded.length, pk, rk));
        const base64 = base64Of(encoded);
        next.push(base64);
        const properties = windowProperties(base64, state.ports.size);
        operations.push(
          cached === undefined
            ? { kind: 'create', rowKey: rk, properties }
            : { kind: 'replace', rowKey: rk, etag: cached.etag, properties },
        );
      });
      if (groups.length > 1 && payload.reduce((a, b) => a + b, 0) > TRANSACTION_PAYLOAD_BUDGET_BYTES) {
        // Too many bytes for one transaction (large rows, rare): write the chunk in parts, each
        // from the rows as cached or read, with its own conflict rounds.
        const parts = splitByBytes(groups, payload, TRANSACTION_PAYLOAD_BUDGET_BYTES);
        await settleAll(parts.map((part) => this.#applyChunk(pk, partition, part, counts)));
        return;
      }
      try {
        counts.transactions++;
        const etags = await this.#writer.submit(pk, operations);
        counts.entityWrites += operations.length;
        etags.forEach((etag, i) => {
          if (etag !== undefined)
            this.#cache.remember(cacheKeys[i] as string, { etag, state: next[i] as string });
        });
        return;
      } catch (error) {
        const kind = classifyStorageError(error);
        const isConflict = kind === 'exists' || kind === 'changed' || kind === 'absent';
        if (!isConflict || round >= MAX_CONFLICT_ROUNDS) {
          // The outcome is unknown: the transaction may have committed with its response lost.
          // Forget the rows it may have changed, so the next attempt starts from what is stored.
          for (const key of cacheKeys) this.#cache.forget(key);
          if (!isConflict) throw asStorageFailure(error, 'window write');
          throw new StorageConflictError(
            `window rows of ${pk} kept changing: ${round + 1} conditional writes met another writer's change`,
            { cause: error, context: { operation: 'window write', rounds: round + 1 } },
          );
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
      const pages = this.table
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
          if (!rows.has(rk)) continue;
          const bytes = toBytes(e.state);
          // Decoded here so that a row that is not a state fails the read, as a read row always has.
          decodeState(bytes);
          rows.set(rk, { etag: e.etag, state: base64Of(bytes) });
        }
      }
    } catch (error) {
      for (const rk of rowKeys) this.#cache.forget(cacheKeyOf(pk, rk));
      throw asStorageFailure(error, 'window read');
    }
    for (const [rk, row] of rows) {
      if (row === undefined) this.#cache.forget(cacheKeyOf(pk, rk));
      else this.#cache.remember(cacheKeyOf(pk, rk), row);
    }
    return { rows, requests };
  }

  /** Every stored row of a bin (all sources, all partitions). */
  async *listBinWindows(binStartMs: number): AsyncIterable<StoredWindow> {
    await this.ready();
    const { from, to } = binRange(binStartMs);
    try {
      const rows = this.table.listEntities<{ state: Uint8Array }>({
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
      const rows = this.table.listEntities<{ state: Uint8Array }>({
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
        const rows = this.table.listEntities({
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
        for (let i = 0; i < rks.length; i += TABLE_TRANSACTION_LIMIT) {
          const chunk = rks.slice(i, i + TABLE_TRANSACTION_LIMIT);
          try {
            await this.#writer.submit(
              pk,
              chunk.map((rk) => ({ kind: 'delete', rowKey: rk })),
            );
            deleted += chunk.length;
          } catch (error) {
            // Rows deleted by a concurrent sweep are fine; retry one by one, ignoring those.
            if (classifyStorageError(error) !== 'absent') throw asStorageFailure(error, 'retention delete');
            for (const rk of chunk) {
              try {
                await this.table.deleteEntity(pk, rk);
                deleted++;
              } catch (inner) {
                if (classifyStorageError(inner) !== 'absent')
                  throw asStorageFailure(inner, 'retention delete');
              }
            }
          }
          for (const rk of chunk) this.#cache.forget(cacheKeyOf(pk, rk));
        }
      }
    }
    return deleted;
  }
}

/** A row's key in the row cache. */
function cacheKeyOf(pk: string, rk: string): string {
  return `${pk}\n${rk}`;
}

/** A window row's properties besides its keys: the encoded state (`Edm.Binary`, given as base64) and its port count (`Edm.Int32`). */
function windowProperties(stateBase64: string, ports: number): string {
  return `${base64Property('state', stateBase64)},${int32Property('ports', ports)}`;
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
