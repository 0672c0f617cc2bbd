import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../lib/errors.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import { eventCountOf } from '../../lib/window/WindowState.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { startFaultProxy } from '../support/faultProxy.js';
import {
  blobCreated,
  NSG_CONTAINER,
  nsgBlobName,
  nsgRecord,
  VNET_CONTAINER,
  vnetBlobName,
  vnetRecord,
  vnetScan,
  vnetTuple,
} from '../support/flowLogRecords.js';
import { azuriteSettings, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { azureBlockSink, NetworkWatcherBlob } from '../support/networkWatcherBlob.js';
import { runPortscan } from '../support/runCli.js';
import { scan, session } from '../support/sessions.js';

let az: Azurite;
let blobs: BlobServiceClient;
let vnet: ContainerClient;
let nsg: ContainerClient;
let blobCounter = 0;

beforeAll(async () => {
  az = await startAzurite();
  blobs = BlobServiceClient.fromConnectionString(az.connectionString());
  vnet = blobs.getContainerClient(VNET_CONTAINER);
  nsg = blobs.getContainerClient(NSG_CONTAINER);
  await vnet.create();
  await nsg.create();
});

afterAll(async () => {
  await az.stop();
});

function harness(overrides: Record<string, string> = {}, tablePort?: number): FunctionsHarness {
  return new FunctionsHarness(
    azuriteSettings(az, overrides, tablePort),
    az.connectionString(),
    '2026-11-01T11:00:00Z',
  );
}

/** A fresh VNet blob of the 10:00 hour (its own network interface, so tests never share a blob). */
function freshVnetBlob(): { name: string; writer: NetworkWatcherBlob } {
  const mac = `0022485D${(++blobCounter).toString(16).padStart(4, '0').toUpperCase()}`;
  const name = vnetBlobName('2026-11-01T10', mac);
  return { name, writer: new NetworkWatcherBlob(azureBlockSink(vnet, name)) };
}

/** The event of the `sequence`th commit to `name`, naming the account the harness reads. */
function eventFor(h: FunctionsHarness, name: string, sequence: number, container = VNET_CONTAINER): object {
  return blobCreated(h.services.flowLogs().blobs.url, container, name, sequence);
}

const summary = (alerts: readonly Alert[]) =>
  alerts.map((a) => [a.SrcIpAddr, a.BinStart, a.AttemptedPortsCount, a.EventCount, a.IsLate]);

/** A benign tuple late in the hour: progress passes the scans' bins plus the allowed lateness. */
const TAIL = vnetRecord('2026-11-01T10:40:00Z', [vnetTuple('2026-11-01T10:40:00Z', '198.51.100.250', 443)]);

/** The flow-log summaries logged so far. */
function flowSummaries(h: FunctionsHarness): Record<string, unknown>[] {
  return h.logged('flow log summary');
}

describe('Functions: flowLogs against Azurite (Blob and Table)', () => {
  it('counts a blob grown block by block, an event per commit, as portscan detect counts the final blob', async () => {
    const h = harness();
    const { name, writer } = freshVnetBlob();
    const records = [
      vnetRecord('2026-11-01T10:00:30Z', [
        ...vnetScan('203.0.113.80', 30, '2026-11-01T10:00:00Z', 1000),
        vnetTuple('2026-11-01T10:00:20Z', '198.51.100.1', 443),
      ]),
      vnetRecord('2026-11-01T10:01:30Z', [
        ...vnetScan('203.0.113.80', 30, '2026-11-01T10:01:00Z', 1030),
        ...vnetScan('203.0.113.80', 5, '2026-11-01T10:01:40Z', 1000),
      ]),
      vnetRecord('2026-11-01T10:02:30Z', vnetScan('2001:db8::5', 55, '2026-11-01T10:02:00Z', 1)),
      vnetRecord('2026-11-01T10:06:00Z', [
        ...vnetScan('203.0.113.80', 11, '2026-11-01T10:06:00Z', 2000),
        ...vnetScan('10.0.0.5', 100, '2026-11-01T10:06:00Z', 1),
      ]),
      TAIL,
    ];
    for (const [i, record] of records.entries()) {
      await writer.append(record);
      await h.flowLogs(eventFor(h, name, i + 1));
    }
    await h.closeBins();
    const alerts = await h.queuedAlerts();

    // The same blob, read whole by the CLI.
    const dir = mkdtempSync(join(tmpdir(), 'flowlogs-'));
    try {
      const file = join(dir, 'PT1H.json');
      writeFileSync(file, await vnet.getBlockBlobClient(name).downloadToBuffer());
      const run = await runPortscan(['detect', file]);
      expect(run.status).toBe(0);
      const cli = run.stdout
        .trim()
        .split('\n')
        .map((l) => AlertSchema.parse(JSON.parse(l)));
      expect(summary(alerts)).toEqual(summary(cli));
      expect(alerts.map((a) => a.ReportedBy)).toEqual(cli.map((a) => a.ReportedBy));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(summary(alerts)).toEqual([
      ['2001:db8::5', '2026-11-01T10:00:00.000Z', 55, 55, false],
      ['203.0.113.80', '2026-11-01T10:00:00.000Z', 60, 65, false],
    ]);
    // Each record block was read exactly once over the five events.
    const properties = await vnet.getBlockBlobClient(name).getProperties();
    const read = flowSummaries(h).reduce((t, s) => t + (s.bytes as number), 0);
    expect(read).toBe((properties.contentLength as number) - 14);
    expect(flowSummaries(h).map((s) => s.outcome)).toEqual([
      'counted',
      'counted',
      'counted',
      'counted',
      'counted',
    ]);
  });

  it('counts duplicate, out-of-order and concurrent events and a blob grown since its event exactly once', async () => {
    const h = harness();
    const { name, writer } = freshVnetBlob();
    // Three commits, their events held back.
    await writer.append(
      vnetRecord('2026-11-01T10:00:30Z', vnetScan('203.0.113.81', 20, '2026-11-01T10:00:00Z', 1)),
    );
    await writer.append(
      vnetRecord('2026-11-01T10:01:30Z', vnetScan('203.0.113.81', 20, '2026-11-01T10:01:00Z', 21)),
    );
    await writer.append(
      vnetRecord('2026-11-01T10:02:30Z', vnetScan('203.0.113.81', 20, '2026-11-01T10:02:00Z', 41)),
    );
    // The second and third events at once, both before any cursor exists: both read every block.
    await Promise.all([h.flowLogs(eventFor(h, name, 2)), h.flowLogs(eventFor(h, name, 3))]);
    // The first event, late, and the third again.
    await h.flowLogs(eventFor(h, name, 1));
    await h.flowLogs(eventFor(h, name, 3));
    // A fourth commit whose event comes after a fifth commit: it reads both; the fifth's event, twice,
    // finds nothing new (one block list read each).
    await writer.append(
      vnetRecord('2026-11-01T10:03:30Z', vnetScan('203.0.113.81', 10, '2026-11-01T10:03:00Z', 61)),
    );
    await writer.append(TAIL);
    await h.flowLogs(eventFor(h, name, 4));
    await h.flowLogs(eventFor(h, name, 5));
    await h.flowLogs(eventFor(h, name, 5));
    await h.closeBins();
    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.81', '2026-11-01T10:00:00.000Z', 70, 70, false],
    ]);
    expect(
      flowSummaries(h)
        .map((s) => s.outcome)
        .slice(2),
    ).toEqual(['covered', 'covered', 'counted', 'current', 'current']);
  });

  it('fails the invocation when Blob or Table Storage goes down mid-read, and is exact after redelivery', async () => {
    const blobProxy = await startFaultProxy(az.blobPort);
    const tableProxy = await startFaultProxy(az.tablePort);
    try {
      const h = harness({ FlowLogStorage: az.connectionString({ blob: blobProxy.port }) }, tableProxy.port);
      const { name, writer } = freshVnetBlob();
      await writer.append(
        vnetRecord('2026-11-01T10:00:30Z', vnetScan('203.0.113.82', 30, '2026-11-01T10:00:00Z', 1)),
      );
      await writer.append(
        vnetRecord('2026-11-01T10:01:30Z', vnetScan('203.0.113.82', 30, '2026-11-01T10:01:00Z', 31)),
      );
      // The block list comes back, the ranged read does not: nothing is counted.
      blobProxy.mode = { kind: 'downAfter', count: 1 };
      await expect(h.flowLogs(eventFor(h, name, 2))).rejects.toBeInstanceOf(StorageUnavailableError);
      blobProxy.mode = { kind: 'pass' };
      await h.flowLogs(eventFor(h, name, 2));
      // Table Storage goes down when the cursor is saved, after the new block's windows were written.
      await writer.append(TAIL);
      tableProxy.mode = {
        kind: 'failFrom',
        picks: (method, url) => method === 'PUT' && url.includes('flowlog-'),
      };
      await expect(h.flowLogs(eventFor(h, name, 3))).rejects.toBeInstanceOf(StorageUnavailableError);
      tableProxy.mode = { kind: 'pass' };
      const tailBin = Date.parse('2026-11-01T10:40:00Z');
      expect(
        (await h.services.store.readWindowRows('198.51.100.250', tailBin)).map((r) => eventCountOf(r.state)),
      ).toEqual([1]);
      // Event Grid delivers both again: the first is covered, the second reads the block again.
      await h.flowLogs(eventFor(h, name, 2));
      await h.flowLogs(eventFor(h, name, 3));
      await h.closeBins();
      expect(summary(await h.queuedAlerts())).toEqual([
        ['203.0.113.82', '2026-11-01T10:00:00.000Z', 60, 60, false],
      ]);
      expect(
        (await h.services.store.readWindowRows('198.51.100.250', tailBin)).map((r) => eventCountOf(r.state)),
      ).toEqual([1]);
      expect(flowSummaries(h).map((s) => s.outcome)).toEqual(['counted', 'covered', 'counted']);
    } finally {
      await blobProxy.close();
      await tableProxy.close();
    }
  });

  it('reads a blob replaced since its first read as new records, and counts the old ones once', async () => {
    const h = harness();
    const { name, writer } = freshVnetBlob();
    await writer.append(
      vnetRecord('2026-11-01T10:00:30Z', vnetScan('203.0.113.83', 30, '2026-11-01T10:00:00Z', 1)),
    );
    await h.flowLogs(eventFor(h, name, 1));
    await vnet.deleteBlob(name);
    const replacement = new NetworkWatcherBlob(azureBlockSink(vnet, name));
    await replacement.append(
      vnetRecord('2026-11-01T10:02:30Z', vnetScan('203.0.113.83', 25, '2026-11-01T10:02:00Z', 31)),
    );
    await replacement.append(TAIL);
    await h.flowLogs(eventFor(h, name, 3));
    await h.closeBins();
    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.83', '2026-11-01T10:00:00.000Z', 55, 55, false],
    ]);
    expect(flowSummaries(h).at(-1)).toMatchObject({ outcome: 'counted', restart: 'replaced' });
  });

  it('counts and dead-letters a deleted blob, another container, another account and a malformed block, never losing a good record', async () => {
    const h = harness();
    const { name, writer } = freshVnetBlob();
    await writer.append(
      vnetRecord('2026-11-01T10:00:30Z', vnetScan('203.0.113.84', 30, '2026-11-01T10:00:00Z', 1)),
    );
    await writer.appendRaw(
      ',{"time":"2026-11-01T10:01:00Z","category":"FlowLogFlowEvent","flowRecords":{"flows":[',
    );
    await writer.append(
      vnetRecord('2026-11-01T10:02:30Z', vnetScan('203.0.113.84', 25, '2026-11-01T10:02:00Z', 31)),
    );
    await writer.append(TAIL);
    await h.flowLogs(eventFor(h, name, 4));

    const gone = freshVnetBlob();
    await gone.writer.append(TAIL);
    await vnet.deleteBlob(gone.name);
    await h.flowLogs(eventFor(h, gone.name, 1));
    await h.flowLogs(blobCreated(h.services.flowLogs().blobs.url, 'other', 'x/PT1H.json', 1));
    await h.flowLogs(blobCreated('https://elsewhere.blob.core.windows.net/', VNET_CONTAINER, name, 9));
    await h.flowLogs({ subject: 'not an event' });
    await h.closeBins();

    expect(summary(await h.queuedAlerts())).toEqual([
      ['203.0.113.84', '2026-11-01T10:00:00.000Z', 55, 55, false],
    ]);
    const outcomes = flowSummaries(h).map((s) => [s.outcome, s.reason ?? null]);
    expect(outcomes).toEqual([
      ['counted', null],
      ['absent', 'blob not found'],
      ['refused', 'not a flow-log container'],
      ['refused', 'blob of another storage account'],
      ['refused', 'not a BlobCreated event'],
    ]);
    expect(Object.keys(flowSummaries(h)[0]?.invalid as object)).toEqual(['unknown: malformed JSON']);
    const letters: Record<string, unknown>[] = [];
    for await (const e of h.services.deadLetters.table.listEntities()) letters.push(e);
    expect(letters.map((l) => l.reason).sort()).toEqual(
      [
        'blob not found',
        'blob of another storage account',
        'malformed JSON',
        'not a BlobCreated event',
        'not a flow-log container',
      ].sort(),
    );
  });

  it('merges NSG flow logs and Event Hub traffic of one source and bin into one window and one alert', async () => {
    const h = harness();
    const name = nsgBlobName('2026-11-01T10', `000D3AF8${(++blobCounter).toString(16).padStart(4, '0')}`);
    const writer = new NetworkWatcherBlob(azureBlockSink(nsg, name));
    const ports = Array.from({ length: 30 }, (_, i) => 100 + i);
    await writer.append(nsgRecord('2026-11-01T10:01:00Z', '203.0.113.85', ports));
    await writer.append(nsgRecord('2026-11-01T10:40:00Z', '198.51.100.250', [443]));
    await h.flowLogs(eventFor(h, name, 2, NSG_CONTAINER));
    // 30 other ports and 10 of the same, from an ASIM export through the hub.
    await h.ingest(
      '0',
      [
        jsonLines([
          ...scan('203.0.113.85', 40, '2026-11-01T10:02:00Z', 120),
          session('198.51.100.9', 443, '2026-11-01T10:40:00Z'),
        ]),
      ],
      1,
      '2026-11-01T10:40:00Z',
    );
    await h.closeBins();
    const alerts = await h.queuedAlerts();
    expect(summary(alerts)).toEqual([['203.0.113.85', '2026-11-01T10:00:00.000Z', 60, 70, false]]);
    expect(alerts[0]?.ReportedBy).toEqual(['Microsoft/NSGFlow', 'Test/Firewall']);
  });
});
