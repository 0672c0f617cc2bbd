import type { CliIo } from './CliIo.js';
import type { CliInput, InputProblem } from './inputs.js';
import { formatBytes } from './output.js';

/** Prints a problem with one input, in plain words, with the remedy when there is one. */
export function reportProblem(io: CliIo, p: InputProblem): void {
  io.stderr.write(`portscan: ${p.input}: ${p.reason}${p.remedy === undefined ? '' : `; try: ${p.remedy}`}\n`);
}

/** What progress needs to know of a run. */
export interface ProgressRun {
  readonly io: CliIo;
  readonly quiet: boolean;
  readonly inputs: readonly CliInput[];
  /** When the run started (wall clock, ms). */
  readonly started: number;
}

/** Shows how far the run is, on stderr, when it is a terminal: bytes of the inputs as stored (compressed bytes for compressed input). */
export class Progress {
  readonly #run: ProgressRun;
  readonly #enabled: boolean;
  readonly #knownTotal: number;
  readonly #hasUnknown: boolean;
  #done = 0;
  #last = 0;
  #shown = false;

  constructor(run: ProgressRun) {
    this.#run = run;
    this.#enabled = run.io.isStderrTty && !run.quiet;
    this.#knownTotal = run.inputs.reduce((t, i) => t + (i.sizeBytes ?? 0), 0);
    this.#hasUnknown = run.inputs.some((i) => i.sizeBytes === undefined);
  }

  /** `detail` follows the record count (`, 12 messages sent`). */
  update(input: CliInput, sourceBytes: number, records: number, detail = ''): void {
    if (!this.#enabled) return;
    const now = this.#run.io.now();
    if (now - this.#run.started < 1000 || now - this.#last < 500) return;
    this.#last = now;
    this.#shown = true;
    const read = this.#done + sourceBytes;
    const known = !this.#hasUnknown && this.#knownTotal > 0;
    const of = known
      ? ` of ${formatBytes(this.#knownTotal)} (${Math.min(100, Math.floor((read / this.#knownTotal) * 100))}%)`
      : ' read';
    const where = this.#run.inputs.length > 1 ? ` ${input.name},` : '';
    this.#run.io.stderr.write(
      `\r\x1b[K  ${formatBytes(read)}${of},${where} ${records.toLocaleString('en-US')} records${detail}`,
    );
  }

  inputDone(sourceBytes: number): void {
    this.#done += sourceBytes;
  }

  end(): void {
    if (this.#shown) this.#run.io.stderr.write('\r\x1b[K');
  }
}
