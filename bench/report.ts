import { PRICES } from './prices.js';
import type { RunStats } from './stats.js';

/** What run.ts records (bench/results/latest.json). */
export interface BenchResults {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    node: string;
    platform: string;
    pinnedToOneCore: boolean;
  };
  readonly seconds: number;
  readonly formats: readonly Record<string, unknown>[];
  /** Counted, not timed: bench/suites/stateSize.ts (absent from results written before it existed). */
  readonly stateSize?: StateSizeResults;
  /** bench/suites/openWindows.ts (absent from results written before it existed). */
  readonly openWindows?: OpenWindowsResults;
  readonly versus: readonly {
    format: string;
    /** The bench mix, or internet background noise (absent in results written before it existed). */
    mix?: 'bench' | 'noise';
    bytes: number;
    flows: number;
    detectMs: RunStats;
    detectCpuMs: RunStats;
    detectMaxRssBytes: RunStats;
    detect2Ms?: RunStats;
    duckdb2Ms: RunStats;
    duckdb1Ms: RunStats;
    /** Peak RSS of the DuckDB process (2 threads; absent in older results). */
    duckdb2MaxRssBytes?: number;
    alerts: number;
    duckdbAlerts: number;
    sameAlerts: boolean;
  }[];
  readonly memory: readonly {
    label: string;
    smallBytes: number;
    largeBytes: number;
    smallMaxRssBytes: number;
    largeMaxRssBytes: number;
    largeWallMs: number;
    largeCpuMs: number;
    largeFlows: number;
    alerts: number;
  }[];
  readonly ingest: Record<string, number>;
  readonly ingestSmallBatches?: Record<string, number>;
  /** Background noise in batches of 100 messages (absent in older results). */
  readonly ingestNoise?: Record<string, number>;
  readonly closer: {
    table: readonly Record<string, unknown>[];
    memory: readonly Record<string, unknown>[];
    /** Requests of four hourly closing runs (bench/suites/closerOps.ts); absent in older results. */
    operations?: { runs: readonly Record<string, unknown>[] };
  };
  /** The flow-log path's requests beside the Event Hub path's (bench/suites/flowLogOps.ts); absent in older results. */
  readonly flowLogOperations?: FlowLogOperations;
}

/** Table and Blob requests of the flow-log path and of the Event Hub path on the same tuples. */
export interface FlowLogOperations {
  /** When they were counted (`BENCH_ONLY=flowLogOps` reruns them alone). */
  readonly date: string;
  readonly runs: readonly {
    minutes: number;
    interfaces: number;
    flowsPerSecond: number;
    tuples: number;
    tuplesPerRecord: number;
    flowLog: {
      events: number;
      tableRequestsPer1000: number;
      tableRequestsPerEvent: number;
      tableRequestsByMethod: Record<string, number>;
      entityWritesPer1000: number;
      floorWritesPer1000: number;
      blobRequestsPer1000: number;
      blobRequestsPerEvent: number;
      blobRequestsByMethod: Record<string, number>;
    };
    eventHub: {
      batches: number;
      messagesPerBatch: number;
      tableRequestsPer1000: number;
      tableRequestsByMethod: Record<string, number>;
      entityWritesPer1000: number;
      floorWritesPer1000: number;
      blobRequests: number;
    };
  }[];
}

const MB = 1e6;
const GB = 1e9;
const fmt = (x: number, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
const stats = (s: RunStats, digits = 0, scale = 1) =>
  `${fmt(s.median * scale, digits)} (${fmt(s.min * scale, digits)}–${fmt(s.max * scale, digits)})`;
const inverse = (s: RunStats, numerator: number): RunStats => ({
  median: numerator / s.median,
  min: numerator / s.max,
  max: numerator / s.min,
  runs: s.runs,
});
const mark = (met: boolean) => (met ? '**met**' : '**missed**');

/** Assumptions of the cost model that are not measured here. */
export const COST_ASSUMPTIONS = {
  instanceMemoryGb: 2,
  /**
   * Storage round trips per batch that the function waits for in sequence, when the ingest run
   * did not count them (its `sequentialRoundTripsPerBatch`, counted at the proxy, is used when
   * present); each at this latency.
   */
  sequentialRoundTripsPerBatch: 5,
  roundTripMs: 20,
  /** Sustained volume for the Event Hubs throughput-unit share. */
  gbPerDay: 100,
  /** Flex bills at least this per execution. */
  minimumBilledMs: 1000,
} as const;

/** The storage round trips per batch the function waits for in sequence: as counted, else assumed. */
export function sequentialRoundTripsOf(ingest: Record<string, number>): number {
  const counted = ingest.sequentialRoundTripsPerBatch;
  return typeof counted === 'number' && Number.isFinite(counted)
    ? counted
    : COST_ASSUMPTIONS.sequentialRoundTripsPerBatch;
}

/** The cost per GB of flow logs, from the ingest figures and the list prices. */
export function costPerGb(ingest: Record<string, number>, timerMsPerRow = 0): Record<string, number> {
  const a = COST_ASSUMPTIONS;
  const flowsPerGb = ((ingest.flows as number) / (ingest.bytes as number)) * GB;
  const batchesPerGb = flowsPerGb / ((ingest.flows as number) / (ingest.batches as number));
  const cpuMsPerBatch = (ingest.cpuMs as number) / (ingest.batches as number);
  const roundTrips = sequentialRoundTripsOf(ingest);
  const billedMsPerBatch = Math.max(
    a.minimumBilledMs,
    Math.ceil((cpuMsPerBatch + roundTrips * a.roundTripMs) / 100) * 100,
  );
  // Flex bills an instance's active periods, each at least 1 s: a batch alone in its period (a
  // partition that keeps up) pays the minimum; batches back to back (a backlog) pay their time.
  const functionGbSeconds = batchesPerGb * (billedMsPerBatch / 1000) * a.instanceMemoryGb;
  const executionsUsd = (batchesPerGb / 1e6) * PRICES.flexMillionExecutions.usd;
  const functionUsd = functionGbSeconds * PRICES.flexGbSecond.usd + executionsUsd;
  const backlogMsPerBatch = Math.ceil((cpuMsPerBatch + roundTrips * a.roundTripMs) / 100) * 100;
  const functionBacklogGbSeconds = batchesPerGb * (backlogMsPerBatch / 1000) * a.instanceMemoryGb;
  const functionBacklogUsd = functionBacklogGbSeconds * PRICES.flexGbSecond.usd + executionsUsd;
  const tableRequestsPerGb = ((ingest.tableRequestsPer1000 as number) / 1000) * flowsPerGb;
  const tableUsd = (tableRequestsPerGb / 10_000) * PRICES.tableTenThousandTransactions.usd;
  const messagesPerGb = batchesPerGb * (ingest.messagesPerBatch as number);
  const mbPerSecond = (a.gbPerDay * 1000) / 86_400;
  const eventsPerSecond = (messagesPerGb * a.gbPerDay) / 86_400;
  const tus = Math.max(1, Math.ceil(Math.max(mbPerSecond, eventsPerSecond / 1000)));
  const eventHubsUsd =
    (tus * 24 * PRICES.eventHubsTuHour.usd) / a.gbPerDay +
    (messagesPerGb / 1e6) * PRICES.eventHubsMillionEvents.usd;
  // Window rows kept for the 24-hour retention: at most one row per write, about 100 bytes each.
  const rowsPerGb = ((ingest.entityWritesPer1000 as number) / 1000) * flowsPerGb;
  const storageUsd = ((rowsPerGb * 100) / GB) * PRICES.tableGbMonth.usd * (1 / 30);
  // The hourly timer reads every row once: at most one row per entity write.
  const timerSeconds = (rowsPerGb * timerMsPerRow) / 1000;
  const timerUsd = timerSeconds * a.instanceMemoryGb * PRICES.flexGbSecond.usd;
  const totalUsd = functionUsd + tableUsd + eventHubsUsd + storageUsd + timerUsd;
  const totalBacklogUsd = totalUsd - functionUsd + functionBacklogUsd;
  return {
    flowsPerGb,
    batchesPerGb,
    cpuSecondsPerGb: (cpuMsPerBatch * batchesPerGb) / 1000,
    billedMsPerBatch,
    functionGbSeconds,
    functionUsd,
    backlogMsPerBatch,
    functionBacklogGbSeconds,
    functionBacklogUsd,
    totalBacklogUsd,
    tableRequestsPerGb,
    tableUsd,
    eventHubsTus: tus,
    eventHubsUsd,
    storageUsd,
    timerSeconds,
    timerUsd,
    totalUsd,
    sentinelUsd: PRICES.sentinelAnalyticsGb.usd,
    ratioToSentinel: totalUsd / PRICES.sentinelAnalyticsGb.usd,
  };
}

/** What bench/suites/openWindows.ts prints. */
export interface OpenWindowsResults {
  readonly windows: number;
  readonly bytesPerWindow: number;
  readonly heapBytesPerWindow: number;
  readonly arrayBufferBytesPerWindow: number;
  readonly createNs: RunStats;
  readonly addNs: RunStats;
}

/** What bench/suites/stateSize.ts prints. */
export interface StateSizeResults {
  readonly flows: number;
  readonly entityWritesPer1000Flows: number;
  readonly benignRows: RowSizes;
  readonly scannerRows: RowSizes;
}
interface RowSizes {
  readonly rows: number;
  readonly meanBytes: number;
  readonly p50Bytes: number;
  readonly p99Bytes: number;
  readonly maxBytes: number;
}

/** The Markdown table of a run: each figure with its spread, and this round's targets beside them. */
export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push('# Benchmark results', '');
  out.push(
    `${r.quick ? '**Quick run (BENCH_QUICK=1): small workload, figures not comparable.** ' : ''}` +
      `Measured ${r.date.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryBytes / GB, 0)} GB RAM, ` +
      `Node ${m.node} (${m.platform}); "one core" means pinned with taskset (${m.pinnedToOneCore ? 'yes' : 'not available'}). ` +
      `Whole suite: ${fmt(r.seconds / 60, 1)} min. Figures are the median with the smallest and largest run in ` +
      'parentheses. `npm run bench` regenerates this file; the workload is seeded (bench/README.md).',
    '',
  );

  out.push(...renderTargets(r));

  out.push('## Per-format pipeline against its parse floor (one core)', '');
  out.push(
    'Pipeline = the CLI engine as `portscan detect` runs it (split lines, fast path where it applies, decode, ' +
      'normalize, filter, bin, aggregate in `StreamingDetector`). Full decoder = the same without the fast path, ' +
      'which is what the Event Hub function runs. Floor = the same line splitting plus `JSON.parse` per line (JSON ' +
      'formats) or `split(" ")` per line (text formats). Records are flows (NSG: flow tuples). Target: pipeline ≥ 0.5 × floor.',
    '',
  );
  out.push(
    '| Format | MB | Pipeline records/s | Pipeline MB/s | Floor MB/s | Pipeline / floor | Target ≥ 0.5 | Full decoder MB/s | Full / floor |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---|---:|---:|');
  for (const f of r.formats) {
    const ratio = f.ratio as RunStats;
    const full = f.fullMBps as RunStats | undefined;
    const fullRatio = f.fullRatio as RunStats | undefined;
    out.push(
      `| ${f.format} | ${fmt((f.bytes as number) / MB, 1)} | ${stats(f.pipelineRecordsPerSecond as RunStats)} | ${stats(
        f.pipelineMBps as RunStats,
        1,
      )} | ${stats(f.floorMBps as RunStats, 1)} | ${stats(ratio, 2)} | ${mark(ratio.median >= 0.5)} | ${
        full === undefined ? '' : stats(full, 1)
      } | ${fullRatio === undefined ? '' : stats(fullRatio, 2)} |`,
    );
  }
  out.push('');

  out.push('## `portscan detect` against DuckDB running the rule as SQL (same files, same run)', '');
  out.push(
    '`portscan detect` runs as shipped (`bin/portscan.js` on dist/, wall time of the whole process): on one core, ' +
      'and with `--threads 2` on both cores. DuckDB runs the rule as SQL (bench/suites/duckdb.ts, query time after a ' +
      'warm-up run) with 2 threads and with 1; runs interleave. Ratio = detect throughput ÷ DuckDB throughput on the ' +
      'same cores. Stretch target: ≥ 0.5 on both cores. "Background noise" is the high-cardinality mix (most flows ' +
      'from sources seen once, bench/README.md).',
    '',
  );
  out.push(
    '| Input | MB | detect 1 core s | detect 2 threads s | detect MB/s (2 threads) | DuckDB 1 thread s | DuckDB 2 threads s | Ratio, 1 core | Ratio, 2 cores | Peak RSS detect (1 core) / DuckDB (2 threads) | Same alerts | Stretch ≥ 0.5 |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const v of r.versus) {
    const two = v.detect2Ms ?? v.detectMs;
    const ratio2 = v.duckdb2Ms.median / two.median;
    const ratio1 = v.duckdb1Ms.median / v.detectMs.median;
    out.push(
      `| ${v.format}${v.mix === 'noise' ? ' background noise' : ''}, ${fmt(v.flows)} flows | ${fmt(v.bytes / MB, 0)} | ${stats(v.detectMs, 2, 1 / 1000)} | ${stats(
        two,
        2,
        1 / 1000,
      )} | ${stats(inverse(two, (v.bytes / MB) * 1000), 1)} | ${stats(v.duckdb1Ms, 2, 1 / 1000)} | ${stats(
        v.duckdb2Ms,
        2,
        1 / 1000,
      )} | ${fmt(ratio1, 3)} | ${fmt(ratio2, 3)} | ${fmt(v.detectMaxRssBytes.median / MB)} / ${
        v.duckdb2MaxRssBytes === undefined ? 'n/a' : fmt(v.duckdb2MaxRssBytes / MB)
      } MB | ${
        v.sameAlerts ? `yes (${v.alerts})` : `**no** (${v.alerts} vs ${v.duckdbAlerts})`
      } | ${mark(ratio2 >= 0.5)} |`,
    );
  }
  out.push('');

  out.push('## Memory of `portscan detect` against input length (mixed formats, one core)', '');
  out.push('| Retention | Input | Peak RSS | Input | Peak RSS | 4× input → RSS × | Target: flat (≤ 1.1×) |');
  out.push('|---|---:|---:|---:|---:|---:|---|');
  for (const x of r.memory) {
    const growth = x.largeMaxRssBytes / x.smallMaxRssBytes;
    out.push(
      `| ${x.label} | ${fmt(x.smallBytes / MB)} MB | ${fmt(x.smallMaxRssBytes / MB)} MB | ${fmt(x.largeBytes / MB)} MB | ${fmt(
        x.largeMaxRssBytes / MB,
      )} MB | ${fmt(growth, 2)} | ${mark(growth <= 1.1)} |`,
    );
  }
  const big = r.memory[0];
  if (big !== undefined) {
    out.push(
      '',
      `CPU per GB of input (detect, mixed formats, one core): ${fmt(big.largeCpuMs / 1000 / (big.largeBytes / GB), 1)} s ` +
        `(${fmt(big.largeFlows)} flows in ${fmt(big.largeWallMs / 1000, 1)} s).`,
    );
  }
  out.push('');

  const i = r.ingest;
  const writesOverFloor = (i.entityWritesPer1000 as number) / (i.floorWritesPer1000 as number);
  out.push('## Ingest function against Azurite (one partition, mixed formats)', '');
  out.push(
    `${fmt(i.batches as number)} batches of ${fmt(i.messagesPerBatch as number)} messages × ${fmt(
      i.linesPerMessage as number,
    )} lines: ${fmt(i.flows as number)} flows, ${fmt((i.bytes as number) / MB, 1)} MB. Azurite is a local emulator on the same two cores: ` +
      'flows/s is a floor for the code path, not a prediction of Azure latency.',
    '',
  );
  out.push('| Figure | Value | Floor | Target | Met |');
  out.push('|---|---:|---:|---|---|');
  out.push(`| flows/s (wall, incl. Azurite) | ${fmt(i.flowsPerSecond as number)} | | | |`);
  out.push(
    `| function busy time per 1,000 flows (main thread CPU) | ${fmt((i.cpuMs as number) / ((i.flows as number) / 1000), 1)} ms | | | |`,
  );
  out.push(
    `| Table entity writes per 1,000 flows | ${fmt(i.entityWritesPer1000 as number, 1)} | ${fmt(
      i.floorWritesPer1000 as number,
      1,
    )} | within 10 % of the floor | ${mark(writesOverFloor <= 1.1)} (${fmt((writesOverFloor - 1) * 100, 1)} % over) |`,
  );
  out.push(
    `| window transactions per 1,000 flows | ${fmt(i.windowTransactionsPer1000 as number, 2)} | ${fmt(
      i.floorTransactionsPer1000 as number,
      2,
    )} | | |`,
  );
  out.push(
    `| all Table requests per 1,000 flows | ${fmt(i.tableRequestsPer1000 as number, 2)} | | | (windows + 4 control operations per batch) |`,
  );
  out.push(`| write conflicts | ${fmt(i.conflicts as number)} | | | |`);
  const small = r.ingestSmallBatches;
  if (small !== undefined) {
    out.push(
      `| same stream in batches of ${fmt(small.messagesPerBatch as number)} messages: entity writes per 1,000 flows | ${fmt(
        small.entityWritesPer1000 as number,
        1,
      )} | ${fmt(small.floorWritesPer1000 as number, 1)} | | (all Table requests ${fmt(small.tableRequestsPer1000 as number, 1)}) |`,
    );
  }
  const noise = r.ingestNoise;
  if (noise !== undefined) {
    out.push(
      `| background noise (${fmt(noise.flows as number)} flows) in batches of ${fmt(noise.messagesPerBatch as number)} messages: entity writes per 1,000 flows | ${fmt(
        noise.entityWritesPer1000 as number,
        1,
      )} | ${fmt(noise.floorWritesPer1000 as number, 1)} | | (window transactions ${fmt(
        noise.windowTransactionsPer1000 as number,
        1,
      )}, all Table requests ${fmt(noise.tableRequestsPer1000 as number, 1)}) |`,
    );
  }
  out.push('');

  if (r.stateSize !== undefined) {
    const z = r.stateSize;
    out.push('## Window state size (counted, not timed)', '');
    out.push(
      `The ingest use case over ${fmt(z.flows)} flows of the mixed workload (batches of 1,000 messages × 10 lines, ` +
        'in-memory store), then every stored row encoded as Table Storage holds it (bench/suites/stateSize.ts). ' +
        'Open benign window: heap growth per window of the CLI engine for 100,000 one-row windows, after a garbage collection.',
      '',
    );
    out.push('| Figure | Rows | Mean | Median | p99 | Max |', '|---|---:|---:|---:|---:|---:|');
    for (const [label, x] of [
      ['benign row bytes', z.benignRows],
      ['scanner row bytes', z.scannerRows],
    ] as const) {
      out.push(
        `| ${label} | ${fmt(x.rows)} | ${fmt(x.meanBytes, 1)} | ${fmt(x.p50Bytes)} | ${fmt(x.p99Bytes)} | ${fmt(x.maxBytes)} |`,
      );
    }
    out.push(
      '',
      `Table entity writes per 1,000 flows: ${fmt(z.entityWritesPer1000Flows, 1)}. Memory per open window of \`portscan detect\`: see *Open windows* below.`,
      '',
    );
  }

  if (r.openWindows !== undefined) {
    const w = r.openWindows;
    out.push('## Open windows of `portscan detect` (one core)', '');
    out.push(
      `${fmt(w.windows)} windows of sources seen once (one row each, 12 bins, none released), then a second row for ` +
        'each (bench/suites/openWindows.ts): memory the detector keeps after a garbage collection, on the heap and in ' +
        'typed arrays; CPU time of `StreamingDetector.addRow` per row, the rows made beforehand.',
      '',
    );
    out.push('| Figure | Value | Target | Met |', '|---|---:|---|---|');
    out.push(
      `| bytes per open window (heap ${fmt(w.heapBytesPerWindow)} + typed arrays ${fmt(w.arrayBufferBytesPerWindow)}) | ${fmt(
        w.bytesPerWindow,
      )} | ≤ 150 | ${mark(w.bytesPerWindow <= 150)} |`,
    );
    out.push(`| ns to create a window | ${stats(w.createNs)} | a few hundred | |`);
    out.push(`| ns to add a row to an open window | ${stats(w.addNs)} | | |`);
    out.push('');
  }

  const t100 = r.closer.table.find((x) => x.states === 100_000);
  // The batch host.json asks for (100 messages) when that run is there.
  const costRun = small ?? i;
  const c = costPerGb(costRun, t100 === undefined ? 0 : (t100.wallMs as number) / 100_000);
  const a = COST_ASSUMPTIONS;
  out.push('## Cost per GB of flow logs (estimate)', '');
  out.push(
    `From the ingest run in batches of ${fmt(costRun.messagesPerBatch as number)} messages × ${fmt(
      costRun.linesPerMessage as number,
    )} lines and list prices (bench/prices.ts, USD, East US, pay-as-you-go; unverified ones flagged there). ` +
      `Assumed: ${a.instanceMemoryGb} GB instances, billed time per batch = measured CPU + ${fmt(sequentialRoundTripsOf(costRun), 2)} sequential storage ` +
      `round trips (counted at the proxy) × ${a.roundTripMs} ms, at least ${a.minimumBilledMs} ms when each batch is an active period of its own (a partition that keeps up), ` +
      `without the minimum when batches run back to back (a backlog); Event Hubs Standard at ${a.gbPerDay} GB/day.`,
    '',
  );
  out.push('| Item | Per GB |');
  out.push('|---|---:|');
  out.push(`| flows per GB | ${fmt(c.flowsPerGb as number)} |`);
  out.push(
    `| function busy seconds per GB (main thread CPU, measured) | ${fmt(c.cpuSecondsPerGb as number, 1)} s |`,
  );
  out.push(
    `| Flex Consumption, each batch its own active period (${fmt(c.functionGbSeconds as number)} GB-s, ${fmt(c.batchesPerGb as number)} executions) | $${fmt(c.functionUsd as number, 4)} |`,
  );
  out.push(
    `| Flex Consumption, batches back to back (${fmt(c.backlogMsPerBatch as number)} ms each, ${fmt(c.functionBacklogGbSeconds as number)} GB-s) | $${fmt(c.functionBacklogUsd as number, 4)} |`,
  );
  out.push(
    `| Table transactions (${fmt(c.tableRequestsPerGb as number)}) | $${fmt(c.tableUsd as number, 4)} |`,
  );
  out.push(
    `| Event Hubs (${fmt(c.eventHubsTus as number)} TU share + ingress events) | $${fmt(c.eventHubsUsd as number, 4)} |`,
  );
  out.push(`| Table capacity (24 h of window rows) | $${fmt(c.storageUsd as number, 6)} |`);
  out.push(
    `| closing timer (${fmt(c.timerSeconds as number, 1)} s per GB at the Azurite scan rate, upper bound) | $${fmt(c.timerUsd as number, 4)} |`,
  );
  out.push(`| **total**, each batch its own active period | **$${fmt(c.totalUsd as number, 4)}** |`);
  out.push(`| **total**, batches back to back | **$${fmt(c.totalBacklogUsd as number, 4)}** |`);
  out.push(
    `| Sentinel analytics tier ingestion, for comparison | $${fmt(c.sentinelUsd as number, 2)} (${fmt(
      (c.ratioToSentinel as number) * 100,
      2,
    )} % of it is this product's cost) |`,
  );
  out.push('');

  out.push('## Closing timer', '');
  out.push(
    'Open (source, bin) states over 12 bins, one partition, 0.1 % scanners. "Table" runs `closeBins` against Azurite ' +
      '(scan, decode, merge, evaluate, outbox); "in memory" runs the same compiled `closeBins` over an in-memory store ' +
      'holding the encoded rows (decode, merge, evaluate). Peak memory is the process RSS during the run, and the part ' +
      'above the RSS before it.',
    '',
  );
  out.push('| States | Where | Time | CPU | Peak RSS | Above start | Alerts |');
  out.push('|---:|---|---:|---:|---:|---:|---:|');
  const row = (x: Record<string, unknown>, where: string) =>
    `| ${fmt(x.states as number)} | ${where} | ${fmt((x.wallMs as number) / 1000, 2)} s | ${fmt(
      (x.cpuMs as number) / 1000,
      2,
    )} s | ${fmt((x.peakRssBytes as number) / MB)} MB | ${fmt(
      ((x.peakRssBytes as number) - (x.baseRssBytes as number)) / MB,
    )} MB | ${fmt(x.alerts as number)} |`;
  for (const x of r.closer.table) out.push(row(x, 'Table (Azurite)'));
  for (const x of r.closer.memory) out.push(row(x, 'in memory'));
  const t100k = r.closer.table.find((x) => x.states === 100_000);
  const m100 = r.closer.memory.find((x) => x.states === 100_000);
  const m1m = r.closer.memory.find((x) => x.states === 1_000_000);
  if (t100k !== undefined && m100 !== undefined && m1m !== undefined) {
    const scanMsPerState = ((t100k.wallMs as number) - (m100.wallMs as number)) / 100_000;
    out.push(
      `| 1,000,000 | Table, extrapolated | ${fmt(((m1m.wallMs as number) + scanMsPerState * 1_000_000) / 1000, 1)} s | | | | |`,
      '',
      `The 1,000,000-state Table figure is extrapolated: the in-memory run at 1,000,000 plus the scan cost per state ` +
        `measured at 100,000 (Table minus in-memory: ${fmt(scanMsPerState * 1000, 1)} µs per state). Memory follows the ` +
        'largest bin, not the total: the timer merges one bin at a time.',
    );
  }
  const ops = r.closer.operations;
  if (ops !== undefined) {
    out.push(
      '',
      '### Requests per closing run',
      '',
      'Counted, not timed: the compiled timer handler against Azurite through a counting proxy and against the ' +
        'AMQP Event Hubs peer with the real SDK; 4 partitions, 12 bins per run, one queue sink ' +
        '(bench/suites/closerOps.ts). Event Hubs requests are one hub request and one per partition, every run.',
      '',
      '| Run | Event Hubs | Table | Table by method | Bins closed | Alerts | Corrections | Late windows | Delivered |',
      '|---|---:|---:|---|---:|---:|---:|---:|---:|',
    );
    for (const x of ops.runs) {
      const byMethod = Object.entries((x.tableRequestsByMethod as Record<string, number>) ?? {})
        .map(([m, k]) => `${m} ${k}`)
        .join(', ');
      out.push(
        `| ${String(x.run)} | ${fmt(x.eventHubRequests as number)} | ${fmt(x.tableRequests as number)} | ${byMethod} | ${fmt(
          x.binsClosed as number,
        )} | ${fmt(x.alertsRecorded as number)} | ${fmt(x.correctionsRecorded as number)} | ${fmt(
          x.lateWindowsChecked as number,
        )} | ${fmt(x.delivered as number)} |`,
      );
    }
  }
  const flow = r.flowLogOperations;
  if (flow !== undefined) {
    const methods = (m: Record<string, number>) =>
      Object.entries(m)
        .map(([k, n]) => `${k} ${fmt(n)}`)
        .join(', ');
    out.push(
      '',
      '## Flow-log path: Table and Blob requests per 1,000 flow tuples',
      '',
      `Counted, not timed (${flow.date.slice(0, 10)}; bench/suites/flowLogOps.ts). The compiled \`flowLogs\` handler ` +
        'against Azurite through counting proxies, for VNet flow-log blobs grown as Network Watcher grows them: one ' +
        '`PT1H.json` per network interface, one record block per minute, one BlobCreated event per commit. The same ' +
        'records then go through the compiled `ingest` handler as `{"records":[…]}` messages, one batch per minute ' +
        "holding every interface's record. Floor: the distinct public (source, bin) pairs of each invocation.",
      '',
      '| Network | Tuples per record | Path | Invocations | Table requests | Entity writes (floor) | Blob requests | Table by method | Blob by method |',
      '|---|---:|---|---:|---:|---:|---:|---|---|',
    );
    for (const x of flow.runs) {
      const network = `${fmt(x.flowsPerSecond)} flows/s, ${fmt(x.interfaces)} interfaces, ${fmt(x.minutes)} min`;
      const f = x.flowLog;
      const h = x.eventHub;
      out.push(
        `| ${network} | ${fmt(x.tuplesPerRecord)} | flow logs (Event Grid) | ${fmt(f.events)} | ${fmt(
          f.tableRequestsPer1000,
          2,
        )} | ${fmt(f.entityWritesPer1000, 1)} (${fmt(f.floorWritesPer1000, 1)}) | ${fmt(
          f.blobRequestsPer1000,
          2,
        )} | ${methods(f.tableRequestsByMethod)} | ${methods(f.blobRequestsByMethod)} |`,
        `| ${network} | ${fmt(x.tuplesPerRecord)} | Event Hub, same tuples | ${fmt(h.batches)} | ${fmt(
          h.tableRequestsPer1000,
          2,
        )} | ${fmt(h.entityWritesPer1000, 1)} (${fmt(h.floorWritesPer1000, 1)}) | ${fmt(
          h.blobRequests,
        )} | ${methods(h.tableRequestsByMethod)} | |`,
      );
    }
    const busy = flow.runs[0];
    if (busy !== undefined)
      out.push(
        '',
        `Per event on the busiest network: ${fmt(busy.flowLog.tableRequestsPerEvent, 1)} Table and ` +
          `${fmt(busy.flowLog.blobRequestsPerEvent, 1)} Blob requests. The Event Hub path's own figures on the ` +
          'mixed workload are in "Ingest function against Azurite" above; its blob requests (checkpoints) are the ' +
          "Functions host's, not the function's.",
      );
  }
  out.push('');
  return `${out.join('\n')}\n`;
}

/**
 * Where each profile explains a missed target, relative to bench/results/. The pages are written
 * by hand from `--cpu-prof` runs; a link the citations test cannot resolve fails the tests.
 */
const EXPLAINED = {
  functionCpu:
    '[ingest-profile.md](ingest-profile.md#the-row-cache-keeps-states-as-written-2026-12-05-evening)',
  decoders:
    '[rows-profile.md](rows-profile.md#what-remains-by-the-profiles), [ingest-profile.md](ingest-profile.md#what-05-would-take), [NSG](ingest-profile.md#what-is-left-and-why)',
  threads:
    '[threads-profile.md](threads-profile.md#2026-12-05-later-the-handoff-between-threads), [docs/scaling.md](../../docs/scaling.md#portscan-detect-on-more-cores)',
  windowCreate: '[windows-profile.md](windows-profile.md#what-remains)',
  cost: '[docs/scaling.md](../../docs/scaling.md#cost-per-gb-of-flow-logs)',
  highCardinality:
    '[docs/scaling.md](../../docs/scaling.md#high-cardinality-traffic-when-every-flow-is-a-window)',
} as const;

/** Most a window may cost to create: "a few hundred nanoseconds". */
const CREATE_WINDOW_NS = 500;

/**
 * The performance targets of the current round, each with the figure of this run that decides it,
 * and for a miss the page whose profile explains it.
 */
function renderTargets(r: BenchResults): string[] {
  const rows: string[] = [];
  const row = (target: string, measured: string, met: boolean | undefined, explained = '') =>
    rows.push(
      `| ${target} | ${measured} | ${met === undefined ? 'reported' : mark(met)} | ${met === false ? explained : ''} |`,
    );
  const busySecondsPerGb = (x: Record<string, number>) =>
    ((x.cpuMs as number) / 1000 / (x.bytes as number)) * GB;

  const i = r.ingest;
  const busy = busySecondsPerGb(i);
  const small = r.ingestSmallBatches;
  const noise = r.ingestNoise;
  const others = [
    ...(small === undefined
      ? []
      : [`${fmt(busySecondsPerGb(small), 1)} s in batches of ${fmt(small.messagesPerBatch as number)}`]),
    ...(noise === undefined ? [] : [`background noise ${fmt(busySecondsPerGb(noise), 1)} s`]),
  ];
  row(
    `Event Hub function busy time per GB, bench mix in batches of ${fmt(i.messagesPerBatch as number)} messages ≤ 35 s`,
    `${fmt(busy, 1)} s${others.length === 0 ? '' : ` (${others.join('; ')})`}`,
    busy <= 35,
    EXPLAINED.functionCpu,
  );
  const full = r.formats.map((f) => ({
    format: f.format as string,
    ratio: (f.fullRatio as RunStats | undefined)?.median,
  }));
  if (full.every((f) => f.ratio !== undefined)) {
    row(
      "every format's full decoder ≥ 0.5 of its parse floor",
      full.map((f) => `${f.format} ${fmt(f.ratio as number, 2)}`).join(', '),
      full.every((f) => (f.ratio as number) >= 0.5),
      EXPLAINED.decoders,
    );
  }
  const w = r.openWindows;
  if (w !== undefined) {
    row('bytes per open window of `portscan detect` ≤ 150', fmt(w.bytesPerWindow), w.bytesPerWindow <= 150);
    row(
      `ns to create a window: a few hundred (≤ ${CREATE_WINDOW_NS})`,
      fmt(w.createNs.median),
      w.createNs.median <= CREATE_WINDOW_NS,
      EXPLAINED.windowCreate,
    );
  }
  const year = r.memory.find((x) => x.label.includes('168'));
  if (year !== undefined) {
    row(
      `peak RSS of \`portscan detect\` on ${fmt(year.largeBytes / MB)} MB, 168 h retention`,
      `${fmt(year.largeMaxRssBytes / MB)} MB`,
      undefined,
    );
  }
  if (r.versus.some((v) => v.detect2Ms !== undefined)) {
    const ratios = r.versus.map((v) => ({
      label: `${v.format}${v.mix === 'noise' ? ' noise' : ''}`,
      ratio: v.duckdb2Ms.median / (v.detect2Ms ?? v.detectMs).median,
    }));
    row(
      '`portscan detect --threads 2` ÷ DuckDB on 2 cores ≥ 0.35 (stretch 0.5)',
      ratios.map((x) => `${x.label} ${fmt(x.ratio, 3)}`).join(', '),
      ratios.every((x) => x.ratio >= 0.35),
      EXPLAINED.threads,
    );
  }
  if (noise !== undefined) {
    row(
      'Table writes on high-cardinality traffic: measured, and the way past one account written down',
      `${fmt(noise.entityWritesPer1000 as number, 1)} entity writes, ${fmt(noise.tableRequestsPer1000 as number, 1)} requests per 1,000 noise flows; ${EXPLAINED.highCardinality}`,
      undefined,
    );
  }
  const t100 = r.closer.table.find((x) => x.states === 100_000);
  const costRun = small ?? i;
  const c = costPerGb(costRun, t100 === undefined ? 0 : (t100.wallMs as number) / 100_000);
  const perBatch = `batches of ${fmt(costRun.messagesPerBatch as number)} messages × ${fmt(costRun.linesPerMessage as number)} lines`;
  row(
    `cost per GB ≤ $0.04, ${perBatch}, each batch its own active period`,
    `$${fmt(c.totalUsd as number, 3)}`,
    (c.totalUsd as number) <= 0.04,
    EXPLAINED.cost,
  );
  row(
    `cost per GB ≤ $0.04, ${perBatch}, back to back`,
    `$${fmt(c.totalBacklogUsd as number, 3)}`,
    (c.totalBacklogUsd as number) <= 0.04,
    EXPLAINED.cost,
  );
  if (small !== undefined) {
    // The flows of a batch of ten-line messages sent in a tenth as many messages of ten times the
    // lines: the same CPU and Table requests per batch, a tenth of the Event Hubs ingress events
    // (a message under 64 KB is one event).
    const lines = (i.linesPerMessage as number) * 10;
    const fewer = costPerGb(
      { ...i, messagesPerBatch: (i.messagesPerBatch as number) / 10, linesPerMessage: lines },
      t100 === undefined ? 0 : (t100.wallMs as number) / 100_000,
    );
    row(
      `cost per GB ≤ $0.04, batches of ${fmt((i.messagesPerBatch as number) / 10)} messages × ${fmt(lines)} lines (estimated from the ${fmt(i.messagesPerBatch as number)}-message run), own period / back to back`,
      `$${fmt(fewer.totalUsd as number, 3)} / $${fmt(fewer.totalBacklogUsd as number, 3)}`,
      (fewer.totalUsd as number) <= 0.04 && (fewer.totalBacklogUsd as number) <= 0.04,
      EXPLAINED.cost,
    );
  }

  return [
    '## Targets of this round',
    '',
    'Each target of the current performance round with the figure of this run that decides it (details in the ' +
      'sections below); a miss names the page whose profile explains it.',
    '',
    '| Target | Measured | Met | Miss explained in |',
    '|---|---|---|---|',
    ...rows,
    '',
  ];
}
