import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/schema/Alert.js';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import { eventCountOf } from '../../lib/window/WindowState.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { type FaultMode, type FaultProxy, startFaultProxy } from '../support/faultProxy.js';
import { Random } from '../support/random.js';
import { type ReferenceWindow, referenceRule, referenceWindows } from '../support/referenceRule.js';
import { session } from '../support/sessions.js';
import { SimulatedHost } from '../support/simulatedHost.js';

/**
 * Randomized rounds: a simulated Functions host drives the exported handlers against Azurite
 * behind the fault proxy, across 4 to 8 partitions and 2 or 3 instances, with throttling,
 * refused connections, requests reset mid-body, responses lost after commit, outages in the
 * middle of a batch, stalled partitions, ownership moves, crashes before the checkpoint,
 * rewinds into old batches, an unreachable hub, and timers run while partitions ingest or twice
 * at once. After each round every stored row, and every alert after its corrections, is checked
 * against the independent oracle (test/support/referenceRule.ts), and so is every alert that did
 * not say it may be incomplete.
 *
 * `npm test` runs a few rounds; `npm run stress` runs many (STRESS_ROUNDS, from STRESS_SEED).
 */
const IS_STRESS = process.env.STRESS_ROUNDS !== undefined;
const ROUNDS = Number(process.env.STRESS_ROUNDS ?? 2);
/** Rounds in `npm test` are short (4 partitions, 2 instances, about 30 steps); stress rounds are full size. */
const SIZE: Readonly<Record<'partitions' | 'instances' | 'steps', readonly [number, number]>> = IS_STRESS
  ? { partitions: [4, 8], instances: [2, 3], steps: [45, 70] }
  : { partitions: [4, 4], instances: [2, 2], steps: [22, 28] };
const FIRST_SEED = Number(process.env.STRESS_SEED ?? 20261101);
const MIN = 60_000;
const START = Date.parse('2026-11-01T10:00:00Z');
/** Event times lie within this of their enqueued time (half the allowed lateness of 10 minutes). */
const SPREAD_MS = 5 * MIN;

let az: Azurite;
let proxy: FaultProxy;

beforeAll(async () => {
  az = await startAzurite();
  proxy = await startFaultProxy(az.tablePort);
});

afterAll(async () => {
  await proxy.close();
  await az.stop();
});

interface Scanner {
  readonly source: string;
  readonly binStartMs: number;
  readonly ports: number[];
}

/** Faults the proxy may inject during one step. */
function aFault(rnd: Random): FaultMode {
  const writes = (m: string) => m === 'POST' || m === 'PATCH' || m === 'PUT' || m === 'DELETE';
  return rnd.pick<FaultMode>([
    { kind: 'status', status: 503, count: rnd.int(1, 3) },
    { kind: 'status', status: 500, count: 1 },
    { kind: 'loseResponse', picks: (m) => writes(m), count: rnd.int(1, 3) },
    { kind: 'loseResponse', picks: (m, url) => m === 'POST' && url.includes('$batch'), count: 1 },
    { kind: 'resetMidRequest', picks: (m) => writes(m), count: 1, bytes: rnd.int(10, 3000) },
    { kind: 'downAfter', count: rnd.int(0, 12) },
    { kind: 'down' },
  ]);
}

async function runRound(seed: number): Promise<{ host: SimulatedHost; alerts: Alert[]; faults: number }> {
  const rnd = new Random(seed);
  const partitions = Array.from({ length: rnd.int(SIZE.partitions[0], SIZE.partitions[1]) }, (_, i) =>
    String(i),
  );
  const host = new SimulatedHost(az, proxy, {
    partitions,
    instances: rnd.int(SIZE.instances[0], SIZE.instances[1]),
    startMs: START,
    settings: { PORTSCAN_MAX_CLOSE_DELAY_MINUTES: String(rnd.pick([5, 10, 60])) },
  });
  proxy.mode = { kind: 'pass' };
  const steps = rnd.int(SIZE.steps[0], SIZE.steps[1]);
  const scanners: Scanner[] = Array.from({ length: 3 }, (_, i) => ({
    source: `203.0.113.${10 + i}`,
    binStartMs: START + rnd.int(1, Math.max(1, Math.floor(steps / 6))) * 5 * MIN,
    // Around the threshold (50), so that late ports and missing partitions change the outcome.
    ports: Array.from({ length: rnd.int(40, 110) }, (_, k) => 1000 * (i + 1) + k),
  }));
  /** The next port each scanner sends (mostly new ones, now and then one already sent). */
  const sent = scanners.map(() => 0);
  const reporters = [
    ['Palo Alto Networks', 'PAN-OS'],
    ['Fortinet', 'FortiGate'],
    ['AWS', 'VPC'],
  ] as const;
  const stalled = new Map<string, number>();
  let faults = 0;

  for (let step = 0; step < steps; step++) {
    host.nowMs += rnd.int(20, 90) * 1000;
    // The sources write: benign rows, and the scanners' ports while their bin is within reach.
    for (const p of partitions) {
      if (!rnd.chance(0.5)) continue;
      const rows: NetworkSession[] = [];
      const timeOf = (lo: number, hi: number) => new Date(rnd.int(lo, hi)).toISOString();
      for (let r = rnd.int(1, 6); r > 0; r--) {
        const [vendor, product] = rnd.pick(reporters);
        rows.push(
          session(
            `198.51.100.${rnd.int(1, 40)}`,
            rnd.pick([53, 80, 443, 8443]),
            timeOf(host.nowMs - SPREAD_MS, host.nowMs),
            {
              EventVendor: vendor,
              EventProduct: product,
              EventCount: rnd.int(1, 3),
            },
          ),
        );
      }
      scanners.forEach((s, i) => {
        const lo = Math.max(s.binStartMs, host.nowMs - SPREAD_MS);
        const hi = Math.min(s.binStartMs + 5 * MIN - 1, host.nowMs);
        if (lo > hi || !rnd.chance(0.7)) return;
        const [vendor, product] = rnd.pick(reporters);
        for (let r = rnd.int(2, 12); r > 0; r--) {
          sent[i] = (sent[i] ?? 0) + 1;
          const port = rnd.chance(0.15) ? rnd.pick(s.ports) : s.ports[(sent[i] ?? 0) % s.ports.length];
          rows.push(
            session(s.source, port as number, timeOf(lo, hi), { EventVendor: vendor, EventProduct: product }),
          );
        }
      });
      host.hub.enqueue(p, rows, host.nowMs, rnd.chance(0.5));
    }
    // When a scan starts, a partition often stalls through it: its rows come after the bin closed.
    for (const sc of scanners) {
      if (host.nowMs >= sc.binStartMs && host.nowMs - sc.binStartMs < 90_000 && rnd.chance(0.5))
        stalled.set(rnd.pick(partitions), step + rnd.int(25, 45));
    }
    // A partition stalls now and then (its invocations keep failing) for a few steps.
    if (rnd.chance(0.08)) stalled.set(rnd.pick(partitions), step + rnd.int(5, 40));
    if (rnd.chance(0.06)) host.moveOwner(rnd.pick(partitions), rnd.int(0, host.instances.length - 1));
    if (rnd.chance(0.03)) host.rewind(rnd.pick(partitions), rnd.int(1, 6));
    const armed = rnd.chance(0.25);
    if (armed) {
      proxy.mode = aFault(rnd);
      faults++;
    }
    const ready = partitions.filter((p) => (stalled.get(p) ?? -1) < step && rnd.chance(0.7));
    const deliver = (p: string) => host.deliver(p, rnd.int(1, 8), !rnd.chance(0.05));
    const timer = rnd.chance(0.2);
    if (timer) host.hub.backlog.isUnavailable = rnd.chance(0.1);
    if (armed) {
      // One request at a time while a fault is armed, so that a seed replays the same faults.
      for (const p of ready) await deliver(p);
      if (timer) await host.closeBins(rnd.int(0, host.instances.length - 1));
    } else {
      const work: Promise<unknown>[] = ready.map(deliver);
      if (timer) work.push(host.closeBins(rnd.int(0, host.instances.length - 1)));
      if (timer && rnd.chance(0.2)) work.push(host.closeBins(rnd.int(0, host.instances.length - 1)));
      await Promise.all(work);
    }
    host.hub.backlog.isUnavailable = false;
    proxy.mode = { kind: 'pass' };
  }

  // Recovery: every partition reads what it holds; then a benign row two hours on closes every bin.
  for (const p of partitions) while (host.pending(p) > 0) if (!(await host.deliver(p, rnd.int(3, 30)))) break;
  host.nowMs += 120 * MIN;
  for (const p of partitions) {
    host.hub.enqueue(
      p,
      [session('198.51.100.250', 443, new Date(host.nowMs - MIN).toISOString())],
      host.nowMs,
      false,
    );
    while (host.pending(p) > 0) expect(await host.deliver(p, 50)).toBe(true);
  }
  for (let run = 0; run < 3; run++) {
    host.nowMs += MIN;
    expect(await host.closeBins(run % host.instances.length)).toBe(true);
  }
  return { host, alerts: await host.queuedAlerts(), faults };
}

/** The rule's figures of an alert, as the oracle states them. */
const figuresOf = (
  a: Pick<Alert, 'SrcIpAddr' | 'TimeGenerated' | 'AttemptedPortsCount' | 'AttemptedPorts' | 'ReportedBy'>,
) => ({
  SrcIpAddr: a.SrcIpAddr,
  TimeGenerated: a.TimeGenerated,
  AttemptedPortsCount: a.AttemptedPortsCount,
  AttemptedPorts: a.AttemptedPorts,
  ReportedBy: a.ReportedBy,
});

async function checkStoredRows(host: SimulatedHost): Promise<number> {
  const expected = new Map<string, ReferenceWindow>();
  for (const p of host.partitions) {
    for (const w of referenceWindows(host.hub.rowsOf(p), 'default'))
      expected.set(`${w.bin}|${w.src}|${p}`, w);
  }
  const bins = new Set([...expected.values()].map((w) => w.bin));
  const store = (host.instances[0] as (typeof host.instances)[number]).services.store;
  let rows = 0;
  for (const bin of bins) {
    for await (const row of store.listBinWindows(bin)) {
      rows++;
      const key = `${bin}|${row.source}|${row.partition}`;
      const want = expected.get(key);
      expect(want, `unexpected row ${key}`).toBeDefined();
      expect(
        {
          key,
          ports: row.state.ports.toSortedArray(),
          reporters: [...row.state.reporters],
          events: eventCountOf(row.state),
        },
        key,
      ).toEqual({
        key,
        ports: [...(want as ReferenceWindow).ports].sort((a, b) => a - b),
        reporters: [...(want as ReferenceWindow).reporters].sort(),
        events: (want as ReferenceWindow).eventCount,
      });
      expected.delete(key);
    }
  }
  expect([...expected.keys()], 'rows never stored').toEqual([]);
  return rows;
}

function checkAlerts(
  host: SimulatedHost,
  alerts: readonly Alert[],
): { corrections: number; revisions: number; incomplete: number } {
  const truth = new Map(
    referenceRule(host.hub.allRows(), 'default').map((a) => [`${a.SrcIpAddr}|${a.TimeGenerated}`, a]),
  );
  // A revision sent more than once (at least once delivery) is the same document every time.
  const byRevision = new Map<string, Alert>();
  for (const a of alerts) {
    const key = `${a.AlertId}:${a.Revision}`;
    const seen = byRevision.get(key);
    if (seen !== undefined) expect(a).toEqual(seen);
    byRevision.set(key, a);
  }
  const latest = new Map<string, Alert>();
  for (const a of byRevision.values()) {
    const current = latest.get(a.AlertId);
    if (current === undefined || a.Revision > current.Revision) latest.set(a.AlertId, a);
    // An alert that does not say it may be incomplete has its final figures.
    if (!a.MayBeIncomplete) {
      const want = truth.get(`${a.SrcIpAddr}|${a.TimeGenerated}`);
      expect(figuresOf(a), `revision ${a.Revision} of ${a.SrcIpAddr} ${a.TimeGenerated}`).toEqual(
        want === undefined ? undefined : figuresOf(want),
      );
    }
  }
  // After corrections, every alert equals the oracle's, and every oracle alert was sent.
  expect([...latest.values()].map(figuresOf).sort(byKey)).toEqual(
    [...truth.values()].map(figuresOf).sort(byKey),
  );
  return {
    corrections: byRevision.size - latest.size,
    revisions: byRevision.size,
    incomplete: [...byRevision.values()].filter((a) => a.MayBeIncomplete).length,
  };
}

const byKey = (
  a: { SrcIpAddr: string; TimeGenerated: string },
  b: { SrcIpAddr: string; TimeGenerated: string },
) => (`${a.TimeGenerated}|${a.SrcIpAddr}` < `${b.TimeGenerated}|${b.SrcIpAddr}` ? -1 : 1);

describe('Rounds: randomized faults through the simulated host, checked against the oracle', () => {
  it.each(Array.from({ length: ROUNDS }, (_, i) => FIRST_SEED + i))(
    'round with seed %i: every stored row and every alert after corrections equals the oracle',
    async (seed) => {
      const injectedBefore = { ...proxy.injected };
      const { host, alerts, faults } = await runRound(seed);
      const rows = await checkStoredRows(host);
      const { corrections, revisions, incomplete } = checkAlerts(host, alerts);
      if (IS_STRESS) {
        process.stdout.write(
          `${JSON.stringify({ seed, rows, messages: alerts.length, revisions, corrections, incomplete, faults, ...host.stats, lostResponses: proxy.injected.lostResponses - injectedBefore.lostResponses, resets: proxy.injected.resets - injectedBefore.resets })}\n`,
        );
      }
      expect(rows).toBeGreaterThan(0);
    },
    IS_STRESS ? 600_000 : 120_000,
  );
});
