import type { Writable } from 'node:stream';
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../lib/cli/CliIo.js';
import { runCli } from '../../lib/cli/main.js';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `portscan` CLI in-process with captured output, as the `bin/portscan.js` wrapper does. */
export async function runPortscan(
  argv: readonly string[],
  options: {
    stdin?: string | Buffer | Readable;
    env?: Record<string, string>;
    tty?: boolean;
    /** stderr is a terminal (progress is shown). */
    stderrTty?: boolean;
    /** The wall clock; by default a fixed instant. */
    now?: () => number;
    /** Where stdout goes, instead of being captured. */
    stdout?: Writable;
    /** Other parts of the process (interrupts, Event Hubs retry timing). */
    io?: Partial<CliIo>;
  } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin =
    options.stdin instanceof Readable
      ? options.stdin
      : Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const status = await runCli(argv, {
    stdin,
    stdout: options.stdout ?? stdout,
    stderr,
    env: options.env ?? {},
    isStdoutTty: options.tty ?? false,
    isStderrTty: options.stderrTty ?? false,
    now: options.now ?? (() => Date.parse('2026-11-29T00:00:00Z')),
    ...options.io,
  });
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
