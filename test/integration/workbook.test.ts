import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_MESSAGES } from '../../lib/observability/Logger.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import {
  blobCreated,
  VNET_CONTAINER,
  vnetBlobName,
  vnetRecord,
  vnetTuple,
} from '../support/flowLogRecords.js';
import { azuriteSettings, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver.js';
import { azureBlockSink, NetworkWatcherBlob } from '../support/networkWatcherBlob.js';
import { scan, session } from '../support/sessions.js';
import { fieldReferences, hasPath, loadWorkbook, pathsOf, queryItems } from '../support/workbook.js';

/*
 * The workbook reads only fields the product really logs: the three functions run against Azurite
 * and a local HTTP receiver through a day with everything the workbook charts (alerts of a scanner
 * that got through, a known scanner, an expired entry, a flow-log blob, a record no decoder takes,
 * a late row and one past the retention horizon, a sink that refuses an alert); their trace
 * messages, as contextLogger writes them, are collected, and every field each query reads must be
 * in a logged message of an event that query filters on.
 */

const KNOWN = JSON.stringify([
  { cidr: '198.51.100.0/24', reason: 'research scanner', expires: '2027-01-31' },
  { cidr: '192.0.2.0/24', reason: 'old contract', expires: '2026-10-01' },
]);
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

let az: Azurite;
let receiver: HttpReceiver;
let logged: Map<string, Set<string>>;
let alertsRecorded: Record<string, unknown>[];

beforeAll(async () => {
  az = await startAzurite();
  receiver = await startHttpReceiver();
  const blobs = BlobServiceClient.fromConnectionString(az.connectionString());
  await blobs.getContainerClient(VNET_CONTAINER).create();

  const h = new FunctionsHarness(
    azuriteSettings(az, {
      PORTSCAN_KNOWN_SCANNERS: KNOWN,
      PORTSCAN_RETENTION_HOURS: '1',
      PORTSCAN_SINK_SOC_KIND: 'teams',
      PORTSCAN_SINK_SOC_URL: receiver.url('/teams'),
      PORTSCAN_SINK_SIEM_KIND: 'webhook',
      PORTSCAN_SINK_SIEM_URL: receiver.url('/hook'),
      PORTSCAN_SINK_SIEM_SECRET: SECRET,
    }),
    az.connectionString(),
    '2026-11-01T11:00:00Z',
  );
  // The signed webhook refuses its first alert: parked (a 4xx is not retried).
  receiver.replies.push({ kind: 'status', status: 400 });
  const reached = { DvcAction: 'Allow' as const, Dvc: 'fw-edge-01' };
  await h.ingest(
    '0',
    [
      jsonLines([...scan('203.0.113.50', 60, '2026-11-01T10:00:00Z', 1, reached)]),
      jsonLines([...scan('198.51.100.9', 60, '2026-11-01T10:00:00Z')]),
      'this line is no flow record',
      jsonLines([session('203.0.113.250', 443, '2026-11-01T10:30:00Z')]),
    ],
    1,
    '2026-11-01T10:31:00Z',
  );
  const name = vnetBlobName('2026-11-01T10', '0022485D0A01');
  const blob = new NetworkWatcherBlob(azureBlockSink(blobs.getContainerClient(VNET_CONTAINER), name));
  await blob.append(
    vnetRecord('2026-11-01T10:20:00Z', [vnetTuple('2026-11-01T10:20:00Z', '198.51.100.77', 443)]),
  );
  await h.flowLogs(blobCreated(h.services.flowLogs().blobs.url, VNET_CONTAINER, name, 1));
  await h.closeBins();
  // After the close: a row of a closed bin (a late window) and one past the retention horizon.
  await h.ingest(
    '0',
    [
      jsonLines([
        session('203.0.113.50', 9999, '2026-11-01T10:01:00Z'),
        session('203.0.113.51', 1, '2026-11-01T08:00:00Z'),
      ]),
    ],
    5,
    '2026-11-01T10:59:00Z',
  );
  h.nowMs = Date.parse('2026-11-01T12:00:00Z');
  await h.closeBins();

  logged = new Map();
  alertsRecorded = h.logged(LOG_MESSAGES.alertRecorded);
  for (const [, message] of h.logs) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(message));
    } catch {
      continue;
    }
    const event = (parsed as { event?: unknown }).event;
    if (typeof event !== 'string') continue;
    const paths = logged.get(event) ?? new Set<string>();
    for (const p of pathsOf(parsed)) paths.add(p);
    logged.set(event, paths);
  }
}, 60_000);

afterAll(async () => {
  await receiver.close();
  await az.stop();
});

describe('Workbook: the fields it reads are the fields the functions log', () => {
  it('logs, in this day, every event the workbook reads', () => {
    const read = new Set(queryItems(loadWorkbook()).flatMap((q) => fieldReferences(q.content.query).events));
    expect([...read].filter((e) => !logged.has(e))).toEqual([]);
    expect(read).toContain(LOG_MESSAGES.alertRecorded);
  });

  it.each(queryItems(loadWorkbook()).map((q) => [q.name, q.content.query] as const))(
    '%s reads only logged fields',
    (_, query) => {
      const { events, paths } = fieldReferences(query);
      expect(paths.length).toBeGreaterThan(0);
      const pool =
        events.length === 0 ? [...logged.values()] : events.map((e) => logged.get(e) ?? new Set<string>());
      const missing = paths.filter((p) => !pool.some((set) => hasPath(set, p)));
      expect(missing).toEqual([]);
    },
  );

  it('logs the evidence the alert views chart: ports reached and the known scanner of a suppressed alert', () => {
    const bySource = Object.fromEntries(alertsRecorded.map((a) => [a.source, a]));
    expect(bySource['203.0.113.50']).toMatchObject({
      reachedPorts: 60,
      suppressed: false,
      knownScanner: null,
    });
    expect((bySource['203.0.113.50']?.reached as number[] | undefined)?.slice(0, 3)).toEqual([1, 2, 3]);
    expect(bySource['198.51.100.9']).toMatchObject({
      suppressed: true,
      knownScanner: '198.51.100.0/24 (research scanner)',
    });
    expect(hasPath(logged.get(LOG_MESSAGES.ingestSummary) ?? new Set(), 'recordsBySource.asim')).toBe(true);
    expect(logged.get(LOG_MESSAGES.flowLogSummary)?.has('maxEventTimeMs')).toBe(true);
  });
});
