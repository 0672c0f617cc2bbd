import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AlertEvidence } from '../../lib/schema/AlertEvidence.js';
import { AlertEvidenceSchema } from '../../lib/schema/AlertEvidence.js';
import { readAlertGolden } from '../support/alertGolden.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { azuriteSettings, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { runPortscan } from '../support/runCli.js';
import { session } from '../support/sessions.js';

/**
 * The evidence of one scan, logged by each family of sources in its own format: 198.51.100.77
 * probes 10.0.20.15 on ports 1000–1059 through device D1, denied, then 10.0.20.16 on 22 and 443
 * (allowed) and 3389 (denied) through device D2, from 10:01:00 on 2026-11-01, one row a second.
 * The same lines go through `portscan detect` and through the Functions (ingest over two Event
 * Hub partitions, one batch delivered twice, then the closing timer against Azurite); both must
 * give the golden evidence.
 */

const SCANNER = '198.51.100.77';
const A = '10.0.20.15';
const B = '10.0.20.16';

interface ScanRow {
  readonly at: Date;
  readonly dst: string;
  readonly port: number;
  readonly allowed: boolean;
  /** 1 for D1, 2 for D2. */
  readonly device: 1 | 2;
}

const ROWS: readonly ScanRow[] = [
  ...Array.from({ length: 60 }, (_, i) => ({ dst: A, port: 1000 + i, allowed: false, device: 1 as const })),
  { dst: B, port: 22, allowed: true, device: 2 as const },
  { dst: B, port: 443, allowed: true, device: 2 as const },
  { dst: B, port: 3389, allowed: false, device: 2 as const },
].map((r, i) => ({ ...r, at: new Date(Date.parse('2026-11-01T10:01:00Z') + i * 1000) }));

const iso = (d: Date) => d.toISOString();
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);
/** `Nov 01 2026 10:01:05`, the syslog and CEF device time with a year. */
const syslogTime = (d: Date) =>
  `Nov ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()} ${iso(d).slice(11, 19)}`;

/** One line per row, in the shape of the fixture named in each comment, with the device names of `devices`. */
const FAMILIES: Record<
  string,
  { devices: [string, string]; line: (r: ScanRow, name: string, i: number) => string }
> = {
  // test/fixtures/asim/records-envelope.json (a row as a JSON line).
  asim: {
    devices: ['fw-edge-01', 'fw-dmz-02'],
    line: (r, name) =>
      JSON.stringify({
        TimeGenerated: iso(r.at),
        EventVendor: 'Palo Alto',
        EventProduct: 'PanOS',
        EventSchema: 'NetworkSession',
        SrcIpAddr: SCANNER,
        DstIpAddr: r.dst,
        DstPortNumber: r.port,
        DvcAction: r.allowed ? 'Allow' : 'Deny',
        Dvc: name,
        Type: 'ASimNetworkSessionLogs',
      }),
  },
  // test/fixtures/aws-vpc-flow/default-v2-headerless.log: the default format names no device.
  'aws-vpc-flow': {
    devices: ['', ''],
    line: (r) =>
      `2 123456789010 eni-0a1b2c3d4e5f67890 ${SCANNER} ${r.dst} 51766 ${r.port} 6 1 40 ${epoch(r.at)} ${epoch(r.at) + 60} ${r.allowed ? 'ACCEPT' : 'REJECT'} OK`,
  },
  // test/fixtures/paloalto-cef/traffic-syslog.log: Dvc is dvchost.
  'paloalto-cef': {
    devices: ['pa-edge-01', 'pa-dmz-02'],
    line: (r, name) =>
      `<14>1 ${iso(r.at)} ${name} - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1.11|end|TRAFFIC|1|rt=${syslogTime(r.at)} GMT src=${SCANNER} dst=${r.dst} spt=50000 dpt=${r.port} proto=tcp act=${r.allowed ? 'allow' : 'deny'} dvchost=${name}`,
  },
  // test/fixtures/cisco-asa/asa-syslog.log: Built (allowed) and 106023 Deny; Dvc is the syslog host.
  'cisco-asa': {
    devices: ['asa-fw01', 'asa-fw02'],
    line: (r, name, i) =>
      r.allowed
        ? `<166>${syslogTime(r.at)} ${name} : %ASA-6-302013: Built inbound TCP connection ${1000 + i} for outside:${SCANNER}/51240 (${SCANNER}/51240) to inside:${r.dst}/${r.port} (${r.dst}/${r.port})`
        : `<164>${syslogTime(r.at)} ${name} : %ASA-4-106023: Deny tcp src outside:${SCANNER}/51234 dst inside:${r.dst}/${r.port} by access-group "outside_access_in" [0x0, 0x0]`,
  },
  // test/fixtures/azure-nsg-vnet-flow/nsg-flow-log-v2-mixed.json: one record per line; Dvc is the resource id.
  'azure-nsg-flow': {
    devices: [
      '/SUBSCRIPTIONS/AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE/RESOURCEGROUPS/RG-APP/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/APP-NSG',
      '/SUBSCRIPTIONS/AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE/RESOURCEGROUPS/RG-DMZ/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DMZ-NSG',
    ],
    line: (r, name) =>
      JSON.stringify({
        records: [
          {
            time: iso(r.at),
            systemId: 'a0fca5ce-022c-47b1-9735-89943b42f2fa',
            category: 'NetworkSecurityGroupFlowEvent',
            resourceId: name,
            operationName: 'NetworkSecurityGroupFlowEvents',
            properties: {
              Version: 2,
              flows: [
                {
                  rule: r.allowed ? 'UserRule_AllowWeb' : 'DefaultRule_DenyAllInBound',
                  flows: [
                    {
                      mac: '000D3AF87856',
                      flowTuples: [
                        `${epoch(r.at)},${SCANNER},${r.dst},55000,${r.port},T,I,${r.allowed ? 'A' : 'D'},B,,,,`,
                      ],
                    },
                  ],
                },
              ],
            },
          },
        ],
      }),
  },
  // test/fixtures/defender-devicenetworkevents/advanced-hunting-rows.jsonl: an endpoint logs the
  // connections it accepted, so every port is reached; Dvc is DeviceName's first label.
  'defender-devicenetworkevents': {
    devices: ['web01.contoso.com', 'web02.contoso.com'],
    line: (r, name, i) =>
      JSON.stringify({
        Timestamp: iso(r.at),
        DeviceId: '4c1bd0b3e1f6a0d2e3f4a5b6c7d8e9f001234567',
        DeviceName: name,
        ActionType: 'InboundConnectionAccepted',
        RemoteIP: SCANNER,
        RemotePort: 40112,
        LocalIP: r.dst,
        LocalPort: r.port,
        Protocol: 'Tcp',
        ReportId: 18200 + i,
      }),
  },
  // test/fixtures/corelight-zeek/corelight-json.log: SF is Success, REJ Failure; Dvc is _system_name.
  'corelight-zeek': {
    devices: ['cl-sensor-01', 'cl-sensor-02'],
    line: (r, name, i) =>
      JSON.stringify({
        _path: 'conn',
        _system_name: name,
        _write_ts: iso(r.at),
        ts: iso(r.at),
        uid: `CHhAvVGS1DHFjwG${String(i).padStart(2, '0')}`,
        'id.orig_h': SCANNER,
        'id.orig_p': 51234,
        'id.resp_h': r.dst,
        'id.resp_p': r.port,
        proto: 'tcp',
        conn_state: r.allowed ? 'SF' : 'REJ',
        local_orig: false,
        local_resp: true,
      }),
  },
};

function linesOf(family: string): string[] {
  const f = FAMILIES[family] as (typeof FAMILIES)[string];
  return ROWS.map((r, i) => f.line(r, f.devices[r.device - 1] as string, i));
}

const golden = readAlertGolden('evidence-by-source');
const expected = z.record(z.string(), AlertEvidenceSchema).parse(golden.expected);

let az: Azurite;
beforeAll(async () => {
  az = await startAzurite();
});
afterAll(async () => {
  await az.stop();
});

/** The evidence of the one alert `portscan detect` gives for the lines. */
async function evidenceFromCli(lines: readonly string[]): Promise<AlertEvidence | undefined> {
  const run = await runPortscan(['detect', '--output', 'jsonl', '-'], { stdin: `${lines.join('\n')}\n` });
  expect(run.status, run.stderr).toBe(0);
  const alerts = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { SrcIpAddr: string; Evidence?: AlertEvidence });
  expect(alerts.map((a) => a.SrcIpAddr)).toEqual([SCANNER]);
  return alerts[0]?.Evidence;
}

/** The evidence of the one alert the Functions queue, ingesting the lines over two partitions with a redelivery. */
async function evidenceFromFunctions(lines: readonly string[]): Promise<AlertEvidence | undefined> {
  const h = new FunctionsHarness(azuriteSettings(az), az.connectionString(), '2026-11-01T11:00:00Z');
  const messages: string[] = [];
  for (let i = 0; i < lines.length; i += 10) messages.push(lines.slice(i, i + 10).join('\n'));
  const tail = jsonLines([session('192.0.2.250', 443, '2026-11-01T10:30:00Z')]);
  const even = [...messages.filter((_, i) => i % 2 === 0), tail];
  const odd = [...messages.filter((_, i) => i % 2 === 1), tail];
  await h.ingest('0', even, 500, '2026-11-01T10:31:00Z');
  await h.ingest('1', odd, 900, '2026-11-01T10:31:00Z');
  await h.ingest('0', even, 500, '2026-11-01T10:31:00Z');
  await h.closeBins();
  const alerts = await h.queuedAlerts();
  expect(alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount, a.EventCount])).toEqual([[SCANNER, 63, 63]]);
  return alerts[0]?.Evidence;
}

describe('Alert evidence: each family of sources, in both paths', () => {
  it('has a golden case for every family here and no other', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(FAMILIES).sort());
  });

  it.each(Object.keys(FAMILIES))('gives the golden evidence for %s', async (family) => {
    const lines = linesOf(family);
    expect(await evidenceFromCli(lines)).toEqual(expected[family]);
    expect(await evidenceFromFunctions(lines)).toEqual(expected[family]);
  });
});
