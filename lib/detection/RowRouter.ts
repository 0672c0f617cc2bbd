import type { DetectionSettings } from '../config/detectionSettings.js';
import type { FastFields } from '../fastpath/FastLinePath.js';
import type { DropReason } from '../filter/SourceFilter.js';
import { SourceFilter } from '../filter/SourceFilter.js';
import type { NetworkSession } from '../schema/NetworkSession.js';
import { millisOfIso } from '../sources/pipeline/fields.js';
import type { FlowGroup, FlowTuple } from '../sources/pipeline/flowRows.js';
import { deviceOf } from '../window/DeviceTally.js';
import type { WindowRow } from '../window/WindowState.js';
import { reporterOf } from '../window/WindowState.js';

/**
 * A NetworkSession reduced to what the rule and the alert's evidence read, with its source
 * canonicalized and its bin chosen. `timeMs` is EventStartTime when present, else TimeGenerated
 * (decision D3); `port` is DstPortNumber when present (rows without a port still belong to their
 * group, decision D2).
 */
export interface CountedRow extends WindowRow {
  readonly source: string;
  readonly binStartMs: number;
}

/** Whether a row's port was reached rather than only attempted: its `DvcAction` is Allow or its `EventResult` is Success. */
export function isReachedOutcome(dvcAction: string | undefined, eventResult: string | undefined): boolean {
  return dvcAction === 'Allow' || eventResult === 'Success';
}

/** Counted for rows whose bin is older than the retention horizon: its state is gone, the row cannot count. */
export const BEYOND_RETENTION = 'older than the retention horizon';

/** Why a normalized row does not count, as counted in summaries and metrics. */
export type RowDropReason = DropReason | 'invalid event time' | typeof BEYOND_RETENTION;

/** The start of the bin holding `timeMs`: bins are aligned to the UTC epoch, like KQL `bin(TimeGenerated, 5m)`. */
export function binStartOf(timeMs: number, binMs: number): number {
  return Math.floor(timeMs / binMs) * binMs;
}

/**
 * Applies the rule's row-level steps to a NetworkSession: the source filter (decision D1), the
 * event time and its bin (decisions D3, D2), and `strcat(EventVendor, "/", EventProduct)`. Pure and shared
 * by the CLI and the Event Hub function, so both count exactly the same rows.
 */
export class RowRouter {
  readonly #filter: SourceFilter;
  readonly #binMs: number;
  readonly drops = new Map<RowDropReason, number>();
  /** The flow group last routed, and its reporter and device (a group's tuples come together). */
  #group: FlowGroup | undefined;
  #groupReporter = '';
  #groupDevice = '';

  constructor(settings: DetectionSettings) {
    this.#filter = new SourceFilter(settings.mode, settings.excludedSourceCidrs);
    this.#binMs = settings.binMs;
  }

  /** The counted row, or `undefined` when the row does not count (the reason is counted in `drops`). */
  route(session: NetworkSession): CountedRow | undefined {
    return this.routeFields(
      session.SrcIpAddr,
      millisOfIso(session.EventStartTime ?? session.TimeGenerated),
      session.DstPortNumber,
      reporterOf(session.EventVendor, session.EventProduct),
      session.EventCount,
      session.DstIpAddr,
      isReachedOutcome(session.DvcAction, session.EventResult),
      deviceOf(session.Dvc, session.DvcHostname, session.DvcIpAddr, session.DvcId),
    );
  }

  /**
   * `route` for the fields the fast path read from a line (`FastLinePath.classify`), without
   * making the line's NetworkSession: the same fields, read the same way.
   */
  routeFast(f: FastFields): CountedRow | undefined {
    return this.routeFields(
      f.src,
      millisOfIso(f.eventStartTime ?? f.timeGenerated),
      f.port,
      reporterOf(f.vendor, f.product),
      f.eventCount,
      f.dst,
      isReachedOutcome(f.dvcAction, f.eventResult),
      deviceOf(f.dvc, f.dvcHostname, f.dvcIpAddr, f.dvcId),
    );
  }

  /**
   * `route(flowSession(tuple, group))`, without making the tuple's NetworkSession: the fields
   * `route` reads, with the group's reporter and device derived once per group.
   */
  routeFlow(tuple: FlowTuple, group: FlowGroup): CountedRow | undefined {
    if (group !== this.#group) {
      this.#group = group;
      this.#groupReporter = reporterOf(group.vendor, group.product);
      this.#groupDevice = deviceOf(group.dvc, undefined, undefined, undefined);
    }
    const { verdict } = tuple;
    return this.routeFields(
      tuple.srcIp,
      tuple.timeMs,
      tuple.dstPort,
      this.#groupReporter,
      1,
      tuple.dstIp,
      isReachedOutcome(verdict.action, verdict.result),
      this.#groupDevice,
    );
  }

  /**
   * `route` for a row already reduced to the fields the rule and the evidence read: `timeMs` is
   * `Date.parse(EventStartTime ?? TimeGenerated)`, `target` DstIpAddr, `reached`
   * `isReachedOutcome(DvcAction, EventResult)`, `device` `deviceOf(Dvc, DvcHostname, DvcIpAddr, DvcId)`.
   */
  routeFields(
    srcIpAddr: string | undefined,
    timeMs: number,
    port: number | undefined,
    reporter: string,
    eventCount: number,
    target: string | undefined,
    reached: boolean,
    device: string,
  ): CountedRow | undefined {
    const verdict = this.#filter.judge(srcIpAddr);
    if (!verdict.counts) {
      this.#drop(verdict.reason);
      return undefined;
    }
    if (!Number.isFinite(timeMs)) {
      this.#drop('invalid event time');
      return undefined;
    }
    return {
      source: verdict.source,
      binStartMs: binStartOf(timeMs, this.#binMs),
      timeMs,
      port,
      reporter,
      eventCount,
      target,
      reached,
      device,
    };
  }

  #drop(reason: RowDropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }
}
