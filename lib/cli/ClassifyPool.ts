import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StreamingDetector } from '../detection/StreamingDetector.js';
import { ASIM, AWS_VPC, type FastInput, type FastReading } from '../fastpath/FastLinePath.js';
import type { ClassifiedChunk } from './classifiedChunk.js';
import { FAST_ASIM, FAST_VPC } from './classifiedChunk.js';

/**
 * Worker threads that read chunks of lines with the fast path while the main thread applies
 * earlier chunks: `portscan detect --threads N`. The main thread still splits the input into
 * lines and applies every line in input order, with the stream's real state, so the results are
 * those of one thread: a line a worker read is taken only where the splitter would have offered it
 * to the fast path (no multi-line document open, the stream in the default VPC layout for VPC
 * records, under the item limit); any other line is decoded in full on the main thread.
 */
export class ClassifyPool {
  readonly #workers: Worker[];
  readonly #waiting = new Map<
    number,
    { resolve: (c: ClassifiedChunk) => void; reject: (e: Error) => void }
  >();
  readonly #failed: Error[] = [];
  #next = 0;

  constructor(threads: number, maxFieldChars: number) {
    const compiled = new URL('./classifyWorker.js', import.meta.url);
    // Under the TypeScript sources (tests), the worker loads its .ts file through tsx's loader.
    const source = new URL('./classifyWorker.ts', import.meta.url);
    const isCompiled = existsSync(fileURLToPath(compiled));
    this.#workers = Array.from({ length: threads }, () => {
      const worker = isCompiled
        ? new Worker(compiled, { workerData: { maxFieldChars } })
        : new Worker(
            `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`,
            { eval: true, workerData: { maxFieldChars } },
          );
      worker.on('message', (m: { id: number; chunk: ClassifiedChunk }) => {
        const waiting = this.#waiting.get(m.id);
        this.#waiting.delete(m.id);
        waiting?.resolve(m.chunk);
      });
      worker.on('error', (e) => {
        // A worker that fails fails the run: every chunk still waiting is rejected.
        this.#failed.push(e);
        for (const w of this.#waiting.values()) w.reject(e);
        this.#waiting.clear();
      });
      return worker;
    });
  }

  /** Reads a chunk of lines in a worker (round robin). */
  classify(lines: readonly string[]): Promise<ClassifiedChunk> {
    const failure = this.#failed[0];
    if (failure !== undefined) return Promise.reject(failure);
    const id = this.#next++;
    const worker = this.#workers[id % this.#workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, text: lines.join('\n'), count: lines.length });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/** A chunk of an input's lines, in order, with what a worker read from them. */
export interface PendingChunk {
  readonly lines: readonly string[];
  readonly lineNumbers: readonly number[];
  /** Lines over the CLI's length limit (only their start was kept): counted, never decoded. */
  readonly tooLong: readonly boolean[];
  readonly classified: Promise<ClassifiedChunk>;
}

/**
 * Applies a chunk in order: each line a worker read through `input.lineRead`, which takes it where
 * the fast path would and decodes it in full otherwise, every other line through `input.line`,
 * over-long lines through `onTooLong`.
 */
export function applyChunk(
  pending: PendingChunk,
  chunk: ClassifiedChunk,
  input: FastInput,
  detector: StreamingDetector,
  onTooLong: (line: string, lineNumber: number) => void,
): void {
  const { lines, lineNumbers, tooLong } = pending;
  const router = detector.router;
  let i = 0;
  // What `StreamingDetector.add` does with the line's rows, from the worker's reading; one function
  // for the chunk, reading the line index `i`.
  const route = (): void => {
    const rows = chunk.rows[i] as number;
    const s = chunk.sourceIndex[i] as number;
    const port = chunk.ports[i] as number;
    const t = chunk.targetIndex[i] as number;
    for (let r = 0; r < rows; r++) {
      const row = router.routeFields(
        s < 0 ? undefined : chunk.sources[s],
        chunk.timeMs[i] as number,
        port < 0 ? undefined : port,
        chunk.reporters[chunk.reporterIndex[i] as number] as string,
        chunk.eventCounts[i] as number,
        t < 0 ? undefined : chunk.targets[t],
        chunk.reached[i] === 1,
        chunk.devices[chunk.deviceIndex[i] as number] as string,
      );
      if (row !== undefined) detector.addRow(row);
    }
  };
  // One reading for the chunk, refilled for each line a worker read.
  const reading: { decoder: FastReading['decoder']; rows: number; readonly route: () => void } = {
    decoder: ASIM,
    rows: 0,
    route,
  };
  for (i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNumber = lineNumbers[i] as number;
    if (tooLong[i] === true) {
      onTooLong(line, lineNumber);
      continue;
    }
    const kind = chunk.kinds[i] as number;
    if (kind === FAST_ASIM || kind === FAST_VPC) {
      reading.decoder = kind === FAST_ASIM ? ASIM : AWS_VPC;
      reading.rows = chunk.rows[i] as number;
      input.lineRead(line, lineNumber, reading);
    } else input.line(line, lineNumber);
  }
}
