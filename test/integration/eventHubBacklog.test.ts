import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesFromSettings } from '../../functions/shared/composition.js';
import { BatchAggregator } from '../../lib/detection/BatchAggregator.js';
import { closeBins } from '../../lib/detection/closeBins.js';
import { EventHubUnavailableError } from '../../lib/errors.js';
import { EventHubPartitionBacklog } from '../../lib/eventhub/EventHubPartitionBacklog.js';
import { silentLogger } from '../../lib/observability/Logger.js';
import { InMemoryAlertOutbox } from '../../lib/state/InMemoryAlertOutbox.js';
import { InMemoryWindowStore } from '../../lib/state/InMemoryWindowStore.js';
import { EventHubsPeer } from '../support/eventHubsPeer.js';
import { testSettings } from '../support/settings.js';

/**
 * The Event Hubs adapter of the closing timer, with the real `@azure/event-hubs` SDK over AMQP
 * against the protocol-level peer in test/support (no Event Hubs emulator runs here).
 */
let peer: EventHubsPeer;
const FAST = { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50, timeoutInMs: 5000 };
const T = Date.parse('2026-11-01T10:00:00Z');
const MIN = 60_000;

beforeAll(async () => {
  peer = await EventHubsPeer.start({ hubs: { flows: { partitionIds: ['0', '1', '2'] } } });
});

afterAll(async () => {
  await peer.stop();
});

function backlog(key?: string): EventHubPartitionBacklog {
  return EventHubPartitionBacklog.fromConnection(
    { kind: 'connectionString', connectionString: peer.connectionString('flows', key) },
    'flows',
    'portscan',
    FAST,
  );
}

describe('Event Hubs partition backlog: the real SDK against the AMQP peer', () => {
  it('reads every partition tail with one hub request and one request per partition', async () => {
    peer.setPartition('flows', '0', { lastEnqueuedSequenceNumber: 41, lastEnqueuedTimeUtc: new Date(T) });
    peer.setPartition('flows', '1', {
      beginningSequenceNumber: 7,
      lastEnqueuedSequenceNumber: 9,
      lastEnqueuedTimeUtc: new Date(T + MIN),
    });
    const b = backlog();
    const before = peer.managementRequests.length;
    try {
      const tails = await b.readTails();
      expect(
        tails.map((t) => [t.partition, t.isEmpty, t.beginningSequenceNumber, t.lastEnqueuedSequenceNumber]),
      ).toEqual([
        ['0', false, 0, 41],
        ['1', false, 7, 9],
        ['2', true, 0, -1],
      ]);
      expect(tails.find((t) => t.partition === '1')?.lastEnqueuedTimeMs).toBe(T + MIN);
      expect(
        peer.managementRequests.slice(before).map((r) => [r.type, r.partitionId ?? null, r.outcome]),
      ).toEqual([
        ['com.microsoft:eventhub', null, 'ok'],
        ['com.microsoft:partition', '0', 'ok'],
        ['com.microsoft:partition', '1', 'ok'],
        ['com.microsoft:partition', '2', 'ok'],
      ]);
    } finally {
      await b.close();
    }
  });

  it('retries a failed request, and fails with EventHubUnavailableError when the hub keeps failing or refuses the key, quoting no key', async () => {
    // A peer of its own: its faults stay with it.
    const busy = await EventHubsPeer.start({ hubs: { flows: { partitionIds: ['0', '1', '2'] } } });
    const connect = (key?: string) =>
      EventHubPartitionBacklog.fromConnection(
        { kind: 'connectionString', connectionString: busy.connectionString('flows', key) },
        'flows',
        'portscan',
        FAST,
      );
    const b = connect();
    try {
      busy.injectFault({ operation: 'management', kind: 'internal-error', times: 1 });
      expect(await b.readTails()).toHaveLength(3);
      busy.injectFault({ operation: 'management', kind: 'internal-error', times: 1000 });
      const error = await b.readTails().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventHubUnavailableError);
      expect((error as Error).message).toMatch(/^Event Hubs partition properties unavailable \(.+\)$/);
      expect((error as Error).message).not.toContain(EventHubsPeer.key);
      const unauthorized = connect(Buffer.from('wrong-key-wrong-key-wrong-key!!!').toString('base64'));
      try {
        await expect(unauthorized.readTails()).rejects.toBeInstanceOf(EventHubUnavailableError);
      } finally {
        await unauthorized.close();
      }
    } finally {
      await b.close();
      await busy.stop();
    }
  });

  it('is what the composition root builds from the EventHubConnection setting', async () => {
    const services = servicesFromSettings({
      PortscanStorage: 'UseDevelopmentStorage=true',
      EventHubConnection: peer.connectionString('flows'),
      PORTSCAN_EVENTHUB_NAME: 'flows',
    });
    expect((await services.backlog.readTails()).map((t) => t.partition)).toEqual(['0', '1', '2']);
    await (services.backlog as EventHubPartitionBacklog).close();
  });

  it('holds a bin open while the hub says a partition has unread events, and closes it once they are read', async () => {
    const settings = testSettings();
    const store = new InMemoryWindowStore();
    const outbox = new InMemoryAlertOutbox();
    const b = backlog();
    // Partition 0 saw a scan at 10:00 and reached 10:40; partition 1 read up to sequence number 9.
    const agg = new BatchAggregator(true);
    for (let port = 1; port <= 60; port++) {
      agg.add(
        {
          source: '203.0.113.7',
          binStartMs: T,
          timeMs: T + port,
          port,
          reporter: 'AWS/VPC',
          eventCount: 1,
          target: '10.0.0.1',
          reached: false,
          device: '',
        },
        41,
      );
    }
    await store.applyWindows('0', agg.groups());
    const progress = { minEventTimeMs: T, maxEnqueuedTimeMs: T + 40 * MIN, updatedAtMs: T + 40 * MIN };
    await store.recordProgress({
      ...progress,
      partition: '0',
      maxEventTimeMs: T + 40 * MIN,
      lastSequenceNumber: 41,
    });
    await store.recordProgress({
      ...progress,
      partition: '1',
      maxEventTimeMs: T + 3 * MIN,
      lastSequenceNumber: 9,
    });
    peer.setPartition('flows', '1', { lastEnqueuedSequenceNumber: 30 });
    const run = (nowMs: number) =>
      closeBins({
        store,
        outbox,
        sinks: [],
        settings,
        logger: silentLogger,
        nowMs,
        clock: () => nowMs,
        runId: `run-${nowMs}`,
        backlog: b,
        maxCloseDelayMs: 60 * MIN,
        feedIdleMs: 15 * MIN,
        deliveryMaxRuns: 3,
      });
    try {
      const held = await run(T + 45 * MIN);
      expect([held.binsClosed, held.partitionsBehind, held.unreadEvents]).toEqual([0, ['1'], 21]);
      peer.setPartition('flows', '1', { lastEnqueuedSequenceNumber: 9 });
      const released = await run(T + 50 * MIN);
      expect(released.partitionsBehind).toEqual([]);
      expect(released.alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount, a.MayBeIncomplete])).toEqual([
        ['203.0.113.7', 60, false],
      ]);
    } finally {
      await b.close();
    }
  });
});
