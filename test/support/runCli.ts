import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../lib/cli/main.js';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `portscan` CLI in-process with captured output, as the `bin/portscan.js` wrapper does. */
export async function runPortscan(
  argv: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; tty?: boolean } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const status = await runCli(argv, {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout,
    stderr,
    env: options.env ?? {},
    isStdoutTty: options.tty ?? false,
    isStderrTty: false,
    now: () => Date.parse('2026-11-29T00:00:00Z'),
  });
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
