import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../lib/schema/Alert.js';
import { MemoryFunctions } from '../../support/memoryFunctions.js';
import { jsonLines, scan, session } from '../../support/sessions.js';

/**
 * `closeBins` over the in-memory twins of its ports (window store, outbox, hub tails, a recording
 * sink): which bins it closes, what it records and delivers, and what it keeps for later runs.
 */

const SCANNER = '203.0.113.9';
const at = (hhmm: string) => `2026-11-01T${hhmm}:00Z`;
const figures = (alerts: readonly Alert[]) =>
  alerts.map((a) => [
    a.SrcIpAddr,
    a.BinStart,
    a.Revision,
    a.AttemptedPortsCount,
    a.IsLate,
    a.MayBeIncomplete,
  ]);
/** `n` ports of `source` in the 10:00 bin and a benign row at `progressTo`, as one message each. */
const batch = (source: string, first: number, n: number, progressTo: string) => [
  jsonLines(scan(source, n, at('10:01'), first)),
  jsonLines([session('198.51.100.250', 443, at(progressTo))]),
];

describe('Use case: closeBins', () => {
  it('alerts once for a bin behind the watermark and delivers it once', async () => {
    const f = new MemoryFunctions(at('10:45'));
    await f.ingest('0', batch(SCANNER, 1, 60, '10:30'), 1);
    const first = await f.close();
    expect(figures(first.alerts)).toEqual([[SCANNER, '2026-11-01T10:00:00.000Z', 1, 60, false, false]]);
    // The watermark is 10:30 less 10 minutes of lateness: bins up to 10:20 are closed.
    expect((await f.store.readCloser()).evaluatedMs).toBe(Date.parse(at('10:20')));
    const second = await f.close();
    expect([second.alertsRecorded, second.binsClosed, f.sink.delivered.length]).toEqual([0, 0, 1]);
  });

  it('raises a late alert, and a correction of an alert already sent, for rows that arrive after the close', async () => {
    const f = new MemoryFunctions(at('10:45'));
    await f.ingest('0', batch(SCANNER, 1, 60, '10:30'), 1);
    await f.close();
    // Late rows for the closed 10:00 bin: ten more ports of the scanner, and a second source crossing only now.
    await f.ingest(
      '0',
      [...batch(SCANNER, 61, 10, '10:40'), jsonLines(scan('203.0.113.10', 51, at('10:02')))],
      3,
    );
    const run = await f.close();
    expect([run.lateAlertsRecorded, run.correctionsRecorded]).toEqual([1, 1]);
    expect(figures(run.alerts).sort()).toEqual([
      ['203.0.113.10', '2026-11-01T10:00:00.000Z', 1, 51, true, false],
      [SCANNER, '2026-11-01T10:00:00.000Z', 2, 70, false, false],
    ]);
    expect(f.sink.delivered.map((a) => [a.SrcIpAddr, a.Revision]).sort()).toEqual([
      ['203.0.113.10', 1],
      [SCANNER, 1],
      [SCANNER, 2],
    ]);
    const marks = [];
    for await (const m of f.store.listLateMarkers()) marks.push(m);
    expect(marks).toEqual([]);
  });

  it('holds a bin for a partition that is behind, at most the maximum delay, then says the alert may be incomplete', async () => {
    const f = new MemoryFunctions(at('10:45'));
    await f.ingest('0', batch(SCANNER, 1, 60, '10:30'), 1);
    await f.ingest('1', [jsonLines([session('198.51.100.251', 443, at('09:58'))])], 1);
    f.hub.enqueued('1', 20, Date.parse(at('10:20')));
    const held = await f.close();
    expect([held.alerts.length, held.partitionsBehind, held.unreadEvents]).toEqual([0, ['1'], 19]);
    // 10:05 + 10 minutes of lateness + 60 minutes of delay: the bin closes without partition 1.
    f.nowMs = Date.parse(at('11:20'));
    const forced = await f.close({ maxCloseDelayMs: 60 * 60_000 });
    expect(figures(forced.alerts)).toEqual([[SCANNER, '2026-11-01T10:00:00.000Z', 1, 60, false, true]]);
    expect(forced.binsClosedIncomplete).toBeGreaterThan(0);
  });

  it('evaluates at most maxBinsPerRun bins a run and goes on from there at the next', async () => {
    const f = new MemoryFunctions(at('12:00'));
    await f.ingest(
      '0',
      [jsonLines([session('198.51.100.250', 443, at('10:00')), session('198.51.100.250', 443, at('11:40'))])],
      1,
    );
    const first = await f.close({ maxBinsPerRun: 4 });
    const second = await f.close({ maxBinsPerRun: 4 });
    expect([first.binsClosed, second.binsClosed]).toEqual([4, 4]);
    expect((await f.store.readCloser()).evaluatedMs).toBe(Date.parse(at('10:40')));
  });

  it('deletes the rows of bins past the retention horizon', async () => {
    const f = new MemoryFunctions(at('10:45'), { PORTSCAN_RETENTION_HOURS: '1' });
    await f.ingest('0', batch(SCANNER, 1, 60, '10:30'), 1);
    await f.close();
    f.nowMs = Date.parse(at('12:30'));
    await f.ingest('0', [jsonLines([session('198.51.100.250', 443, at('12:20'))])], 3);
    const run = await f.close();
    expect(run.rowsDeleted).toBeGreaterThan(0);
    expect(await f.store.readWindowRows(SCANNER, Date.parse(at('10:00')))).toEqual([]);
  });

  it('retries a failing sink at each run and parks the alert after the last allowed run', async () => {
    const f = new MemoryFunctions(at('10:45'));
    f.sink.failing = { retryable: true };
    await f.ingest('0', batch(SCANNER, 1, 60, '10:30'), 1);
    const runs = [await f.close(), await f.close(), await f.close()];
    expect(runs.map((r) => r.deliveries.recorder)).toEqual([
      { delivered: 0, failed: 1, parked: 0 },
      { delivered: 0, failed: 1, parked: 0 },
      { delivered: 0, failed: 0, parked: 1 },
    ]);
    f.sink.failing = undefined;
    await f.close();
    expect(f.sink.delivered).toEqual([]);
    expect(f.logger.lines.filter((l) => l.message === 'alert parked')).toHaveLength(1);
  });
});
