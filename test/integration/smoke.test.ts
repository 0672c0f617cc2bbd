import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertIdOf } from '../../lib/alerts/alertId.js';
import type { HubRetryOptions } from '../../lib/eventhub/EventHubPartitionBacklog.js';
import { loadEmbeddedRule } from '../../lib/rule/loadRule.js';
import { windowPartitionKey } from '../../lib/state/keys.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { EventHubsPeer } from '../support/eventHubsPeer.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { azuriteSettings, FunctionsHarness } from '../support/functionsHarness.js';
import { runPortscan } from '../support/runCli.js';

// `portscan smoke` against a deployment made of the real pieces: the real @azure/event-hubs SDK
// over AMQP to the peer in test/support, and the functions' own handlers (ingest with the
// trigger metadata the host sends, the closeBins timer) over Azurite. Time is simulated: each
// time smoke waits, the clock moves on, the events the peer received are handed to ingest, and
// the closing timer runs when its schedule ("0 5 * * * *", hourly at minute 5) comes round.

const FAST_RETRY: HubRetryOptions = {
  maxRetries: 1,
  retryDelayInMs: 10,
  maxRetryDelayInMs: 20,
  timeoutInMs: 10_000,
};
const START = '2026-11-01T10:07:30Z';
const BIN = Date.parse('2026-11-01T10:05:00Z');
const SOURCE = '192.0.2.250';
const HOUR = 3_600_000;
const TIMER_MINUTE_MS = 5 * 60_000;
const root = join(import.meta.dirname, '..', '..');

let az: Azurite;

beforeAll(async () => {
  az = await startAzurite();
});

afterAll(async () => {
  await az?.stop();
});

/**
 * A deployment on a simulated clock: the peer's hub, the functions over Azurite, and what runs
 * when smoke sleeps. The deployment's tables (and, unless told otherwise, its alert queue) exist
 * before the test starts, as the Bicep template creates them.
 */
class SimulatedDeployment {
  readonly harness: FunctionsHarness;
  readonly settings: Record<string, string>;
  nowMs: number;
  /** Whether ingest reads the hub, and whether the closing timer runs. */
  ingestRuns = true;
  timerRuns = true;
  /** Called at each sleep (an interrupt, say). */
  onSleep: (() => void) | undefined;
  #peer: EventHubsPeer | undefined;
  #delivered = 0;

  private constructor(settings: Record<string, string>) {
    this.nowMs = Date.parse(START);
    this.settings = settings;
    this.harness = new FunctionsHarness(settings, az.connectionString(), START);
  }

  static async start(
    options: { queue?: boolean; settings?: Record<string, string> } = {},
  ): Promise<SimulatedDeployment> {
    const d = new SimulatedDeployment(azuriteSettings(az, options.settings ?? {}));
    d.#peer = await EventHubsPeer.start({
      hubs: { flows: { partitionIds: ['0', '1'] } },
      now: () => d.nowMs,
    });
    await d.harness.services.store.ready();
    await d.harness.services.delivery().outbox.ready();
    if (options.queue !== false) await d.harness.queue.create();
    return d;
  }

  get peer(): EventHubsPeer {
    return this.#peer as EventHubsPeer;
  }

  /** What a user has in the shell: connection strings for the hub and the storage account. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      EventHubConnection: this.peer.connectionString(),
      PortscanStorage: az.connectionString(),
      PORTSCAN_TABLE_PREFIX: this.settings.PORTSCAN_TABLE_PREFIX as string,
      PORTSCAN_ALERT_QUEUE: this.settings.PORTSCAN_ALERT_QUEUE as string,
      ...extra,
    };
  }

  smoke(args: readonly string[], env: Record<string, string> = {}) {
    return runPortscan(['smoke', '--hub', 'flows', ...args], {
      env: this.env(env),
      now: () => this.nowMs,
      io: { sleep: (ms) => this.sleep(ms), hubRetry: FAST_RETRY },
    });
  }

  /** The clock moves on; ingest reads what the hub received; the timer runs if its time came. */
  async sleep(ms: number): Promise<void> {
    const before = this.nowMs;
    this.nowMs += ms;
    this.harness.nowMs = this.nowMs;
    if (this.ingestRuns) await this.deliver();
    if (this.timerRuns && nextTimerRun(before) <= this.nowMs) await this.harness.closeBins();
    this.onSleep?.();
  }

  /** Hands the events the hub received since the last call to ingest, a batch per partition. */
  async deliver(): Promise<void> {
    const events = this.peer.received('flows').slice(this.#delivered);
    this.#delivered += events.length;
    for (const partition of ['0', '1']) {
      const batch = events.filter((e) => e.partitionId === partition);
      const last = batch.at(-1);
      if (last === undefined) continue;
      this.harness.hub.enqueued(partition, last.sequenceNumber, last.enqueuedTimeUtc.getTime());
      await this.harness.invoke(
        partition,
        batch.map((e) => ({
          body: e.body,
          sequenceNumber: e.sequenceNumber,
          enqueuedTimeMs: e.enqueuedTimeUtc.getTime(),
        })),
      );
    }
  }

  /** Every window row's (source, bin) in the deployment's Windows table. */
  async windowRows(): Promise<string[]> {
    const table = TableClient.fromConnectionString(
      az.connectionString(),
      `${this.settings.PORTSCAN_TABLE_PREFIX}Windows`,
      { allowInsecureConnection: true },
    );
    const rows: string[] = [];
    for await (const e of table.listEntities()) rows.push(`${e.rowKey} ${e.partitionKey}`);
    return rows.sort();
  }

  async stop(): Promise<void> {
    await this.#peer?.stop();
  }
}

/** The first run of "0 5 * * * *" after `ms`. */
function nextTimerRun(ms: number): number {
  const run = Math.floor((ms - TIMER_MINUTE_MS) / HOUR) * HOUR + TIMER_MINUTE_MS;
  return run > ms ? run : run + HOUR;
}

const smokeAlertId = alertIdOf(loadEmbeddedRule().id, SOURCE, BIN);

describe('CLI: portscan smoke', () => {
  it('sees the scan stored, the bin closed and the alert in the queue, and leaves the queue as it was', async () => {
    // The deployment's default table prefix and queue, as in docs/cli.md.
    const d = await SimulatedDeployment.start({
      settings: { PORTSCAN_TABLE_PREFIX: 'Portscan', PORTSCAN_ALERT_QUEUE: 'portscan-alerts' },
    });
    try {
      const run = await d.smoke(['--wait-alert']);

      expect(run.status, run.stderr).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        `portscan smoke: 51 ports from ${SOURCE} in the bin 2026-11-01 10:05Z (threshold 50)`,
      );
      expect(lines.slice(1).map((l) => l.trim().replace(/\s+/g, ' '))).toEqual([
        'sent 1 message to event hub "flows" in 127.0.0.1 0.0 s',
        'ingested the window in PortscanWindows holds the 51 ports 2.0 s',
        // The bin closed at the first timer run after its end plus the lateness (10:20): 11:05.
        'closed the closing timer evaluated the bin 57 min 30 s',
        'alert in the queue portscan-alerts 0.0 s',
        `AlertId ${smokeAlertId}, Revision 1, 51 ports, IsTest`,
        'end to end 57 min 32 s',
      ]);
      expect(run.stderr).toMatch(
        /waiting for the closing timer .* the bin ends at 10:10:00Z and closes at the timer's first run after the event-time watermark passes 10:20:00Z/,
      );
      expect(run.stderr).toMatch(
        /10:20:02Z: no event time after 10:07:30Z recorded \(a quiet hub\): sent one event of 192\.0\.2\.250/,
      );
      // One message with the scan, one keep-alive event; nothing from any other source.
      const sent = d.peer.received('flows').map(
        (e) =>
          JSON.parse(e.body.toString('utf8')) as {
            records: { SrcIpAddr: string; DstPortNumber: number }[];
          },
      );
      expect(sent.map((m) => m.records.length)).toEqual([51, 1]);
      expect(new Set(sent.flatMap((m) => m.records.map((r) => r.SrcIpAddr)))).toEqual(new Set([SOURCE]));
      expect(await d.windowRows()).toEqual([
        `${SOURCE}|0 ${windowPartitionKey(SOURCE, BIN)}`,
        `${SOURCE}|1 ${windowPartitionKey(SOURCE, Date.parse('2026-11-01T10:20:00Z'))}`,
      ]);
      // Peeked, not taken: the queue's consumers still get the alert, marked as a test.
      const queued = await d.harness.queuedAlerts();
      expect(queued.map((a) => [a.AlertId, a.SrcIpAddr, a.AttemptedPortsCount, a.IsTest])).toEqual([
        [smokeAlertId, SOURCE, 51, true],
      ]);
      expect(queued[0]?.ReportedBy).toEqual(['Portscan/Smoke test']);
      // docs/cli.md and the README show this run's output.
      expect(readFileSync(join(root, 'docs', 'cli.md'), 'utf8')).toContain(run.stdout);
      expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(run.stdout);
      expect(readFileSync(join(root, 'docs', 'cli.md'), 'utf8')).toContain(run.stderr);
    } finally {
      await d.stop();
    }
  });

  it('passes at the ingest stage without --wait-alert, and sends nothing else', async () => {
    const d = await SimulatedDeployment.start({ queue: false });
    try {
      const run = await d.smoke([]);

      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /ingested +the window in \w+Windows holds the 51 ports +2\.0 s\n {2}end to end +2\.0 s\n$/,
      );
      expect(run.stderr).toMatch(/the alert follows once the closing timer closes the bin/);
      expect(d.peer.received('flows')).toHaveLength(1);
    } finally {
      await d.stop();
    }
  });

  it('fails with status 1 and what to check when nothing arrives in the table', async () => {
    const d = await SimulatedDeployment.start();
    d.ingestRuns = false;
    try {
      const run = await d.smoke(['--ingest-timeout', '30']);

      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        `portscan: smoke test failed: ingest did not store the scan within 30.0 s (no row of ${SOURCE} in the bin 2026-11-01 10:05Z, table ${d.settings.PORTSCAN_TABLE_PREFIX}Windows)\nCheck:\n- the ingest function runs and reads this hub: its 'ingest summary' traces`,
      );
      expect(run.stdout).toMatch(/sent +1 message to event hub "flows"/);
    } finally {
      await d.stop();
    }
  });

  it("waits for this run's own events when the bin already holds an earlier smoke test's", async () => {
    const d = await SimulatedDeployment.start();
    try {
      expect((await d.smoke([])).status).toBe(0);
      d.ingestRuns = false;

      const second = await d.smoke(['--ingest-timeout', '10']);

      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(
        /the window of 192\.0\.2\.250 in the bin 2026-11-01 10:05Z holds 51 events of the 102 expected and misses 51 of the 51 ports/,
      );
    } finally {
      await d.stop();
    }
  });

  it('refuses to start when the alert queue is missing, before sending anything', async () => {
    const d = await SimulatedDeployment.start({ queue: false });
    try {
      const run = await d.smoke(['--wait-alert']);

      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `portscan: smoke test failed: cannot read queue ${d.settings.PORTSCAN_ALERT_QUEUE}: it does not exist in the storage account; check --storage-account and --queue (PORTSCAN_ALERT_QUEUE, portscan-alerts unless the deployment sets it)\n`,
      );
      expect(d.peer.received('flows')).toHaveLength(0);
    } finally {
      await d.stop();
    }
  });

  it('refuses to start when the tables are missing (another prefix), before sending anything', async () => {
    const d = await SimulatedDeployment.start();
    try {
      const run = await d.smoke(['--table-prefix', 'Elsewhere']);

      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /^portscan: smoke test failed: cannot read table ElsewhereWindows: it does not exist in the storage account; check --storage-account and --table-prefix/,
      );
      expect(d.peer.received('flows')).toHaveLength(0);
    } finally {
      await d.stop();
    }
  });

  it('fails with status 1 and what to check when the closing timer never runs', async () => {
    const d = await SimulatedDeployment.start();
    d.timerRuns = false;
    try {
      const run = await d.smoke(['--wait-alert', '--alert-timeout', '30']);

      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /portscan: smoke test failed: the closing timer did not close the bin 2026-11-01 10:05Z within 30 min of the scan being stored\nThe timer has evaluated the bins up to none \(it has not closed a bin yet\); the latest event time recorded is 10:20:02Z, and the bin closes once it passes 10:20:00Z\.\nCheck:\n- the closeBins function runs/,
      );
      // One keep-alive while the watermark stayed behind; none once it had passed.
      expect(d.peer.received('flows')).toHaveLength(2);
    } finally {
      await d.stop();
    }
  });

  it("fails as soon as the bin closed without an alert (the deployment's threshold is higher)", async () => {
    const d = await SimulatedDeployment.start({ settings: { PORTSCAN_THRESHOLD: '100' } });
    try {
      const run = await d.smoke(['--wait-alert']);

      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/closed +the closing timer evaluated the bin/);
      expect(run.stderr).toMatch(
        /smoke test failed: the closing timer closed the bin 2026-11-01 10:05Z and recorded no alert for this run's 51 ports from 192\.0\.2\.250\nCheck:\n- the deployment's threshold is below 51 \(PORTSCAN_THRESHOLD, PORTSCAN_RULE_FILE; give the same --threshold here, 50 now\)/,
      );
    } finally {
      await d.stop();
    }
  });

  it('fails when the alert is not marked as a test (the deployment has another smoke source)', async () => {
    const d = await SimulatedDeployment.start({ settings: { PORTSCAN_SMOKE_SOURCE: '192.0.2.77' } });
    try {
      const run = await d.smoke(['--wait-alert']);

      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /the alert \(AlertId [0-9a-f-]+\) is not marked IsTest: the deployment's PORTSCAN_SMOKE_SOURCE is not 192\.0\.2\.250/,
      );
    } finally {
      await d.stop();
    }
  });

  it('passes with a reader role on the window table only, judging the closing by the queue alone', async () => {
    const d = await SimulatedDeployment.start();
    // As with the deployment's smoke-test role: Storage Table Data Reader on <prefix>Windows only.
    const proxy = await startFaultProxy(az.tablePort);
    proxy.mode = {
      kind: 'status',
      status: 403,
      code: 'AuthorizationPermissionMismatch',
      count: Number.POSITIVE_INFINITY,
      picks: (_method, url) => /(Control|Outbox)\b/.test(decodeURIComponent(url)),
    };
    try {
      const run = await d.smoke(['--wait-alert'], {
        PortscanStorage: az.connectionString({ table: proxy.port }),
      });

      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain(
        `no access to ${d.settings.PORTSCAN_TABLE_PREFIX}Control: whether the timer closed the bin is not reported, and keep-alive events are sent until the alert comes`,
      );
      expect(run.stderr).toContain(
        `no access to ${d.settings.PORTSCAN_TABLE_PREFIX}Outbox: the alert is looked for in the queue alone`,
      );
      expect(run.stdout).not.toMatch(/closed +the closing timer/);
      expect(run.stdout).toMatch(
        /alert +in the queue alerts-\d+-\d+ +57 min 3\d s\n +AlertId [0-9a-f-]+, Revision 1, 51 ports, IsTest\n/,
      );
      // The scan, then a keep-alive every 5 minutes from 10:20 to 11:00; the 11:05 run closed the bin.
      expect(d.peer.received('flows').map((e) => e.body.length > 2000)).toEqual([
        true,
        ...Array.from({ length: 9 }, () => false),
      ]);
    } finally {
      await Promise.all([d.stop(), proxy.close()]);
    }
  });

  it('stops with status 130 on an interrupt', async () => {
    const d = await SimulatedDeployment.start();
    d.ingestRuns = false;
    let interrupt: (() => void) | undefined;
    d.onSleep = () => interrupt?.();
    try {
      const run = await runPortscan(['smoke', '--hub', 'flows'], {
        env: d.env(),
        now: () => d.nowMs,
        io: {
          sleep: (ms) => d.sleep(ms),
          hubRetry: FAST_RETRY,
          onInterrupt: (handler) => {
            interrupt = handler;
            return () => undefined;
          },
        },
      });

      expect(run.status).toBe(130);
      expect(run.stderr).toBe('portscan: smoke test stopped by an interrupt before it passed\n');
    } finally {
      await d.stop();
    }
  });

  it.each([
    [['--storage-account', 'st'], /--storage-account "st": expected a storage account name/],
    [
      ['--storage-account', 'stportscan'],
      /--storage-account and PortscanStorage \(a connection string\) both name the storage account/,
    ],
    [['--no-keep-alive'], /--no-keep-alive applies to --wait-alert/],
    [['--ingest-timeout', '0'], /--ingest-timeout "0": expected an integer from 1 to 3600/],
    [
      ['--wait-alert', '--alert-timeout', '2000'],
      /--alert-timeout "2000": expected an integer from 1 to 1440/,
    ],
    [['scan.log'], /smoke takes no input/],
    [['--format', 'asim'], /--format applies to detect and normalize, not to smoke/],
  ])('refuses bad usage with status 2: %j', async (args, message) => {
    const run = await runPortscan(['smoke', '--hub', 'flows', ...args], {
      env: {
        EventHubConnection: 'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=a',
        PortscanStorage: 'UseDevelopmentStorage=true',
      },
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('needs the storage account without a connection string, and the queue endpoint for --wait-alert', async () => {
    const hub = { EventHubConnection: 'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=a' };
    const noAccount = await runPortscan(['smoke', '--hub', 'flows'], { env: hub });
    const noQueue = await runPortscan(
      ['smoke', '--hub', 'flows', '--table-endpoint', 'https://st.table.core.windows.net', '--wait-alert'],
      { env: hub },
    );

    expect(noAccount.status).toBe(2);
    expect(noAccount.stderr).toMatch(
      /--storage-account is required \(or --table-endpoint, the PortscanStorage__tableServiceUri setting/,
    );
    expect(noQueue.status).toBe(2);
    expect(noQueue.stderr).toMatch(
      /--wait-alert reads the alert queue: give --storage-account or --queue-endpoint/,
    );
  });
});
