import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchAggregator } from '../../lib/detection/BatchAggregator.js';
import { StorageUnavailableError } from '../../lib/errors.js';
import { InMemoryPartitionBacklog } from '../../lib/eventhub/InMemoryPartitionBacklog.js';
import { bucketOf } from '../../lib/state/keys.js';
import { TableWindowStore } from '../../lib/state/TableWindowStore.js';
import { eventCountOf } from '../../lib/window/WindowState.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.js';
import { azuriteSettings, envelope, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { startHttpReceiver } from '../support/httpReceiver.js';
import { scan, session } from '../support/sessions.js';

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

function harness(now = '2026-11-01T11:00:00Z'): FunctionsHarness {
  proxy.mode = { kind: 'pass' };
  return new FunctionsHarness(azuriteSettings(az, {}, proxy.port), az.connectionString(), now);
}

/** Two Function App instances (each its own row cache) on the same tables. */
function instances(now = '2026-11-01T11:00:00Z'): [FunctionsHarness, FunctionsHarness] {
  proxy.mode = { kind: 'pass' };
  const settings = azuriteSettings(az, {}, proxy.port);
  const hub = new InMemoryPartitionBacklog();
  return [
    new FunctionsHarness(settings, az.connectionString(), now, hub),
    new FunctionsHarness(settings, az.connectionString(), now, hub),
  ];
}

/** 100 public sources of the same bucket: one batch's rows of one bin for them form one 100-row transaction. */
const SAME_BUCKET = Array.from({ length: 5000 }, (_, i) => `203.0.${i >> 8}.${i & 255}`)
  .filter((s) => bucketOf(s) === bucketOf('203.0.0.0'))
  .slice(0, 100);
const BIN = Date.parse('2026-11-01T10:00:00Z');
/** Batch `n` (1, 2, 3…): each of the 100 sources reaches port 1000+n, one event each. */
const chunkBatch = (n: number) => [
  envelope(SAME_BUCKET.map((s) => session(s, 1000 + n, `2026-11-01T10:0${n}:00Z`))),
];
const lastSummary = (h: FunctionsHarness) => h.logged('ingest summary').at(-1)?.storage;

async function expectChunkState(h: FunctionsHarness, batches: number): Promise<void> {
  for (const source of [SAME_BUCKET[0] as string, SAME_BUCKET[99] as string]) {
    const rows = await h.services.store.readWindowRows(source, BIN);
    expect(rows.map((r) => [r.state.ports.toSortedArray(), eventCountOf(r.state)])).toEqual([
      [Array.from({ length: batches }, (_, i) => 1001 + i), batches],
    ]);
  }
}
const tail = session('198.51.100.250', 443, '2026-11-01T10:30:00Z');
const scanBatch = (src: string, ports: number) => [
  envelope(scan(src, ports, '2026-11-01T10:00:00Z')),
  jsonLines([tail]),
];
const counts = async (h: FunctionsHarness) =>
  (await h.queuedAlerts()).map((a) => [a.SrcIpAddr, a.AttemptedPortsCount, a.EventCount]);

describe('Faults: lost responses and stale caches', () => {
  it('resolves a response lost after commit on a 100-row chunk in one round: one query re-reads every row', async () => {
    const h = harness();
    expect(SAME_BUCKET).toHaveLength(100);
    await h.ingest('0', chunkBatch(1), 1, '2026-11-01T10:01:00Z');
    // The transaction commits, its response is lost, the SDK's retry meets 412 on the chunk.
    proxy.mode = {
      kind: 'loseResponse',
      picks: (m, url) => m === 'POST' && url.includes('$batch'),
      count: 1,
    };
    await h.ingest('0', chunkBatch(2), 2, '2026-11-01T10:02:00Z');
    expect(proxy.injected.lostResponses).toBeGreaterThan(0);
    expect(lastSummary(h)).toEqual({ entityWrites: 100, transactions: 2, conflicts: 1, reads: 1 });
    await expectChunkState(h, 2);
  });

  it('succeeds on the next invocation when every attempt lost its response (the cached rows were forgotten)', async () => {
    const h = harness();
    await h.ingest('0', chunkBatch(1), 1, '2026-11-01T10:01:00Z');
    proxy.mode = {
      kind: 'loseResponse',
      picks: (m, url) => m === 'POST' && url.includes('$batch'),
      count: 2,
    };
    await expect(h.ingest('0', chunkBatch(2), 2, '2026-11-01T10:02:00Z')).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    proxy.mode = { kind: 'pass' };
    // Event Hubs redelivers the batch: one failed transaction (the rows exist), one query, one write.
    await h.ingest('0', chunkBatch(2), 2, '2026-11-01T10:02:00Z');
    expect(lastSummary(h)).toEqual({ entityWrites: 100, transactions: 2, conflicts: 1, reads: 1 });
    await expectChunkState(h, 2);
  });

  it('resolves stale caches in one round when a partition moves from instance A to B and back', async () => {
    const [a, b] = instances();
    await a.ingest('0', chunkBatch(1), 1, '2026-11-01T10:01:00Z');
    await b.ingest('0', chunkBatch(2), 2, '2026-11-01T10:02:00Z');
    expect(lastSummary(b)).toEqual({ entityWrites: 100, transactions: 2, conflicts: 1, reads: 1 });
    // A's cache holds the rows as it wrote them, before B's batch: every row is stale.
    await a.ingest('0', chunkBatch(3), 3, '2026-11-01T10:03:00Z');
    expect(lastSummary(a)).toEqual({ entityWrites: 100, transactions: 2, conflicts: 1, reads: 1 });
    await expectChunkState(a, 3);
  });

  it('keeps its row cache within its byte budget, and rows that were dropped from it are read again when written', async () => {
    const store = TableWindowStore.fromConnection(
      { kind: 'connectionString', connectionString: az.connectionString() },
      `Cache${process.pid}`,
      { maxRetries: 1, retryDelayInMs: 20, maxRetryDelayInMs: 50 },
      // Room for about 8 of the batch's 20 rows (about 0.6 KB each).
      5 * 1024,
    );
    const batch = (seq: number) => {
      const agg = new BatchAggregator(true);
      for (const source of SAME_BUCKET.slice(0, 20)) {
        for (let p = 0; p < 40; p++) {
          agg.add(
            {
              source,
              binStartMs: BIN,
              timeMs: BIN + p,
              port: 100 * seq + p,
              reporter: 'AWS/VPC',
              eventCount: 1,
              target: '10.0.0.1',
              reached: p % 2 === 0,
              device: 'vpc-0a1b2c3d',
            },
            seq,
          );
        }
      }
      return agg.groups();
    };
    await store.applyWindows('0', batch(1));
    expect(store.rowCache.bytes).toBeLessThanOrEqual(5 * 1024);
    expect(store.rowCache.evicted).toBeGreaterThan(0);
    const second = await store.applyWindows('0', batch(2));
    // The rows no longer cached are created, meet 409, and are read back in one query.
    expect(second).toMatchObject({ entityWrites: 20, conflicts: 1, reads: 1 });
    const rows = await store.readWindowRows(SAME_BUCKET[0] as string, BIN);
    expect(rows.map((r) => [r.state.ports.size, eventCountOf(r.state)])).toEqual([[80, 80]]);
  });

  it('is exact when a transaction is reset in the middle of its request', async () => {
    const h = harness();
    await h.ingest('0', chunkBatch(1), 1, '2026-11-01T10:01:00Z');
    proxy.mode = {
      kind: 'resetMidRequest',
      picks: (m, url) => m === 'POST' && url.includes('$batch'),
      count: 1,
      bytes: 2000,
    };
    await h.ingest('0', chunkBatch(2), 2, '2026-11-01T10:02:00Z');
    expect(proxy.injected.resets).toBeGreaterThan(0);
    await expectChunkState(h, 2);
  });
});

describe('Faults: Table Storage throttling, outages and crashes', () => {
  it('answers throttling (503, then 500) with backoff and completes the batch', async () => {
    const h = harness();
    proxy.mode = { kind: 'status', status: 503, count: 1 };
    await h.ingest('0', scanBatch('203.0.113.1', 60), 1, '2026-11-01T10:31:00Z');
    proxy.mode = { kind: 'status', status: 500, count: 1 };
    await h.ingest(
      '0',
      [jsonLines(scan('203.0.113.1', 5, '2026-11-01T10:01:00Z', 900))],
      3,
      '2026-11-01T10:31:00Z',
    );
    await h.closeBins();
    expect(await counts(h)).toEqual([['203.0.113.1', 65, 65]]);
  });

  it('fails the invocation when storage stays down past the retry budget, without recording progress, and is exact after recovery', async () => {
    const h = harness();
    proxy.mode = { kind: 'down' };
    await expect(
      h.ingest('0', scanBatch('203.0.113.2', 70), 1, '2026-11-01T10:31:00Z'),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
    proxy.mode = { kind: 'pass' };
    expect(await h.services.store.readProgress()).toEqual([]);
    await h.ingest('0', scanBatch('203.0.113.2', 70), 1, '2026-11-01T10:31:00Z');
    await h.closeBins();
    expect(await counts(h)).toEqual([['203.0.113.2', 70, 70]]);
  });

  it('is exact when the process dies between the state write and the checkpoint (the batch is redelivered)', async () => {
    const h = harness();
    // The windows are written; the first write to the Control table (the progress) fails: the
    // invocation dies before it completes, so Event Hubs never checkpoints and redelivers.
    proxy.mode = { kind: 'failFrom', picks: (method, url) => method !== 'GET' && /Control/.test(url) };
    await expect(
      h.ingest('0', scanBatch('203.0.113.3', 80), 1, '2026-11-01T10:31:00Z'),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
    proxy.mode = { kind: 'pass' };
    const before = await h.services.store.readWindowRows('203.0.113.3', Date.parse('2026-11-01T10:00:00Z'));
    expect(before.map((r) => r.state.ports.size)).toEqual([80]);
    await h.ingest('0', scanBatch('203.0.113.3', 80), 1, '2026-11-01T10:31:00Z');
    await h.closeBins();
    expect(await counts(h)).toEqual([['203.0.113.3', 80, 80]]);
  });

  it('delivers each alert once when the timer dies after queueing some of them', async () => {
    const h = harness();
    await h.ingest(
      '0',
      [
        envelope([
          ...scan('203.0.113.4', 60, '2026-11-01T10:00:00Z'),
          ...scan('203.0.113.5', 61, '2026-11-01T10:00:00Z'),
        ]),
        jsonLines([tail]),
      ],
      1,
      '2026-11-01T10:31:00Z',
    );
    // Let the first alert be claimed, queued and recorded (two outbox updates), then die.
    let outboxUpdates = 0;
    proxy.mode = {
      kind: 'failFrom',
      picks: (method, url) => /Outbox\(/.test(url) && method !== 'GET' && ++outboxUpdates > 2,
    };
    await expect(h.closeBins()).rejects.toBeInstanceOf(StorageUnavailableError);
    proxy.mode = { kind: 'pass' };
    expect((await h.queuedAlerts()).map((a) => a.SrcIpAddr)).toHaveLength(1);
    await h.closeBins();
    const second = await h.queuedAlerts();
    expect(second).toHaveLength(1);
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
  });
});

describe('Faults: delivery through lost responses, crashes and long runs', () => {
  /** Two alerts in the 10:00 bin, and progress far enough for the timer to close it. */
  async function twoAlerts(h: FunctionsHarness, third = false): Promise<void> {
    await h.ingest(
      '0',
      [
        envelope([
          ...scan('203.0.113.4', 60, '2026-11-01T10:00:00Z'),
          ...scan('203.0.113.5', 61, '2026-11-01T10:00:00Z'),
          ...(third ? scan('203.0.113.6', 62, '2026-11-01T10:00:00Z') : []),
        ]),
        jsonLines([tail]),
      ],
      1,
      '2026-11-01T10:31:00Z',
    );
  }
  const outboxUpdate = (method: string, url: string) => method === 'PATCH' && /Outbox\(/.test(url);

  it('recognizes its own outbox updates when their responses are lost, and delivers each alert once', async () => {
    const h = harness();
    await twoAlerts(h);
    // Every outbox update (claims, sink records, releases) commits, loses its response, and
    // meets 412 when the SDK retries it.
    let updates = 0;
    proxy.mode = {
      kind: 'loseResponse',
      picks: (m, url) => outboxUpdate(m, url) && ++updates % 2 === 1,
      count: 100,
    };
    await h.closeBins();
    proxy.mode = { kind: 'pass' };
    expect(proxy.injected.lostResponses).toBeGreaterThanOrEqual(6);
    expect(await counts(h)).toEqual([
      ['203.0.113.4', 60, 60],
      ['203.0.113.5', 61, 61],
    ]);
    expect(
      (await h.services.delivery().outbox.listAll()).map((e) => [e.sinks.queue?.state, e.leaseOwner]),
    ).toEqual([
      ['delivered', ''],
      ['delivered', ''],
    ]);
    expect(h.logged('close summary').at(-1)?.deliveriesTakenOver).toBe(0);
  });

  it('re-sends an alert when the timer dies between the send and its record (at least once), once its lease expires', async () => {
    const h = harness();
    await twoAlerts(h);
    // The claim of the first alert passes, the queue takes it, the record of that send fails.
    let updates = 0;
    proxy.mode = { kind: 'failFrom', picks: (m, url) => outboxUpdate(m, url) && ++updates === 2 };
    await expect(h.closeBins()).rejects.toBeInstanceOf(StorageUnavailableError);
    proxy.mode = { kind: 'pass' };
    const first = await h.queuedAlerts();
    expect(first).toHaveLength(1);
    // Within the dead run's lease, the next run leaves that alert alone and sends the other.
    h.nowMs += 60_000;
    await h.closeBins();
    expect([...first, ...(await h.queuedAlerts())].map((a) => a.SrcIpAddr).sort()).toEqual([
      '203.0.113.4',
      '203.0.113.5',
    ]);
    // After it, the alert is sent again: the same document, to be deduplicated on (AlertId, Revision).
    h.nowMs += 5 * 60_000;
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual(first);
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
  });

  it('keeps its delivery lease through a run longer than the lease: a second run never re-delivers', async () => {
    const receiver = await startHttpReceiver({ kind: 'status', status: 200 });
    try {
      proxy.mode = { kind: 'pass' };
      const h = new FunctionsHarness(
        azuriteSettings(
          az,
          {
            PORTSCAN_SINK_HOOK_KIND: 'webhook',
            PORTSCAN_SINK_HOOK_URL: receiver.url('/alerts'),
            PORTSCAN_SINK_HOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
            PORTSCAN_HTTP_TIMEOUT_SECONDS: '60',
          },
          proxy.port,
        ),
        az.connectionString(),
        '2026-11-01T11:00:00Z',
      );
      await twoAlerts(h, true);
      // Each webhook call takes four minutes of the run's clock; during the second one, the next
      // timer run starts (eight minutes after this one).
      let second: Promise<void> | undefined;
      receiver.onRequest = async () => {
        h.nowMs += 4 * 60_000;
        if (receiver.requests.length === 2) {
          second = h.closeBins();
          await second;
        }
      };
      await h.closeBins();
      await second;
      const ids = receiver.requests.map((r) => (JSON.parse(r.body) as { SrcIpAddr: string }).SrcIpAddr);
      expect(ids.sort()).toEqual(['203.0.113.4', '203.0.113.5', '203.0.113.6']);
      expect((await h.queuedAlerts()).map((a) => a.SrcIpAddr)).toEqual([
        '203.0.113.4',
        '203.0.113.5',
        '203.0.113.6',
      ]);
      expect(
        (await h.services.delivery().outbox.listAll()).every((e) =>
          Object.values(e.sinks).every((s) => s.state === 'delivered'),
        ),
      ).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
