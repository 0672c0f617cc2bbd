import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { StorageRetryOptions } from '../azure/clients.js';
import { createTableClient, type TableUse, tableReady } from '../azure/clients.js';
import { asStorageFailure, classifyStorageError } from '../azure/storageErrors.js';
import type { ServiceConnection } from '../config/appSettings.js';
import type { Alert } from '../schema/Alert.js';
import { toCurrentAlert } from '../schema/Alert.js';
import type { AlertOutbox, OutboxEntry, SinkStatus } from './AlertOutbox.js';
import { hasPendingSink, isLeasedByOther, pendingSinks, SinkStatusSchema, sameSinks } from './AlertOutbox.js';
import { tableNamesOf } from './tableNames.js';

const PK = 'alert';
const SinksSchema = z.record(z.string(), SinkStatusSchema);

interface OutboxRow {
  alert: string;
  createdAtMs: number;
  sinks: string;
  pending: boolean;
  parked: boolean;
  leaseUntilMs: number;
  leaseOwner: string;
}

/**
 * The alert outbox in Table Storage: an alert is recorded here before any delivery (created once
 * per AlertId, so a timer that runs twice, or again after a crash, records it once), each sink's
 * success is recorded after it, and what did not get through is retried at the next run. A lease
 * (an ETag-conditional update) lets only one timer deliver an alert at a time. A correction
 * replaces the alert with its next revision and makes every sink pending again.
 *
 * A conditional update that meets 412 after the SDK retried it (the first attempt committed, its
 * response was lost) reads the entry back and recognizes its own write; only a change by another
 * run makes it give the entry up, and never fails the run.
 */
export class TableAlertOutbox implements AlertOutbox {
  readonly table: TableClient;
  readonly #ensureTable: () => Promise<void>;

  constructor(table: TableClient, use: TableUse = 'create') {
    this.table = table;
    this.#ensureTable = tableReady(table, use);
  }

  static fromConnection(
    connection: ServiceConnection,
    tablePrefix: string,
    retry?: StorageRetryOptions,
  ): TableAlertOutbox {
    return new TableAlertOutbox(createTableClient(connection, tableNamesOf(tablePrefix).outbox, retry));
  }

  ready(): Promise<void> {
    return this.#ensureTable();
  }

  /** Records a new alert for the given sinks; false when the alert was recorded before (same AlertId). */
  async record(alert: Alert, sinkNames: readonly string[], nowMs: number): Promise<boolean> {
    await this.ready();
    const sinks = pendingSinks(sinkNames);
    try {
      await this.table.createEntity({
        partitionKey: PK,
        rowKey: alert.AlertId,
        alert: JSON.stringify(alert),
        createdAtMs: { value: nowMs, type: 'Double' },
        sinks: JSON.stringify(sinks),
        pending: sinkNames.length > 0,
        parked: false,
        leaseUntilMs: { value: 0, type: 'Double' },
        leaseOwner: '',
      });
      return true;
    } catch (error) {
      if (classifyStorageError(error) === 'exists') return false;
      throw asStorageFailure(error, 'outbox record');
    }
  }

  /** The entry of an alert id, or undefined. */
  async read(alertId: string): Promise<OutboxEntry | undefined> {
    await this.ready();
    try {
      return toEntry(await this.table.getEntity<OutboxRow>(PK, alertId));
    } catch (error) {
      if (classifyStorageError(error) === 'absent') return undefined;
      throw asStorageFailure(error, 'outbox read');
    }
  }

  /**
   * Replaces the recorded alert of `entry` with `alert` (its next revision) and makes every sink
   * of `sinkNames` pending, the sinks of `kept` keeping the state given; the lease is left as it
   * is. Undefined when another run changed the entry since it was read.
   */
  async revise(
    entry: OutboxEntry,
    alert: Alert,
    sinkNames: readonly string[],
    kept: Readonly<Record<string, SinkStatus>> = {},
  ): Promise<OutboxEntry | undefined> {
    const sinks = { ...kept, ...pendingSinks(sinkNames) };
    try {
      const r = await this.table.updateEntity(
        {
          partitionKey: PK,
          rowKey: alert.AlertId,
          alert: JSON.stringify(alert),
          sinks: JSON.stringify(sinks),
          pending: hasPendingSink(sinks),
          parked: Object.values(sinks).some((x) => x.state === 'parked'),
        },
        'Merge',
        { etag: entry.etag },
      );
      return { ...entry, alert, sinks, etag: r.etag ?? entry.etag };
    } catch (error) {
      if (!isChangedOrGone(error)) throw asStorageFailure(error, 'outbox revise');
      const stored = await this.read(alert.AlertId);
      return stored !== undefined &&
        JSON.stringify(stored.alert) === JSON.stringify(alert) &&
        sameSinks(stored.sinks, sinks)
        ? stored
        : undefined;
    }
  }

  /** Alerts with at least one sink still pending, oldest first. */
  async listPending(): Promise<OutboxEntry[]> {
    await this.ready();
    const out: OutboxEntry[] = [];
    try {
      const rows = this.table.listEntities<OutboxRow>({
        queryOptions: { filter: odata`PartitionKey eq ${PK} and pending eq true` },
      });
      for await (const r of rows) out.push(toEntry(r));
    } catch (error) {
      throw asStorageFailure(error, 'outbox scan');
    }
    return out.sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  /** Every alert, for tests and tools. */
  async listAll(): Promise<OutboxEntry[]> {
    await this.ready();
    const out: OutboxEntry[] = [];
    try {
      for await (const r of this.table.listEntities<OutboxRow>({
        queryOptions: { filter: odata`PartitionKey eq ${PK}` },
      })) {
        out.push(toEntry(r));
      }
    } catch (error) {
      throw asStorageFailure(error, 'outbox scan');
    }
    return out.sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  /**
   * Takes the delivery lease of an entry until `untilMs`; `undefined` when another run holds an
   * unexpired lease or changed the entry since it was read.
   */
  async claim(
    entry: OutboxEntry,
    owner: string,
    nowMs: number,
    untilMs: number,
  ): Promise<OutboxEntry | undefined> {
    if (isLeasedByOther(entry, owner, nowMs)) return undefined;
    try {
      const r = await this.table.updateEntity(
        {
          partitionKey: PK,
          rowKey: entry.alert.AlertId,
          leaseUntilMs: { value: untilMs, type: 'Double' },
          leaseOwner: owner,
        },
        'Merge',
        { etag: entry.etag },
      );
      return { ...entry, leaseUntilMs: untilMs, leaseOwner: owner, etag: r.etag ?? entry.etag };
    } catch (error) {
      if (!isChangedOrGone(error)) throw asStorageFailure(error, 'outbox claim');
      // Our own claim may have committed before its response was lost.
      const stored = await this.read(entry.alert.AlertId);
      return stored?.leaseOwner === owner && stored.leaseUntilMs === untilMs ? stored : undefined;
    }
  }

  /**
   * Saves the sinks' delivery state of a claimed entry and moves its lease to `leaseUntilMs`
   * (renewed while the run delivers; 0, or no sink left pending, gives it up so that the next run
   * may try the sinks still pending). Undefined when another run changed the entry meanwhile.
   */
  async saveSinks(
    entry: OutboxEntry,
    sinks: Record<string, SinkStatus>,
    leaseUntilMs: number,
  ): Promise<OutboxEntry | undefined> {
    const pending = hasPendingSink(sinks);
    const parked = Object.values(sinks).some((s) => s.state === 'parked');
    const untilMs = pending ? leaseUntilMs : 0;
    const owner = untilMs === 0 ? '' : entry.leaseOwner;
    try {
      const r = await this.table.updateEntity(
        {
          partitionKey: PK,
          rowKey: entry.alert.AlertId,
          sinks: JSON.stringify(sinks),
          pending,
          parked,
          leaseUntilMs: { value: untilMs, type: 'Double' as const },
          leaseOwner: owner,
        },
        'Merge',
        { etag: entry.etag },
      );
      return { ...entry, sinks, leaseUntilMs: untilMs, leaseOwner: owner, etag: r.etag ?? entry.etag };
    } catch (error) {
      if (!isChangedOrGone(error)) throw asStorageFailure(error, 'outbox update');
      // 412 after a lost response: the entry holds exactly what we wrote. Anything else means
      // another run changed it (a new revision, or it took the lease after ours expired).
      const stored = await this.read(entry.alert.AlertId);
      const isOurs =
        stored !== undefined &&
        stored.alert.Revision === entry.alert.Revision &&
        stored.leaseOwner === owner &&
        stored.leaseUntilMs === untilMs &&
        sameSinks(stored.sinks, sinks);
      return isOurs ? stored : undefined;
    }
  }

  /** Deletes finished alerts recorded before `beforeMs`; returns how many. */
  async purge(beforeMs: number): Promise<number> {
    await this.ready();
    const finished: { rowKey: string; etag: string }[] = [];
    try {
      const rows = this.table.listEntities<OutboxRow>({
        queryOptions: {
          filter: odata`PartitionKey eq ${PK} and pending eq false and createdAtMs lt ${beforeMs}`,
          select: ['RowKey'],
        },
      });
      for await (const r of rows) finished.push({ rowKey: r.rowKey as string, etag: r.etag });
    } catch (error) {
      throw asStorageFailure(error, 'outbox purge');
    }
    let deleted = 0;
    for (const { rowKey, etag } of finished) {
      try {
        await this.table.deleteEntity(PK, rowKey, { etag });
        deleted++;
      } catch (error) {
        // Deleted by another run, or changed since it was read (a correction): it stays, the rest go.
        if (!isChangedOrGone(error)) throw asStorageFailure(error, 'outbox purge');
      }
    }
    return deleted;
  }
}

function toEntry(r: OutboxRow & { etag: string }): OutboxEntry {
  return {
    alert: toCurrentAlert(JSON.parse(r.alert)),
    createdAtMs: r.createdAtMs,
    sinks: SinksSchema.parse(JSON.parse(r.sinks)),
    leaseUntilMs: r.leaseUntilMs,
    leaseOwner: r.leaseOwner,
    etag: r.etag,
  };
}

/** A conditional update that met a changed entry (412), or one deleted meanwhile (404). */
function isChangedOrGone(error: unknown): boolean {
  const kind = classifyStorageError(error);
  return kind === 'changed' || kind === 'absent';
}
