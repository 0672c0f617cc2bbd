import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../lib/errors.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.js';
import { azuriteSettings, envelope, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { scan, session } from '../support/sessions.js';

/**
 * The closing timer's watermark against Azurite, through the exported handlers: a partition that
 * is behind (the hub holds events it has not read, or its invocations fail) holds bins open, an
 * idle one does not, and a bin is held at most PORTSCAN_MAX_CLOSE_DELAY_MINUTES, after which its
 * alert says it may be incomplete and a correction follows when the missing rows arrive.
 */
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

const SCANNER = '203.0.113.80';
const at = (hhmm: string) => `2026-11-01T${hhmm}:00Z`;

function harness(now: string): FunctionsHarness {
  proxy.mode = { kind: 'pass' };
  return new FunctionsHarness(azuriteSettings(az, {}, proxy.port), az.connectionString(), at(now));
}

/** `n` ports of the scanner from `first`, in the 10:00 bin, plus a benign row at `progressTo` (the partition's progress). */
const scanBatch = (first: number, n: number, progressTo: string) => [
  envelope(scan(SCANNER, n, '2026-11-01T10:01:00Z', first)),
  jsonLines([session('198.51.100.250', 443, at(progressTo))]),
];
const figures = (alerts: readonly Alert[]) =>
  alerts.map((a) => [a.SrcIpAddr, a.Revision, a.AttemptedPortsCount, a.MayBeIncomplete, a.IsLate]);
const lastClose = (h: FunctionsHarness) => h.logged('close summary').at(-1) ?? {};

describe('Closing: behind versus idle', () => {
  it('holds a bin while one partition has unread events, however idle the others, then alerts with every port', async () => {
    const h = harness('10:45');
    await h.ingest('0', scanBatch(1, 60, '10:30'), 1, at('10:31'));
    // Partition 1 read up to 09:58; the hub holds 19 more of its events, not read yet.
    await h.ingest('1', [jsonLines([session('198.51.100.251', 443, at('09:58'))])], 1, at('09:58'));
    h.hub.enqueued('1', 20, Date.parse(at('10:20')));
    // Partitions 2 and 3 are idle since 09:00: everything they hold is read.
    await h.ingest('2', [jsonLines([session('198.51.100.252', 443, at('09:00'))])], 1, at('09:00'));
    await h.ingest('3', [jsonLines([session('198.51.100.253', 443, at('09:00'))])], 1, at('09:00'));
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
    expect([lastClose(h).partitionsBehind, lastClose(h).unreadEvents]).toEqual([['1'], 19]);
    // Bins up to partition 1's progress (09:58) less the lateness are closed; 10:00 is not.
    expect((await h.services.store.readCloser()).evaluatedMs).toBe(Date.parse(at('09:45')));
    // Partition 1 reads its backlog: 30 more ports for the same bin.
    h.nowMs = Date.parse(at('10:50'));
    await h.ingest('1', scanBatch(61, 30, '10:20'), 2, at('10:20'));
    h.hub.enqueued('1', 20, Date.parse(at('10:20')));
    await h.ingest('1', [jsonLines([session('198.51.100.251', 80, at('10:20'))])], 20, at('10:20'));
    await h.closeBins();
    expect(figures(await h.queuedAlerts())).toEqual([[SCANNER, 1, 90, false, false]]);
    expect(lastClose(h).partitionsBehind).toEqual([]);
  });

  it('holds bins through a 20-minute storage outage in which one partition recovers first, and alerts once with the exact count', async () => {
    const h = harness('10:03');
    // Four partitions each see 20 ports of the scan before the outage, up to 10:02.
    for (const p of [0, 1, 2, 3])
      await h.ingest(String(p), scanBatch(1 + 40 * p, 20, '10:02'), 1, at('10:02'));
    // 10:05-10:25: storage is down; every partition's next batch fails (and stays unread).
    proxy.mode = { kind: 'down' };
    h.nowMs = Date.parse(at('10:06'));
    for (const p of [0, 1, 2, 3]) {
      await expect(
        h.ingest(String(p), scanBatch(21 + 40 * p, 20, '10:06'), 3, at('10:06')),
      ).rejects.toBeInstanceOf(StorageUnavailableError);
    }
    await expect(h.closeBins()).rejects.toBeInstanceOf(StorageUnavailableError);
    // 10:25: storage is back; partition 0 catches up first and runs on to 10:40.
    proxy.mode = { kind: 'pass' };
    h.nowMs = Date.parse(at('10:41'));
    await h.ingest('0', scanBatch(21, 20, '10:06'), 3, at('10:06'));
    await h.ingest('0', [jsonLines([session('198.51.100.250', 443, at('10:40'))])], 5, at('10:40'));
    await h.closeBins();
    // The old rule (a partition silent for 15 minutes is idle) closed the bin here with 100 ports.
    expect(await h.queuedAlerts()).toEqual([]);
    expect(lastClose(h).partitionsBehind).toEqual(['1', '2', '3']);
    // The others recover.
    h.nowMs = Date.parse(at('10:46'));
    for (const p of [1, 2, 3]) {
      await h.ingest(String(p), scanBatch(21 + 40 * p, 20, '10:06'), 3, at('10:06'));
      await h.ingest(String(p), [jsonLines([session('198.51.100.250', 443, at('10:40'))])], 5, at('10:40'));
    }
    await h.closeBins();
    expect(figures(await h.queuedAlerts())).toEqual([[SCANNER, 1, 160, false, false]]);
  });

  it('closes a bin held past the maximum delay saying it may be incomplete, then corrects it with the exact figures', async () => {
    const h = harness('10:45');
    await h.ingest('0', scanBatch(1, 60, '10:40'), 1, at('10:41'));
    // Partition 1's invocations fail from 10:02 on: its events stay unread.
    await h.ingest('1', scanBatch(61, 10, '10:02'), 1, at('10:02'));
    h.hub.enqueued('1', 40, Date.parse(at('10:40')));
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
    // 11:16: the bin ended at 10:05; with 10 minutes of lateness and 60 of delay it closes now.
    h.nowMs = Date.parse(at('11:16'));
    await h.closeBins();
    expect(figures(await h.queuedAlerts())).toEqual([[SCANNER, 1, 70, true, false]]);
    expect(lastClose(h).binsClosedIncomplete).toBeGreaterThanOrEqual(1);
    // Partition 1 recovers: 20 more ports for the bin, then it is caught up.
    h.nowMs = Date.parse(at('11:20'));
    await h.ingest('1', scanBatch(71, 20, '10:10'), 2, at('10:10'));
    await h.ingest('1', [jsonLines([session('198.51.100.251', 443, at('10:40'))])], 40, at('10:40'));
    await h.closeBins();
    expect(figures(await h.queuedAlerts())).toEqual([[SCANNER, 2, 90, false, false]]);
  });

  it('holds every partition when Event Hubs cannot be asked, says so, and still delivers', async () => {
    const h = harness('10:45');
    await h.ingest('0', scanBatch(1, 60, '10:30'), 1, at('10:31'));
    // Partition 1 is idle since 09:00, but without the hub nothing shows that it has read everything.
    await h.ingest('1', [jsonLines([session('198.51.100.251', 443, at('09:00'))])], 1, at('09:00'));
    h.hub.isUnavailable = true;
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
    expect([lastClose(h).backlogRead, lastClose(h).partitionsBehind]).toEqual([false, ['0', '1']]);
    expect(h.logged('partition backlog unavailable')).toHaveLength(1);
    // Past the maximum delay the bin closes, and the alert says it may be incomplete.
    h.nowMs = Date.parse(at('11:16'));
    await h.closeBins();
    expect(figures(await h.queuedAlerts())).toEqual([[SCANNER, 1, 60, true, false]]);
  });
});
