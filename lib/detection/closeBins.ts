import type { AlertSink, DeliveryOutcome } from '../alerts/AlertSink.js';
import { alertIdOf } from '../alerts/alertId.js';
import { buildAlert, isCorrectionOf, isOverThreshold } from '../alerts/buildAlert.js';
import { isChatSink, sinksFor } from '../alerts/sinkRouting.js';
import type { DetectionSettings } from '../config/detectionSettings.js';
import { EventHubUnavailableError, StorageConflictError } from '../errors.js';
import type { PartitionBacklog, PartitionTail } from '../eventhub/PartitionBacklog.js';
import type { Logger } from '../observability/Logger.js';
import { LOG_MESSAGES } from '../observability/Logger.js';
import type { Alert } from '../schema/Alert.js';
import type { AlertOutbox, OutboxEntry, SinkStatus } from '../state/AlertOutbox.js';
import type { ChatConversationStore } from '../state/ChatConversationStore.js';
import type { CloserState, WindowStore } from '../state/WindowStore.js';
import type { WindowState } from '../window/WindowState.js';
import { emptyState, mergeStates } from '../window/WindowState.js';
import { isBeyondRetention, isBinClosed, retentionHorizonOf } from './binLifecycle.js';
import { ChatGrouping } from './chatGrouping.js';
import { closingBoundaries, watermarkOf } from './watermark.js';

export interface CloseDependencies {
  readonly store: WindowStore;
  readonly outbox: AlertOutbox;
  readonly sinks: readonly AlertSink[];
  readonly settings: DetectionSettings;
  readonly logger: Logger;
  /** Wall-clock time of the run's start: what it closes and records is decided at this time. */
  readonly nowMs: number;
  /** The wall clock while the run goes on: delivery leases are taken and renewed from it. */
  readonly clock: () => number;
  /** Identifies this run in outbox leases. */
  readonly runId: string;
  /** How far the hub's partitions are written, to tell a partition that is behind from an idle one. */
  readonly backlog: PartitionBacklog;
  /** Longest a partition that is behind holds a bin open past its normal close (wall clock). */
  readonly maxCloseDelayMs: number;
  /** A feed that is no hub partition (a flow-log blob feed) silent this long no longer holds the watermark. */
  readonly feedIdleMs: number;
  /** Runs a sink may fail before its alert is parked there. */
  readonly deliveryMaxRuns: number;
  /** Close every bin seen so far, whatever the watermark (end of a CLI replay, tests). */
  readonly closeAll?: boolean;
  /** Most bins evaluated in one run, so that a run after a long outage stays short; the rest close next run. */
  readonly maxBinsPerRun?: number;
  /**
   * Where the chat conversations are kept: with it, a chat sink gets one card per source and
   * `settings.chatGroupMs`, then updates (lib/detection/chatGrouping.ts); without it, a card per alert.
   */
  readonly conversations?: ChatConversationStore;
}

/** What one run did, logged once. */
export interface CloseSummary {
  readonly watermarkMs: number | undefined;
  readonly partitions: number;
  /** False when Event Hubs could not be asked: every partition then held the watermark. */
  readonly backlogRead: boolean;
  /** Partitions with unread events (or, when the hub could not be asked, every partition). */
  readonly partitionsBehind: readonly string[];
  /** Events the hub holds that ingest has not recorded, over all partitions that are behind. */
  readonly unreadEvents: number;
  readonly binsClosed: number;
  /** Bins closed after the maximum delay while partitions were behind: their alerts say MayBeIncomplete. */
  readonly binsClosedIncomplete: number;
  readonly alertsRecorded: number;
  /** Of the alerts recorded, those of known scanners: to the queue and signed webhooks only. */
  readonly alertsSuppressed: number;
  /** Known-scanner entries that have expired (by the wall clock): reported until renewed or removed. */
  readonly knownScannersExpired: number;
  readonly lateAlertsRecorded: number;
  /** New revisions of alerts already recorded: rows that arrived later changed their figures. */
  readonly correctionsRecorded: number;
  readonly lateWindowsChecked: number;
  readonly rowsDeleted: number;
  readonly deliveries: Record<string, { delivered: number; failed: number; parked: number }>;
  /** Alerts whose delivery this run gave up because another run changed them meanwhile. */
  readonly deliveriesTakenOver: number;
  /** Alerts recorded without a chat card of their own: their source's conversation counts them. */
  readonly alertsGrouped: number;
  /** "Still scanning" updates recorded for the chat sinks (one per conversation with new alerts). */
  readonly conversationUpdates: number;
  /** Alerts and corrections recorded in this run, in bin then source order. */
  readonly alerts: readonly Alert[];
}

/** How long a delivery lease lasts; it is renewed after each sink, so only a run that stopped loses it. */
export const LEASE_MS = 5 * 60_000;
const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * The closing timer's use case. Every bin ending before the watermark is evaluated exactly once
 * from the merged rows of all partitions; each (source, bin) over the threshold is recorded in
 * the outbox under its deterministic AlertId (a second run, a concurrent run or a rerun after a
 * crash records nothing new); windows that received rows after their bin closed are re-evaluated:
 * a late alert when they now cross the threshold, a correction when they changed an alerted
 * bin's figures; state past the retention horizon is deleted; then every pending alert is
 * delivered to every sink that has not yet taken it.
 *
 * The watermark waits for partitions that are behind (the hub holds events ingest has not
 * recorded: a backlog, an outage, failing invocations), never for idle ones; it waits at most
 * `maxCloseDelayMs`, after which bins close with the rows they have and their alerts say
 * `MayBeIncomplete`. A missed run loses nothing: evaluation resumes from the last evaluated bin.
 */
export async function closeBins(deps: CloseDependencies): Promise<CloseSummary> {
  const { store, outbox, settings, logger, nowMs } = deps;
  const { binMs } = settings;
  let closer = await store.readCloser();
  const progress = await store.readProgress();
  // A run that closes everything (end of a CLI replay) has no hub to wait for.
  const tails = deps.closeAll === true ? undefined : await readTails(deps);
  const watermark = watermarkOf(progress, tails, settings.allowedLatenessMs, nowMs, deps.feedIdleMs);
  const { watermarkMs } = watermark;
  for (const p of watermark.partitions) {
    if (p.expiredEvents > 0) {
      logger.error(LOG_MESSAGES.eventsExpired, { partition: p.partition, events: p.expiredEvents });
    }
  }
  const expired = settings.knownScanners.expiredAt(nowMs);
  if (expired.length > 0) {
    logger.warn(LOG_MESSAGES.knownScannersExpired, {
      count: expired.length,
      entries: expired.slice(0, 20).map((e) => ({ cidr: e.cidr, reason: e.reason, expires: e.expires })),
    });
  }
  const recorded: Alert[] = [];
  let suppressed = 0;
  /** AlertIds recorded or corrected in this run: at most one revision per alert and run. */
  const touched = new Set<string>();
  const chatSinkNames = deps.sinks.filter(isChatSink).map((s) => s.name);
  const grouping =
    deps.conversations !== undefined && settings.chatGroupMs > 0 && chatSinkNames.length > 0
      ? new ChatGrouping(deps.conversations, settings.chatGroupMs, binMs)
      : undefined;
  let grouped = 0;
  const recordOrCorrect = async (alert: Alert): Promise<'new' | 'correction' | 'unchanged'> => {
    // Decided, and kept, before the alert is recorded: a rerun routes it the same way.
    const role = grouping === undefined ? 'opens' : await grouping.place(alert);
    const sinkNames = sinksFor(alert, deps.sinks)
      .filter((s) => role === 'opens' || !isChatSink(s))
      .map((s) => s.name);
    const result = await recordAlert(outbox, alert, sinkNames, nowMs);
    if (result.kind === 'new' && role === 'joins') grouped++;
    if (result.kind === 'new' && alert.Suppression !== undefined) suppressed++;
    if (result.kind !== 'unchanged') {
      const a = result.alert;
      logger.info(LOG_MESSAGES.alertRecorded, {
        alertId: a.AlertId,
        revision: a.Revision,
        source: a.SrcIpAddr,
        binStart: a.BinStart,
        ports: a.AttemptedPortsCount,
        reachedPorts: a.Evidence?.ReachedPortsCount ?? 0,
        reached: a.Evidence?.ReachedPorts.slice(0, 20) ?? [],
        targets: a.Evidence?.TargetsCount ?? 0,
        devices: a.Evidence?.DevicesCount ?? 0,
        scanShape: a.Evidence?.ScanShape ?? 'unknown',
        suppressed: a.Suppression !== undefined,
        isTest: a.IsTest,
        knownScanner: a.Suppression === undefined ? null : `${a.Suppression.Cidr} (${a.Suppression.Reason})`,
        // Counted into its source's chat conversation: no Teams or Slack card of its own.
        grouped: role === 'joins',
        isLate: a.IsLate,
        mayBeIncomplete: a.MayBeIncomplete,
      });
      touched.add(alert.AlertId);
      recorded.push(result.alert);
    }
    return result.kind;
  };
  let binsClosed = 0;
  let lateAlerts = 0;
  let corrections = 0;
  let lateChecked = 0;
  let rowsDeleted = 0;

  let boundary: number | undefined;
  /** Bins ending by this time were closed with every partition's rows. */
  let completeMs: number | undefined;
  if (deps.closeAll === true && progress.length > 0) {
    boundary = Math.floor(Math.max(...progress.map((p) => p.maxEventTimeMs)) / binMs) * binMs + binMs;
    completeMs = boundary;
  } else if (progress.length > 0) {
    ({ completeMs, untilMs: boundary } = closingBoundaries(
      watermark,
      nowMs,
      binMs,
      settings.allowedLatenessMs,
      deps.maxCloseDelayMs,
    ));
  }
  const isComplete = (binStartMs: number) => completeMs !== undefined && binStartMs + binMs <= completeMs;
  let binsIncomplete = 0;

  if (boundary !== undefined) {
    // A timer that never ran starts at the earliest event seen, within the retention horizon.
    const firstSeen = Math.min(...progress.map((p) => p.minEventTimeMs));
    const retained = retentionHorizonOf(boundary, settings);
    const from =
      closer.evaluatedMs > 0
        ? Math.max(closer.evaluatedMs, retained)
        : Math.max(retained, Math.floor(firstSeen / binMs) * binMs);
    const limit = deps.maxBinsPerRun ?? Number.POSITIVE_INFINITY;
    const until = Math.min(boundary, from + limit * binMs);
    // Announce first: ingest marks rows landing in these bins from now on as late.
    closer = await store.advanceCloser(
      { announcedMs: until, evaluatedMs: closer.evaluatedMs, sweptMs: closer.sweptMs },
      closer,
    );
    for (let bin = from; isBinClosed(bin, until, binMs); bin += binMs) {
      const merged = new Map<string, WindowState>();
      for await (const row of store.listBinWindows(bin)) {
        merged.set(row.source, mergeStates(merged.get(row.source) ?? emptyState(), row.state));
      }
      for (const source of [...merged.keys()].sort()) {
        const state = merged.get(source) as WindowState;
        if (!isOverThreshold(state, settings)) continue;
        const alert = buildAlert(source, bin, state, settings, {
          isLate: false,
          mayBeIncomplete: !isComplete(bin),
        });
        if ((await recordOrCorrect(alert)) === 'correction') corrections++;
      }
      binsClosed++;
      if (!isComplete(bin)) binsIncomplete++;
      closer = await store.advanceCloser(
        { announcedMs: closer.announcedMs, evaluatedMs: bin + binMs, sweptMs: closer.sweptMs },
        closer,
      );
    }
  }

  // Late windows of bins already evaluated: a late alert when they now cross the threshold, a
  // correction when they add to an alert already recorded.
  for await (const marker of store.listLateMarkers()) {
    if (!isBinClosed(marker.binStartMs, closer.evaluatedMs, binMs)) continue;
    // Recorded or corrected in this run already: the mark stays for the next run.
    if (touched.has(alertIdOf(settings.rule.id, marker.source, marker.binStartMs))) continue;
    lateChecked++;
    if (!isBeyondRetention(marker.binStartMs, closer.evaluatedMs, settings)) {
      const rows = await store.readWindowRows(marker.source, marker.binStartMs);
      const state = rows.reduce((acc, r) => mergeStates(acc, r.state), emptyState());
      if (isOverThreshold(state, settings)) {
        const alert = buildAlert(marker.source, marker.binStartMs, state, settings, {
          isLate: true,
          mayBeIncomplete: !isComplete(marker.binStartMs),
        });
        const kind = await recordOrCorrect(alert);
        if (kind === 'new') lateAlerts++;
        else if (kind === 'correction') corrections++;
      }
    }
    await store.deleteLateMarker(marker);
  }

  rowsDeleted = await sweep(
    store,
    closer,
    settings,
    progress.length === 0 ? undefined : Math.min(...progress.map((p) => p.minEventTimeMs)),
  );
  const deliveries = await deliverPending(deps);
  // The chat sinks' updates go out once their cards are out: after the first delivery pass.
  const conversationUpdates = grouping === undefined ? 0 : await grouping.sendUpdates(outbox, chatSinkNames);
  if (conversationUpdates > 0) {
    const more = await deliverPending(deps);
    for (const [name, c] of Object.entries(more.counts)) {
      const total = deliveries.counts[name] ?? { delivered: 0, failed: 0, parked: 0 };
      deliveries.counts[name] = {
        delivered: total.delivered + c.delivered,
        failed: total.failed + c.failed,
        parked: total.parked + c.parked,
      };
    }
    deliveries.takenOver += more.takenOver;
  }
  await outbox.purge(nowMs - OUTBOX_RETENTION_MS);
  await grouping?.purge(nowMs - OUTBOX_RETENTION_MS);

  const summary: CloseSummary = {
    watermarkMs,
    partitions: watermark.partitions.length,
    backlogRead: deps.closeAll === true || tails !== undefined,
    partitionsBehind: watermark.holding.filter((p) => p.standing !== 'live').map((p) => p.partition),
    unreadEvents: watermark.holding.reduce((n, p) => n + (p.unreadEvents ?? 0), 0),
    binsClosed,
    binsClosedIncomplete: binsIncomplete,
    alertsRecorded: recorded.length - corrections,
    alertsSuppressed: suppressed,
    knownScannersExpired: expired.length,
    lateAlertsRecorded: lateAlerts,
    correctionsRecorded: corrections,
    lateWindowsChecked: lateChecked,
    rowsDeleted,
    deliveries: deliveries.counts,
    deliveriesTakenOver: deliveries.takenOver,
    alertsGrouped: grouped,
    conversationUpdates,
    alerts: recorded,
  };
  logger.info(LOG_MESSAGES.closeSummary, {
    ...summary,
    alerts: recorded.map((a) => (a.Revision === 1 ? a.AlertId : `${a.AlertId} revision ${a.Revision}`)),
  });
  return summary;
}

/** Deletes the rows of bins past the retention horizon, and moves `sweptMs` on. */
async function sweep(
  store: WindowStore,
  closer: CloserState,
  settings: DetectionSettings,
  firstSeenMs: number | undefined,
): Promise<number> {
  const { binMs } = settings;
  const horizon = retentionHorizonOf(closer.evaluatedMs, settings);
  if (closer.evaluatedMs === 0 || horizon <= 0) return 0;
  // The first sweep starts at the earliest event ever recorded: no row is older than that.
  const from = closer.sweptMs > 0 ? closer.sweptMs : Math.floor((firstSeenMs ?? horizon) / binMs) * binMs;
  const bins: number[] = [];
  for (let b = from; b < horizon; b += binMs) bins.push(b);
  if (bins.length === 0) return 0;
  const deleted = await store.deleteBins(bins);
  await store.advanceCloser(
    { announcedMs: closer.announcedMs, evaluatedMs: closer.evaluatedMs, sweptMs: horizon },
    closer,
  );
  return deleted;
}

/**
 * The tails of the hub's partitions, or undefined when the hub cannot be asked: the run goes on
 * (late windows, corrections, deliveries), every partition holds the watermark, and it says so.
 */
async function readTails(deps: CloseDependencies): Promise<readonly PartitionTail[] | undefined> {
  try {
    return await deps.backlog.readTails();
  } catch (error) {
    if (!(error instanceof EventHubUnavailableError)) throw error;
    deps.logger.warn(LOG_MESSAGES.backlogUnavailable, { code: error.code, detail: error.message });
    return undefined;
  }
}

/**
 * Records an alert, or a correction of the alert recorded under its AlertId when `alert` has new
 * figures: the next revision, keeping the recorded `IsLate`. A concurrent change of the entry
 * (another run corrected it first) is read back and compared again.
 */
async function recordAlert(
  outbox: AlertOutbox,
  alert: Alert,
  sinkNames: readonly string[],
  nowMs: number,
): Promise<{ kind: 'new' | 'correction'; alert: Alert } | { kind: 'unchanged' }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await outbox.record(alert, sinkNames, nowMs)) return { kind: 'new', alert };
    const entry = await outbox.read(alert.AlertId);
    if (entry === undefined) continue;
    if (!isCorrectionOf(alert, entry.alert)) return { kind: 'unchanged' };
    const correction: Alert = { ...alert, Revision: entry.alert.Revision + 1, IsLate: entry.alert.IsLate };
    if ((await outbox.revise(entry, correction, sinkNames)) !== undefined)
      return { kind: 'correction', alert: correction };
  }
  throw new StorageConflictError(`outbox entry ${alert.AlertId} kept changing while it was corrected`, {
    context: { operation: 'outbox revise' },
  });
}

/**
 * Delivers every pending alert to every sink that has not taken it yet. One failing sink never
 * blocks another. The lease is taken from the clock when an alert's delivery starts and renewed
 * after each sink, so however long the run, no other run delivers the same alert meanwhile.
 */
async function deliverPending(
  deps: CloseDependencies,
): Promise<{ counts: CloseSummary['deliveries']; takenOver: number }> {
  const { outbox, sinks, logger, clock } = deps;
  const counts: CloseSummary['deliveries'] = Object.fromEntries(
    sinks.map((s) => [s.name, { delivered: 0, failed: 0, parked: 0 }]),
  );
  let takenOver = 0;
  const byName = new Map(sinks.map((s) => [s.name, s]));
  for (const pending of await outbox.listPending()) {
    const claimedAtMs = clock();
    let entry: OutboxEntry | undefined = await outbox.claim(
      pending,
      deps.runId,
      claimedAtMs,
      claimedAtMs + LEASE_MS,
    );
    if (entry === undefined) continue;
    const statuses: Record<string, SinkStatus> = { ...entry.sinks };
    for (const [name, status] of Object.entries(entry.sinks)) {
      if (status.state !== 'pending') continue;
      const sink = byName.get(name);
      if (sink === undefined) {
        // The sink was removed from the configuration: park rather than retry for ever.
        statuses[name] = { ...status, state: 'parked', lastReason: 'sink no longer configured' };
        logger.warn(LOG_MESSAGES.alertParked, {
          alertId: entry.alert.AlertId,
          sink: name,
          reason: 'sink no longer configured',
        });
        continue;
      }
      const outcome = await safeDeliver(sink, entry.alert);
      const c = counts[name] ?? { delivered: 0, failed: 0, parked: 0 };
      counts[name] = c;
      if (outcome.ok) {
        statuses[name] = { state: 'delivered', failedRuns: status.failedRuns, deliveredAtMs: clock() };
        c.delivered++;
      } else {
        const failedRuns = status.failedRuns + 1;
        const park = !outcome.retryable || failedRuns >= deps.deliveryMaxRuns;
        statuses[name] = { state: park ? 'parked' : 'pending', failedRuns, lastReason: outcome.reason };
        if (park) {
          c.parked++;
          logger.warn(LOG_MESSAGES.alertParked, {
            alertId: entry.alert.AlertId,
            sink: name,
            failedRuns,
            reason: outcome.reason,
          });
        } else c.failed++;
      }
      // Record each sink's result as soon as it is known (a crash re-sends as little as
      // possible), and renew the lease.
      entry = await outbox.saveSinks(entry, statuses, clock() + LEASE_MS);
      // Another run changed the entry (a correction made every sink pending again): its state wins.
      if (entry === undefined) break;
    }
    if (entry === undefined) {
      takenOver++;
      continue;
    }
    // Give the lease up (unless the last save did): sinks still pending are tried again next run.
    if (entry.leaseUntilMs !== 0 && (await outbox.saveSinks(entry, statuses, 0)) === undefined) takenOver++;
  }
  return { counts, takenOver };
}

async function safeDeliver(sink: AlertSink, alert: Alert): Promise<DeliveryOutcome> {
  try {
    return await sink.deliver(alert);
  } catch (error) {
    // A sink must not throw; if one does, it is a failed, retryable delivery (never its message: it may hold a URL).
    return {
      ok: false,
      attempts: 1,
      retryable: true,
      reason: `sink error (${(error as Error)?.name ?? 'unknown'})`,
    };
  }
}
