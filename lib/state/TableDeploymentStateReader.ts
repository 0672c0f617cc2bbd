import type { StorageRetryOptions } from '../azure/clients.js';
import { createTableClient } from '../azure/clients.js';
import type { ServiceConnection } from '../config/appSettings.js';
import type { OutboxEntry } from './AlertOutbox.js';
import type { DeploymentStateReader } from './DeploymentStateReader.js';
import { TableAlertOutbox } from './TableAlertOutbox.js';
import { TableControlRows } from './TableControlRows.js';
import { TableWindowRows } from './TableWindowRows.js';
import { tableNamesOf } from './tableNames.js';
import type { CloserState, PartitionProgress, StoredWindow } from './WindowStore.js';

/**
 * A deployment's state in Table Storage, read with the functions' own adapters over the tables the
 * deployment created (`<prefix>Windows`, `<prefix>Control`, `<prefix>Outbox`), never creating one.
 * Failures are the adapters': `StorageUnavailableError` (a missing table is `TableNotFound` in
 * its context, missing access `STORAGE_ACCESS_DENIED`) or `StorageRequestRejectedError`.
 */
export class TableDeploymentStateReader implements DeploymentStateReader {
  /** The table each method reads: window rows, closer and progress, alerts. */
  readonly tables: { readonly windows: string; readonly control: string; readonly outbox: string };
  readonly #windows: TableWindowRows;
  readonly #control: TableControlRows;
  readonly #outbox: TableAlertOutbox;

  constructor(connection: ServiceConnection, tablePrefix: string, retry?: StorageRetryOptions) {
    const { windows, control, outbox } = tableNamesOf(tablePrefix);
    this.tables = { windows, control, outbox };
    // Reads only: the row cache, which remembers rows this instance wrote, stays empty.
    this.#windows = new TableWindowRows(
      createTableClient(connection, this.tables.windows, retry),
      0,
      'existing',
    );
    this.#control = new TableControlRows(
      createTableClient(connection, this.tables.control, retry),
      'existing',
    );
    this.#outbox = new TableAlertOutbox(createTableClient(connection, this.tables.outbox, retry), 'existing');
  }

  readWindowRows(source: string, binStartMs: number): Promise<StoredWindow[]> {
    return this.#windows.readWindowRows(source, binStartMs);
  }

  readCloser(): Promise<CloserState> {
    return this.#control.readCloser();
  }

  readProgress(): Promise<PartitionProgress[]> {
    return this.#control.readProgress();
  }

  readAlert(alertId: string): Promise<OutboxEntry | undefined> {
    return this.#outbox.read(alertId);
  }
}
