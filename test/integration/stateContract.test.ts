import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchAggregator } from '../../lib/detection/BatchAggregator.js';
import { StreamingDetector } from '../../lib/detection/StreamingDetector.js';
import type { Alert } from '../../lib/schema/Alert.js';
import type { AlertOutbox, OutboxEntry } from '../../lib/state/AlertOutbox.js';
import { mergeProgress } from '../../lib/state/forwardOnly.js';
import { InMemoryAlertOutbox } from '../../lib/state/InMemoryAlertOutbox.js';
import { InMemoryWindowStore } from '../../lib/state/InMemoryWindowStore.js';
import { TableAlertOutbox } from '../../lib/state/TableAlertOutbox.js';
import { TableWindowStore } from '../../lib/state/TableWindowStore.js';
import type { LateMarker, PartitionProgress, WindowStore } from '../../lib/state/WindowStore.js';
import { eventCountOf } from '../../lib/window/WindowState.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { scan } from '../support/sessions.js';
import { testSettings } from '../support/settings.js';

let az: Azurite;
let counter = 0;

beforeAll(async () => {
  az = await startAzurite();
});

afterAll(async () => {
  await az.stop();
});

const BIN = Date.parse('2026-11-01T10:00:00Z');

function batch(source: string, ports: number[], seq: number): BatchAggregator {
  const agg = new BatchAggregator(true);
  for (const p of ports) {
    agg.add(
      {
        source,
        binStartMs: BIN,
        timeMs: BIN + p,
        port: p,
        reporter: 'AWS/VPC',
        eventCount: 1,
        target: '10.0.0.1',
        reached: p % 2 === 0,
        device: 'vpc-0a1b2c3d',
      },
      seq,
    );
  }
  return agg;
}

function anAlert(): Alert {
  const alerts: Alert[] = [];
  const d = new StreamingDetector(testSettings(), (a) => alerts.push(a));
  for (const r of scan('203.0.113.1', 60, '2026-11-01T10:00:00Z')) d.add(r);
  d.finish();
  return alerts[0] as Alert;
}

const stores: [string, () => { store: WindowStore; outbox: AlertOutbox }][] = [
  [
    'Table Storage (Azurite)',
    () => {
      const connection = { kind: 'connectionString' as const, connectionString: az.connectionString() };
      const prefix = `Contract${++counter}`;
      return {
        store: TableWindowStore.fromConnection(connection, prefix),
        outbox: TableAlertOutbox.fromConnection(connection, prefix),
      };
    },
  ],
  ['in memory', () => ({ store: new InMemoryWindowStore(), outbox: new InMemoryAlertOutbox() })],
];

describe.each(stores)('State contract: %s', (_name, make) => {
  it('applies a batch once however often it is delivered, and keeps partitions apart', async () => {
    const { store } = make();
    await store.applyWindows('0', batch('203.0.113.1', [1, 2, 3], 10).groups());
    await store.applyWindows('0', batch('203.0.113.1', [1, 2, 3], 10).groups());
    await store.applyWindows('1', batch('203.0.113.1', [3, 4], 7).groups());
    const rows = (await store.readWindowRows('203.0.113.1', BIN)).sort((a, b) =>
      a.partition < b.partition ? -1 : 1,
    );
    expect(rows.map((r) => [r.partition, r.state.ports.toSortedArray(), eventCountOf(r.state)])).toEqual([
      ['0', [1, 2, 3], 3],
      ['1', [3, 4], 2],
    ]);
    const listed: string[] = [];
    for await (const r of store.listBinWindows(BIN)) listed.push(`${r.source}|${r.partition}`);
    expect(listed.sort()).toEqual(['203.0.113.1|0', '203.0.113.1|1']);
    expect(await store.deleteBins([BIN])).toBe(2);
    expect(await store.readWindowRows('203.0.113.1', BIN)).toEqual([]);
  });

  it('moves the closer and the progress forward only', async () => {
    const { store } = make();
    const c0 = await store.readCloser();
    const c1 = await store.advanceCloser({ announcedMs: 100, evaluatedMs: 50, sweptMs: 0 }, c0);
    const c2 = await store.advanceCloser({ announcedMs: 80, evaluatedMs: 90, sweptMs: 10 }, c0);
    expect([c1.announcedMs, c2.announcedMs, c2.evaluatedMs, c2.sweptMs]).toEqual([100, 100, 90, 10]);
    const p = {
      partition: '3',
      maxEventTimeMs: 500,
      minEventTimeMs: 400,
      maxEnqueuedTimeMs: 600,
      lastSequenceNumber: 9,
      updatedAtMs: 700,
    };
    await store.recordProgress(p);
    await store.recordProgress({
      ...p,
      maxEventTimeMs: 450,
      minEventTimeMs: 300,
      lastSequenceNumber: 5,
      updatedAtMs: 650,
    });
    expect(await store.readProgress()).toEqual([{ ...p, minEventTimeMs: 300 }]);
  });

  it("keeps a flow-log feed's kind and the latest hour end it read", async () => {
    const { store } = make();
    const p = {
      partition: 'flowlog-0123456789abcdef',
      maxEventTimeMs: 500,
      minEventTimeMs: 400,
      maxEnqueuedTimeMs: 600,
      lastSequenceNumber: 9,
      updatedAtMs: 700,
      feed: 'flowlog' as const,
      feedEndMs: 3_600_000,
    };
    await store.recordProgress(p);
    await store.recordProgress({ ...p, feedEndMs: 0, updatedAtMs: 800 });
    const { feed: _feed, feedEndMs: _end, ...eventHub } = p;
    await store.recordProgress({ ...eventHub, partition: '0' });
    const byPartition = new Map((await store.readProgress()).map((r) => [r.partition, r]));
    expect(byPartition.get(p.partition)).toEqual({ ...p, updatedAtMs: 800 });
    expect(byPartition.get('0')).not.toHaveProperty('feed');
  });

  it('keeps a late mark that was set again after it was read', async () => {
    const { store } = make();
    await store.markLate([{ source: '203.0.113.9', binStartMs: BIN }]);
    const [first] = await collect(store.listLateMarkers());
    await store.markLate([{ source: '203.0.113.9', binStartMs: BIN }]);
    await store.deleteLateMarker(first as LateMarker);
    expect((await collect(store.listLateMarkers())).map((m) => [m.source, m.binStartMs])).toEqual([
      ['203.0.113.9', BIN],
    ]);
    const [second] = await collect(store.listLateMarkers());
    await store.deleteLateMarker(second as LateMarker);
    expect(await collect(store.listLateMarkers())).toEqual([]);
  });

  it('records an alert once, leases it to one run, and releases it', async () => {
    const { outbox } = make();
    const alert = anAlert();
    expect(await outbox.record(alert, ['queue', 'TEAMS'], 1000)).toBe(true);
    expect(await outbox.record(alert, ['queue', 'TEAMS'], 2000)).toBe(false);
    const [entry] = await outbox.listPending();
    const mine = await outbox.claim(entry as OutboxEntry, 'run-a', 1000, 5000);
    expect(mine).toBeDefined();
    expect(await outbox.claim(entry as OutboxEntry, 'run-b', 1000, 5000)).toBeUndefined();
    const saved = await outbox.saveSinks(
      mine as OutboxEntry,
      { queue: { state: 'delivered', failedRuns: 0 }, TEAMS: { state: 'pending', failedRuns: 1 } },
      0,
    );
    expect(saved?.leaseUntilMs).toBe(0);
    const [again] = await outbox.listPending();
    expect(await outbox.claim(again as OutboxEntry, 'run-b', 1000, 5000)).toBeDefined();
    expect(await outbox.purge(10_000)).toBe(0);
  });

  it('renews a lease while delivering, and gives an entry up when another run corrected it meanwhile', async () => {
    const { outbox } = make();
    const alert = anAlert();
    await outbox.record(alert, ['queue', 'TEAMS'], 1000);
    const [entry] = await outbox.listPending();
    const mine = (await outbox.claim(entry as OutboxEntry, 'run-a', 1000, 5000)) as OutboxEntry;
    const renewed = await outbox.saveSinks(
      mine,
      { queue: { state: 'delivered', failedRuns: 0 }, TEAMS: { state: 'pending', failedRuns: 0 } },
      9000,
    );
    expect([renewed?.leaseOwner, renewed?.leaseUntilMs]).toEqual(['run-a', 9000]);
    // Past the first lease's end, another run may not take it: it was renewed.
    expect(await outbox.claim((await outbox.read(alert.AlertId)) as OutboxEntry, 'run-b', 6000, 11_000)).toBe(
      undefined,
    );
    // A correction (revision 2) while run-a still delivers: run-a's next save gives the entry up.
    const correction = { ...alert, Revision: 2, AttemptedPortsCount: 61 };
    const revised = await outbox.revise((await outbox.read(alert.AlertId)) as OutboxEntry, correction, [
      'queue',
      'TEAMS',
    ]);
    expect(revised?.alert.Revision).toBe(2);
    expect(
      await outbox.saveSinks(
        renewed as OutboxEntry,
        { queue: { state: 'delivered', failedRuns: 0 }, TEAMS: { state: 'delivered', failedRuns: 0 } },
        0,
      ),
    ).toBeUndefined();
    const stored = (await outbox.read(alert.AlertId)) as OutboxEntry;
    expect([stored.alert.Revision, stored.alert.AttemptedPortsCount, stored.sinks]).toEqual([
      2,
      61,
      { queue: { state: 'pending', failedRuns: 0 }, TEAMS: { state: 'pending', failedRuns: 0 } },
    ]);
    // A revision from a stale read is refused.
    expect(await outbox.revise(renewed as OutboxEntry, { ...correction, Revision: 3 }, ['queue'])).toBe(
      undefined,
    );
  });
});

describe('Progress rows in Table Storage, written over the row each instance remembers', () => {
  const progress = (over: Partial<PartitionProgress>): PartitionProgress => ({
    partition: '2',
    maxEventTimeMs: 500,
    minEventTimeMs: 400,
    maxEnqueuedTimeMs: 600,
    lastSequenceNumber: 9,
    updatedAtMs: 700,
    ...over,
  });

  it('merges over what is stored when another instance wrote the row, or it was deleted, since this one wrote it', async () => {
    const connectionString = az.connectionString();
    const connection = { kind: 'connectionString' as const, connectionString };
    const prefix = `Contract${++counter}`;
    // Two instances that own partition 2 in turn, each remembering the row it wrote last.
    const a = TableWindowStore.fromConnection(connection, prefix);
    const b = TableWindowStore.fromConnection(connection, prefix);
    const written = [
      progress({}),
      progress({ maxEventTimeMs: 800, minEventTimeMs: 450, lastSequenceNumber: 20, updatedAtMs: 900 }),
      progress({ maxEventTimeMs: 700, minEventTimeMs: 350, lastSequenceNumber: 15, updatedAtMs: 1000 }),
      progress({ maxEventTimeMs: 900, minEventTimeMs: 500, maxEnqueuedTimeMs: 950, updatedAtMs: 1100 }),
    ];
    await a.recordProgress(written[0] as PartitionProgress);
    await b.recordProgress(written[1] as PartitionProgress);
    // a's remembered row is stale: its write is refused and merged over the row b wrote.
    await a.recordProgress(written[2] as PartitionProgress);
    const merged = written.slice(0, 3).reduce<PartitionProgress | undefined>(mergeProgress, undefined);
    expect(await a.readProgress()).toEqual([merged]);
    // The row deleted behind a's back: its replace finds none and creates the row anew.
    await TableClient.fromConnectionString(connectionString, `${prefix}Control`, {
      allowInsecureConnection: true,
    }).deleteEntity('progress', '2');
    await a.recordProgress(written[3] as PartitionProgress);
    expect(await b.readProgress()).toEqual([written[3]]);
    // b's remembered row is stale too.
    await b.recordProgress(written[1] as PartitionProgress);
    expect(await a.readProgress()).toEqual([mergeProgress(written[3], written[1] as PartitionProgress)]);
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
