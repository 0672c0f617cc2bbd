import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/schema/Alert.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { azuriteSettings, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver.js';
import { runPortscan } from '../support/runCli.js';
import { scan, session } from '../support/sessions.js';

/**
 * Known scanners, end to end: three scanners in one bin, one of them (IPv4) and a fourth (IPv6)
 * in unexpired allow-list entries, one in an expired entry. The known scanners' alerts reach the
 * queue and the signed webhook marked `Suppression`, never Teams or Slack; the others reach every
 * sink; the suppressed ones are counted and the expired entry is reported.
 */
const KNOWN = JSON.stringify([
  { cidr: '198.51.100.0/24', reason: 'research scanner (published ranges)', expires: '2027-01-31' },
  { cidr: '2001:db8:5ca::/48', reason: 'research scanner, IPv6', expires: '2027-01-31' },
  { cidr: '192.0.2.0/24', reason: 'old contract', expires: '2026-10-01' },
]);
const ROWS = [
  ...scan('198.51.100.9', 60, '2026-11-01T10:00:00Z'),
  ...scan('2001:db8:5ca::9', 60, '2026-11-01T10:00:00Z'),
  ...scan('192.0.2.9', 60, '2026-11-01T10:00:00Z'),
  ...scan('203.0.113.9', 60, '2026-11-01T10:00:00Z'),
];
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

let az: Azurite;
let receiver: HttpReceiver;
beforeAll(async () => {
  az = await startAzurite();
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
  await az.stop();
});

/** Sources of the alerts each receiver path got. */
function sourcesByPath(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of receiver.requests) {
    const body = JSON.parse(r.body) as { SrcIpAddr?: string; text?: string; attachments?: unknown };
    const source =
      body.SrcIpAddr ??
      /from `?([0-9a-f.:]+)`?/.exec(body.text ?? JSON.stringify(body.attachments))?.[1] ??
      '?';
    out[r.path] = [...(out[r.path] ?? []), source];
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

describe('Known scanners: alerts skip chat sinks, still reach machines, marked and counted', () => {
  it('in the Functions: queue and webhook get all four, Teams and Slack the two unknown ones', async () => {
    receiver.requests.length = 0;
    const h = new FunctionsHarness(
      azuriteSettings(az, {
        PORTSCAN_KNOWN_SCANNERS: KNOWN,
        PORTSCAN_SINK_SOC_KIND: 'teams',
        PORTSCAN_SINK_SOC_URL: receiver.url('/teams'),
        PORTSCAN_SINK_OPS_KIND: 'slack',
        PORTSCAN_SINK_OPS_URL: receiver.url('/slack'),
        PORTSCAN_SINK_SIEM_KIND: 'webhook',
        PORTSCAN_SINK_SIEM_URL: receiver.url('/hook'),
        PORTSCAN_SINK_SIEM_SECRET: SECRET,
      }),
      az.connectionString(),
      '2026-11-01T11:00:00Z',
    );
    await h.ingest(
      '0',
      [jsonLines(ROWS), jsonLines([session('203.0.113.250', 443, '2026-11-01T10:30:00Z')])],
      1,
      '2026-11-01T10:31:00Z',
    );
    await h.closeBins();
    const queued = await h.queuedAlerts();
    const marks = Object.fromEntries(queued.map((a) => [a.SrcIpAddr, a.Suppression?.Cidr ?? null]));
    expect(marks).toEqual({
      '198.51.100.9': '198.51.100.0/24',
      '2001:db8:5ca::9': '2001:db8:5ca::/48',
      // The entry expired before the bin: it no longer suppresses.
      '192.0.2.9': null,
      '203.0.113.9': null,
    });
    expect(sourcesByPath()).toEqual({
      '/hook': ['192.0.2.9', '198.51.100.9', '2001:db8:5ca::9', '203.0.113.9'],
      '/slack': ['192.0.2.9', '203.0.113.9'],
      '/teams': ['192.0.2.9', '203.0.113.9'],
    });
    const hooked = receiver.requests
      .filter((r) => r.path === '/hook')
      .map((r) => AlertSchema.parse(JSON.parse(r.body)) as Alert);
    expect(hooked.find((a) => a.SrcIpAddr === '198.51.100.9')?.Suppression).toEqual({
      Kind: 'known scanner',
      Cidr: '198.51.100.0/24',
      Reason: 'research scanner (published ranges)',
      Expires: '2027-01-31',
    });
    const summary = h.logged('close summary')[0] as Record<string, unknown>;
    expect(summary).toMatchObject({ alertsRecorded: 4, alertsSuppressed: 2, knownScannersExpired: 1 });
    const recordedLogs = h.logged('alert recorded');
    expect(recordedLogs.map((l) => [l.source, l.suppressed, l.ports, l.revision]).sort()).toEqual([
      ['192.0.2.9', false, 60, 1],
      ['198.51.100.9', true, 60, 1],
      ['2001:db8:5ca::9', true, 60, 1],
      ['203.0.113.9', false, 60, 1],
    ]);
    expect(h.logged('known scanners expired')).toEqual([
      expect.objectContaining({
        count: 1,
        entries: [{ cidr: '192.0.2.0/24', reason: 'old contract', expires: '2026-10-01' }],
      }),
    ]);
  });

  it('in portscan detect: printed marked, counted, sent only to the webhook, the expired entry warned about', async () => {
    receiver.requests.length = 0;
    const run = await runPortscan(
      [
        'detect',
        '--output',
        'jsonl',
        '--known-scanners',
        KNOWN,
        '--teams',
        receiver.url('/teams'),
        '--webhook',
        receiver.url('/hook'),
        '--webhook-secret',
        SECRET,
        '-',
      ],
      { stdin: `${jsonLines(ROWS)}\n` },
    );
    expect(run.status, run.stderr).toBe(0);
    const alerts = run.stdout
      .trim()
      .split('\n')
      .map((l) => AlertSchema.parse(JSON.parse(l)));
    expect(alerts.filter((a) => a.Suppression !== undefined).map((a) => a.SrcIpAddr)).toEqual([
      '198.51.100.9',
      '2001:db8:5ca::9',
    ]);
    expect(sourcesByPath()).toEqual({
      '/hook': ['192.0.2.9', '198.51.100.9', '2001:db8:5ca::9', '203.0.113.9'],
      '/teams': ['192.0.2.9', '203.0.113.9'],
    });
    expect(run.stderr).toMatch(/known scanners \(not sent to chat\)\s+2/);
    expect(run.stderr).toContain(
      'warning: 1 known-scanner entries have expired and no longer suppress alerts (192.0.2.0/24 (old contract, expired 2026-10-01))',
    );
  });

  it('refuses a bad entry at start-up, naming it', async () => {
    const run = await runPortscan(
      ['detect', '--known-scanners', '[{"cidr":"198.51.100.0/33","reason":"x","expires":"2026-12-31"}]', '-'],
      { stdin: '' },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--known-scanners: entry 0.cidr: an IPv4 or IPv6 CIDR or address');
  });
});
