import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/schema/Alert.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { azuriteSettings, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { scan, session } from '../support/sessions.js';

let az: Azurite;

beforeAll(async () => {
  az = await startAzurite();
});

afterAll(async () => {
  await az.stop();
});

const harness = () =>
  new FunctionsHarness(azuriteSettings(az), az.connectionString(), '2026-11-01T11:00:00Z');
const counts = (alerts: readonly Alert[]) =>
  alerts.map((a) => [a.SrcIpAddr, a.BinStart, a.AttemptedPortsCount, a.EventCount]);

/** One message per row, so every message carries its own sequence number. */
const messages = (rows: readonly object[]) => rows.map((r) => jsonLines([r]));
const enqueued = (n: number) => Array.from({ length: n }, () => '2026-11-01T10:31:00');
const partitionContext = (id: string) => ({
  fullyQualifiedNamespace: 'evhns-x.servicebus.windows.net',
  eventHubName: 'flows',
  consumerGroup: 'portscan',
  partitionId: id,
});
/** Long.js values as Node worker 3.16.0 delivers them (Azure/azure-functions-nodejs-worker#844). */
const longs = (first: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ low: first + i, high: 0, unsigned: false }));

// 60 ports from one source, split over two batches of one partition, and a benign tail row late
// enough that the watermark passes the scan's bin.
const rows = scan('203.0.113.60', 60, '2026-11-01T10:00:00Z');
const first = messages(rows.slice(0, 30));
const second = messages(rows.slice(30));
const tail = messages([session('198.51.100.250', 443, '2026-11-01T10:30:00Z')]);

describe('Functions: ingest with the trigger metadata the host really sends', () => {
  it('counts every event of consecutive batches whose sequence numbers are Long-like, and a redelivery once', async () => {
    const h = harness();
    const meta = (firstSeq: number, n: number) => ({
      triggerPartitionContext: { ...partitionContext('2'), isCheckpointingAfterInvocation: true },
      partitionContext: partitionContext('2'),
      sequenceNumberArray: longs(firstSeq, n),
      enqueuedTimeUtcArray: enqueued(n),
      offsetArray: Array.from({ length: n }, (_, i) => String((firstSeq + i) * 1000)),
      propertiesArray: Array.from({ length: n }, () => ({})),
      sys: { methodName: 'ingest' },
    });
    await h.ingestWithMetadata(first, meta(2251, 30));
    await h.ingestWithMetadata(second, meta(2281, 30));
    await h.ingestWithMetadata(second, meta(2281, 30)); // redelivered
    await h.ingestWithMetadata(tail, meta(2311, 1));
    await h.closeBins();
    expect(counts(await h.queuedAlerts())).toEqual([['203.0.113.60', '2026-11-01T10:00:00.000Z', 60, 60]]);
    expect(h.logged('trigger metadata incomplete')).toEqual([]);
    expect(h.logged('ingest summary').map((s) => s.partition)).toEqual(['2', '2', '2', '2']);
  });

  it('logs an error with the invocation id when sequence numbers are missing, and counts every event', async () => {
    const h = harness();
    const meta = (n: number) => ({
      partitionContext: partitionContext('1'),
      enqueuedTimeUtcArray: enqueued(n),
    });
    const firstId = await h.ingestWithMetadata(first, meta(30));
    await h.ingestWithMetadata(second, meta(30));
    await h.ingestWithMetadata(tail, meta(1));
    await h.closeBins();
    expect(counts(await h.queuedAlerts())).toEqual([['203.0.113.60', '2026-11-01T10:00:00.000Z', 60, 60]]);
    const errors = h.logged('trigger metadata incomplete');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toEqual({
      event: 'trigger metadata incomplete',
      invocationId: firstId,
      partition: '1',
      countedAs: `1~${firstId}`,
      messages: 30,
      problems: ['no sequenceNumberArray'],
    });
    expect(h.logs.filter((l) => l[0] === 'error')).toHaveLength(3);
  });

  it('counts a redelivered batch without sequence numbers twice rather than dropping anything', async () => {
    const h = harness();
    const meta = (n: number) => ({
      partitionContext: partitionContext('1'),
      enqueuedTimeUtcArray: enqueued(n),
    });
    await h.ingestWithMetadata(first, meta(30));
    await h.ingestWithMetadata(first, meta(30)); // redelivered: its events count again
    await h.ingestWithMetadata(second, meta(30));
    await h.ingestWithMetadata(tail, meta(1));
    await h.closeBins();
    expect(counts(await h.queuedAlerts())).toEqual([['203.0.113.60', '2026-11-01T10:00:00.000Z', 60, 90]]);
  });

  it('counts batches without a partition id and still closes bins on their progress', async () => {
    const h = harness();
    const meta = (firstSeq: number, n: number) => ({
      sequenceNumberArray: Array.from({ length: n }, (_, i) => firstSeq + i),
      enqueuedTimeUtcArray: enqueued(n),
    });
    await h.ingestWithMetadata(first, meta(10, 30));
    await h.ingestWithMetadata(second, meta(40, 30));
    await h.ingestWithMetadata(tail, meta(70, 1));
    await h.closeBins();
    expect(counts(await h.queuedAlerts())).toEqual([['203.0.113.60', '2026-11-01T10:00:00.000Z', 60, 60]]);
    const errors = h.logged('trigger metadata incomplete');
    expect(errors.map((e) => e.problems)).toEqual([
      ['no partition id (triggerPartitionContext / partitionContext)'],
      ['no partition id (triggerPartitionContext / partitionContext)'],
      ['no partition id (triggerPartitionContext / partitionContext)'],
    ]);
    expect((await h.services.store.readProgress()).map((p) => p.partition)).toEqual(['unknown']);
  });
});
