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

/**
 * The counted rows of one chunk that one shard owns, in input order, in arrays that cross threads
 * cheaply (strings once per batch). `latestBeforeMs[i]` is the latest event time of the counted
 * rows before row i in the chunk, of every shard; `chunkLatestMs` that of the whole chunk.
 */
export interface RowBatch {
  readonly id: number;
  readonly attempt: number;
  readonly count: number;
  readonly chunkLatestMs: number;
  readonly timeMs: Float64Array;
  readonly latestBeforeMs: Float64Array;
  /** DstPortNumber, -1 when absent. */
  readonly ports: Int32Array;
  readonly eventCounts: Float64Array;
  readonly reached: Uint8Array;
  readonly sourceIndex: Int32Array;
  /** Index into `strings` of the target, -1 when absent. */
  readonly targetIndex: Int32Array;
  readonly reporterIndex: Int32Array;
  readonly deviceIndex: Int32Array;
  /** The distinct strings of the batch: sources, targets, reporters and devices. */
  readonly strings: string[];
}

/** Builds one `RowBatch`, row by row. */
export class RowBatchBuilder {
  #count = 0;
  #capacity = 0;
  #timeMs = new Float64Array(0);
  #latestBeforeMs = new Float64Array(0);
  #ports = new Int32Array(0);
  #eventCounts = new Float64Array(0);
  #reached = new Uint8Array(0);
  #sourceIndex = new Int32Array(0);
  #targetIndex = new Int32Array(0);
  #reporterIndex = new Int32Array(0);
  #deviceIndex = new Int32Array(0);
  readonly #strings: string[] = [];
  readonly #ids = new Map<string, number>();

  add(row: CountedRow, latestBeforeMs: number): void {
    if (this.#count === this.#capacity) this.#grow();
    const i = this.#count++;
    this.#timeMs[i] = row.timeMs;
    this.#latestBeforeMs[i] = latestBeforeMs;
    this.#ports[i] = row.port ?? -1;
    this.#eventCounts[i] = row.eventCount;
    this.#reached[i] = row.reached ? 1 : 0;
    this.#sourceIndex[i] = this.#idOf(row.source);
    this.#targetIndex[i] = row.target === undefined ? -1 : this.#idOf(row.target);
    this.#reporterIndex[i] = this.#idOf(row.reporter);
    this.#deviceIndex[i] = this.#idOf(row.device);
  }

  /** The batch, its arrays trimmed to the rows added. */
  build(id: number, attempt: number, chunkLatestMs: number): RowBatch {
    const n = this.#count;
    return {
      id,
      attempt,
      count: n,
      chunkLatestMs,
      timeMs: this.#timeMs.slice(0, n),
      latestBeforeMs: this.#latestBeforeMs.slice(0, n),
      ports: this.#ports.slice(0, n),
      eventCounts: this.#eventCounts.slice(0, n),
      reached: this.#reached.slice(0, n),
      sourceIndex: this.#sourceIndex.slice(0, n),
      targetIndex: this.#targetIndex.slice(0, n),
      reporterIndex: this.#reporterIndex.slice(0, n),
      deviceIndex: this.#deviceIndex.slice(0, n),
      strings: this.#strings,
    };
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
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.#timeMs = grown(this.#timeMs, (n) => new Float64Array(n));
    this.#latestBeforeMs = grown(this.#latestBeforeMs, (n) => new Float64Array(n));
    this.#ports = grown(this.#ports, (n) => new Int32Array(n));
    this.#eventCounts = grown(this.#eventCounts, (n) => new Float64Array(n));
    this.#reached = grown(this.#reached, (n) => new Uint8Array(n));
    this.#sourceIndex = grown(this.#sourceIndex, (n) => new Int32Array(n));
    this.#targetIndex = grown(this.#targetIndex, (n) => new Int32Array(n));
    this.#reporterIndex = grown(this.#reporterIndex, (n) => new Int32Array(n));
    this.#deviceIndex = grown(this.#deviceIndex, (n) => new Int32Array(n));
    this.#capacity = capacity;
  }
}

/** The buffers of a batch, to transfer rather than copy. */
export function transferablesOf(batch: RowBatch): ArrayBuffer[] {
  return [
    batch.timeMs,
    batch.latestBeforeMs,
    batch.ports,
    batch.eventCounts,
    batch.reached,
    batch.sourceIndex,
    batch.targetIndex,
    batch.reporterIndex,
    batch.deviceIndex,
  ].map((a) => a.buffer as ArrayBuffer);
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
  const { strings } = batch;
  for (let i = 0; i < batch.count; i++) {
    const before = batch.latestBeforeMs[i] as number;
    detector.observeEventTime(Math.max(before, priorLatestMs));
    const timeMs = batch.timeMs[i] as number;
    const port = batch.ports[i] as number;
    const target = batch.targetIndex[i] as number;
    detector.addRow({
      source: strings[batch.sourceIndex[i] as number] as string,
      binStartMs: binStartOf(timeMs, binMs),
      timeMs,
      port: port < 0 ? undefined : port,
      reporter: strings[batch.reporterIndex[i] as number] as string,
      eventCount: batch.eventCounts[i] as number,
      target: target < 0 ? undefined : strings[target],
      reached: batch.reached[i] === 1,
      device: strings[batch.deviceIndex[i] as number] as string,
    });
  }
  const latest = Math.max(batch.chunkLatestMs, priorLatestMs);
  detector.observeEventTime(latest);
  return latest;
}
