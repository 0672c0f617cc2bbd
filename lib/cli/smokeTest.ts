import type { PeekedAlerts } from '../alerts/StorageQueuePeek.js';
import type { DetectionSettings } from '../config/detectionSettings.js';
import { DetectorError, type SmokeStage, SmokeTestError } from '../errors.js';
import type { Alert } from '../schema/Alert.js';
import type { JsonObject } from '../sources/pipeline/types.js';
import type { OutboxEntry } from '../state/AlertOutbox.js';
import type { DeploymentStateReader } from '../state/DeploymentStateReader.js';
import type { CloserState, StoredWindow } from '../state/WindowStore.js';
import type { WindowState } from '../window/WindowState.js';
import { emptyState, eventCountOf, mergeStates } from '../window/WindowState.js';
import { keepAliveRecord, type SmokeScan, smokeScan } from './smokeScan.js';

/** How often the window state is read while ingest is awaited. */
export const INGEST_POLL_MS = 2_000;
/** How often the closer, the outbox and the queue are read while the alert is awaited. */
export const ALERT_POLL_MS = 15_000;
/** How often the queue is peeked when the outbox cannot be read: a consumer may take the alert soon. */
export const QUEUE_ONLY_POLL_MS = 5_000;
/** What an optional read returns when the identity has no role on its table. */
const DENIED = Symbol('denied');
/** At most one keep-alive event per this interval (one per default bin). */
export const KEEP_ALIVE_INTERVAL_MS = 5 * 60_000;

/** What one smoke test checks, and how long it waits. */
export interface SmokePlan {
  /** The deployment's detection settings (threshold, bin, lateness, smoke source, rule). */
  readonly settings: DetectionSettings;
  /** `event hub "flows" in evhns-x.servicebus.windows.net`, for the report. */
  readonly hubName: string;
  readonly waitAlert: boolean;
  readonly ingestTimeoutMs: number;
  /** From the scan stored until the alert is in the queue. */
  readonly alertTimeoutMs: number;
  /** Whether events of the smoke source may be sent to move the watermark of a quiet hub. */
  readonly keepAlive: boolean;
  /** How storage is reached: with the signed-in identity (roles), or a connection string. */
  readonly storageAccess: 'identity' | 'connectionString';
}

/** The deployment as the smoke test sees it. */
export interface SmokePorts {
  /** Frames the records as `portscan send` does and sends them to the hub; resolves to the messages sent. */
  send(records: readonly JsonObject[]): Promise<number>;
  readonly state: DeploymentStateReader;
  /** The tables `state` reads. */
  readonly tables: { readonly windows: string; readonly control: string; readonly outbox: string };
  /** The alert queue (with `waitAlert`). */
  readonly queue: { readonly queueName: string; peekAlerts(): Promise<PeekedAlerts> } | undefined;
}

/** The process around a smoke test. */
export interface SmokeEffects {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** True once an interrupt (Ctrl-C) asked the run to stop. */
  isInterrupted(): boolean;
  /** One result line: the scan, then each stage as it passes, with its latency. */
  report(line: string): void;
  /** What is being waited for, and why (not with --quiet). */
  note(text: string): void;
}

/**
 * Runs a smoke test of a deployed system: reads the window table (and, with `waitAlert`, peeks at
 * the queue) before sending anything, sends the synthetic scan (`smokeScan`) to the hub, waits
 * until the window state shows this run's events (ingest works), then, with `waitAlert`, until the
 * alert is in the queue (closing and delivery work), reporting each stage's latency. Nothing is
 * written but the smoke source's events; the queue is peeked at, never read from.
 *
 * When the identity may read `<prefix>Control` and `<prefix>Outbox` too (a reader role on the
 * account rather than on the window table only), it also reports when the closer evaluated the
 * bin, fails at once when the closer recorded no alert for it, and takes the outbox's record of
 * the queue's delivery for an alert that a consumer took before a peek could see it.
 *
 * The closer closes a bin once the event-time watermark (the latest event time recorded, less
 * the allowed lateness, when every partition is read) passes its end, at the timer's next run.
 * On a hub with no other traffic nothing moves the watermark, so (unless `keepAlive` is off) one
 * event of the smoke source stamped with the current time is sent once the bin's end plus the
 * lateness has passed and no later event time is recorded (without access to the progress in
 * `<prefix>Control`: in any case), and again every five minutes while that stays so.
 *
 * Resolves to `interrupted` when an interrupt stopped the waiting.
 * @throws {SmokeTestError} a stage failed or timed out; the message says what to check
 * @throws {EventHubUnavailableError} the hub refused the scan
 */
export async function runSmokeTest(
  plan: SmokePlan,
  ports: SmokePorts,
  fx: SmokeEffects,
): Promise<'passed' | 'interrupted'> {
  return new SmokeRun(plan, ports, fx).run();
}

class SmokeRun {
  readonly #plan: SmokePlan;
  readonly #ports: SmokePorts;
  readonly #fx: SmokeEffects;
  #stage: SmokeStage = 'preflight';
  /** Whether the identity may read `<prefix>Control` (the closer, progress) and `<prefix>Outbox`. */
  #readsControl = true;
  #readsOutbox = true;

  constructor(plan: SmokePlan, ports: SmokePorts, fx: SmokeEffects) {
    this.#plan = plan;
    this.#ports = ports;
    this.#fx = fx;
  }

  async run(): Promise<'passed' | 'interrupted'> {
    const { settings, waitAlert } = this.#plan;
    const fx = this.#fx;
    // What the run reads must be readable before anything is sent.
    const startedMs = fx.now();
    const inBin = smokeScan(settings, startedMs);
    const before = await this.#readWindow(inBin);
    const scan = before.ports.size === 0 ? inBin : smokeScan(settings, startedMs, before.ports);
    if (before.ports.size > 0) {
      fx.note(
        `an earlier smoke test left ${plural(before.ports.size, 'port')} in the window of this bin: this run sends ${plural(scan.ports.length, 'other port')}, so that the alert it waits for counts them`,
      );
    }
    /** What the window, and the alert, hold once this run's events are in. */
    const expected = {
      events: eventCountOf(before) + scan.ports.length,
      ports: before.ports.size + scan.ports.length,
    };
    if (waitAlert) await this.#preflightAlert(scan);
    fx.report(
      `portscan smoke: ${scan.ports.length} ports from ${scan.source} in the bin ${binText(scan.binStartMs)} (threshold ${settings.threshold})`,
    );

    this.#stage = 'send';
    const messages = await this.#ports.send(scan.records);
    const sentMs = fx.now();
    this.#done('sent', `${plural(messages, 'message')} to ${this.#plan.hubName}`, sentMs - startedMs);

    this.#stage = 'ingest';
    const storedMs = await this.#awaitStored(scan, expected.events, sentMs);
    if (storedMs === undefined) return 'interrupted';
    if (!waitAlert) {
      this.#done('end to end', '', storedMs - startedMs);
      fx.note(
        'the alert follows once the closing timer closes the bin (--wait-alert waits for it; see "portscan smoke --help")',
      );
      return 'passed';
    }

    this.#stage = 'close';
    const alertMs = await this.#awaitAlert(scan, expected, storedMs);
    if (alertMs === undefined) return 'interrupted';
    this.#done('end to end', '', alertMs - startedMs);
    return 'passed';
  }

  /**
   * Before `--wait-alert` sends anything: the queue must be readable; the closer's row and the
   * outbox (`<prefix>Control`, `<prefix>Outbox`) tell more and are read when the role allows.
   */
  async #preflightAlert(scan: SmokeScan): Promise<void> {
    const { state } = this.#ports;
    this.#readsControl = (await this.#optional('control', () => state.readCloser())) !== DENIED;
    this.#readsOutbox = (await this.#optional('outbox', () => state.readAlert(scan.alertId))) !== DENIED;
    await this.#peek();
    const { control, outbox } = this.#ports.tables;
    const lost = [
      ...(this.#readsControl
        ? []
        : [
            `no access to ${control}: whether the timer closed the bin is not reported${this.#plan.keepAlive ? ', and keep-alive events are sent until the alert comes' : ''}`,
          ]),
      ...(this.#readsOutbox
        ? []
        : [
            `no access to ${outbox}: the alert is looked for in the queue alone, where a consumer that takes it first hides it`,
          ]),
    ];
    // A Storage Table Data Reader role on the window table only: the test runs, and says what it misses.
    for (const text of lost) this.#fx.note(text);
  }

  /** Waits until the window rows of the scan's (source, bin) hold its ports and this run's events. */
  async #awaitStored(scan: SmokeScan, expectedEvents: number, sentMs: number): Promise<number | undefined> {
    const table = this.#ports.tables.windows;
    for (;;) {
      const window = await this.#readWindow(scan);
      const events = eventCountOf(window);
      const missing = scan.ports.filter((p) => !window.ports.has(p)).length;
      const nowMs = this.#fx.now();
      if (events >= expectedEvents && missing === 0) {
        this.#done('ingested', `the window in ${table} holds the ${scan.ports.length} ports`, nowMs - sentMs);
        return nowMs;
      }
      if (nowMs - sentMs >= this.#plan.ingestTimeoutMs) {
        const seen =
          events === 0 && window.ports.size === 0
            ? `no row of ${scan.source} in the bin ${binText(scan.binStartMs)}`
            : `the window of ${scan.source} in the bin ${binText(scan.binStartMs)} holds ${events} events of the ${expectedEvents} expected and misses ${missing} of the ${scan.ports.length} ports`;
        throw new SmokeTestError(
          'ingest',
          [
            `smoke test failed: ingest did not store the scan within ${durationText(this.#plan.ingestTimeoutMs)} (${seen}, table ${table})`,
            'Check:',
            "- the ingest function runs and reads this hub: its 'ingest summary' traces in Application Insights, the Function App's PORTSCAN_EVENTHUB_NAME and PORTSCAN_EVENTHUB_CONSUMER_GROUP;",
            "- the app's identity holds Azure Event Hubs Data Receiver on the hub and Storage Table Data Contributor on the storage account ('storage unavailable' errors in its traces);",
            '- --storage-account and --table-prefix name the deployment, and the detection settings given here are its own (PORTSCAN_BIN_MINUTES, PORTSCAN_SMOKE_SOURCE);',
            '- a backlog: ingest reads the hub in order, so a scan sent behind many events is stored later (raise --ingest-timeout).',
          ].join('\n'),
        );
      }
      if (!(await this.#sleep(INGEST_POLL_MS))) return undefined;
    }
  }

  /**
   * Waits until the alert of this run's events is in the queue (or, when the outbox can be read,
   * recorded as delivered there), reporting when the closer evaluates the bin (when its row can
   * be read), and sending keep-alive events while nothing else moves the watermark.
   */
  async #awaitAlert(
    scan: SmokeScan,
    expected: { readonly events: number; readonly ports: number },
    storedMs: number,
  ): Promise<number | undefined> {
    /** An alert of the scan's (source, bin) that counts this run's events and ports. */
    const isThisRun = (a: Alert) =>
      a.AlertId === scan.alertId &&
      a.EventCount >= expected.events &&
      a.AttemptedPortsCount >= expected.ports;
    const { settings, keepAlive } = this.#plan;
    const closesFromMs = scan.binEndMs + settings.allowedLatenessMs;
    const queueName = this.#ports.queue?.queueName ?? '';
    this.#fx.note(
      `waiting for the closing timer (at most ${durationText(this.#plan.alertTimeoutMs)}, --alert-timeout): the bin ends at ${timeText(scan.binEndMs)} and closes at the timer's first run after the event-time watermark passes ${timeText(closesFromMs)} (its end plus ${durationText(settings.allowedLatenessMs)} of allowed lateness); the timer runs hourly at minute 5 unless PORTSCAN_CLOSE_SCHEDULE says otherwise`,
    );
    /** When the closer was seen to have evaluated the bin, and whether it had before the scan was stored. */
    let closed: { atMs: number; before: boolean } | undefined;
    let first = true;
    let keptAliveMs: number | undefined;
    for (;;) {
      const nowMs = this.#fx.now();
      if (closed === undefined && this.#readsControl) {
        const closer = await this.#read('control', () => this.#ports.state.readCloser());
        if (closer.evaluatedMs >= scan.binEndMs) {
          closed = { atMs: nowMs, before: first };
          if (first) {
            this.#fx.note(
              'the bin was already closed when the scan was stored (an earlier smoke test in this bin?): rows that come after the close are late rows, and the closing timer sends the alert as a correction at its next run',
            );
          }
          this.#done('closed', 'the closing timer evaluated the bin', nowMs - storedMs);
          this.#stage = 'alert';
        }
      }
      first = false;

      const peeked = await this.#peek();
      const queued = peeked.alerts.find(isThisRun);
      if (queued !== undefined) {
        this.#checkTest(queued);
        this.#done(
          'alert',
          `in the queue ${queueName}`,
          nowMs - (closed?.atMs ?? storedMs),
          describeAlert(queued),
        );
        return nowMs;
      }

      if (this.#readsOutbox && (closed !== undefined || !this.#readsControl)) {
        const entry = await this.#read('outbox', () => this.#ports.state.readAlert(scan.alertId));
        const recorded = entry !== undefined && isThisRun(entry.alert) ? entry : undefined;
        const queueSink = recorded?.sinks.queue;
        if (recorded !== undefined && queueSink?.state === 'delivered') {
          this.#checkTest(recorded.alert);
          const at = queueSink.deliveredAtMs === undefined ? '' : ` at ${timeText(queueSink.deliveredAtMs)}`;
          this.#done(
            'alert',
            `delivered to the queue ${queueName}${at}`,
            nowMs - (closed?.atMs ?? storedMs),
            `${describeAlert(recorded.alert)}; not among the ${plural(peeked.messages, 'message')} at the queue's front (a consumer took it already, or older messages wait ahead of it)`,
          );
          return nowMs;
        }
        if (recorded !== undefined && (queueSink === undefined || queueSink.state === 'parked')) {
          throw new SmokeTestError('alert', this.#notDelivered(recorded, queueName));
        }
        // The closer records a bin's alerts before it moves past the bin: it evaluated this run's
        // rows and found no alert.
        if (recorded === undefined && closed !== undefined && !closed.before) {
          throw new SmokeTestError('alert', this.#noAlert(scan, entry));
        }
        if (nowMs - storedMs >= this.#plan.alertTimeoutMs && recorded !== undefined) {
          throw new SmokeTestError('alert', this.#notDelivered(recorded, queueName));
        }
      }

      if (keepAlive && closed === undefined && nowMs >= closesFromMs) {
        const latestMs = this.#readsControl ? await this.#latestEventTime() : undefined;
        const moved = latestMs !== undefined && latestMs >= closesFromMs;
        if (!moved && (keptAliveMs === undefined || nowMs - keptAliveMs >= KEEP_ALIVE_INTERVAL_MS)) {
          await this.#ports.send([keepAliveRecord(settings, nowMs)]);
          keptAliveMs = nowMs;
          this.#fx.note(
            this.#readsControl
              ? `${timeText(nowMs)}: ${latestMs === undefined ? 'no event time recorded' : `no event time after ${timeText(latestMs)} recorded`} (a quiet hub): sent one event of ${scan.source} to move the watermark`
              : `${timeText(nowMs)}: sent one event of ${scan.source} to move the watermark (one every ${durationText(KEEP_ALIVE_INTERVAL_MS)} until the alert comes)`,
          );
        }
      }

      if (nowMs - storedMs >= this.#plan.alertTimeoutMs) {
        if (closed !== undefined) {
          throw new SmokeTestError(
            'alert',
            `smoke test failed: no alert for this run's events in the queue ${queueName} within ${durationText(this.#plan.alertTimeoutMs)}: the bin was already closed when the scan was stored, and the closing timer has not sent the correction that counts its late rows (it does so at every run: check that closeBins runs, its 'close summary' traces in Application Insights)`,
          );
        }
        const latestMs = this.#readsControl ? await this.#latestEventTime() : undefined;
        const closer = this.#readsControl
          ? await this.#read('control', () => this.#ports.state.readCloser())
          : undefined;
        throw new SmokeTestError('close', this.#closeTimeout(scan, closer, latestMs, keptAliveMs));
      }
      const pollMs = this.#readsOutbox ? ALERT_POLL_MS : QUEUE_ONLY_POLL_MS;
      if (!(await this.#sleep(pollMs))) return undefined;
    }
  }

  #closeTimeout(
    scan: SmokeScan,
    closer: CloserState | undefined,
    latestMs: number | undefined,
    keptAliveMs: number | undefined,
  ): string {
    const { settings } = this.#plan;
    const closesFromMs = scan.binEndMs + settings.allowedLatenessMs;
    const moved = latestMs !== undefined && latestMs >= closesFromMs;
    return [
      closer === undefined
        ? `smoke test failed: no alert for the bin ${binText(scan.binStartMs)} reached the queue ${this.#ports.queue?.queueName ?? ''} within ${durationText(this.#plan.alertTimeoutMs)} of the scan being stored`
        : `smoke test failed: the closing timer did not close the bin ${binText(scan.binStartMs)} within ${durationText(this.#plan.alertTimeoutMs)} of the scan being stored`,
      closer === undefined
        ? `Whether the timer closed the bin is not known without access to ${this.#ports.tables.control}; it closes at the timer's first run after the event-time watermark passes ${timeText(closesFromMs)}.`
        : `The timer has evaluated the bins up to ${closer.evaluatedMs === 0 ? 'none (it has not closed a bin yet)' : timeText(closer.evaluatedMs)}; the latest event time recorded is ${latestMs === undefined ? 'none' : timeText(latestMs)}, and the bin closes once it passes ${timeText(closesFromMs)}.`,
      'Check:',
      "- the closeBins function runs: its 'close summary' traces in Application Insights, its schedule (PORTSCAN_CLOSE_SCHEDULE, hourly at minute 5 by default), failures in the Function App's logs;",
      moved || closer === undefined
        ? "- partitions behind: a partition with unread events holds the bins open until it catches up, at most PORTSCAN_MAX_CLOSE_DELAY_MINUTES (60 by default) ('close summary' partitionsBehind, unreadEvents);"
        : keptAliveMs === undefined
          ? '- nothing moved the watermark: with --no-keep-alive the bin closes only when other traffic reaches the hub;'
          : '- ingest stored the scan but not the later events that move the watermark (the ingest stage above passed, so look for failing invocations after it);',
      ...(closer === undefined
        ? ["- the delivery to the queue: 'alert parked' traces, and the app's identity's role on the queue;"]
        : []),
      "- the lateness given here is the deployment's (PORTSCAN_ALLOWED_LATENESS_MINUTES).",
    ].join('\n');
  }

  #noAlert(scan: SmokeScan, entry: OutboxEntry | undefined): string {
    const { settings } = this.#plan;
    return [
      `smoke test failed: the closing timer closed the bin ${binText(scan.binStartMs)} and recorded no alert for this run's ${scan.ports.length} ports from ${scan.source}${entry === undefined ? '' : ` (the alert recorded there counts ${entry.alert.EventCount} events, not this run's)`}`,
      'Check:',
      `- the deployment's threshold is below ${scan.ports.length} (PORTSCAN_THRESHOLD, PORTSCAN_RULE_FILE; give the same --threshold here, ${settings.threshold} now);`,
      '- the deployment counts this source: its PORTSCAN_SMOKE_SOURCE, PORTSCAN_EXCLUDE_CIDRS and PORTSCAN_MODE;',
      "- the closeBins function's 'close summary' and 'alert recorded' traces in Application Insights.",
    ].join('\n');
  }

  #notDelivered(entry: OutboxEntry, queueName: string): string {
    const sink = entry.sinks.queue;
    const state =
      sink === undefined
        ? 'was recorded without the queue among its sinks'
        : sink.state === 'parked'
          ? `was given up for the queue after ${plural(sink.failedRuns, 'failed run')}${sink.lastReason === undefined ? '' : ` (${sink.lastReason})`}`
          : sink.failedRuns > 0
            ? `is not in the queue yet: ${plural(sink.failedRuns, 'closing run')} failed to send it${sink.lastReason === undefined ? '' : ` (${sink.lastReason})`}`
            : 'is recorded and waits for its delivery';
    return [
      `smoke test failed: the closing timer recorded the alert (AlertId ${entry.alert.AlertId}, Revision ${entry.alert.Revision}), which ${state}`,
      'Check:',
      `- the queue ${queueName} exists and the app's identity may send to it (its Storage Queue Data Message Sender or Contributor role);`,
      "- 'alert parked' and 'close summary' (deliveries) traces in Application Insights.",
    ].join('\n');
  }

  /** An alert of the scan that is not marked as a test: the deployment takes this source for a real one. */
  #checkTest(alert: Alert): void {
    if (alert.IsTest) return;
    throw new SmokeTestError(
      'alert',
      `smoke test failed: the alert (AlertId ${alert.AlertId}) is not marked IsTest: the deployment's PORTSCAN_SMOKE_SOURCE is not ${alert.SrcIpAddr}, so its sinks took it for a real scan. Give the deployment's value with --smoke-source (or PORTSCAN_SMOKE_SOURCE), and tell the alert's readers it was a test.`,
    );
  }

  async #readWindow(scan: SmokeScan): Promise<WindowState> {
    const rows: StoredWindow[] = await this.#read('windows', () =>
      this.#ports.state.readWindowRows(scan.source, scan.binStartMs),
    );
    return rows.reduce((acc, r) => mergeStates(acc, r.state), emptyState());
  }

  /** The latest event time any feed has recorded. */
  async #latestEventTime(): Promise<number | undefined> {
    const progress = await this.#read('control', () => this.#ports.state.readProgress());
    return progress.length === 0 ? undefined : Math.max(...progress.map((p) => p.maxEventTimeMs));
  }

  /** A read the run can do without: `DENIED` when the identity has no role on the table. */
  async #optional<T>(table: 'control' | 'outbox', read: () => Promise<T>): Promise<T | typeof DENIED> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof DetectorError && error.code === 'STORAGE_ACCESS_DENIED') return DENIED;
      throw this.#storageFailure(error, `table ${this.#ports.tables[table]}`, 'Storage Table Data Reader');
    }
  }

  async #read<T>(table: 'windows' | 'control' | 'outbox', read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw this.#storageFailure(error, `table ${this.#ports.tables[table]}`, 'Storage Table Data Reader');
    }
  }

  async #peek(): Promise<PeekedAlerts> {
    const queue = this.#ports.queue;
    if (queue === undefined) return { alerts: [], messages: 0 };
    try {
      return await queue.peekAlerts();
    } catch (error) {
      throw this.#storageFailure(error, `queue ${queue.queueName}`, 'Storage Queue Data Reader');
    }
  }

  /** A storage failure as what to check: the table or queue's name, the setting, the role. */
  #storageFailure(error: unknown, resource: string, role: string): unknown {
    if (!(error instanceof DetectorError)) return error;
    const code = error.context.storageCode;
    const cannot = `smoke test failed: cannot read ${resource}`;
    let message: string;
    if (code === 'TableNotFound') {
      message = `${cannot}: it does not exist in the storage account; check --storage-account and --table-prefix (PORTSCAN_TABLE_PREFIX: the deployment's tables are <prefix>Windows, <prefix>Control and <prefix>Outbox)`;
    } else if (code === 'QueueNotFound') {
      message = `${cannot}: it does not exist in the storage account; check --storage-account and --queue (PORTSCAN_ALERT_QUEUE, portscan-alerts unless the deployment sets it)`;
    } else if (error.code === 'STORAGE_ACCESS_DENIED') {
      message =
        this.#plan.storageAccess === 'identity'
          ? `${cannot}: access denied; the signed-in identity needs the "${role}" role on the storage account (a new role assignment can take minutes to apply)`
          : `${cannot}: access denied; check the connection string in PortscanStorage`;
    } else message = `${cannot}: ${error.message}`;
    return new SmokeTestError(this.#stage, message, { cause: error });
  }

  /** A stage's line: its name, what was seen, its latency; details on the next line. */
  #done(stage: string, what: string, ms: number, detail?: string): void {
    this.#fx.report(`  ${stage.padEnd(11)} ${what.padEnd(56)} ${durationText(ms).padStart(11)}`);
    if (detail !== undefined) this.#fx.report(`  ${''.padEnd(11)} ${detail}`);
  }

  /** Sleeps; false when an interrupt came. */
  async #sleep(ms: number): Promise<boolean> {
    if (this.#fx.isInterrupted()) return false;
    await this.#fx.sleep(ms);
    return !this.#fx.isInterrupted();
  }
}

function describeAlert(alert: Alert): string {
  return `AlertId ${alert.AlertId}, Revision ${alert.Revision}, ${alert.AttemptedPortsCount} ports${alert.IsTest ? ', IsTest' : ''}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `2026-11-01 10:05Z` */
function binText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ').concat('Z');
}

/** `10:05:00Z` */
function timeText(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19).concat('Z');
}

/** `0.4 s`, `42.0 s`, `57 min 30 s`, `2 h 3 min` */
export function durationText(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = Math.floor(seconds - minutes * 60);
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
