import type { BatchGroup } from '../state/WindowStore.js';
import { WindowAccumulator } from '../window/WindowState.js';
import type { CountedRow } from './RowRouter.js';

/**
 * Groups the counted rows of one batch per (source, bin) in memory, so that the store sees at
 * most one write per (source, bin) per batch however many rows the batch holds.
 */
export class BatchAggregator {
  /** The groups by bin, then source: looked up without a key built per row. */
  readonly #byBin = new Map<number, Map<string, BatchGroup>>();
  /** Every group, in the order of its first row. */
  readonly #groups: BatchGroup[] = [];
  readonly #tracksMessages: boolean;
  /** The bin of the last row and its groups (a batch's rows fall in one or two bins). */
  #lastBin = Number.NaN;
  #lastBinGroups: Map<string, BatchGroup> | undefined;

  /** @param tracksMessages keep per-message counts (Event Hub path) so redeliveries are recognized */
  constructor(tracksMessages: boolean) {
    this.#tracksMessages = tracksMessages;
  }

  /** Adds a row carried by the message with `sequenceNumber`. */
  add(row: CountedRow, sequenceNumber: number): void {
    const binStartMs = row.binStartMs;
    let bin = this.#lastBinGroups;
    if (binStartMs !== this.#lastBin || bin === undefined) {
      bin = this.#byBin.get(binStartMs);
      if (bin === undefined) {
        bin = new Map();
        this.#byBin.set(binStartMs, bin);
      }
      this.#lastBin = binStartMs;
      this.#lastBinGroups = bin;
    }
    let group = bin.get(row.source);
    if (group === undefined) {
      group = {
        source: row.source,
        binStartMs,
        accumulator: new WindowAccumulator(this.#tracksMessages),
      };
      bin.set(row.source, group);
      this.#groups.push(group);
    }
    group.accumulator.add(row, sequenceNumber);
  }

  get size(): number {
    return this.#groups.length;
  }

  groups(): IterableIterator<BatchGroup> {
    return this.#groups.values();
  }
}
