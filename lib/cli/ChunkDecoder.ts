import type { DetectionSettings } from '../config/detectionSettings.js';
import type { CountedRow } from '../detection/RowRouter.js';
import { type RowDropReason, RowRouter } from '../detection/RowRouter.js';
import {
  ASIM,
  AWS_VPC,
  type FastFields,
  type FastInput,
  FastLinePath,
  type FastReading,
} from '../fastpath/FastLinePath.js';
import type { DeadLetter } from '../sources/pipeline/Normalizer.js';
import { Normalizer } from '../sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../sources/pipeline/registry.js';
import { asciiText } from './readLines.js';
import { type RowBatch, RowBatchBuilder, shardOf } from './shardRows.js';

/**
 * Where a chunk's decoding starts: a fresh state for its input with the input's state-changing
 * lines so far replayed into it (`log`), or the state a chunk before it on the same worker ended
 * in (`from`, the key of that attempt).
 */
export type ChunkStart =
  | { readonly kind: 'fresh'; readonly log: readonly string[] }
  | { readonly kind: 'continue'; readonly from: string };

/** Consecutive lines of one input: decoded text with each line's number, or UTF-8 bytes of whole lines numbered from the first. */
export type ChunkLines =
  | { readonly kind: 'text'; readonly text: string; readonly lineNumbers: Int32Array }
  | {
      readonly kind: 'bytes';
      readonly bytes: Uint8Array;
      readonly firstLineNumber: number;
      readonly lineCount: number;
    };

/**
 * The line bytes of a chunk that travel between threads by transfer rather than copy (the pool
 * lends them to the worker that decodes the chunk, whose report gives them back); none for text.
 */
export function lentBytesOf(lines: ChunkLines): Uint8Array | undefined {
  return lines.kind === 'bytes' && lines.bytes.byteLength > 0 ? lines.bytes : undefined;
}

/** A chunk of one input's lines to decode. */
export interface DecodeRequest {
  readonly id: number;
  readonly attempt: number;
  readonly input: string;
  /** A time near the data's production, for year-less timestamps (the run's start). */
  readonly referenceTimeMs: number;
  readonly lines: ChunkLines;
  /** The input ends after this chunk. */
  readonly isLast: boolean;
  readonly start: ChunkStart;
}

/** What decoding a chunk counted, besides its rows (which go to the shards). */
export interface DecodeReport {
  readonly id: number;
  readonly attempt: number;
  readonly itemsRead: number;
  readonly recordsNormalized: number;
  readonly skipped: [string, number][];
  readonly invalid: [string, number][];
  readonly noted: [string, number][];
  readonly bySource: [string, number][];
  readonly deadLetters: DeadLetter[];
  readonly drops: [RowDropReason, number][];
  /** Rows counted (routed to a shard). */
  readonly rows: number;
  /** Lines that changed the stream's state, each a whole item on its own, to replay for later chunks. */
  readonly logAdded: string[];
  /** The state changed in a way replaying lines cannot reproduce (inside a multi-line document). */
  readonly unreplayable: boolean;
  /** The next chunk must continue this one's state: a document is open, or the state cannot be replayed. */
  readonly needsContinuation: boolean;
}

/** One input's decoding state, kept between chunks that may continue it. */
interface Stream {
  readonly input: FastInput;
  readonly normalizer: Normalizer;
  unreplayable: boolean;
}

/** The key of a chunk attempt's kept state. */
export const attemptKey = (id: number, attempt: number): string => `${id}/${attempt}`;

/**
 * A worker thread's decoding of chunks (lib/cli/ShardPool.ts describes the whole): the fast path
 * where it applies and the full decoders otherwise, exactly as one thread feeds an input's lines
 * through `FastLinePath.open`, then the row-level steps (`RowRouter`). Each counted row goes to the
 * batch of the shard that owns its source, with the latest event time of the rows before it.
 * The state a chunk ends in is kept until the pool releases it, so that the next chunk can
 * continue it when it cannot start afresh.
 */
export class ChunkDecoder {
  readonly #path: FastLinePath;
  readonly #router: RowRouter;
  readonly #shards: number;
  readonly #maxDeadLetters: number;
  readonly #maxDocumentChars: number;
  readonly #maxFieldChars: number;
  readonly #kept = new Map<string, Stream>();
  /** The batches of the chunk being decoded, one per shard. */
  readonly #builders: RowBatchBuilder[];
  /** A chunk is being decoded (rather than a log replayed). */
  #decoding = false;
  #latestMs = Number.NEGATIVE_INFINITY;
  #rows = 0;

  constructor(
    settings: DetectionSettings,
    options: {
      readonly shards: number;
      readonly maxFieldChars: number;
      readonly maxDeadLetters: number;
      readonly maxDocumentChars: number;
    },
  ) {
    this.#path = new FastLinePath(SOURCE_DECODERS, options.maxFieldChars);
    this.#router = new RowRouter(settings);
    this.#shards = options.shards;
    this.#maxDeadLetters = options.maxDeadLetters;
    this.#maxDocumentChars = options.maxDocumentChars;
    this.#maxFieldChars = options.maxFieldChars;
    this.#builders = Array.from({ length: options.shards }, () => new RowBatchBuilder());
  }

  /** Decodes a chunk: its report and one batch of rows per shard. */
  decode(request: DecodeRequest): { report: DecodeReport; batches: RowBatch[] } {
    const stream = this.#streamFor(request);
    const { input, normalizer } = stream;
    const counts = normalizer.counts;
    const before = {
      itemsRead: counts.itemsRead,
      recordsNormalized: counts.recordsNormalized,
      skipped: new Map(counts.skipped),
      invalid: new Map(counts.invalid),
      noted: new Map(counts.noted),
      bySource: new Map(counts.bySource),
      deadLetters: normalizer.deadLetters.length,
    };
    // The drops of this chunk alone, in the order they first occur in it.
    this.#router.drops.clear();
    this.#decoding = true;
    this.#latestMs = Number.NEGATIVE_INFINITY;
    this.#rows = 0;
    const logAdded: string[] = [];
    const chunk = request.lines;
    const text = chunk.kind === 'text' ? chunk.text : textOf(chunk.bytes);
    const lineNumbers = chunk.kind === 'text' ? chunk.lineNumbers : undefined;
    const firstLineNumber = chunk.kind === 'text' ? 0 : chunk.firstLineNumber;
    const lineCount = chunk.kind === 'text' ? chunk.lineNumbers.length : chunk.lineCount;
    let start = 0;
    let f: FastFields | undefined;
    const route = (): void => this.#routeFast(f as FastFields);
    const reading: { decoder: FastReading['decoder']; rows: number; readonly route: () => void } = {
      decoder: ASIM,
      rows: 0,
      route,
    };
    for (let i = 0; i < lineCount; i++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      start = end + 1;
      const lineNumber = lineNumbers === undefined ? firstLineNumber + i : (lineNumbers[i] as number);
      const wasInDocument = input.isInDocument;
      const changes = input.stream.changes;
      // The splitter strips one carriage return before it offers a line to the fast path.
      f = this.#path.classify(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
      if (f !== undefined) {
        reading.decoder = f.decoder === ASIM ? ASIM : AWS_VPC;
        reading.rows = f.rows;
        input.lineRead(line, lineNumber, reading);
      } else input.line(line, lineNumber);
      if (input.stream.changes !== changes) {
        if (wasInDocument || input.isInDocument) stream.unreplayable = true;
        else logAdded.push(line);
      }
    }
    if (request.isLast) input.end();
    const key = attemptKey(request.id, request.attempt);
    if (!request.isLast) this.#kept.set(key, stream);
    const batches = this.#builders.map((b) => b.build(request.id, request.attempt, this.#latestMs));
    this.#decoding = false;
    const report: DecodeReport = {
      id: request.id,
      attempt: request.attempt,
      itemsRead: counts.itemsRead - before.itemsRead,
      recordsNormalized: counts.recordsNormalized - before.recordsNormalized,
      skipped: delta(counts.skipped, before.skipped),
      invalid: delta(counts.invalid, before.invalid),
      noted: delta(counts.noted, before.noted),
      bySource: delta(counts.bySource, before.bySource),
      deadLetters: normalizer.deadLetters.slice(before.deadLetters),
      drops: [...this.#router.drops],
      rows: this.#rows,
      logAdded,
      unreplayable: stream.unreplayable,
      needsContinuation: !request.isLast && (input.isInDocument || stream.unreplayable),
    };
    return { report, batches };
  }

  /** Forgets a kept state (the pool will not continue it). */
  release(key: string): void {
    this.#kept.delete(key);
  }

  #streamFor(request: DecodeRequest): Stream {
    const { start } = request;
    if (start.kind === 'continue') {
      const kept = this.#kept.get(start.from);
      if (kept === undefined) throw new Error(`no kept state ${start.from} to continue chunk ${request.id}`);
      this.#kept.delete(start.from);
      return kept;
    }
    const normalizer = new Normalizer(
      SOURCE_DECODERS,
      {
        format: 'auto',
        maxDeadLetters: this.#maxDeadLetters + start.log.length,
        maxFieldChars: this.#maxFieldChars,
      },
      (session) => {
        if (!this.#decoding) return;
        const row = this.#router.route(session);
        if (row !== undefined) this.#add(row);
      },
    );
    const input = this.#path.open(normalizer, {
      input: request.input,
      fallbackTimeMs: undefined,
      referenceTimeMs: request.referenceTimeMs,
      maxDocumentChars: this.#maxDocumentChars,
    });
    // Replayed lines rebuild the state only: their rows, counts and dead letters are the earlier chunks'.
    for (const line of start.log) input.line(line, 0);
    return { input, normalizer, unreplayable: false };
  }

  /** What `StreamingDetector.add` does with a fast line's rows: `RowRouter.routeFast` of its fields. */
  #routeFast(f: FastFields): void {
    for (let r = 0; r < f.rows; r++) {
      const row = this.#router.routeFast(f);
      if (row !== undefined) this.#add(row);
    }
  }

  #add(row: CountedRow): void {
    (this.#builders[shardOf(row.source, this.#shards)] as RowBatchBuilder).add(row, this.#latestMs);
    if (row.timeMs > this.#latestMs) this.#latestMs = row.timeMs;
    this.#rows++;
  }
}

/** UTF-8 bytes of whole lines as text: `asciiText` when they are all ASCII (most logs), else decoded as UTF-8. */
function textOf(bytes: Uint8Array): string {
  return asciiText(bytes) ?? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** The counts of `after` less those of `before`, in `after`'s order (first occurrence). */
function delta<K>(after: ReadonlyMap<K, number>, before: ReadonlyMap<K, number>): [K, number][] {
  const out: [K, number][] = [];
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) out.push([k, d]);
  }
  return out;
}
