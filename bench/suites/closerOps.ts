/**
 * What a closing run asks of Event Hubs and Table Storage, counted, not timed: the compiled
 * `functions/closeBins.js` timer handler, wired by its own composition root to Table Storage
 * (Azurite) through a counting proxy and to the AMQP Event Hubs peer of test/support with the real
 * `@azure/event-hubs` SDK (how far each partition is written). State: 4 partitions, 12 bins, 500
 * benign sources per partition and bin, one scanner per bin (80 ports over the 4 partitions).
 *
 * Four hourly runs of the timer; before each, every partition has read an hour more:
 * - `first`: closes the 12 bins and delivers their 12 alerts to the queue;
 * - `steady`: closes the next 12 bins, which hold nothing over the threshold;
 * - `corrections`: the same, and 4 alerted windows received new ports and 4 benign windows late
 *   rows since the last run: 4 corrections are recorded and delivered;
 * - `behind`: partition 3 has unread events: the bins after its progress wait.
 * Every run asks Event Hubs one hub request and one request per partition.
 *
 *   node --import tsx bench/suites/closerOps.ts
 */
import azureFunctions from '@azure/functions';
import { startAzurite } from '../../test/support/azurite.js';
import { EventHubsPeer } from '../../test/support/eventHubsPeer.js';
import { startFaultProxy } from '../../test/support/faultProxy.js';
import { loadDist } from '../dist.js';

const { closeBinsOnTimer } =
  await loadDist<typeof import('../../functions/closeBins.js')>('functions/closeBins.js');
const { servicesFromSettings, setServices } = await loadDist<
  typeof import('../../functions/shared/composition.js')
>('functions/shared/composition.js');
const { BatchAggregator } = await loadDist<typeof import('../../lib/detection/BatchAggregator.js')>(
  'lib/detection/BatchAggregator.js',
);

// @azure/functions is CommonJS: its classes come through the default export under plain Node ESM.
const { InvocationContext } = azureFunctions;
const PARTITIONS = ['0', '1', '2', '3'];
const BINS = 12;
const BIN_MS = 5 * 60_000;
const FIRST_BIN = Date.parse('2026-11-02T00:00:00Z');
const END = FIRST_BIN + BINS * BIN_MS;
const BENIGN_PER_BIN = 500;

const az = await startAzurite();
const proxy = await startFaultProxy(az.tablePort);
const peer = await EventHubsPeer.start({ hubs: { flows: { partitionIds: PARTITIONS } } });
try {
  const services = servicesFromSettings({
    PortscanStorage: az.connectionString({ table: proxy.port }),
    EventHubConnection: peer.connectionString('flows'),
    PORTSCAN_EVENTHUB_NAME: 'flows',
    PORTSCAN_EVENTHUB_CONSUMER_GROUP: 'portscan',
    PORTSCAN_TABLE_PREFIX: 'BenchClose',
    PORTSCAN_ALERT_QUEUE: 'bench-close-alerts',
  });
  let nowMs = END + 15 * 60_000;
  const HOUR = 60 * 60_000;
  setServices({ ...services, now: () => nowMs });
  const { store } = services;
  const sequence = new Map(PARTITIONS.map((p) => [p, 0]));

  /** Writes rows as one partition's batch would, and records its progress; the hub holds as much. */
  async function write(
    partition: string,
    rows: readonly { source: string; binStartMs: number; port: number }[],
    progressMs: number,
  ): Promise<void> {
    const seq = (sequence.get(partition) ?? 0) + 1;
    sequence.set(partition, seq);
    const agg = new BatchAggregator(true);
    for (const r of rows) {
      agg.add(
        {
          ...r,
          timeMs: r.binStartMs + (r.port % BIN_MS),
          reporter: 'AWS/VPC',
          eventCount: 1,
          target: '10.0.0.1',
          reached: false,
          device: 'vpc-0a1b2c3d',
        },
        seq,
      );
    }
    await store.applyWindows(partition, agg.groups());
    await store.recordProgress({
      partition,
      maxEventTimeMs: progressMs,
      minEventTimeMs: FIRST_BIN,
      maxEnqueuedTimeMs: progressMs,
      lastSequenceNumber: seq,
      updatedAtMs: progressMs,
    });
    peer.setPartition('flows', partition, {
      lastEnqueuedSequenceNumber: seq,
      lastEnqueuedTimeUtc: new Date(progressMs),
    });
  }

  const scanner = (b: number) => `203.0.113.${100 + b}`;
  for (const p of PARTITIONS) {
    const rows: { source: string; binStartMs: number; port: number }[] = [];
    for (let b = 0; b < BINS; b++) {
      const binStartMs = FIRST_BIN + b * BIN_MS;
      for (let i = 0; i < BENIGN_PER_BIN; i++) {
        rows.push({ source: `198.${51 + Number(p)}.${i >> 8}.${i & 255}`, binStartMs, port: 443 });
      }
      for (let k = 0; k < 20; k++)
        rows.push({ source: scanner(b), binStartMs, port: 1000 + 20 * Number(p) + k });
    }
    await write(p, rows, END + 10 * 60_000);
  }
  /** Every partition reads an hour more (benign traffic only), up to 5 minutes before now. */
  const readAnHour = async (partitions: readonly string[]) => {
    for (const p of partitions)
      await write(
        p,
        [{ source: '198.51.0.1', binStartMs: nowMs - 10 * 60_000, port: 443 }],
        nowMs - 5 * 60_000,
      );
  };

  const runs: Record<string, unknown>[] = [];
  async function run(name: string): Promise<void> {
    proxy.requests = 0;
    proxy.forwarded.clear();
    const managementBefore = peer.managementRequests.length;
    let summary: Record<string, unknown> = {};
    const context = new InvocationContext({
      invocationId: `bench-close-${name}`,
      functionName: 'closeBins',
      logHandler: (_level, message) => {
        if (typeof message === 'string' && message.startsWith('{"event":"close summary"'))
          summary = JSON.parse(message) as Record<string, unknown>;
      },
    });
    await closeBinsOnTimer(
      {
        isPastDue: false,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: '', next: '', lastUpdated: '' },
      },
      context,
    );
    runs.push({
      run: name,
      eventHubRequests: peer.managementRequests.length - managementBefore,
      tableRequests: proxy.requests,
      tableRequestsByMethod: Object.fromEntries(proxy.forwarded),
      binsClosed: summary.binsClosed,
      alertsRecorded: summary.alertsRecorded,
      correctionsRecorded: summary.correctionsRecorded,
      lateWindowsChecked: summary.lateWindowsChecked,
      delivered:
        (summary.deliveries as Record<string, { delivered: number }> | undefined)?.queue?.delivered ?? 0,
      partitionsBehind: summary.partitionsBehind,
    });
  }

  await run('first');
  nowMs += HOUR;
  await readAnHour(PARTITIONS);
  await run('steady');
  // Late rows since: new ports for 4 alerted windows, a repeated port for 4 benign ones; each marked late.
  nowMs += HOUR;
  await readAnHour(PARTITIONS);
  const late = [0, 1, 2, 3].map((b) => ({
    source: scanner(b),
    binStartMs: FIRST_BIN + b * BIN_MS,
    port: 5000 + b,
  }));
  const benign = [4, 5, 6, 7].map((b) => ({
    source: '198.51.0.1',
    binStartMs: FIRST_BIN + b * BIN_MS,
    port: 443,
  }));
  await write('1', [...late, ...benign], nowMs - 5 * 60_000);
  await store.markLate([...late, ...benign]);
  await run('corrections');
  // Partition 3 falls behind: the hub holds events past what it recorded.
  nowMs += HOUR;
  await readAnHour(['0', '1', '2']);
  peer.setPartition('flows', '3', { lastEnqueuedSequenceNumber: (sequence.get('3') ?? 0) + 50 });
  await run('behind');
  process.stdout.write(`${JSON.stringify({ partitions: PARTITIONS.length, bins: BINS, runs })}\n`);
  await (services.backlog as unknown as { close(): Promise<void> }).close();
} finally {
  await peer.stop();
  await proxy.close();
  await az.stop();
}
