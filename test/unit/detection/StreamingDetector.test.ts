import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BEYOND_RETENTION } from '../../../lib/detection/RowRouter.js';
import { StreamingDetector } from '../../../lib/detection/StreamingDetector.js';
import { DROP_REASONS } from '../../../lib/filter/SourceFilter.js';
import type { Alert } from '../../../lib/schema/Alert.js';
import { AlertSchema } from '../../../lib/schema/Alert.js';
import type { NetworkSession } from '../../../lib/schema/NetworkSession.js';
import { referenceRule } from '../../support/referenceRule.js';
import { scan, session } from '../../support/sessions.js';
import { testSettings } from '../../support/settings.js';

function detect(rows: readonly NetworkSession[], env: Record<string, string> = {}) {
  const alerts: Alert[] = [];
  const detector = new StreamingDetector(testSettings(env), (a) => alerts.push(AlertSchema.parse(a)));
  for (const r of rows) detector.add(r);
  detector.finish();
  return { alerts, detector };
}

describe('StreamingDetector: the rule', () => {
  it('alerts on 51 distinct ports and not on 50', () => {
    const { alerts } = detect([
      ...scan('203.0.113.50', 50, '2026-11-01T10:00:00Z'),
      ...scan('203.0.113.51', 51, '2026-11-01T10:00:00Z'),
    ]);
    expect(alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount])).toEqual([['203.0.113.51', 51]]);
  });

  it('splits …:04:59.999 and …:05:00.000 into two bins', () => {
    const rows = [
      ...scan('203.0.113.9', 30, '2026-11-01T10:04:56.000Z', 1),
      session('203.0.113.9', 1000, '2026-11-01T10:04:59.999Z'),
      ...scan('203.0.113.9', 30, '2026-11-01T10:05:00.000Z', 31),
    ];
    // 31 ports in each bin: 61 in total but never more than 50 in one bin.
    expect(detect(rows).alerts).toEqual([]);
    const more = [...rows, ...scan('203.0.113.9', 20, '2026-11-01T10:04:57.000Z', 2000)];
    const { alerts } = detect(more);
    expect(alerts.map((a) => [a.TimeGenerated, a.AttemptedPortsCount])).toEqual([
      ['2026-11-01T10:00:00.000Z', 51],
    ]);
    expect(alerts[0]?.LastSeen).toBe('2026-11-01T10:04:59.999Z');
  });

  it('reports the 100 smallest ports ascending and the exact count above 100', () => {
    const rows = scan('198.51.100.7', 500, '2026-11-01T10:00:00Z', 1000).reverse();
    const { alerts } = detect(rows);
    expect(alerts[0]?.AttemptedPortsCount).toBe(500);
    expect(alerts[0]?.AttemptedPorts).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
  });

  it('counts duplicates once and ignores arrival order', () => {
    const rows = scan('198.51.100.8', 60, '2026-11-01T10:01:00Z');
    const shuffled = [...rows, ...rows].sort(
      (a, b) => (((a.DstPortNumber ?? 0) * 7919) % 61) - (((b.DstPortNumber ?? 0) * 7919) % 61),
    );
    const { alerts } = detect(shuffled);
    expect(alerts.map((a) => [a.AttemptedPortsCount, a.EventCount])).toEqual([[60, 120]]);
  });

  it('keeps a row without a port in its group (its reporter counts) but adds no port', () => {
    const rows = [
      ...scan('198.51.100.9', 51, '2026-11-01T10:00:00Z'),
      session('198.51.100.9', undefined, '2026-11-01T10:00:30Z', {
        EventVendor: 'Cisco',
        EventProduct: 'ASA',
      }),
    ];
    const { alerts } = detect(rows);
    expect(alerts[0]?.AttemptedPortsCount).toBe(51);
    expect(alerts[0]?.ReportedBy).toEqual(['Cisco/ASA', 'Test/Firewall']);
  });

  it('bins on EventStartTime when present (decision D3)', () => {
    const rows = scan('198.51.100.10', 51, '2026-11-01T10:09:00Z').map((r) => ({
      ...r,
      EventStartTime: '2026-11-01T10:00:01.000Z',
    }));
    expect(detect(rows).alerts[0]?.TimeGenerated).toBe('2026-11-01T10:00:00.000Z');
  });

  it('groups two spellings of one IPv6 address, and an IPv4-mapped address with its IPv4 form', () => {
    const rows = [
      ...scan('2001:DB8::7', 30, '2026-11-01T10:00:00Z', 1),
      ...scan('2001:db8:0:0:0:0:0:7', 30, '2026-11-01T10:00:10Z', 31),
      ...scan('::ffff:203.0.113.77', 30, '2026-11-01T10:00:00Z', 1),
      ...scan('203.0.113.77', 30, '2026-11-01T10:00:10Z', 31),
    ];
    const { alerts } = detect(rows);
    expect(alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount])).toEqual([
      ['2001:db8::7', 60],
      ['203.0.113.77', 60],
    ]);
  });

  it.each([
    ['10.0.0.5', DROP_REASONS.privateSource],
    ['169.254.1.1', DROP_REASONS.privateSource],
    ['127.0.0.1', DROP_REASONS.privateSource],
    ['::1', DROP_REASONS.privateSource],
    ['fe80::5', DROP_REASONS.privateSource],
    ['', DROP_REASONS.missingSource],
    ['bogus', DROP_REASONS.invalidSource],
  ])('never alerts on %s and counts why', (src, reason) => {
    const { alerts, detector } = detect(scan(src, 80, '2026-11-01T10:00:00Z'));
    expect(alerts).toEqual([]);
    expect(detector.router.drops.get(reason)).toBe(80);
  });

  it('in sentinel-parity mode alerts on link-local and 127.0.0.2 but never on IPv6 or IPv4-mapped', () => {
    const rows = ['169.254.3.3', '127.0.0.2', '2001:db8::9', '::ffff:203.0.113.5', '127.0.0.1'].flatMap((s) =>
      scan(s, 60, '2026-11-01T10:00:00Z'),
    );
    const { alerts } = detect(rows, { PORTSCAN_MODE: 'sentinel-parity' });
    expect(alerts.map((a) => a.SrcIpAddr)).toEqual(['127.0.0.2', '169.254.3.3']);
    expect(alerts[0]?.DetectionMode).toBe('sentinel-parity');
  });

  it('renders the configured bin in the description, not the 5 minutes of the Sentinel text', () => {
    const ten = detect(scan('203.0.113.200', 57, '2026-11-01T10:00:00Z'), { PORTSCAN_BIN_MINUTES: '10' });
    expect(ten.alerts[0]?.AlertDescription).toContain('over 57 ports within 10 minutes.');
    const one = detect(scan('203.0.113.200', 57, '2026-11-01T10:00:00Z'), { PORTSCAN_BIN_MINUTES: '1' });
    expect(one.alerts.map((a) => a.AlertDescription.includes('ports within 1 minute.'))).toContain(true);
  });

  it('renders the rule fields as Sentinel does', () => {
    const { alerts } = detect(scan('203.0.113.200', 57, '2026-11-01T10:00:00Z'));
    const a = alerts[0] as Alert;
    expect(a.AlertDisplayName).toBe('Potential port scan from 203.0.113.200');
    expect(a.AlertDescription).toMatch(
      /^A port scan has been performed from address 203\.0\.113\.200 over 57 ports within 5 minutes\./,
    );
    expect([a.Severity, a.Tactics, a.Techniques]).toEqual(['Medium', ['Discovery'], ['T1046']]);
    expect(a.Entities).toEqual([{ Type: 'ip', Address: '203.0.113.200' }]);
    expect(a.CustomDetails).toEqual({ AttemptedPortsCount: ['57'] });
    expect([a.BinStart, a.BinEnd]).toEqual(['2026-11-01T10:00:00.000Z', '2026-11-01T10:05:00.000Z']);
  });
});

describe('StreamingDetector: late data and retention', () => {
  it('marks an alert late when its bin crossed the threshold only after closing', () => {
    const rows = [
      ...scan('203.0.113.1', 40, '2026-11-01T10:00:00Z'),
      // The watermark moves 20 minutes on: the 10:00 bin closes (lateness 10 minutes) with 40 ports.
      session('198.51.100.1', 80, '2026-11-01T10:20:00Z'),
      ...scan('203.0.113.1', 20, '2026-11-01T10:03:00Z', 1000),
    ];
    const { alerts } = detect(rows);
    expect(alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount, a.IsLate])).toEqual([
      ['203.0.113.1', 60, true],
    ]);
  });

  it('does not mark an alert late when the bin was already over the threshold at closing', () => {
    const rows = [
      ...scan('203.0.113.2', 55, '2026-11-01T10:00:00Z'),
      session('198.51.100.1', 80, '2026-11-01T10:20:00Z'),
      ...scan('203.0.113.2', 5, '2026-11-01T10:03:00Z', 1000),
    ];
    expect(detect(rows).alerts.map((a) => [a.AttemptedPortsCount, a.IsLate])).toEqual([[60, false]]);
  });

  it('marks an alert late when its window had no row yet when its bin closed', () => {
    const rows = [
      session('198.51.100.1', 80, '2026-11-01T10:00:00Z'),
      // The 10:00 bin closes at 10:15 (its end plus 10 minutes of lateness).
      session('198.51.100.1', 80, '2026-11-01T10:15:00Z'),
      ...scan('203.0.113.4', 60, '2026-11-01T10:03:00Z'),
    ];
    expect(detect(rows).alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount, a.IsLate])).toEqual([
      ['203.0.113.4', 60, true],
    ]);
  });

  it('closes a bin as soon as the watermark passes its end plus a lateness that is no whole number of bins', () => {
    const rows = [
      ...scan('203.0.113.6', 40, '2026-11-01T10:00:00Z'),
      session('198.51.100.1', 80, '2026-11-01T10:10:00Z'),
      // 10:12:30 less 7 minutes is past 10:05: the 10:00 bin is closed with 40 ports.
      session('198.51.100.1', 80, '2026-11-01T10:12:30Z'),
      ...scan('203.0.113.6', 20, '2026-11-01T10:04:00Z', 1000),
    ];
    const { alerts } = detect(rows, { PORTSCAN_ALLOWED_LATENESS_MINUTES: '7' });
    expect(alerts.map((a) => [a.AttemptedPortsCount, a.IsLate])).toEqual([[60, true]]);
  });

  it('keeps a bin until the closed bins end a retention past it, lateness included', () => {
    const rows = [
      ...scan('203.0.113.7', 40, '2026-11-01T10:00:00Z'),
      // The watermark is 11:00 (11:10 less 10 minutes): the 10:00 bin ends 55 minutes before it.
      session('198.51.100.1', 80, '2026-11-01T11:10:00Z'),
      ...scan('203.0.113.7', 20, '2026-11-01T10:04:00Z', 1000),
      // 11:15 less 10 minutes: the 10:00 bin ends a full hour before, and is final.
      session('198.51.100.1', 80, '2026-11-01T11:15:00Z'),
      ...scan('203.0.113.7', 5, '2026-11-01T10:04:30Z', 2000),
    ];
    const { alerts, detector } = detect(rows, { PORTSCAN_RETENTION_HOURS: '1' });
    expect(alerts.map((a) => [a.AttemptedPortsCount, a.IsLate])).toEqual([[60, true]]);
    expect(detector.counts.beyondRetention).toBe(5);
  });

  it('drops and counts rows older than the retention horizon', () => {
    const rows = [
      session('198.51.100.1', 80, '2026-11-01T10:00:00Z'),
      ...scan('203.0.113.3', 60, '2026-11-01T07:00:00Z'),
    ];
    const { alerts, detector } = detect(rows, { PORTSCAN_RETENTION_HOURS: '2' });
    expect(alerts).toEqual([]);
    expect(detector.counts.beyondRetention).toBe(60);
    expect(BEYOND_RETENTION).toMatch(/retention/);
  });

  it('releases the memory of final bins as event time moves on', () => {
    const alerts: Alert[] = [];
    const detector = new StreamingDetector(testSettings({ PORTSCAN_RETENTION_HOURS: '1' }), (a) =>
      alerts.push(a),
    );
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    for (let minute = 0; minute < 24 * 60; minute++) {
      for (let s = 0; s < 20; s++)
        detector.add(session(`203.0.113.${s}`, 443, new Date(t0 + minute * 60_000).toISOString()));
    }
    // 1 hour of retention + lateness, 5-minute bins, 20 sources: never more than ~15 bins × 20 windows open.
    expect(detector.counts.peakOpenWindows).toBeLessThanOrEqual(16 * 20);
    detector.finish();
    expect(detector.counts.openWindows).toBe(0);
  });
});

const arbRow = fc
  .record({
    src: fc.constantFrom(
      '203.0.113.1',
      '203.0.113.2',
      '198.51.100.3',
      '10.0.0.1',
      '172.16.9.9',
      '192.168.1.1',
      '169.254.0.1',
      '127.0.0.1',
      '127.0.0.2',
      '100.64.1.1',
      '::1',
      '2001:db8::1',
      '2001:DB8:0::1',
      '::ffff:203.0.113.1',
      '::ffff:10.0.0.1',
      'fe80::1',
      'fd00::1',
      '',
      'garbage',
    ),
    port: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    secondsOffset: fc.integer({ min: 0, max: 3600 }),
    reporter: fc.constantFrom(
      ['AWS', 'VPC'],
      ['Cisco', 'ASA'],
      ['Microsoft', 'Azure Firewall'],
      ['Palo Alto', 'PanOS'],
    ),
    start: fc.boolean(),
  })
  .map((r) => {
    const at = new Date(Date.parse('2026-11-01T10:00:00Z') + r.secondsOffset * 1000).toISOString();
    return session(r.src === '' ? undefined : r.src, r.port, at, {
      EventVendor: r.reporter[0] as string,
      EventProduct: r.reporter[1] as string,
      ...(r.start ? { EventStartTime: at } : {}),
    });
  });

describe('StreamingDetector: agrees with an independent implementation of the rule', () => {
  it.each([['default'], ['sentinel-parity']] as const)('on random mixed rows in %s mode', (mode) => {
    fc.assert(
      fc.property(
        fc.array(arbRow, { maxLength: 1500 }),
        fc.integer({ min: 1, max: 60 }),
        (rows, threshold) => {
          const { alerts } = detect(rows, { PORTSCAN_MODE: mode, PORTSCAN_THRESHOLD: String(threshold) });
          const expected = referenceRule(rows, mode, threshold);
          expect(
            alerts.map((a) => ({
              SrcIpAddr: a.SrcIpAddr,
              TimeGenerated: a.TimeGenerated,
              AttemptedPortsCount: a.AttemptedPortsCount,
              AttemptedPorts: a.AttemptedPorts,
              ReportedBy: a.ReportedBy,
            })),
          ).toEqual(expected);
        },
      ),
      { seed: 2026, numRuns: 150 },
    );
  });
});

describe('StreamingDetector: memory bound', () => {
  it('finalizes the oldest bin early past maxOpenWindows, and never alerts twice for it', () => {
    const alerts: Alert[] = [];
    const detector = new StreamingDetector(testSettings(), (a) => alerts.push(a), 1000);
    for (const r of scan('203.0.113.5', 60, '2026-11-01T10:00:00Z')) detector.add(r);
    // 1,000 benign sources in the next bin push the open windows over the bound.
    for (let i = 0; i < 1000; i++)
      detector.add(session(`198.51.${i >> 8}.${i & 255}`, 443, '2026-11-01T10:05:30Z'));
    expect(detector.counts.binsFinalizedEarly).toBe(1);
    expect(alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount])).toEqual([['203.0.113.5', 60]]);
    for (const r of scan('203.0.113.5', 10, '2026-11-01T10:01:00Z', 500)) detector.add(r);
    detector.finish();
    expect(alerts).toHaveLength(1);
    expect(detector.counts.beyondRetention).toBe(10);
  });
});
