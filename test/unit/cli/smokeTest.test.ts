import { describe, expect, it } from 'vitest';
import type { PeekedAlerts } from '../../../lib/alerts/StorageQueuePeek.js';
import { smokeScan } from '../../../lib/cli/smokeScan.js';
import { runSmokeTest, type SmokePlan } from '../../../lib/cli/smokeTest.js';
import { SmokeTestError } from '../../../lib/errors.js';
import type { Alert } from '../../../lib/schema/Alert.js';
import type { JsonObject } from '../../../lib/sources/pipeline/types.js';
import type { DeploymentStateReader } from '../../../lib/state/DeploymentStateReader.js';
import { MemoryFunctions, RecordingSink } from '../../support/memoryFunctions.js';

// The smoke test's stages over the functions' use cases on the in-memory twins of their stores
// (test/support/memoryFunctions.ts), on a simulated clock: the paths the integration test against
// Azurite cannot reach without a queue consumer or a failing queue.

const START = '2026-11-01T10:07:30Z';
const HOUR = 3_600_000;

/** The queue: a sink named `queue` as the closer's, whose messages a consumer may take at once. */
class MemoryQueue extends RecordingSink {
  consumerTakesAll = false;
  constructor() {
    super('queue');
  }
  async peekAlerts(): Promise<PeekedAlerts> {
    const alerts: Alert[] = this.consumerTakesAll ? [] : [...this.delivered];
    return { alerts, messages: alerts.length };
  }
}

/** A deployment on the twins: sends are ingested at the next sleep, the timer runs at minute 5. */
class MemoryDeployment {
  readonly fn = new MemoryFunctions(START);
  readonly queue = new MemoryQueue();
  readonly notes: string[] = [];
  readonly lines: string[] = [];
  #pending: string[] = [];
  #sequence = 0;

  readonly state: DeploymentStateReader = {
    readWindowRows: (source, binStartMs) => this.fn.store.readWindowRows(source, binStartMs),
    readCloser: () => this.fn.store.readCloser(),
    readProgress: () => this.fn.store.readProgress(),
    readAlert: (alertId) => this.fn.outbox.read(alertId),
  };

  run(plan: Partial<SmokePlan> = {}): Promise<'passed' | 'interrupted'> {
    return runSmokeTest(
      {
        settings: this.fn.settings,
        hubName: 'event hub "flows" in memory',
        waitAlert: true,
        ingestTimeoutMs: 60_000,
        alertTimeoutMs: 90 * 60_000,
        keepAlive: true,
        storageAccess: 'identity',
        ...plan,
      },
      {
        send: async (records: readonly JsonObject[]) => {
          this.#pending.push(JSON.stringify({ records }));
          return 1;
        },
        state: this.state,
        tables: { windows: 'PortscanWindows', control: 'PortscanControl', outbox: 'PortscanOutbox' },
        queue: { queueName: 'portscan-alerts', peekAlerts: () => this.queue.peekAlerts() },
      },
      {
        now: () => this.fn.nowMs,
        sleep: (ms) => this.sleep(ms),
        isInterrupted: () => false,
        report: (line) => this.lines.push(line),
        note: (text) => this.notes.push(text),
      },
    );
  }

  async sleep(ms: number): Promise<void> {
    const before = this.fn.nowMs;
    this.fn.nowMs += ms;
    const bodies = this.#pending.splice(0);
    if (bodies.length > 0) {
      await this.fn.ingest('0', bodies, this.#sequence);
      this.#sequence += bodies.length;
    }
    const run = Math.floor((before - 5 * 60_000) / HOUR) * HOUR + 5 * 60_000;
    const next = run > before ? run : run + HOUR;
    if (next <= this.fn.nowMs) await this.fn.close({ sinks: [this.queue] });
  }
}

describe('CLI: portscan smoke stages', () => {
  it("takes the outbox's delivery record when a consumer took the alert before a peek could see it", async () => {
    const d = new MemoryDeployment();
    d.queue.consumerTakesAll = true;

    expect(await d.run()).toBe('passed');

    const scan = smokeScan(d.fn.settings, Date.parse(START));
    expect(d.queue.delivered.map((a) => [a.AlertId, a.IsTest])).toEqual([[scan.alertId, true]]);
    expect(d.lines.map((l) => l.trim().replace(/\s+/g, ' '))).toEqual([
      'portscan smoke: 51 ports from 192.0.2.250 in the bin 2026-11-01 10:05Z (threshold 50)',
      'sent 1 message to event hub "flows" in memory 0.0 s',
      'ingested the window in PortscanWindows holds the 51 ports 2.0 s',
      'closed the closing timer evaluated the bin 57 min 30 s',
      'alert delivered to the queue portscan-alerts at 11:05:02Z 0.0 s',
      `AlertId ${scan.alertId}, Revision 1, 51 ports, IsTest; not among the 0 messages at the queue's front (a consumer took it already, or older messages wait ahead of it)`,
      'end to end 57 min 32 s',
    ]);
  });

  it('fails at once when the closer gave the alert up for the queue, with its reason', async () => {
    const d = new MemoryDeployment();
    d.queue.failing = { retryable: false };

    const failure = await d.run().catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(SmokeTestError);
    expect((failure as SmokeTestError).stage).toBe('alert');
    expect((failure as Error).message).toMatch(
      /^smoke test failed: the closing timer recorded the alert \(AlertId [0-9a-f-]+, Revision 1\), which was given up for the queue after 1 failed run \(HTTP 503\)\nCheck:\n- the queue portscan-alerts exists/,
    );
  });

  it('waits for the correction when its bin was closed before the scan was stored', async () => {
    const d = new MemoryDeployment();
    expect(await d.run()).toBe('passed');
    // A second run stamped in the first run's bin, which is closed by now (a clock behind the
    // deployment's does this): its rows are late rows, and the alert comes as a correction.
    d.fn.nowMs = Date.parse(START) + 60_000;
    d.lines.length = 0;

    expect(await d.run()).toBe('passed');

    expect(d.notes).toContain(
      'an earlier smoke test left 51 ports in the window of this bin: this run sends 51 other ports, so that the alert it waits for counts them',
    );
    expect(d.notes.some((n) => n.startsWith('the bin was already closed when the scan was stored'))).toBe(
      true,
    );
    const last = d.queue.delivered.at(-1) as Alert;
    expect([last.Revision, last.EventCount, last.AttemptedPortsCount]).toEqual([2, 102, 102]);
    expect(d.lines.at(-2)?.trim()).toMatch(/Revision 2, 102 ports, IsTest$/);
  });
});
