import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { ChatConversation } from '../alerts/chatConversation.js';
import type { StorageRetryOptions } from '../azure/clients.js';
import { createTableClient, ensureTable, onceSucceeded } from '../azure/clients.js';
import { asStorageFailure, statusOf } from '../azure/storageErrors.js';
import type { ServiceConnection } from '../config/appSettings.js';
import type { ChatConversationStore, StoredConversation } from './ChatConversationStore.js';
import { ConversationBinsSchema } from './ChatConversationStore.js';
import { binKeyOf } from './keys.js';
import { tableNamesOf } from './tableNames.js';

/** The conversations share the outbox table, in their own PartitionKey. */
const PK = 'conversation';

interface ConversationRow {
  source: string;
  alertId: string;
  openedBinStartMs: number;
  bins: string;
  pendingUpdate: boolean;
}

/**
 * The chat conversations in the `<prefix>Outbox` table: PartitionKey `conversation`, RowKey
 * `<source>|<opener's bin key>`, so a source's conversations are one range query; writes are
 * conditional on the ETag read (create for a new one).
 */
export class TableChatConversationStore implements ChatConversationStore {
  readonly table: TableClient;
  readonly #ready: () => Promise<void>;

  constructor(table: TableClient) {
    this.table = table;
    this.#ready = onceSucceeded(() => ensureTable(table));
  }

  static fromConnection(
    connection: ServiceConnection,
    tablePrefix: string,
    retry?: StorageRetryOptions,
  ): TableChatConversationStore {
    return new TableChatConversationStore(
      createTableClient(connection, tableNamesOf(tablePrefix).outbox, retry),
    );
  }

  async listOf(source: string): Promise<StoredConversation[]> {
    return this.#list(
      odata`PartitionKey eq ${PK} and RowKey ge ${`${source}|`} and RowKey lt ${`${source}}`}`,
    );
  }

  async listPendingUpdates(): Promise<StoredConversation[]> {
    return this.#list(odata`PartitionKey eq ${PK} and pendingUpdate eq true`);
  }

  async save(
    conversation: ChatConversation,
    etag: string | undefined,
  ): Promise<StoredConversation | undefined> {
    await this.#ready();
    const entity = {
      partitionKey: PK,
      rowKey: rowKeyOf(conversation),
      source: conversation.source,
      alertId: conversation.alertId,
      openedBinStartMs: { value: conversation.openedBinStartMs, type: 'Double' as const },
      bins: JSON.stringify(conversation.bins),
      pendingUpdate: conversation.hasPendingUpdate,
    };
    try {
      const r =
        etag === undefined
          ? await this.table.createEntity(entity)
          : await this.table.updateEntity(entity, 'Replace', { etag });
      return { conversation, etag: r.etag ?? '' };
    } catch (error) {
      const status = statusOf(error);
      if (status !== 409 && status !== 412 && status !== 404)
        throw asStorageFailure(error, 'conversation save');
      // The write may have committed with its response lost: if what is stored is what this wrote, it did.
      const stored = (await this.listOf(conversation.source)).find(
        (s) => s.conversation.openedBinStartMs === conversation.openedBinStartMs,
      );
      return stored !== undefined && JSON.stringify(stored.conversation) === JSON.stringify(conversation)
        ? stored
        : undefined;
    }
  }

  async purge(beforeMs: number): Promise<number> {
    await this.#ready();
    let deleted = 0;
    try {
      const rows = this.table.listEntities<ConversationRow>({
        queryOptions: {
          filter: odata`PartitionKey eq ${PK} and pendingUpdate eq false and openedBinStartMs lt ${beforeMs}`,
        },
      });
      for await (const r of rows) {
        await this.table.deleteEntity(PK, r.rowKey as string, { etag: r.etag });
        deleted++;
      }
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 412) throw asStorageFailure(error, 'conversation purge');
    }
    return deleted;
  }

  async #list(filter: string): Promise<StoredConversation[]> {
    await this.#ready();
    const out: StoredConversation[] = [];
    try {
      for await (const r of this.table.listEntities<ConversationRow>({ queryOptions: { filter } })) {
        out.push({
          conversation: {
            source: r.source,
            alertId: r.alertId,
            openedBinStartMs: r.openedBinStartMs,
            bins: ConversationBinsSchema.parse(JSON.parse(r.bins)),
            hasPendingUpdate: r.pendingUpdate,
          },
          etag: r.etag,
        });
      }
    } catch (error) {
      throw asStorageFailure(error, 'conversation read');
    }
    return out.sort((a, b) => a.conversation.openedBinStartMs - b.conversation.openedBinStartMs);
  }
}

function rowKeyOf(conversation: ChatConversation): string {
  return `${conversation.source}|${binKeyOf(conversation.openedBinStartMs)}`;
}
