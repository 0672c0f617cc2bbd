import type { CountedRow } from '../detection/RowRouter.js';
import { binStartOf } from '../detection/RowRouter.js';
import type { StreamingDetector } from '../detection/StreamingDetector.js';

/** The shard that owns `source`: a hash of its text (FNV-1a over its UTF-16 code units) modulo `shards`. */
export function shardOf(source: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) {
    h ^= source.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

/** Numbers per row in a batch's cells: time, latest event time before it, event count. */
const FLOATS = 3;
/** Integers per row, after the numbers: port, source, target, reporter, device, reached. */
const INTS = 6;

/**
 * The counted rows of one chunk that one shard owns, in input order, in one buffer that moves
 * between threads (transferred, not copied) and a table of their strings. Row i's numbers are
 * `Float64Array(cells)[3i…3i+2]`: its event time, the latest event time of the counted rows before
 * it in the chunk, of every shard (`latestBeforeMs`), and its event count; after `3 × count`
 * numbers, its integers are `Int32Array[6i…6i+5]`: DstPortNumber (-1 when absent), the indexes into
 * `strings` of its source, target (-1 when absent), reporter and device, and 1 when reached.
 * `chunkLatestMs` is the latest event time of the whole chunk.
 */
export interface RowBatch {
  readonly id: number;
  readonly attempt: number;
  readonly count: number;
  readonly chunkLatestMs: number;
  readonly cells: ArrayBuffer;
  /** The distinct strings of the batch: sources, targets, reporters and devices. */
  readonly strings: string[];
}

/** Builds one `RowBatch` per chunk, row by row, in arrays kept from one chunk to the next. */
export class RowBatchBuilder {
  #count = 0;
  #capacity = 0;
  #floats = new Float64Array(0);
  #ints = new Int32Array(0);
  #strings: string[] = [];
  readonly #ids = new Map<string, number>();
  // Most rows of a chunk share their reporter and device with the row before.
  #reporter: string | undefined;
  #reporterId = -1;
  #device: string | undefined;
  #deviceId = -1;

  add(row: CountedRow, latestBeforeMs: number): void {
    if (this.#count === this.#capacity) this.#grow();
    const i = this.#count++;
    const f = i * FLOATS;
    const floats = this.#floats;
    floats[f] = row.timeMs;
    floats[f + 1] = latestBeforeMs;
    floats[f + 2] = row.eventCount;
    const n = i * INTS;
    const ints = this.#ints;
    ints[n] = row.port ?? -1;
    ints[n + 1] = this.#idOf(row.source);
    ints[n + 2] = row.target === undefined ? -1 : this.#idOf(row.target);
    const { reporter, device } = row;
    if (reporter !== this.#reporter) {
      this.#reporter = reporter;
      this.#reporterId = this.#idOf(reporter);
    }
    ints[n + 3] = this.#reporterId;
    if (device !== this.#device) {
      this.#device = device;
      this.#deviceId = this.#idOf(device);
    }
    ints[n + 4] = this.#deviceId;
    ints[n + 5] = row.reached ? 1 : 0;
  }

  /** The batch of the rows added since the last one; the builder starts the next. */
  build(id: number, attempt: number, chunkLatestMs: number): RowBatch {
    const count = this.#count;
    const cells = new ArrayBuffer(count * (FLOATS * 8 + INTS * 4));
    new Float64Array(cells, 0, count * FLOATS).set(this.#floats.subarray(0, count * FLOATS));
    new Int32Array(cells, count * FLOATS * 8, count * INTS).set(this.#ints.subarray(0, count * INTS));
    const batch: RowBatch = { id, attempt, count, chunkLatestMs, cells, strings: this.#strings };
    this.#count = 0;
    this.#strings = [];
    this.#ids.clear();
    this.#reporter = undefined;
    this.#device = undefined;
    return batch;
  }

  #idOf(value: string): number {
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(value);
      this.#ids.set(value, id);
    }
    return id;
  }

  #grow(): void {
    const capacity = Math.max(256, this.#capacity * 2);
    const floats = new Float64Array(capacity * FLOATS);
    floats.set(this.#floats);
    const ints = new Int32Array(capacity * INTS);
    ints.set(this.#ints);
    this.#floats = floats;
    this.#ints = ints;
    this.#capacity = capacity;
  }
}

/** The buffers of a batch, to transfer rather than copy. */
export function transferablesOf(batch: RowBatch): ArrayBuffer[] {
  return [batch.cells];
}

/**
 * Applies a shard's batch to its detector, in order: before each row the detector is told the
 * latest event time of every row before it in the stream (`priorLatestMs`, the latest of the
 * chunks before this one, or the row's `latestBeforeMs`), so its bins close as one detector's
 * would. Returns the latest event time after the chunk.
 */
export function applyRowBatch(
  batch: RowBatch,
  detector: StreamingDetector,
  binMs: number,
  priorLatestMs: number,
): number {
  const { strings, count } = batch;
  const floats = new Float64Array(batch.cells, 0, count * FLOATS);
  const ints = new Int32Array(batch.cells, count * FLOATS * 8, count * INTS);
  for (let i = 0; i < count; i++) {
    const f = i * FLOATS;
    const n = i * INTS;
    detector.observeEventTime(Math.max(floats[f + 1] as number, priorLatestMs));
    const timeMs = floats[f] as number;
    const port = ints[n] as number;
    const target = ints[n + 2] as number;
    detector.addRow({
      source: strings[ints[n + 1] as number] as string,
      binStartMs: binStartOf(timeMs, binMs),
      timeMs,
      port: port < 0 ? undefined : port,
      reporter: strings[ints[n + 3] as number] as string,
      eventCount: floats[f + 2] as number,
      target: target < 0 ? undefined : strings[target],
      reached: ints[n + 5] === 1,
      device: strings[ints[n + 4] as number] as string,
    });
  }
  const latest = Math.max(batch.chunkLatestMs, priorLatestMs);
  detector.observeEventTime(latest);
  return latest;
}
