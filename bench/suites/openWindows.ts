/**
 * What an open window of `portscan detect` costs: memory held per window and time to create one,
 * for windows of sources seen once (internet background noise, bench/README.md). Rows are
 * routed first, so only `StreamingDetector.addRow` is timed: one row for each of <windows>
 * distinct public sources, spread over 12 bins in time order (none is released: the default
 * retention holds them), then a second row for each (adding to an open window).
 *
 * Memory is what the detector keeps after a garbage collection, on the heap and in array
 * buffers, with the rows made one at a time and dropped (so a source string counts only where
 * the windows keep it).
 *
 *   node --expose-gc --import tsx bench/suites/openWindows.ts <windows> <runs>
 *
 * BENCH_DIST=<dir> loads the compiled modules from another build (a before/after comparison).
 */
import { loadDist } from '../dist.js';
import { medianAndSpread } from '../stats.js';

const windows = Number(process.argv[2] ?? '1000000');
const runs = Number(process.argv[3] ?? '3');

const { StreamingDetector } = await loadDist<typeof import('../../lib/detection/StreamingDetector.js')>(
  'lib/detection/StreamingDetector.js',
);
const { resolveDetectionSettings, CLI_DEFAULTS } = await loadDist<
  typeof import('../../lib/config/detectionSettings.js')
>('lib/config/detectionSettings.js');
type Row = Parameters<InstanceType<typeof StreamingDetector>['addRow']>[0];

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const settings = resolveDetectionSettings({}, {}, CLI_DEFAULTS);
const t0 = Date.parse('2026-11-02T00:00:00Z');
const spanMs = 12 * settings.binMs;
const PORTS = [23, 22, 445, 3389, 80, 443, 8080];

/** The i-th row: a public source of its own, one probed port, one target, denied. */
function rowOf(i: number, second: boolean): Row {
  const timeMs = t0 + Math.floor((i / windows) * spanMs) + (second ? 1 : 0);
  return {
    source: `${20 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.${7 + (i % 200)}`,
    binStartMs: Math.floor(timeMs / settings.binMs) * settings.binMs,
    timeMs,
    port: PORTS[i % PORTS.length] as number,
    reporter: 'Palo Alto/PanOS',
    eventCount: 1,
    target: `203.0.113.${1 + (i % 254)}`,
    reached: false,
    device: 'pa-edge-01',
  };
}

const used = () => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};

/** Memory the detector holds per open window. */
function memoryPerWindow() {
  const detector = new StreamingDetector(settings, () => undefined);
  gc?.();
  const before = used();
  for (let i = 0; i < windows; i++) detector.addRow(rowOf(i, false));
  gc?.();
  const after = used();
  if (detector.counts.openWindows !== windows) throw new Error(`expected ${windows} open windows`);
  return {
    heapBytes: (after.heap - before.heap) / windows,
    arrayBufferBytes: (after.buffers - before.buffers) / windows,
  };
}

/** CPU time of this process in ms: steadier than wall time on a shared machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * CPU time to create a window, and to add a row to an open one (ns per row): rows are made in
 * batches of 10,000 outside the timed part, so that the heap holds the windows and one batch.
 */
function timing() {
  const BATCH = 10_000;
  const created: number[] = [];
  const added: number[] = [];
  for (let r = 0; r < runs; r++) {
    const detector = new StreamingDetector(settings, () => undefined);
    gc?.();
    for (const [second, out] of [
      [false, created],
      [true, added],
    ] as const) {
      let ms = 0;
      for (let from = 0; from < windows; from += BATCH) {
        const rows: Row[] = [];
        for (let i = from; i < Math.min(windows, from + BATCH); i++) rows.push(rowOf(i, second));
        const t = cpuMs();
        for (const row of rows) detector.addRow(row);
        ms += cpuMs() - t;
      }
      out.push((ms * 1e6) / windows);
    }
  }
  return { createNs: medianAndSpread(created), addNs: medianAndSpread(added) };
}

const memory = memoryPerWindow();
const times = timing();
process.stdout.write(
  `${JSON.stringify({
    windows,
    bytesPerWindow: Math.round(memory.heapBytes + memory.arrayBufferBytes),
    heapBytesPerWindow: Math.round(memory.heapBytes),
    arrayBufferBytesPerWindow: Math.round(memory.arrayBufferBytes),
    ...times,
  })}\n`,
);
