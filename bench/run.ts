/**
 * `npm run bench`: builds dist/, generates the seeded workload under bench/.work/, runs every
 * suite in its own process (pinned to one core where the figure is "on one core"), and writes
 * bench/results/latest.json and latest.md. Information, never a gate: it exits 0 whatever the
 * figures are, and non-zero only when a suite cannot run.
 *
 * BENCH_QUICK=1 runs a smaller workload (minutes → seconds) to check the harness itself.
 * BENCH_ONLY=<suite> reruns one counting suite of ALONE (its figures do not depend on the machine's
 * load) and merges them into the last results, leaving the other figures as they were measured.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './dist.js';
import { generateFile } from './generate.js';
import {
  type BenchResults,
  type FlowLogOperations,
  type OpenWindowsResults,
  renderMarkdown,
  type StateSizeResults,
} from './report.js';
import { medianAndSpread } from './stats.js';
import { NOISE_MIX } from './workload.js';

const QUICK = process.env.BENCH_QUICK === '1';
const WORK = join(ROOT, 'bench', '.work');
const RESULTS = join(ROOT, 'bench', 'results');
mkdirSync(WORK, { recursive: true });
mkdirSync(RESULTS, { recursive: true });
const started = Date.now();
const log = (message: string) =>
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/** The command line of a process pinned to one core (the second one when there are two). */
function oneCore(args: string[]): string[] {
  const core = String(Math.min(1, cpus().length - 1));
  return hasTaskset ? ['taskset', '-c', core, ...args] : args;
}

/** Runs a command and returns the JSON its last stdout line holds. */
function runJson<T>(command: string[], options: { env?: Record<string, string> } = {}): T {
  const [file, ...args] = command as [string, ...string[]];
  const r = spawnSync(file, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, ...options.env },
  });
  if (r.status !== 0) {
    throw new Error(`${command.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

const tsx = (script: string, ...args: string[]) => [
  'node',
  '--import',
  'tsx',
  join('bench', script),
  ...args,
];

// 1. Build: the benchmark measures the compiled JavaScript users run.
log('building dist/');
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });

/** Flow-log path against the Event Hub path on the same tuples: a busy and a quiet network (bench/suites/flowLogOps.ts). */
function flowLogOperations(): FlowLogOperations {
  const minutes = QUICK ? '3' : '15';
  return {
    date: new Date().toISOString(),
    runs: ['200', '20'].map((flowsPerSecond) =>
      runJson<FlowLogOperations['runs'][number]>(tsx('suites/flowLogOps.ts', minutes, '4', flowsPerSecond)),
    ),
  };
}

/** Counting suites BENCH_ONLY can rerun alone, each merging its figures into the last results. */
const ALONE: Record<string, (last: BenchResults) => BenchResults> = {
  flowLogOps: (last) => ({ ...last, flowLogOperations: flowLogOperations() }),
};
const only = process.env.BENCH_ONLY;
if (only !== undefined) {
  const rerun = ALONE[only];
  if (rerun === undefined)
    throw new Error(`BENCH_ONLY=${only}: expected one of ${Object.keys(ALONE).join(', ')}`);
  const jsonPath = join(RESULTS, QUICK ? 'quick.json' : 'latest.json');
  log(`${only} alone, into ${jsonPath}`);
  const merged = rerun(JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchResults);
  writeFileSync(jsonPath, `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(jsonPath.replace(/\.json$/, '.md'), renderMarkdown(merged));
  log(`done: ${jsonPath} and its .md`);
  process.exit(0);
}

// 2. Workload.
const scale = QUICK ? 0.05 : 1;
const n = (x: number) => Math.max(1000, Math.round(x * scale));
log('generating the workload');
const formatFiles = (['asim', 'aws-vpc', 'panos-cef', 'nsg-flow'] as const).map((format) =>
  generateFile({ path: join(WORK, `formats-${format}.log`), format, flows: n(200_000) }),
);
const asimMillion = generateFile({ path: join(WORK, 'asim-1m.jsonl'), format: 'asim', flows: n(1_000_000) });
const vpcMillion = generateFile({
  path: join(WORK, 'aws-vpc-1m.log'),
  format: 'aws-vpc',
  flows: n(1_000_000),
});
// Internet background noise: most flows from sources seen once (bench/README.md).
const noiseMillion = generateFile({
  path: join(WORK, 'noise-asim-1m.jsonl'),
  format: 'asim',
  flows: n(1_000_000),
  mix: NOISE_MIX,
});
const mixedQuarter = generateFile({ path: join(WORK, 'mixed-250mb.log'), format: 'mixed', bytes: n(250e6) });
const mixedGb = generateFile({ path: join(WORK, 'mixed-1gb.log'), format: 'mixed', bytes: n(1e9) });

// 3. Per-format pipeline against its parse floor, one core.
const formats = formatFiles.map((f) => {
  log(`formats: ${f.format}`);
  return runJson<Record<string, unknown>>(
    oneCore(tsx('suites/formats.ts', f.path, f.format, QUICK ? '3' : '5', String(f.flows))),
  );
});

// 4. portscan detect against DuckDB on the same files, same run, same machine.
interface Probe {
  status: number;
  wallMs: number;
  cpuMs: number;
  maxRssBytes: number;
}
interface Alert {
  SrcIpAddr: string;
  BinStart: string;
  AttemptedPortsCount: number;
}
function detect(files: string[], extra: string[] = [], pin = true): { probe: Probe; alerts: Alert[] } {
  const out = join(WORK, 'probe.json');
  rmSync(out, { force: true });
  const command = [
    'node',
    join('bench', 'probe.mjs'),
    out,
    'detect',
    '--output',
    'jsonl',
    ...extra,
    ...files,
  ];
  const [file, ...args] = (pin ? oneCore(command) : command) as [string, ...string[]];
  const r = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`detect exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const alerts = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Alert);
  return { probe: JSON.parse(readFileSync(out, 'utf8')) as Probe, alerts };
}
const key = (src: string, bin: string, ports: number) => `${bin}|${src}|${ports}`;
const duck = (format: string, path: string, threads: number) =>
  runJson<{
    ms: ReturnType<typeof medianAndSpread>;
    maxRssBytes: number;
    alerts: [string, string, number][];
  }>(tsx('suites/duckdb.ts', format, path, String(threads), '2'));
const versus = [
  { format: 'asim', file: asimMillion, mix: 'bench' as const },
  { format: 'aws-vpc', file: vpcMillion, mix: 'bench' as const },
  { format: 'asim', file: noiseMillion, mix: 'noise' as const },
].map(({ format, file, mix }) => {
  log(`detect vs DuckDB: ${format} (${mix} mix)`);
  // Interleaved, so that other load on the machine falls on both sides alike.
  const runs: ReturnType<typeof detect>[] = [];
  const threaded: ReturnType<typeof detect>[] = [];
  const duck2Ms: number[] = [];
  const duck1Ms: number[] = [];
  let duck2: ReturnType<typeof duck> | undefined;
  for (let i = 0; i < (QUICK ? 2 : 3); i++) {
    runs.push(detect([file.path]));
    // Both cores, as DuckDB's 2 threads: two worker threads, each decoding and holding a shard of the sources.
    threaded.push(detect([file.path], ['--threads', '2'], false));
    duck2 = duck(format, file.path, 2);
    duck2Ms.push(duck2.ms.median);
    duck1Ms.push(duck(format, file.path, 1).ms.median);
  }
  if (duck2 === undefined) throw new Error('no DuckDB run');
  const ours = new Set(
    (runs[0]?.alerts ?? []).map((a) => key(a.SrcIpAddr, a.BinStart, a.AttemptedPortsCount)),
  );
  const theirs = new Set(duck2.alerts.map(([s, b, p]) => key(s, b, p)));
  const ours2 = new Set(
    (threaded[0]?.alerts ?? []).map((a) => key(a.SrcIpAddr, a.BinStart, a.AttemptedPortsCount)),
  );
  const sameAlerts =
    ours.size === theirs.size &&
    [...ours].every((k) => theirs.has(k)) &&
    ours2.size === ours.size &&
    [...ours].every((k) => ours2.has(k));
  return {
    format,
    mix,
    bytes: file.bytes,
    flows: file.flows,
    detectMs: medianAndSpread(runs.map((r) => r.probe.wallMs)),
    detectCpuMs: medianAndSpread(runs.map((r) => r.probe.cpuMs)),
    detectMaxRssBytes: medianAndSpread(runs.map((r) => r.probe.maxRssBytes)),
    detect2Ms: medianAndSpread(threaded.map((r) => r.probe.wallMs)),
    duckdb2Ms: medianAndSpread(duck2Ms),
    duckdb1Ms: medianAndSpread(duck1Ms),
    duckdb2MaxRssBytes: duck2.maxRssBytes,
    alerts: ours.size,
    duckdbAlerts: theirs.size,
    sameAlerts,
  };
});

// 5. Memory of detect against input length (mixed formats, one core).
const memory = [
  { label: 'default retention (168 h)', extra: [] as string[] },
  { label: 'retention 1 h', extra: ['--retention-hours', '1'] },
].map(({ label, extra }) => {
  log(`memory: ${label}`);
  const quarter = detect([mixedQuarter.path], extra);
  const full = detect([mixedGb.path], extra);
  return {
    label,
    smallBytes: mixedQuarter.bytes,
    largeBytes: mixedGb.bytes,
    smallMaxRssBytes: quarter.probe.maxRssBytes,
    largeMaxRssBytes: full.probe.maxRssBytes,
    largeWallMs: full.probe.wallMs,
    largeCpuMs: full.probe.cpuMs,
    largeFlows: mixedGb.flows,
    alerts: full.alerts.length,
  };
});

// 6. The ingest function against Azurite.
log('ingest against Azurite');
const ingest = runJson<Record<string, number>>(tsx('suites/ingest.ts', QUICK ? '3' : '12', '1000', '10'));
// The same stream in batches ten times smaller: how writes per flow depend on the batch.
const ingestSmallBatches = runJson<Record<string, number>>(
  tsx('suites/ingest.ts', QUICK ? '3' : '12', '100', '10'),
);
// Background noise in host.json's batches (100 messages): most flows are window rows of their own.
const ingestNoise = runJson<Record<string, number>>(
  tsx('suites/ingest.ts', QUICK ? '3' : '40', '100', '10', 'noise'),
);

// 6b. What the window state costs, counted (bytes per stored row, writes, heap per open window).
log('window state size');
const stateSize = runJson<StateSizeResults>([
  'node',
  '--expose-gc',
  '--import',
  'tsx',
  join('bench', 'suites', 'stateSize.ts'),
  QUICK ? '2' : '12',
]);

// 6c. What an open window of portscan detect costs: memory, and CPU time to create one (one core).
log('open windows');
const openWindows = runJson<OpenWindowsResults>(
  oneCore([
    'node',
    '--expose-gc',
    '--import',
    'tsx',
    join('bench', 'suites', 'openWindows.ts'),
    String(n(1_000_000)),
    '3',
  ]),
);

// 7. The closing timer.
log('closing timer');
const { startAzurite } = await import('../test/support/azurite.js');
const az = await startAzurite();
const closerTable: Record<string, unknown>[] = [];
try {
  for (const states of [10_000, 100_000].map(n)) {
    const prefix = `Close${states}`;
    runJson(tsx('suites/closer.ts', 'seed', String(states), az.connectionString(), prefix));
    closerTable.push({
      states,
      ...runJson<Record<string, unknown>>(tsx('suites/closer.ts', 'table', az.connectionString(), prefix)),
    });
  }
} finally {
  await az.stop();
}
const closerMemory = [10_000, 100_000, 1_000_000].map(n).map((states) => ({
  states,
  ...runJson<Record<string, unknown>>(tsx('suites/closer.ts', 'memory', String(states))),
}));
// What a closing run asks of Event Hubs and Table Storage, counted.
const closerOperations = runJson<{ runs: Record<string, unknown>[] }>(tsx('suites/closerOps.ts'));

// 8. What the flow-log path asks of Table and Blob Storage, counted, beside the Event Hub path.
log('flow-log path operations');
const flowLogs = flowLogOperations();

const results = {
  date: new Date().toISOString(),
  quick: QUICK,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    pinnedToOneCore: hasTaskset,
  },
  seconds: (Date.now() - started) / 1000,
  formats,
  stateSize,
  openWindows,
  versus,
  memory,
  ingest,
  ingestSmallBatches,
  ingestNoise,
  closer: { table: closerTable, memory: closerMemory, operations: closerOperations },
  flowLogOperations: flowLogs,
};
const jsonPath = join(RESULTS, QUICK ? 'quick.json' : 'latest.json');
writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(jsonPath.replace(/\.json$/, '.md'), renderMarkdown(results));
log(`done: ${jsonPath} and its .md (${existsSync(jsonPath) ? 'written' : 'missing'})`);
