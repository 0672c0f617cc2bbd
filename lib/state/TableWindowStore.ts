import type { TableClient } from '@azure/data-tables';
import type { StorageRetryOptions } from '../azure/clients.js';
import { createTableClient } from '../azure/clients.js';
import type { ServiceConnection } from '../config/appSettings.js';
import type { RowCache } from './RowCache.js';
import { TableControlRows } from './TableControlRows.js';
import { TableWindowRows } from './TableWindowRows.js';
import { tableNamesOf } from './tableNames.js';
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

/** The row cache of a store built without a budget (the CLI's table replay): 256 MiB. */
export const DEFAULT_ROW_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Window state in Azure Table Storage, over two tables: the window rows in `<prefix>Windows`
 * (`TableWindowRows`: conditional writes, conflict rounds, the row cache) and the closer,
 * progress and late marks in `<prefix>Control` (`TableControlRows`: forward-only rows).
 */
export class TableWindowStore implements WindowStore {
  readonly #windows: TableWindowRows;
  readonly #control: TableControlRows;

  constructor(windows: TableClient, control: TableClient, rowCacheBytes = DEFAULT_ROW_CACHE_BYTES) {
    this.#windows = new TableWindowRows(windows, rowCacheBytes);
    this.#control = new TableControlRows(control);
  }

  static fromConnection(
    connection: ServiceConnection,
    tablePrefix: string,
    retry?: StorageRetryOptions,
    rowCacheBytes?: number,
  ): TableWindowStore {
    return new TableWindowStore(
      createTableClient(connection, tableNamesOf(tablePrefix).windows, retry),
      createTableClient(connection, tableNamesOf(tablePrefix).control, retry),
      rowCacheBytes,
    );
  }

  /** The row cache's rows, estimated bytes and evictions (for the invocation summary). */
  get rowCache(): RowCache['stats'] {
    return this.#windows.rowCache;
  }

  /** Creates the tables once per process. */
  async ready(): Promise<void> {
    await Promise.all([this.#windows.ready(), this.#control.ready()]);
  }

  /**
   * Applies a batch's groups from Event Hub partition `partition`.
   * @throws {StorageUnavailableError} when storage stays unavailable after the SDK's retries
   */
  applyWindows(partition: string, groups: Iterable<BatchGroup>): Promise<ApplyCounts> {
    return this.#windows.applyWindows(partition, groups);
  }

  listBinWindows(binStartMs: number): AsyncIterable<StoredWindow> {
    return this.#windows.listBinWindows(binStartMs);
  }

  readWindowRows(source: string, binStartMs: number): Promise<StoredWindow[]> {
    return this.#windows.readWindowRows(source, binStartMs);
  }

  deleteBins(binStarts: readonly number[]): Promise<number> {
    return this.#windows.deleteBins(binStarts);
  }

  readCloser(): Promise<CloserState> {
    return this.#control.readCloser();
  }

  advanceCloser(next: CloserPosition, current: CloserState): Promise<CloserState> {
    return this.#control.advanceCloser(next, current);
  }

  recordProgress(progress: PartitionProgress): Promise<void> {
    return this.#control.recordProgress(progress);
  }

  readProgress(): Promise<PartitionProgress[]> {
    return this.#control.readProgress();
  }

  markLate(windows: readonly { source: string; binStartMs: number }[]): Promise<void> {
    return this.#control.markLate(windows);
  }

  listLateMarkers(): AsyncIterable<LateMarker> {
    return this.#control.listLateMarkers();
  }

  deleteLateMarker(marker: LateMarker): Promise<void> {
    return this.#control.deleteLateMarker(marker);
  }
}
