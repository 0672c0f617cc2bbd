/**
 * The closing timer (`closeBins`, compiled) over N open (source, bin) states spread over 12 bins
 * (one hour): 0.1 % scanners with 500 ports, the rest benign with 1 to 3 ports, one Event Hub
 * partition. Three steps, each its own process so that peak memory is the timer's own:
 *
 *   closer.ts seed <N> <connection> <prefix>    writes the states to Table Storage (Azurite)
 *   closer.ts table <connection> <prefix>       runs closeBins against them
 *   closer.ts memory <N>                        runs closeBins against an in-memory store holding the
 *                                               encoded states: the merge/evaluate part without the scan
 */
import { loadDist } from '../dist.js';

const [mode, ...args] = process.argv.slice(2);

const { closeBins } = await loadDist<typeof import('../../lib/detection/closeBins.js')>(
  'lib/detection/closeBins.js',
);
const { BatchAggregator } = await loadDist<typeof import('../../lib/detection/BatchAggregator.js')>(
  'lib/detection/BatchAggregator.js',
);
const { TableWindowStore } = await loadDist<typeof import('../../lib/state/TableWindowStore.js')>(
  'lib/state/TableWindowStore.js',
);
const { TableAlertOutbox } = await loadDist<typeof import('../../lib/state/TableAlertOutbox.js')>(
  'lib/state/TableAlertOutbox.js',
);
const { encodeState, decodeState } =
  await loadDist<typeof import('../../lib/window/stateCodec.js')>('lib/window/stateCodec.js');
const { CLI_DEFAULTS, resolveDetectionSettings } = await loadDist<
  typeof import('../../lib/config/detectionSettings.js')
>('lib/config/detectionSettings.js');
const { emptyState } =
  await loadDist<typeof import('../../lib/window/WindowState.js')>('lib/window/WindowState.js');
const { InMemoryPartitionBacklog } = await loadDist<
  typeof import('../../lib/eventhub/InMemoryPartitionBacklog.js')
>('lib/eventhub/InMemoryPartitionBacklog.js');
const { silentLogger } = await loadDist<typeof import('../../lib/observability/Logger.js')>(
  'lib/observability/Logger.js',
);

type Store = import('../../lib/state/TableWindowStore.js').TableWindowStore;
type Outbox = import('../../lib/state/TableAlertOutbox.js').TableAlertOutbox;
type Group = import('../../lib/state/WindowStore.js').BatchGroup;

const settings = resolveDetectionSettings({}, {}, CLI_DEFAULTS);
const BINS = 12;
const BIN_MS = settings.binMs;
const FIRST_BIN = Date.parse('2026-11-02T00:00:00Z');
const PORTS = [443, 80, 22, 53, 123, 25, 3389, 8080];

/** A distinct public address per index (20.0.0.0 upward). */
function sourceOf(i: number): string {
  return `${20 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** The groups of bin `b` for N states in all: what one partition's batches would have written. */
function groupsOfBin(n: number, b: number): Group[] {
  const perBin = Math.ceil(n / BINS);
  const aggregator = new BatchAggregator(true);
  const binStartMs = FIRST_BIN + b * BIN_MS;
  for (let k = 0; k < perBin && b * perBin + k < n; k++) {
    const i = b * perBin + k;
    const source = sourceOf(i);
    const scanner = i % 1000 === 7;
    const ports = scanner ? 500 : 1 + (i % 3);
    for (let p = 0; p < ports; p++) {
      aggregator.add(
        {
          source,
          binStartMs,
          timeMs: binStartMs + ((i * 7 + p) % BIN_MS),
          port: scanner ? 1000 + p * 7 : (PORTS[(i + p) % PORTS.length] as number),
          reporter: 'AWS/VPC',
          eventCount: 1,
          target: '10.0.0.1',
          reached: !scanner,
          device: 'vpc-0a1b2c3d',
        },
        1,
      );
    }
  }
  return [...aggregator.groups()];
}

const progress = {
  partition: '0',
  maxEventTimeMs: FIRST_BIN + BINS * BIN_MS,
  minEventTimeMs: FIRST_BIN,
  maxEnqueuedTimeMs: FIRST_BIN + BINS * BIN_MS,
  lastSequenceNumber: 1,
  updatedAtMs: FIRST_BIN + BINS * BIN_MS,
};

async function run(store: Store, outbox: Outbox): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const cpu = process.cpuUsage();
  const t = performance.now();
  const summary = await closeBins({
    store,
    outbox,
    sinks: [],
    settings,
    logger: silentLogger,
    nowMs: progress.updatedAtMs + 60_000,
    clock: () => progress.updatedAtMs + 60_000,
    runId: 'bench',
    backlog: new InMemoryPartitionBacklog(),
    maxCloseDelayMs: 0,
    feedIdleMs: 15 * 60_000,
    deliveryMaxRuns: 5,
    closeAll: true,
  });
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      binsClosed: summary.binsClosed,
      alerts: summary.alertsRecorded,
      baseRssBytes: baseRss,
      peakRssBytes: peakRss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    })}\n`,
  );
}

if (mode === 'seed') {
  const [nText, connection, prefix] = args as [string, string, string];
  const n = Number(nText);
  const store = TableWindowStore.fromConnection(
    { kind: 'connectionString', connectionString: connection },
    prefix,
  );
  for (let b = 0; b < BINS; b++) {
    const groups = groupsOfBin(n, b);
    for (let i = 0; i < groups.length; i += 5000) await store.applyWindows('0', groups.slice(i, i + 5000));
  }
  await store.recordProgress(progress);
  process.stdout.write(`${JSON.stringify({ mode, states: n })}\n`);
} else if (mode === 'table') {
  const [connection, prefix] = args as [string, string];
  const conn = { kind: 'connectionString' as const, connectionString: connection };
  await run(TableWindowStore.fromConnection(conn, prefix), TableAlertOutbox.fromConnection(conn, prefix));
} else if (mode === 'memory') {
  const n = Number(args[0]);
  // The encoded rows, as the Table scan would return them, built before the measurement.
  const rows: { source: string; state: Uint8Array }[][] = [];
  for (let b = 0; b < BINS; b++) {
    rows.push(
      groupsOfBin(n, b).map((g) => ({
        source: g.source,
        state: encodeState(g.accumulator.applyTo(emptyState(), '0')),
      })),
    );
  }
  let closer = { announcedMs: 0, evaluatedMs: 0, sweptMs: 0, etag: 'e' as string | undefined };
  const store = {
    readCloser: async () => closer,
    readProgress: async () => [progress],
    advanceCloser: async (next: typeof closer) => {
      closer = { ...next, etag: 'e' };
      return closer;
    },
    async *listBinWindows(binStartMs: number) {
      for (const r of rows[(binStartMs - FIRST_BIN) / BIN_MS] ?? []) {
        yield { source: r.source, partition: '0', state: decodeState(r.state) };
      }
    },
    async *listLateMarkers() {},
    deleteBins: async () => 0,
  } as unknown as Store;
  const outbox = {
    record: async () => true,
    listPending: async () => [],
    purge: async () => 0,
  } as unknown as Outbox;
  await run(store, outbox);
} else {
  throw new Error('usage: closer.ts seed|table|memory …');
}
