import type { OutboxEntry } from './AlertOutbox.js';
import type { CloserState, PartitionProgress, StoredWindow } from './WindowStore.js';

/**
 * What a check of a deployed system (`portscan smoke`) reads of its state, and nothing more: no
 * method writes, and the Table implementation creates no table, so that the Storage Table Data
 * Reader role is enough. Each method reads as the `WindowStore` or `AlertOutbox` method of the
 * same name does, through the same adapters and row codec.
 */
export interface DeploymentStateReader {
  /** The stored rows of one (source, bin), one per partition that saw it. */
  readWindowRows(source: string, binStartMs: number): Promise<StoredWindow[]>;
  /** Where the closing timer stands; zeros when it never ran. */
  readCloser(): Promise<CloserState>;
  /** Every feed's recorded progress. */
  readProgress(): Promise<PartitionProgress[]>;
  /** The outbox entry of an alert id (the alert's latest revision and each sink's state), or undefined. */
  readAlert(alertId: string): Promise<OutboxEntry | undefined>;
}
