/*
 * `portscan detect --threads N`: N worker threads decode the input and hold its windows, sharded by
 * source; the output is that of one thread (one `StreamingDetector`), byte for byte.
 *
 * The main thread reads the inputs, splits them into lines and hands out chunks of lines (about a
 * read buffer each) in order. It decodes nothing.
 *
 * Decoding. A worker decodes a chunk as one thread would (`FastLinePath.open`, the splitter, the
 * full decoders, `RowRouter`), but one thread decodes the chunk after the stream state the chunk
 * before left: a multi-line JSON document still open, or header lines (a custom VPC layout, Zeek
 * `#fields`) in the input's `StreamState`. So each chunk is decoded on a guess of its start and
 * checked in order before it counts:
 * - a *fresh* start replays the input's state-changing lines seen so far (each a whole item on a
 *   line of its own: a header line) into a new state; it is right when the chunk before ended with
 *   no document open and its state changes were all such lines;
 * - a *continued* start takes the very state the chunk before ended in, kept by the worker that
 *   decoded it; it is always right when that chunk's attempt was. A document left open at a chunk's
 *   end, or a state change the log cannot replay (one made inside a document), makes the next chunk
 *   continue, so such an input is decoded on one thread, in order, as before.
 * A chunk whose guess was wrong is decoded again (a new attempt) from the right start; headers come
 * first in a file, so this costs a few chunks at its start.
 *
 * Sharding. Each counted row goes to the shard that owns its source (`shardOf`, a hash), with the
 * latest event time of every counted row before it in the stream: a worker knows it within its
 * chunk, and a shard takes the latest of the chunks before from their batches (every chunk sends
 * every shard a batch, empty or not). Before each row the shard's detector is told that time
 * (`StreamingDetector.observeEventTime`), so its bins close and fall beyond retention at the row
 * one detector's would, and late rows, `IsLate` and the rows beyond retention come out the same.
 * A shard applies a chunk's batch only once the pool commits the chunk's right attempt.
 *
 * Merging. Per chunk, in input order, the pool adds the chunk's counts, dead letters and drops to
 * the run's, then emits the alerts the shards finalized while applying it. One detector emits
 * alerts in (bin, source) order: a bin is finalized when it falls beyond retention, and a bin
 * older than one already finalized can no longer be created, so sorting each chunk's alerts by bin
 * then source gives its order exactly; at the end every shard finishes and the rest are sorted
 * alike. The memory bound (PORTSCAN_MAX_OPEN_WINDOWS) finalizes bins early at a point only one
 * detector can see; the pool fails the run, naming the remedy, when the windows open across the
 * shards could have passed it. A worker that fails fails the run.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { RowDropReason } from '../detection/RowRouter.js';
import { DetectorError } from '../errors.js';
import type { Alert } from '../schema/Alert.js';
import type { Normalizer } from '../sources/pipeline/Normalizer.js';
import {
  attemptKey,
  type ChunkLines,
  type ChunkStart,
  type DecodeReport,
  lentBytesOf,
} from './ChunkDecoder.js';
import type { LineBytesChunk } from './readLines.js';
import type {
  FromShardWorker,
  ShardCounts,
  ShardRunSettings,
  ShardWorkerData,
  ToShardWorker,
} from './shardWorker.js';

/** What a sharded run needs to know. */
export interface ShardPoolOptions extends ShardRunSettings {
  readonly threads: number;
  readonly maxOpenWindows: number;
  /** The run's normalizer: its counts and dead letters receive every chunk's, in order. */
  readonly normalizer: Normalizer;
  /** Receives the alerts in the order one detector emits them. */
  readonly onAlert: (alert: Alert) => void;
  /** Chunks in flight at most. */
  readonly depth: number;
  /**
   * Bytes (or characters) of lines in flight at most, besides `depth`: small chunks (a directory of
   * small files, one chunk each) are many in flight, so that the round trips each one waits for
   * (decoded, committed, applied) overlap rather than pace the run.
   */
  readonly depthBytes: number;
}

const NO_LINES: ChunkLines = { kind: 'text', text: '', lineNumbers: new Int32Array(0) };

/** A thread failed, or the run could not be sharded exactly. */
export class ShardedRunError extends DetectorError {}

/** How one attempt at a chunk started. */
type AttemptStart =
  | { readonly kind: 'fresh'; readonly logLength: number }
  | { readonly kind: 'continue'; readonly fromAttempt: number };

interface Attempt {
  readonly attempt: number;
  readonly worker: number;
  readonly start: AttemptStart;
  report?: DecodeReport;
  dead: boolean;
}

/** One input's state as the pool knows it from the chunks checked so far. */
interface InputTrack {
  readonly name: string;
  readonly referenceTimeMs: number;
  /** The state-changing lines of the checked chunks, in order. */
  readonly log: string[];
  /** A checked chunk changed the state where replaying cannot: every later chunk continues. */
  sticky: boolean;
  /** The input's first chunk, and the later ones held back until it is checked (below). */
  first: ChunkUnit | undefined;
  readonly held: ChunkUnit[];
  last: ChunkUnit | undefined;
}

interface ChunkUnit {
  readonly kind: 'chunk';
  readonly id: number;
  readonly track: InputTrack;
  readonly prev: ChunkUnit | undefined;
  lines: ChunkLines;
  /** Its line bytes are with a worker (transferred, not copied), until the worker's report gives them back. */
  lent: boolean;
  /** The size of its lines, counted in flight until it is merged. */
  readonly size: number;
  /** The input ends after this chunk (its stream is ended, `ItemSplitter.end`). */
  isLast: boolean;
  readonly attempts: Attempt[];
  valid: Attempt | undefined;
  applied: number;
  openWindows: number;
  readonly alerts: Alert[];
}

interface MainUnit {
  readonly kind: 'main';
  readonly run: () => void;
}

/** Worker threads decoding chunks and holding the windows of `portscan detect`, sharded by source. */
export class ShardPool {
  readonly #options: ShardPoolOptions;
  readonly #workers: Worker[];
  readonly #chunks: ChunkUnit[] = [];
  #nextCheck = 0;
  readonly #units: (ChunkUnit | MainUnit | undefined)[] = [];
  #head = 0;
  #track: InputTrack | undefined;
  /** The chunk added last, not sent until it is known whether it ends its input. */
  #tail: ChunkUnit | undefined;
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #failure: Error | undefined;
  #closing = false;
  readonly #drops = new Map<RowDropReason, number>();
  #alerts = 0;
  #openWindows = 0;
  /** Bytes of the lines of the chunks queued and not merged yet. */
  #bytesInFlight = 0;
  readonly #finished: { alerts: Alert[]; counts: ShardCounts }[] = [];

  constructor(options: ShardPoolOptions) {
    this.#options = options;
    const n = options.threads;
    const ports: (MessagePort | null)[][] = Array.from({ length: n }, () => Array(n).fill(null));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const { port1, port2 } = new MessageChannel();
        (ports[i] as (MessagePort | null)[])[j] = port1;
        (ports[j] as (MessagePort | null)[])[i] = port2;
      }
    }
    const compiled = new URL('./shardWorker.js', import.meta.url);
    // Under the TypeScript sources (tests), the worker loads its .ts file through tsx's loader.
    const source = new URL('./shardWorker.ts', import.meta.url);
    const isCompiled = existsSync(fileURLToPath(compiled));
    this.#workers = Array.from({ length: n }, (_, index) => {
      const peers = ports[index] as (MessagePort | null)[];
      const workerData: ShardWorkerData = {
        index,
        workers: n,
        env: options.env,
        flags: options.flags,
        maxDocumentChars: options.maxDocumentChars,
        maxDeadLetters: options.maxDeadLetters,
        maxFieldChars: options.normalizer.maxFieldChars,
        peers,
      };
      const transferList = peers.filter((p): p is MessagePort => p !== null);
      const worker = isCompiled
        ? new Worker(compiled, { workerData, transferList })
        : new Worker(
            `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`,
            { eval: true, workerData, transferList },
          );
      worker.on('message', (m: FromShardWorker) => this.#receive(m));
      worker.on('error', (e) =>
        this.#fail(
          new ShardedRunError('WORKER_FAILED', `a worker thread failed: ${e.message}`, { cause: e }),
        ),
      );
      worker.on('exit', (code) => {
        if (!this.#closing)
          this.#fail(new ShardedRunError('WORKER_FAILED', `a worker thread exited (status ${code})`));
      });
      return worker;
    });
  }

  /** Starts the next input: a fresh stream state. */
  openInput(name: string, referenceTimeMs: number): void {
    this.#track = {
      name,
      referenceTimeMs,
      log: [],
      sticky: false,
      first: undefined,
      held: [],
      last: undefined,
    };
  }

  /** Queues consecutive lines of the current input. */
  async lines(lines: readonly string[], lineNumbers: readonly number[]): Promise<void> {
    if (lines.length === 0) return;
    this.#addChunk({ kind: 'text', text: lines.join('\n'), lineNumbers: Int32Array.from(lineNumbers) });
    await this.#room();
  }

  /**
   * Queues consecutive lines of the current input as their UTF-8 bytes (the workers decode them).
   * Their buffer, which holds nothing else, moves to the worker threads: the caller no longer reads it.
   */
  async bytes(chunk: LineBytesChunk): Promise<void> {
    this.#addChunk({ kind: 'bytes', ...chunk });
    await this.#room();
  }

  /** Runs `step` on this thread in its place among the chunks (a line rejected before decoding). */
  async inOrder(step: () => void): Promise<void> {
    // The step comes between two chunks: the chunk before it does not end the input.
    this.#flushTail();
    this.#units.push({ kind: 'main', run: step });
    this.#complete();
    await this.#room();
  }

  /** Ends the current input (an open document is taken again line by line, as one thread would). */
  async endInput(): Promise<void> {
    const tail = this.#tail;
    if (tail !== undefined) {
      // Its last chunk ends it: no chunk of its own for the end (most inputs of a directory are one chunk).
      tail.isLast = true;
      this.#flushTail();
    } else if (this.#track?.last !== undefined) {
      this.#addChunk(NO_LINES);
      (this.#tail as ChunkUnit).isLast = true;
      this.#flushTail();
    }
    this.#track = undefined;
    await this.#room();
  }

  /** Waits for every chunk, ends the shards and emits their last alerts; the run's counts. */
  async finish(): Promise<{
    rowsCounted: number;
    beyondRetention: number;
    alerts: number;
    drops: ReadonlyMap<RowDropReason, number>;
  }> {
    this.#flushTail();
    while (this.#head < this.#units.length) await this.#wait();
    for (const w of this.#workers) w.postMessage({ type: 'finish' } satisfies ToShardWorker);
    while (this.#finished.length < this.#workers.length) await this.#wait();
    this.#emit(this.#finished.flatMap((f) => f.alerts));
    let rowsCounted = 0;
    let beyondRetention = 0;
    for (const { counts } of this.#finished) {
      rowsCounted += counts.rowsCounted;
      beyondRetention += counts.beyondRetention;
    }
    return { rowsCounted, beyondRetention, alerts: this.#alerts, drops: this.#drops };
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  /**
   * Adds a chunk in its place; it is sent once the next one comes (or a step, or the input's end),
   * when it is known whether it ends its input.
   */
  #addChunk(lines: ChunkLines): void {
    this.#flushTail();
    const track = this.#track as InputTrack;
    const unit: ChunkUnit = {
      kind: 'chunk',
      id: this.#chunks.length,
      track,
      prev: track.last,
      lines,
      lent: false,
      size: lines.kind === 'text' ? lines.text.length : lines.bytes.byteLength,
      isLast: false,
      attempts: [],
      valid: undefined,
      applied: 0,
      openWindows: 0,
      alerts: [],
    };
    track.last = unit;
    track.first ??= unit;
    this.#bytesInFlight += unit.size;
    this.#chunks.push(unit);
    this.#units.push(unit);
    this.#tail = unit;
  }

  /** Sends the chunk added last, if it is not sent yet. */
  #flushTail(): void {
    const unit = this.#tail;
    if (unit === undefined) return;
    this.#tail = undefined;
    const first = unit.track.first as ChunkUnit;
    // Header lines come first in an input: its later chunks wait for the first chunk's, so that
    // their guesses replay them rather than being decoded twice.
    if (first !== unit && first.valid === undefined) unit.track.held.push(unit);
    else this.#guess(unit);
  }

  /** Sends a chunk's first attempt: it continues the chunk before when it must or likely will, else starts afresh. */
  #guess(unit: ChunkUnit): void {
    const track = unit.track;
    const prev = unit.prev;
    const before = prev?.valid ?? prev?.attempts[prev.attempts.length - 1];
    if (
      prev !== undefined &&
      before !== undefined &&
      (track.sticky || before.report?.needsContinuation === true)
    )
      this.#send(unit, { kind: 'continue', fromAttempt: before.attempt }, before.worker);
    else this.#send(unit, { kind: 'fresh', logLength: track.log.length }, unit.id % this.#workers.length);
  }

  #send(unit: ChunkUnit, start: AttemptStart, worker: number): void {
    const attempt: Attempt = { attempt: unit.attempts.length, worker, start, dead: false };
    unit.attempts.push(attempt);
    const prev = unit.prev;
    const chunkStart: ChunkStart =
      start.kind === 'fresh'
        ? { kind: 'fresh', log: unit.track.log.slice(0, start.logLength) }
        : { kind: 'continue', from: attemptKey((prev as ChunkUnit).id, start.fromAttempt) };
    const message: ToShardWorker = {
      type: 'decode',
      id: unit.id,
      attempt: attempt.attempt,
      input: unit.track.name,
      referenceTimeMs: unit.track.referenceTimeMs,
      lines: unit.lines,
      isLast: unit.isLast,
      start: chunkStart,
    };
    // Line bytes move to the worker rather than being copied; its report gives them back for
    // another attempt, which waits for them (#check).
    const lent = lentBytesOf(unit.lines);
    unit.lent = lent !== undefined;
    (this.#workers[worker] as Worker).postMessage(
      message,
      lent === undefined ? [] : [lent.buffer as ArrayBuffer],
    );
  }

  #receive(m: FromShardWorker): void {
    try {
      if (m.type === 'decoded') {
        const { lent, ...report } = m;
        const unit = this.#chunks[m.id] as ChunkUnit;
        const attempt = unit.attempts[m.attempt] as Attempt;
        attempt.report = report;
        if (lent !== undefined && unit.lent) {
          unit.lent = false;
          if (unit.valid === undefined && unit.lines.kind === 'bytes')
            unit.lines = { ...unit.lines, bytes: lent };
        }
        if (attempt.dead || (unit.valid !== undefined && unit.valid !== attempt))
          this.#release(unit, attempt);
        this.#check();
      } else if (m.type === 'applied') {
        const unit = this.#chunks[m.id] as ChunkUnit;
        unit.applied++;
        unit.openWindows += m.counts.openWindows;
        for (const a of m.alerts) unit.alerts.push(a);
      } else this.#finished.push({ alerts: m.alerts, counts: m.counts });
      this.#complete();
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Checks chunks in order: commits each one's right attempt, or asks for one. */
  #check(): void {
    while (this.#nextCheck < this.#chunks.length) {
      const unit = this.#chunks[this.#nextCheck] as ChunkUnit;
      if (unit === this.#tail) return;
      const prev = unit.prev;
      const before = prev?.valid;
      const mustContinue = before?.report?.needsContinuation === true;
      const isRight = (a: Attempt): boolean =>
        a.start.kind === 'continue'
          ? before !== undefined && a.start.fromAttempt === before.attempt
          : !mustContinue && a.start.logLength === unit.track.log.length;
      let chosen: Attempt | undefined;
      let pending = false;
      for (const a of unit.attempts) {
        if (a.dead) continue;
        if (!isRight(a)) {
          a.dead = true;
          if (a.report !== undefined) this.#release(unit, a);
          continue;
        }
        if (a.report === undefined) pending = true;
        else {
          chosen = a;
          break;
        }
      }
      if (chosen === undefined) {
        // Another attempt waits for the chunk's bytes to come back from a wrong one.
        if (!pending && !unit.lent) {
          if (mustContinue)
            this.#send(
              unit,
              { kind: 'continue', fromAttempt: (before as Attempt).attempt },
              (before as Attempt).worker,
            );
          else
            this.#send(
              unit,
              { kind: 'fresh', logLength: unit.track.log.length },
              unit.id % this.#workers.length,
            );
        }
        return;
      }
      const report = chosen.report as DecodeReport;
      unit.valid = chosen;
      for (const a of unit.attempts) if (a !== chosen && a.report !== undefined) this.#release(unit, a);
      if (prev !== undefined && before !== undefined) this.#release(prev, before);
      if (report.unreplayable) unit.track.sticky = true;
      else for (const line of report.logAdded) unit.track.log.push(line);
      unit.lines = NO_LINES;
      for (const w of this.#workers)
        w.postMessage({ type: 'commit', id: unit.id, attempt: chosen.attempt } satisfies ToShardWorker);
      this.#nextCheck++;
      if (unit === unit.track.first)
        for (const held of unit.track.held.splice(0)) if (held.attempts.length === 0) this.#guess(held);
    }
  }

  /** Tells a worker to forget the state an attempt ended in (the last chunk of an input keeps none). */
  #release(unit: ChunkUnit, attempt: Attempt): void {
    if (unit.isLast) return;
    (this.#workers[attempt.worker] as Worker).postMessage({
      type: 'release',
      key: attemptKey(unit.id, attempt.attempt),
    } satisfies ToShardWorker);
  }

  /** Merges every unit at the head that is done, in order. */
  #complete(): void {
    while (this.#head < this.#units.length && this.#failure === undefined) {
      const unit = this.#units[this.#head] as ChunkUnit | MainUnit;
      if (unit.kind === 'main') unit.run();
      else {
        if (unit.valid?.report === undefined || unit.applied < this.#workers.length) break;
        this.#merge(unit, unit.valid.report);
        this.#bytesInFlight -= unit.size;
      }
      this.#units[this.#head] = undefined;
      this.#head++;
    }
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  #merge(unit: ChunkUnit, r: DecodeReport): void {
    const { normalizer, maxDeadLetters, maxOpenWindows } = this.#options;
    // At most one window is opened per row: below the bound, no detector would have finalized early.
    if (this.#openWindows + r.rows > maxOpenWindows) {
      throw new ShardedRunError(
        'OPEN_WINDOWS_OVER_LIMIT',
        `more than PORTSCAN_MAX_OPEN_WINDOWS=${maxOpenWindows} windows may be open at once across the threads; one thread finalizes the oldest bin early there, which the threads cannot do in the input's order: run with --threads 1, or raise PORTSCAN_MAX_OPEN_WINDOWS`,
      );
    }
    this.#openWindows = unit.openWindows;
    const counts = normalizer.counts;
    counts.itemsRead += r.itemsRead;
    counts.recordsNormalized += r.recordsNormalized;
    addAll(counts.skipped, r.skipped);
    addAll(counts.invalid, r.invalid);
    addAll(counts.noted, r.noted);
    addAll(counts.bySource, r.bySource);
    for (const d of r.deadLetters)
      if (normalizer.deadLetters.length < maxDeadLetters) normalizer.deadLetters.push(d);
    addAll(this.#drops, r.drops);
    this.#emit(unit.alerts);
  }

  /** Emits alerts in one detector's order: by bin, then source. */
  #emit(alerts: Alert[]): void {
    const keyed = alerts.map((a) => ({ a, bin: Date.parse(a.BinStart) }));
    keyed.sort((x, y) =>
      x.bin !== y.bin
        ? x.bin - y.bin
        : x.a.SrcIpAddr < y.a.SrcIpAddr
          ? -1
          : x.a.SrcIpAddr > y.a.SrcIpAddr
            ? 1
            : 0,
    );
    for (const { a } of keyed) {
      this.#alerts++;
      this.#options.onAlert(a);
    }
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  #wait(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Waits until few enough chunks are in flight. */
  async #room(): Promise<void> {
    const { depth, depthBytes } = this.#options;
    while (this.#units.length - this.#head > depth || this.#bytesInFlight > depthBytes) await this.#wait();
    if (this.#failure !== undefined) throw this.#failure;
  }
}

function addAll<K>(into: Map<K, number>, entries: readonly [K, number][]): void {
  for (const [k, v] of entries) into.set(k, (into.get(k) ?? 0) + v);
}
