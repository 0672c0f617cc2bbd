/**
 * Per-format throughput: the whole pipeline (decode + normalize + filter + aggregate, the CLI's
 * in-memory engine) against its parse floor (split the lines and JSON.parse them, or split and
 * tokenize them), on the same bytes held in memory, alternating runs in one process.
 *
 *   node --import tsx bench/suites/formats.ts <file> <format> <runs> <flows>
 *
 * Measures the compiled dist/ (run `npm run build` first); prints one JSON result line.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { loadDist } from '../dist.js';
import { medianAndSpread, type RunStats } from '../stats.js';

const [path, format, runsText, flowsText] = process.argv.slice(2);
if (path === undefined || format === undefined)
  throw new Error('usage: formats.ts <file> <format> <runs> <flows>');
const runs = Number(runsText ?? '5');
const flows = Number(flowsText ?? '0');

const { forEachLine } = await loadDist<typeof import('../../lib/cli/readLines.js')>('lib/cli/readLines.js');
const { openInput } = await loadDist<typeof import('../../lib/sources/pipeline/decodeInput.js')>(
  'lib/sources/pipeline/decodeInput.js',
);
const { Normalizer } = await loadDist<typeof import('../../lib/sources/pipeline/Normalizer.js')>(
  'lib/sources/pipeline/Normalizer.js',
);
const { SOURCE_DECODERS } = await loadDist<typeof import('../../lib/sources/pipeline/registry.js')>(
  'lib/sources/pipeline/registry.js',
);
const { FastLinePath } = await loadDist<typeof import('../../lib/fastpath/FastLinePath.js')>(
  'lib/fastpath/FastLinePath.js',
);
const { StreamingDetector } = await loadDist<typeof import('../../lib/detection/StreamingDetector.js')>(
  'lib/detection/StreamingDetector.js',
);
const { CLI_DEFAULTS, resolveDetectionSettings } = await loadDist<
  typeof import('../../lib/config/detectionSettings.js')
>('lib/config/detectionSettings.js');

const bytes = readFileSync(path);
const CHUNK = 1 << 20;
const chunks = () => {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return Readable.from(out);
};
const isJson = format === 'asim' || format === 'nsg-flow';

/** The floor: the same line splitting, then JSON.parse (JSON formats) or a split on spaces (text formats). */
async function floor(): Promise<number> {
  let sink = 0;
  await forEachLine(chunks(), 1 << 28, (line) => {
    if (isJson) {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (v !== null) sink++;
    } else sink += line.split(' ').length;
  });
  return sink;
}

const settings = resolveDetectionSettings({}, {}, CLI_DEFAULTS);

/**
 * The pipeline: the CLI's detect engine, minus file reading and output; `fast` adds the fast path
 * `portscan detect` uses (without it, this is the full decoder the Event Hub function runs, except
 * that flow-log tuples reach the windows as flow rows, as in `portscan detect`, not as NetworkSessions).
 */
async function pipeline(fast: boolean): Promise<{ rows: number; alerts: number }> {
  let alerts = 0;
  const detector = new StreamingDetector(settings, () => {
    alerts++;
  });
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format: 'auto', maxDeadLetters: 20 },
    (s) => detector.add(s),
    // A build without flow rows ignores the fourth argument (a before/after comparison).
    (tuple, group) => detector.addFlow(tuple, group),
  );
  const description = {
    input: path as string,
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2026-11-29T00:00:00Z'),
    maxDocumentChars: 1 << 28,
  };
  const splitter = fast
    ? new FastLinePath(SOURCE_DECODERS, normalizer.maxFieldChars).open(normalizer, description)
    : openInput(normalizer, description);
  await forEachLine(chunks(), 1 << 28, (line, n) => splitter.line(line, n));
  splitter.end();
  detector.finish();
  return { rows: normalizer.counts.recordsNormalized, alerts };
}

const floorMs: number[] = [];
const pipelineMs: number[] = [];
const fullMs: number[] = [];
let check: { rows: number; alerts: number } | undefined;
let checkFull: { rows: number; alerts: number } | undefined;
// One warm-up of each, then alternate.
await floor();
await pipeline(true);
await pipeline(false);
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  await floor();
  floorMs.push(performance.now() - t);
  t = performance.now();
  check = await pipeline(true);
  pipelineMs.push(performance.now() - t);
  t = performance.now();
  checkFull = await pipeline(false);
  fullMs.push(performance.now() - t);
}
if (check?.rows !== checkFull?.rows || check?.alerts !== checkFull?.alerts) {
  throw new Error(`fast and full pipelines disagree: ${JSON.stringify({ check, checkFull })}`);
}

const mb = bytes.length / 1e6;
const rate = (ms: readonly number[], per: number): RunStats =>
  medianAndSpread(ms.map((m) => per / (m / 1000)));
const result = {
  format,
  bytes: bytes.length,
  flows,
  rows: check?.rows,
  alerts: check?.alerts,
  floorMs: medianAndSpread(floorMs),
  pipelineMs: medianAndSpread(pipelineMs),
  floorRecordsPerSecond: rate(floorMs, flows),
  pipelineRecordsPerSecond: rate(pipelineMs, flows),
  floorMBps: rate(floorMs, mb),
  pipelineMBps: rate(pipelineMs, mb),
  ratio: medianAndSpread(floorMs.map((f, i) => f / (pipelineMs[i] as number))),
  fullMs: medianAndSpread(fullMs),
  fullRecordsPerSecond: rate(fullMs, flows),
  fullMBps: rate(fullMs, mb),
  fullRatio: medianAndSpread(floorMs.map((f, i) => f / (fullMs[i] as number))),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
