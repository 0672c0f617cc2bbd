import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { StorageRetryOptions } from '../azure/clients.js';
import { createTableClient, ensureTable, onceSucceeded } from '../azure/clients.js';
import { asStorageFailure, classifyStorageError } from '../azure/storageErrors.js';
import type { ServiceConnection } from '../config/appSettings.js';
import type { DeadLetter } from '../sources/pipeline/Normalizer.js';
import type { DeadLetterStore } from './DeadLetterStore.js';
import { DEAD_LETTER_EXCERPT_CHARS, DEAD_LETTER_RETENTION_MS, SampleBudget } from './DeadLetterStore.js';
import { tableNamesOf } from './tableNames.js';

/** `yyyyMMddTHH` (UTC): one table partition per hour, so retention deletes whole partitions. */
function hourKey(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}`;
}

/**
 * Samples of records that could not be decoded (decision D6), where an operator can read them:
 * `<prefix>DeadLetters`, one table partition per hour, kept 7 days. Bounded and rate-limited per
 * instance (`deadLettersPerMinute`): beyond the rate, dead letters are only counted. A sample holds
 * the source, the reason, the position and the first characters of the record, never more.
 */
export class TableDeadLetterStore implements DeadLetterStore {
  readonly table: TableClient;
  readonly #budget: SampleBudget;
  #sequence = 0;
  readonly #ensureTable: () => Promise<void>;

  constructor(table: TableClient, perMinute: number) {
    this.table = table;
    this.#budget = new SampleBudget(perMinute);
    this.#ensureTable = onceSucceeded(() => ensureTable(table));
  }

  static fromConnection(
    connection: ServiceConnection,
    tablePrefix: string,
    perMinute: number,
    retry?: StorageRetryOptions,
  ): TableDeadLetterStore {
    return new TableDeadLetterStore(
      createTableClient(connection, tableNamesOf(tablePrefix).deadLetters, retry),
      perMinute,
    );
  }

  /** Writes as many samples as the rate allows; returns how many were written. */
  async write(samples: readonly DeadLetter[], nowMs: number, instance: string): Promise<number> {
    const allowed = samples.length === 0 ? 0 : this.#budget.allowance(samples.length, nowMs);
    if (allowed === 0) return 0;
    await this.#ensureTable();
    const pk = hourKey(nowMs);
    const actions: TransactionAction[] = samples.slice(0, allowed).map((d) => [
      'create',
      {
        partitionKey: pk,
        rowKey: `${nowMs}-${instance}-${++this.#sequence}`,
        source: d.source,
        reason: d.reason,
        detail: d.detail ?? '',
        input: d.location.input,
        line: d.location.line ?? -1,
        record: d.location.record ?? -1,
        sequenceNumber: d.location.sequenceNumber ?? -1,
        excerpt: d.excerpt.slice(0, DEAD_LETTER_EXCERPT_CHARS),
      },
    ]);
    try {
      await this.table.submitTransaction(actions);
    } catch (error) {
      throw asStorageFailure(error, 'dead-letter write');
    }
    this.#budget.take(allowed);
    return allowed;
  }

  /** Deletes the samples older than the retention (whole hourly partitions). */
  async purge(nowMs: number): Promise<number> {
    await this.#ensureTable();
    const cutoff = hourKey(nowMs - DEAD_LETTER_RETENTION_MS);
    let deleted = 0;
    try {
      const rows = this.table.listEntities({
        queryOptions: { filter: odata`PartitionKey lt ${cutoff}`, select: ['PartitionKey', 'RowKey'] },
      });
      for await (const r of rows) {
        try {
          await this.table.deleteEntity(r.partitionKey as string, r.rowKey as string);
          deleted++;
        } catch (error) {
          if (classifyStorageError(error) !== 'absent') throw error;
        }
      }
    } catch (error) {
      throw asStorageFailure(error, 'dead-letter purge');
    }
    return deleted;
  }
}
