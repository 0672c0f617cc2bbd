import { buildAlert, isOverThreshold } from '../alerts/buildAlert.js';
import type { DetectionSettings } from '../config/detectionSettings.js';
import type { Alert } from '../schema/Alert.js';
import type { NetworkSession } from '../schema/NetworkSession.js';
import type { FlowGroup, FlowTuple } from '../sources/pipeline/flowRows.js';
import { OpenWindows } from '../window/OpenWindows.js';
import { closedBoundaryOf, isBeyondRetention, isBinClosed, watermarkAt } from './binLifecycle.js';
import type { CountedRow } from './RowRouter.js';
import { RowRouter } from './RowRouter.js';

interface OpenBin {
  /** Each remembers, once the bin closed, whether it was over the threshold then. */
  readonly windows: OpenWindows;
  closed: boolean;
}

/**
 * The whole detection over one stream of NetworkSession rows, in memory: the CLI's engine.
 *
 * It follows the closing timer's rules (lib/detection/binLifecycle.ts), with the latest event time
 * counted so far as the time that holds the watermark: a bin closes when that time passes its end
 * plus the allowed lateness; rows for a closed bin are still counted, and a window that crosses
 * the threshold only after its bin closed gives a late alert. A bin is final when it is beyond
 * retention (the closed bins' end passes its end plus the retention), or at the end of the input:
 * its alerts are then emitted with the complete state, in bin then source order, and its memory
 * is released. Memory therefore follows the windows within the retention horizon, not the input
 * length; rows older than the horizon are dropped and counted.
 *
 * Alerts have the closing timer's semantics where they apply: one AlertId per (source, bin),
 * `IsLate` when the bin crossed the threshold only after it closed. Because a bin's alert waits
 * until the bin is final, it carries the final figures at once: the first revision is the one the
 * timer's corrections converge to, and nothing is ever `MayBeIncomplete` (the input is all there).
 */
export class StreamingDetector {
  readonly router: RowRouter;
  readonly #settings: DetectionSettings;
  readonly #onAlert: (alert: Alert) => void;
  readonly #bins = new Map<number, OpenBin>();
  #lastBinStart = Number.NaN;
  #lastBin: OpenBin | undefined;
  /** The latest event time counted: the time that holds the watermark. */
  #latestMs = Number.NEGATIVE_INFINITY;
  /** The end of the latest bin closed (binLifecycle's closed boundary). */
  #closedMs = Number.NEGATIVE_INFINITY;
  #rowsCounted = 0;
  #beyondRetention = 0;
  #alerts = 0;
  #openWindows = 0;
  #peakOpenWindows = 0;
  #finalizedEarly = 0;
  /** Bins finalized early: later rows for them are dropped (counted), never a second alert. */
  readonly #earlyBins = new Set<number>();
  readonly #maxOpenWindows: number;

  /**
   * @param maxOpenWindows memory bound: past it, the oldest bin is finalized early (its alerts
   *   emitted, its memory released) and counted in `binsFinalizedEarly`
   */
  constructor(
    settings: DetectionSettings,
    onAlert: (alert: Alert) => void,
    maxOpenWindows = Number.POSITIVE_INFINITY,
  ) {
    this.#settings = settings;
    this.#onAlert = onAlert;
    this.#maxOpenWindows = maxOpenWindows;
    this.router = new RowRouter(settings);
  }

  get counts(): {
    rowsCounted: number;
    beyondRetention: number;
    alerts: number;
    openWindows: number;
    peakOpenWindows: number;
    binsFinalizedEarly: number;
  } {
    return {
      binsFinalizedEarly: this.#finalizedEarly,
      rowsCounted: this.#rowsCounted,
      beyondRetention: this.#beyondRetention,
      alerts: this.#alerts,
      openWindows: this.#openWindows,
      peakOpenWindows: this.#peakOpenWindows,
    };
  }

  /** Adds one normalized row. */
  add(session: NetworkSession): void {
    const row = this.router.route(session);
    if (row !== undefined) this.addRow(row);
  }

  /** Adds one flow tuple's row, `add(flowSession(tuple, group))` without the session (`Normalizer`'s `emitFlow`). */
  addFlow(tuple: FlowTuple, group: FlowGroup): void {
    const row = this.router.routeFlow(tuple, group);
    if (row !== undefined) this.addRow(row);
  }

  /** Adds one row already routed by a `RowRouter` (the shards of `portscan detect --threads` get rows routed in a decoding thread). */
  addRow(row: CountedRow): void {
    const settings = this.#settings;
    if (isBeyondRetention(row.binStartMs, this.#closedMs, settings) || this.#earlyBins.has(row.binStartMs)) {
      this.#beyondRetention++;
      return;
    }
    // Consecutive rows mostly share a bin: the last one is looked up first.
    let bin = row.binStartMs === this.#lastBinStart ? this.#lastBin : this.#bins.get(row.binStartMs);
    if (bin === undefined) {
      bin = {
        windows: new OpenWindows(),
        closed: isBinClosed(row.binStartMs, this.#closedMs, settings.binMs),
      };
      if (bin.closed) bin.windows.markClosed(settings.threshold);
      this.#bins.set(row.binStartMs, bin);
    }
    this.#lastBinStart = row.binStartMs;
    this.#lastBin = bin;
    if (bin.windows.add(row.source, row)) {
      if (++this.#openWindows > this.#peakOpenWindows) this.#peakOpenWindows = this.#openWindows;
      if (this.#openWindows > this.#maxOpenWindows) this.#finalizeOldest(row.binStartMs);
    }
    this.#rowsCounted++;
    if (row.timeMs > this.#latestMs) this.observeEventTime(row.timeMs);
  }

  /**
   * Counts an event time toward the watermark without a row: a shard of a sharded run
   * (lib/cli/ShardPool.ts) is told the latest event time of every row before its next one, so that
   * its bins close, and fall beyond retention, exactly when one detector's would.
   */
  observeEventTime(timeMs: number): void {
    if (!(timeMs > this.#latestMs)) return;
    this.#latestMs = timeMs;
    const settings = this.#settings;
    const closedMs = closedBoundaryOf(watermarkAt(timeMs, settings.allowedLatenessMs), settings.binMs);
    if (closedMs > this.#closedMs) {
      this.#closedMs = closedMs;
      this.#advance();
    }
  }

  /** Ends the input: every remaining bin is final. */
  finish(): void {
    for (const start of [...this.#bins.keys()].sort((a, b) => a - b)) this.#finalize(start);
  }

  /** The closed boundary moved on: closes the bins it passed, finalizes those beyond retention. */
  #advance(): void {
    const settings = this.#settings;
    const starts = [...this.#bins.keys()].sort((a, b) => a - b);
    for (const start of starts) {
      if (!isBinClosed(start, this.#closedMs, settings.binMs)) break;
      const bin = this.#bins.get(start) as OpenBin;
      if (!bin.closed) {
        bin.closed = true;
        bin.windows.markClosed(settings.threshold);
      }
      if (isBeyondRetention(start, this.#closedMs, settings)) this.#finalize(start);
    }
  }

  /** Over the memory bound: finalize the oldest bin other than the one being written. */
  #finalizeOldest(current: number): void {
    const oldest = Math.min(...[...this.#bins.keys()].filter((b) => b !== current));
    if (!Number.isFinite(oldest)) return;
    this.#finalizedEarly++;
    this.#earlyBins.add(oldest);
    this.#finalize(oldest);
  }

  #finalize(start: number): void {
    const bin = this.#bins.get(start);
    if (bin === undefined) return;
    this.#bins.delete(start);
    if (this.#lastBin === bin) {
      this.#lastBin = undefined;
      this.#lastBinStart = Number.NaN;
    }
    this.#openWindows -= bin.windows.size;
    // Only windows over the threshold can alert (isOverThreshold: ports.size > threshold); the
    // benign majority is released without building its state or sorting its source.
    const { windows } = bin;
    const over = windows
      .slotsOver(this.#settings.threshold)
      .map((slot) => ({ slot, source: windows.sourceOf(slot) }))
      .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    for (const { slot, source } of over) {
      const state = windows.toState(slot, 'stream', 0);
      if (!isOverThreshold(state, this.#settings)) continue;
      this.#alerts++;
      this.#onAlert(
        buildAlert(source, start, state, this.#settings, {
          isLate: windows.overAtClose(slot) === false,
          mayBeIncomplete: false,
        }),
      );
    }
  }
}
