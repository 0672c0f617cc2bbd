/**
 * What the window state costs, counted (not timed): the ingest use case over one partition's
 * batches of the mixed workload (messages of 10 lines, 1,000 messages per batch), written to the
 * in-memory store (the same applyWindows semantics as Table Storage: one write per (source, bin)
 * per batch); then the bytes of every stored row as the codec encodes it, benign and scanner rows
 * apart. The memory of an open window in `portscan detect` is bench/suites/openWindows.ts's.
 *
 *   node --expose-gc --import tsx bench/suites/stateSize.ts <batches>
 *
 * BENCH_DIST=<dir> loads the compiled modules from another build (a before/after comparison).
 */
import { loadDist } from '../dist.js';
import { DEFAULT_MIX, type Flow, flows, LineRenderer } from '../workload.js';

const batches = Number(process.argv[2] ?? '12');
const MESSAGES = 1000;
const LINES = 10;

const { ingestBatch } = await loadDist<typeof import('../../lib/detection/ingestBatch.js')>(
  'lib/detection/ingestBatch.js',
);
const { InMemoryWindowStore } = await loadDist<typeof import('../../lib/state/InMemoryWindowStore.js')>(
  'lib/state/InMemoryWindowStore.js',
);
const { encodeState } =
  await loadDist<typeof import('../../lib/window/stateCodec.js')>('lib/window/stateCodec.js');
const { FUNCTION_DEFAULTS, resolveDetectionSettings } = await loadDist<
  typeof import('../../lib/config/detectionSettings.js')
>('lib/config/detectionSettings.js');
const { FUNCTION_LIMITS } =
  await loadDist<typeof import('../../lib/config/limits.js')>('lib/config/limits.js');
const { SOURCE_DECODERS } = await loadDist<typeof import('../../lib/sources/pipeline/registry.js')>(
  'lib/sources/pipeline/registry.js',
);
const { silentLogger } = await loadDist<typeof import('../../lib/observability/Logger.js')>(
  'lib/observability/Logger.js',
);

const settings = resolveDetectionSettings({}, {}, FUNCTION_DEFAULTS);
const renderer = new LineRenderer('mixed', DEFAULT_MIX.seed);
const stream = flows(DEFAULT_MIX);
const store = new InMemoryWindowStore();

let flowCount = 0;
let entityWrites = 0;
let sequence = 1;
let lastEnqueuedMs = DEFAULT_MIX.startMs;
for (let b = 0; b < batches; b++) {
  const messages: { body: Buffer; sequenceNumber: number; enqueuedTimeMs: number }[] = [];
  for (let m = 0; m < MESSAGES; m++) {
    const lines: string[] = [];
    let last: Flow | undefined;
    while (lines.length < LINES) {
      const f = stream.next().value as Flow;
      last = f;
      const line = renderer.render(f);
      if (line === undefined) continue;
      lines.push(line);
      flowCount += renderer.emitted.length;
    }
    lastEnqueuedMs = (last as Flow).logMs + 2000;
    messages.push({
      body: Buffer.from(lines.join('\n'), 'utf8'),
      sequenceNumber: sequence++,
      enqueuedTimeMs: lastEnqueuedMs,
    });
  }
  const summary = await ingestBatch('0', messages, {
    store,
    settings,
    decoders: SOURCE_DECODERS,
    logger: silentLogger,
    nowMs: lastEnqueuedMs,
    limits: FUNCTION_LIMITS,
  });
  entityWrites += summary.storage.entityWrites;
}

/** Sizes of the stored rows, by kind. */
const sizes = { benign: [] as number[], scanner: [] as number[] };
const firstBin = Math.floor(DEFAULT_MIX.startMs / settings.binMs) * settings.binMs;
for (let bin = firstBin; bin <= lastEnqueuedMs; bin += settings.binMs) {
  for await (const row of store.listBinWindows(bin)) {
    const bytes = encodeState(row.state).length;
    (row.state.ports.size > settings.threshold ? sizes.scanner : sizes.benign).push(bytes);
  }
}

function describe(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const total = sorted.reduce((t, v) => t + v, 0);
  return {
    rows: sorted.length,
    meanBytes: sorted.length === 0 ? 0 : Math.round((total / sorted.length) * 10) / 10,
    p50Bytes: at(0.5),
    p99Bytes: at(0.99),
    maxBytes: at(1),
  };
}

process.stdout.write(
  `${JSON.stringify({
    flows: flowCount,
    batches,
    entityWritesPer1000Flows: Math.round((entityWrites / flowCount) * 1000 * 10) / 10,
    benignRows: describe(sizes.benign),
    scannerRows: describe(sizes.scanner),
  })}\n`,
);
