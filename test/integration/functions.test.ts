import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamingDetector } from '../../lib/detection/StreamingDetector.js';
import { StorageUnavailableError } from '../../lib/errors.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { eventCountOf } from '../../lib/window/WindowState.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.js';
import { azuriteSettings, envelope, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { scan, session } from '../support/sessions.js';
import { testSettings } from '../support/settings.js';

let az: Azurite;

beforeAll(async () => {
  az = await startAzurite();
});

afterAll(async () => {
  await az.stop();
});

function harness(now: string, overrides: Record<string, string> = {}, tablePort?: number): FunctionsHarness {
  const settings = azuriteSettings(az, overrides, tablePort);
  return new FunctionsHarness(settings, az.connectionString(), now);
}

const summary = (alerts: readonly Alert[]) =>
  alerts.map((a) => [a.SrcIpAddr, a.BinStart, a.AttemptedPortsCount, a.EventCount, a.IsLate]);

/** A benign row late in the data, so partition progress passes the scan's bin plus the lateness. */
const tail = (at: string) => session('198.51.100.250', 443, at);

describe('Functions: ingest and closeBins against Azurite', () => {
  it('(a) counts a batch delivered twice once', async () => {
    const h = harness('2026-11-01T11:00:00Z');
    const batch = [
      jsonLines(scan('203.0.113.10', 60, '2026-11-01T10:00:00Z')),
      jsonLines([tail('2026-11-01T10:30:00Z')]),
    ];
    await h.ingest('0', batch, 100, '2026-11-01T10:31:00Z');
    await h.ingest('0', batch, 100, '2026-11-01T10:31:00Z');
    // A redelivery that starts inside the first batch and goes further.
    await h.ingest(
      '0',
      [batch[1] as string, jsonLines([tail('2026-11-01T10:31:00Z')])],
      101,
      '2026-11-01T10:32:00Z',
    );
    await h.closeBins();
    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.10', '2026-11-01T10:00:00.000Z', 60, 60, false],
    ]);
  });

  it('(b) keeps exact counts when four partitions write the same sources at once', async () => {
    const h = harness('2026-11-01T11:00:00Z');
    const rows = scan('203.0.113.20', 200, '2026-11-01T10:00:00Z');
    await Promise.all(
      [0, 1, 2, 3].map((p) =>
        h.ingest(
          String(p),
          [
            // Each partition sees every fourth port plus ports 1-10 again (overlap), and the shared tail.
            envelope([...rows.filter((_, i) => i % 4 === p), ...rows.slice(0, 10)]),
            jsonLines([tail('2026-11-01T10:30:00Z')]),
          ],
          1000 * p,
          '2026-11-01T10:31:00Z',
        ),
      ),
    );
    await h.closeBins();
    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.20', '2026-11-01T10:00:00.000Z', 200, 240, false],
    ]);
  });

  it('(c) fails the invocation when storage goes down mid-batch, and is exact after redelivery', async () => {
    const proxy: FaultProxy = await startFaultProxy(az.tablePort);
    try {
      const h = harness('2026-11-01T11:00:00Z', {}, proxy.port);
      const sources = Array.from({ length: 40 }, (_, i) => `203.0.${i}.7`);
      const batch = [
        envelope(sources.flatMap((s) => scan(s, 3, '2026-11-01T10:00:00Z'))),
        envelope(scan('203.0.113.30', 70, '2026-11-01T10:01:00Z')),
        jsonLines([tail('2026-11-01T10:30:00Z')]),
      ];
      proxy.mode = { kind: 'downAfter', count: 6 };
      await expect(h.ingest('0', batch, 500, '2026-11-01T10:31:00Z')).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
      proxy.mode = { kind: 'pass' };
      await h.ingest('0', batch, 500, '2026-11-01T10:31:00Z');
      await h.closeBins();
      await h.closeBins();
      expect(summary(await h.queuedAlerts())).toEqual([
        ['203.0.113.30', '2026-11-01T10:00:00.000Z', 70, 70, false],
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('(d) sends one queue message per alert when the timer runs twice at once', async () => {
    const h = harness('2026-11-01T11:00:00Z');
    await h.ingest(
      '0',
      [
        jsonLines([
          ...scan('203.0.113.40', 55, '2026-11-01T10:00:00Z'),
          ...scan('203.0.113.41', 66, '2026-11-01T10:06:00Z'),
        ]),
        jsonLines([tail('2026-11-01T10:40:00Z')]),
      ],
      1,
      '2026-11-01T10:41:00Z',
    );
    await Promise.all([h.closeBins(), h.closeBins()]);
    await h.closeBins();
    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.40', '2026-11-01T10:00:00.000Z', 55, 55, false],
      ['203.0.113.41', '2026-11-01T10:05:00.000Z', 66, 66, false],
    ]);
  });

  it('(e) counts late events: within lateness normally, after closing as a late alert, then as a correction', async () => {
    const h = harness('2026-11-01T10:20:00Z');
    // 40 ports at 10:00, progress to 10:08: the 10:00 bin stays open (lateness 10 minutes).
    await h.ingest(
      '0',
      [jsonLines([...scan('203.0.113.50', 40, '2026-11-01T10:00:00Z'), tail('2026-11-01T10:08:00Z')])],
      1,
      '2026-11-01T10:08:00Z',
    );
    await h.closeBins();
    // 5 more ports before the bin closes, then progress to 10:20: the bin closes with 45 ports.
    await h.ingest(
      '0',
      [jsonLines([...scan('203.0.113.50', 5, '2026-11-01T10:04:00Z', 100), tail('2026-11-01T10:20:00Z')])],
      2,
      '2026-11-01T10:20:00Z',
    );
    h.nowMs = Date.parse('2026-11-01T10:21:00Z');
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
    // After closing: 10 more ports push it over 50: a late alert.
    await h.ingest(
      '0',
      [jsonLines(scan('203.0.113.50', 10, '2026-11-01T10:03:00Z', 200))],
      3,
      '2026-11-01T10:22:00Z',
    );
    h.nowMs = Date.parse('2026-11-01T10:30:00Z');
    await h.closeBins();
    const late = await h.queuedAlerts();
    expect(summary(late)).toEqual([['203.0.113.50', '2026-11-01T10:00:00.000Z', 55, 55, true]]);
    // Yet more ports for the alerted bin: one correction, same AlertId, revision 2, exact figures.
    await h.ingest(
      '0',
      [jsonLines(scan('203.0.113.50', 7, '2026-11-01T10:02:00Z', 300))],
      4,
      '2026-11-01T10:31:00Z',
    );
    await h.closeBins();
    const corrections = await h.queuedAlerts();
    expect(
      corrections.map((a) => [a.AlertId, a.Revision, a.AttemptedPortsCount, a.EventCount, a.IsLate]),
    ).toEqual([[late[0]?.AlertId, 2, 62, 62, true]]);
    // Rows that add nothing to the figures (a port already counted) send nothing.
    await h.ingest(
      '0',
      [jsonLines(scan('203.0.113.50', 1, '2026-11-01T10:02:30Z', 300))],
      5,
      '2026-11-01T10:32:00Z',
    );
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
    const rows = await h.services.store.readWindowRows('203.0.113.50', Date.parse('2026-11-01T10:00:00Z'));
    expect(rows.map((r) => [r.state.ports.size, eventCountOf(r.state)])).toEqual([[62, 63]]);
  });

  it('(f) closes bins although one partition has been silent for an hour', async () => {
    const h = harness('2026-11-01T09:00:00Z');
    await h.ingest('1', [jsonLines([tail('2026-11-01T09:00:00Z')])], 1, '2026-11-01T09:00:00Z');
    h.nowMs = Date.parse('2026-11-01T10:31:00Z');
    await h.ingest(
      '0',
      [jsonLines([...scan('203.0.113.60', 52, '2026-11-01T10:00:00Z'), tail('2026-11-01T10:30:00Z')])],
      1,
      '2026-11-01T10:30:00Z',
    );
    h.nowMs = Date.parse('2026-11-01T10:35:00Z');
    await h.closeBins();
    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.60', '2026-11-01T10:00:00.000Z', 52, 52, false],
    ]);
  });

  it('gives the same alerts as the CLI in-memory path on the same input', async () => {
    const rows = [
      ...scan('203.0.113.70', 80, '2026-11-01T10:00:00Z'),
      ...scan('2001:db8::70', 51, '2026-11-01T10:07:00Z'),
      ...scan('10.1.1.1', 90, '2026-11-01T10:02:00Z'),
      ...scan('203.0.113.71', 50, '2026-11-01T10:03:00Z'),
      ...Array.from({ length: 200 }, (_, i) =>
        session(`198.51.100.${i % 250}`, 443 + (i % 3), '2026-11-01T10:05:00Z'),
      ),
      tail('2026-11-01T10:40:00Z'),
    ].sort((a, b) => (a.TimeGenerated < b.TimeGenerated ? -1 : 1));
    const cli: Alert[] = [];
    const detector = new StreamingDetector(testSettings(), (a) => cli.push(a));
    for (const r of rows) detector.add(r);
    detector.finish();

    const h = harness('2026-11-01T11:00:00Z');
    const bodies: string[] = [];
    for (let i = 0; i < rows.length; i += 37) bodies.push(jsonLines(rows.slice(i, i + 37)));
    await h.ingest('0', bodies.slice(0, 5), 1, '2026-11-01T10:41:00Z');
    await h.ingest('1', bodies.slice(5), 1, '2026-11-01T10:41:00Z');
    await h.closeBins();
    const fromFunctions = await h.queuedAlerts();
    expect(fromFunctions.length).toBe(2);
    expect(fromFunctions.map((a) => ({ ...a }))).toEqual(cli);
  });
  it('reads gzip CloudWatch Logs subscription payloads of VPC flow records as Kinesis carries them', async () => {
    // Prepare: a payload of 60 REJECT records to 60 ports of one host, gzip bytes as the body, and a
    // control message beside it (CloudWatch Logs User Guide, "Using subscription filters").
    const start = Date.parse('2026-11-01T10:00:00Z') / 1000;
    const flow = (port: number) =>
      `2 123456789010 eni-0a1b2c3d4e5f67890 203.0.113.80 10.0.1.15 40000 ${port} 6 1 44 ${start} ${start + 60} REJECT OK`;
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789010',
      logGroup: 'vpc-flow-logs',
      logStream: 'eni-0a1b2c3d4e5f67890-all',
      subscriptionFilters: ['to-event-hubs'],
      logEvents: Array.from({ length: 60 }, (_, i) => ({
        id: String(i),
        timestamp: start * 1000,
        message: flow(1000 + i),
      })),
    };
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logEvents: [{ message: 'CWL CONTROL MESSAGE' }],
    };
    const h = harness('2026-11-01T11:00:00Z');
    // Act
    await h.ingest(
      '0',
      [
        gzipSync(JSON.stringify(payload)),
        gzipSync(JSON.stringify(control)),
        Uint8Array.from([0x1f, 0x8b, 1, 2, 3]),
        jsonLines([tail('2026-11-01T10:30:00Z')]),
      ],
      1,
      '2026-11-01T10:31:00Z',
    );
    await h.closeBins();
    // Assess
    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.80', '2026-11-01T10:00:00.000Z', 60, 60, false],
    ]);
    const [ingestSummary] = h.logged('ingest summary');
    expect(ingestSummary).toMatchObject({
      skipped: { 'CloudWatch Logs control message': 1 },
      invalid: { 'unknown: unreadable message body': 1 },
    });
  });
});
