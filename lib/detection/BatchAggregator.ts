import type { BatchGroup } from '../state/WindowStore.js';
import { WindowAccumulator } from '../window/WindowState.js';
import type { CountedRow } from './RowRouter.js';

/**
 * Groups the counted rows of one batch per (source, bin) in memory, so that the store sees at
 * most one write per (source, bin) per batch however many rows the batch holds.
 */
export class BatchAggregator {
  readonly #groups = new Map<string, BatchGroup>();
  readonly #tracksMessages: boolean;

  /** @param tracksMessages keep per-message counts (Event Hub path) so redeliveries are recognized */
  constructor(tracksMessages: boolean) {
    this.#tracksMessages = tracksMessages;
  }

  /** Adds a row carried by the message with `sequenceNumber`. */
  add(row: CountedRow, sequenceNumber: number): void {
    const key = `${row.binStartMs}|${row.source}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = {
        source: row.source,
        binStartMs: row.binStartMs,
        accumulator: new WindowAccumulator(this.#tracksMessages),
      };
      this.#groups.set(key, group);
    }
    group.accumulator.add(row, sequenceNumber);
  }

  get size(): number {
    return this.#groups.size;
  }

  groups(): IterableIterator<BatchGroup> {
    return this.#groups.values();
  }
}
