import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamingDetector } from '../../../lib/detection/StreamingDetector.js';
import type { Alert } from '../../../lib/schema/Alert.js';
import type { NetworkSession } from '../../../lib/schema/NetworkSession.js';
import { MemoryFunctions } from '../../support/memoryFunctions.js';
import { jsonLines, session } from '../../support/sessions.js';
import { testSettings } from '../../support/settings.js';

const BIN_MS = 5 * 60_000;
const T0 = Date.parse('2026-11-01T10:00:00Z');
const SOURCES = ['203.0.113.1', '203.0.113.2', '198.51.100.7', '2001:db8::5'] as const;
const REPORTERS = [
  ['AWS', 'VPC'],
  ['Palo Alto', 'PanOS'],
  ['Microsoft', 'Azure Firewall'],
] as const;

/** One flow as it arrives: how far the stream's clock moved on, how late the flow is behind it, where it goes. */
const arbArrival = fc.record({
  stepMs: fc.integer({ min: 0, max: 30_000 }),
  // Mostly on time; some a few minutes late (within the lateness); a few late by up to 90 minutes
  // (after their bin closed, some beyond a 1-hour retention).
  lateMs: fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 12 * 60_000 }) },
    { weight: 2, arbitrary: fc.integer({ min: 12 * 60_000, max: 120 * 60_000 }) },
  ),
  // On a bin edge: its last millisecond or its first.
  edge: fc.constantFrom(undefined, undefined, undefined, -1, 0),
  source: fc.constantFrom(...SOURCES),
  port: fc.integer({ min: 1, max: 10 }),
  reporter: fc.constantFrom(...REPORTERS),
  partition: fc.constantFrom('0', '1', '2'),
  // Event Hubs delivers a message again (a failed invocation, a rebalance): one sent before.
  redeliver: fc.option(fc.nat(), { freq: 8, nil: undefined }),
});

type Arrival = typeof arbArrival extends fc.Arbitrary<infer T> ? T : never;

const arbCase = fc.record({
  arrivals: fc.array(arbArrival, { minLength: 1, maxLength: 400, size: 'max' }),
  threshold: fc.integer({ min: 2, max: 5 }),
  latenessMinutes: fc.constantFrom(0, 5, 7, 10),
  retentionHours: fc.constantFrom(1, 2),
});

interface Sent {
  readonly partition: string;
  readonly sequenceNumber: number;
  readonly row: NetworkSession;
  readonly timeMs: number;
}

/**
 * The flows in arrival order with their event times. The first holds the earliest time: the closing
 * timer starts at the earliest event it has seen, `portscan detect` at its first row.
 */
function streamOf(arrivals: readonly Arrival[]): Sent[] {
  let clockMs = T0;
  const next = new Map<string, number>();
  return arrivals.map((a, i) => {
    clockMs += a.stepMs;
    let timeMs = i === 0 ? T0 : Math.max(T0, clockMs - a.lateMs);
    if (a.edge !== undefined) timeMs = Math.max(T0, Math.ceil(timeMs / BIN_MS) * BIN_MS + a.edge);
    const sequenceNumber = next.get(a.partition) ?? 1;
    next.set(a.partition, sequenceNumber + 1);
    const row = session(a.source, a.port, new Date(timeMs).toISOString(), {
      EventVendor: a.reporter[0],
      EventProduct: a.reporter[1],
    });
    return { partition: a.partition, sequenceNumber, row, timeMs };
  });
}

/** What both drivers must agree on: the rule's figures and when the alert was made. */
function figures(alerts: readonly Alert[]) {
  return alerts
    .map((a) => ({
      AlertId: a.AlertId,
      SrcIpAddr: a.SrcIpAddr,
      BinStart: a.BinStart,
      AttemptedPortsCount: a.AttemptedPortsCount,
      AttemptedPorts: a.AttemptedPorts,
      ReportedBy: a.ReportedBy,
      IsLate: a.IsLate,
      MayBeIncomplete: a.MayBeIncomplete,
    }))
    .sort((a, b) =>
      a.BinStart === b.BinStart ? (a.SrcIpAddr < b.SrcIpAddr ? -1 : 1) : a.BinStart < b.BinStart ? -1 : 1,
    );
}

describe('Detection: portscan detect and the Functions close bins by the same rules', () => {
  it('give the same alerts on random streams with lateness, redelivery and bin edges', async () => {
    const covered = { alerts: 0, late: 0, corrections: 0, beyondRetention: 0, redelivered: 0 };
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ arrivals, threshold, latenessMinutes, retentionHours }) => {
        const env = {
          PORTSCAN_THRESHOLD: String(threshold),
          PORTSCAN_ALLOWED_LATENESS_MINUTES: String(latenessMinutes),
          PORTSCAN_RETENTION_HOURS: String(retentionHours),
        };
        const stream = streamOf(arrivals);

        // portscan detect: the rows in arrival order, each once.
        const cli: Alert[] = [];
        const detector = new StreamingDetector(testSettings(env), (a) => cli.push(a));
        for (const s of stream) detector.add(s.row);
        detector.finish();

        // The Functions: each flow one message of its partition, a closing run after each batch,
        // some messages delivered again; at the end, runs that close everything.
        const f = new MemoryFunctions('2026-11-01T10:00:00Z', env);
        const recorded = new Map<string, Alert>();
        const close = async (closeAll = false) => {
          for (const a of (await f.close({ sinks: [], closeAll })).alerts) recorded.set(a.AlertId, a);
        };
        for (const [i, s] of stream.entries()) {
          f.nowMs = s.timeMs;
          const iso = new Date(s.timeMs).toISOString();
          await f.ingest(s.partition, [jsonLines([s.row])], s.sequenceNumber, iso);
          await close();
          const again = arrivals[i]?.redeliver;
          if (again !== undefined) {
            const old = stream[again % (i + 1)] as Sent;
            await f.ingest(
              old.partition,
              [jsonLines([old.row])],
              old.sequenceNumber,
              new Date(old.timeMs).toISOString(),
            );
            await close();
          }
        }
        await close(true);
        // Windows re-evaluated in the last run keep their late mark for one more.
        await close(true);

        expect(figures([...recorded.values()])).toEqual(figures(cli));
        covered.alerts += cli.length;
        covered.late += cli.filter((a) => a.IsLate).length;
        covered.corrections += [...recorded.values()].filter((a) => a.Revision > 1).length;
        covered.beyondRetention += detector.counts.beyondRetention;
        covered.redelivered += arrivals.filter((a) => a.redeliver !== undefined).length;
      }),
      // A counterexample is reported as found: shrinking cases of hundreds of async runs takes minutes.
      { seed: 20261205, numRuns: 40, endOnFailure: true },
    );
    // The streams reach every rule: alerts on time and late, corrections, rows beyond retention, redeliveries.
    expect(Object.entries(covered).filter(([, n]) => n === 0)).toEqual([]);
  });
});
