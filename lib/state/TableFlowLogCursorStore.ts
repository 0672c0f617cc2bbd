import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { StorageRetryOptions } from '../azure/clients.js';
import { createTableClient, ensureTable, onceSucceeded } from '../azure/clients.js';
import { asStorageFailure, classifyStorageError } from '../azure/storageErrors.js';
import type { ServiceConnection } from '../config/appSettings.js';
import { StorageConflictError } from '../errors.js';
import type { FlowLogBlobRef } from '../flowlogs/flowLogBlob.js';
import type { FlowLogCursor, FlowLogCursorStore, StoredCursor } from './FlowLogCursorStore.js';
import { mergeCursors } from './FlowLogCursorStore.js';
import { tableNamesOf } from './tableNames.js';

/** A cursor row as stored (validated when read back). */
const CursorRowSchema = z.object({
  generation: z.string().min(1),
  blocksRead: z.number().int().min(1),
  bytesRead: z.number().int().min(0),
  lastBlockId: z.string(),
  coveredSequencer: z.string(),
  updatedAtMs: z.number(),
});

const PREFIX = 'flowlog-';
const NO_HOUR = `${PREFIX}none`;
const MAX_TRANSACTION = 100;

/** `flowlog-yyyyMMddTHH` of the blob's hour: a table partition per hour, so old hours go whole. */
function partitionKeyOf(hourStartMs: number | undefined): string {
  if (hourStartMs === undefined) return NO_HOUR;
  const iso = new Date(hourStartMs).toISOString();
  return `${PREFIX}${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}`;
}

/**
 * Flow-log cursors in the Control table: PartitionKey `flowlog-<yyyyMMddTHH>` (the blob's hour),
 * RowKey the blob key, with the blob's container and name for operators. Saves are conditional
 * on the ETag read; on a conflict the stored cursor is read again and merged (`mergeCursors`).
 */
export class TableFlowLogCursorStore implements FlowLogCursorStore {
  readonly table: TableClient;
  readonly #ensureTable: () => Promise<void>;

  constructor(table: TableClient) {
    this.table = table;
    this.#ensureTable = onceSucceeded(() => ensureTable(table));
  }

  static fromConnection(
    connection: ServiceConnection,
    tablePrefix: string,
    retry?: StorageRetryOptions,
  ): TableFlowLogCursorStore {
    return new TableFlowLogCursorStore(
      createTableClient(connection, tableNamesOf(tablePrefix).control, retry),
    );
  }

  async read(ref: FlowLogBlobRef): Promise<StoredCursor | undefined> {
    await this.#ensureTable();
    let row: Record<string, unknown> & { etag: string };
    try {
      row = await this.table.getEntity<Record<string, unknown>>(partitionKeyOf(ref.hourStartMs), ref.blobKey);
    } catch (error) {
      if (classifyStorageError(error) === 'absent') return undefined;
      throw asStorageFailure(error, 'flow-log cursor read');
    }
    const parsed = CursorRowSchema.safeParse(row);
    if (!parsed.success) {
      return {
        cursor: undefined,
        version: row.etag,
        problem: parsed.error.issues[0]?.message ?? 'invalid row',
      };
    }
    const c = parsed.data;
    return {
      cursor: { ...c, coveredSequencer: c.coveredSequencer === '' ? undefined : c.coveredSequencer },
      version: row.etag,
    };
  }

  async save(
    ref: FlowLogBlobRef,
    next: FlowLogCursor,
    previous: StoredCursor | undefined,
  ): Promise<StoredCursor> {
    await this.#ensureTable();
    let base = previous;
    for (let attempt = 0; attempt < 10; attempt++) {
      const cursor = base?.cursor === undefined ? next : mergeCursors(base.cursor, next);
      const entity = {
        partitionKey: partitionKeyOf(ref.hourStartMs),
        rowKey: ref.blobKey,
        container: ref.container,
        blob: ref.name,
        generation: cursor.generation,
        blocksRead: { value: cursor.blocksRead, type: 'Double' as const },
        bytesRead: { value: cursor.bytesRead, type: 'Double' as const },
        lastBlockId: cursor.lastBlockId,
        coveredSequencer: cursor.coveredSequencer ?? '',
        updatedAtMs: { value: cursor.updatedAtMs, type: 'Double' as const },
      };
      try {
        const r =
          base === undefined
            ? await this.table.createEntity(entity)
            : await this.table.updateEntity(entity, 'Replace', { etag: base.version });
        return { cursor, version: r.etag ?? '' };
      } catch (error) {
        const kind = classifyStorageError(error);
        if (kind !== 'exists' && kind !== 'changed' && kind !== 'absent')
          throw asStorageFailure(error, 'flow-log cursor write');
        base = await this.read(ref);
      }
    }
    throw new StorageConflictError(`the cursor row of ${ref.blobKey} kept changing`, {
      context: { operation: 'flow-log cursor write' },
    });
  }

  async purgeBefore(hourStartMs: number): Promise<number> {
    await this.#ensureTable();
    const byPk = new Map<string, string[]>();
    try {
      const rows = this.table.listEntities({
        queryOptions: {
          filter: odata`PartitionKey ge ${PREFIX} and PartitionKey lt ${partitionKeyOf(hourStartMs)}`,
          select: ['PartitionKey', 'RowKey'],
        },
      });
      for await (const r of rows) {
        const list = byPk.get(r.partitionKey as string) ?? [];
        list.push(r.rowKey as string);
        byPk.set(r.partitionKey as string, list);
      }
    } catch (error) {
      throw asStorageFailure(error, 'flow-log cursor scan');
    }
    let deleted = 0;
    for (const [pk, rks] of byPk) {
      for (let i = 0; i < rks.length; i += MAX_TRANSACTION) {
        const chunk = rks.slice(i, i + MAX_TRANSACTION);
        const actions: TransactionAction[] = chunk.map((rk) => ['delete', { partitionKey: pk, rowKey: rk }]);
        try {
          await this.table.submitTransaction(actions);
          deleted += chunk.length;
        } catch (error) {
          // A row deleted meanwhile (another purge) fails the batch: delete one by one, 404 is done.
          if (classifyStorageError(error) !== 'absent')
            throw asStorageFailure(error, 'flow-log cursor purge');
          for (const rk of chunk) {
            try {
              await this.table.deleteEntity(pk, rk);
              deleted++;
            } catch (inner) {
              if (classifyStorageError(inner) !== 'absent')
                throw asStorageFailure(inner, 'flow-log cursor purge');
            }
          }
        }
      }
    }
    return deleted;
  }
}
