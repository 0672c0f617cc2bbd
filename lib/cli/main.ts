import { readFileSync } from 'node:fs';
import { DetectorError, UsageError } from '../errors.js';
import { parseCommandArgs, suggest } from './args.js';
import type { CliIo } from './CliIo.js';
import { OutputClosedError } from './output.js';
import { DETECT_USAGE, MAIN_USAGE, NORMALIZE_USAGE, OPTION_SPECS, SEND_USAGE, SMOKE_USAGE } from './usage.js';

const COMMANDS = ['detect', 'normalize', 'send', 'smoke'] as const;
type Command = (typeof COMMANDS)[number];

/**
 * Runs the `portscan` command line; resolves to the exit status. This module loads only what
 * parsing and help need; the commands (decoders, detector, sinks) are loaded when one runs.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // A reader that goes away (`| head -1`) ends the run quietly, never with a stack trace; the
  // writers see the error and stop (LineWriter).
  io.stdout.on('error', () => {});
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof OutputClosedError) return 0;
    if (error instanceof DetectorError) {
      io.stderr.write(`portscan: ${error.message}\n`);
      if (error instanceof UsageError) {
        const command = COMMANDS.find((c) => c === argv[0]);
        io.stderr.write(`Run "portscan ${command === undefined ? '' : `${command} `}--help" for usage.\n`);
      }
      return error instanceof UsageError || error.code === 'INVALID_CONFIGURATION' ? 2 : 1;
    }
    throw error;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(MAIN_USAGE);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    const topic = COMMANDS.find((c) => c === rest[0]);
    io.stdout.write(topic === undefined ? MAIN_USAGE : usageOf(topic));
    return 0;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    io.stdout.write(`portscan ${version()}\n`);
    return 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const close = suggest(command, COMMANDS);
    throw new UsageError(
      `unknown command "${command}"${close === undefined ? '' : ` (did you mean ${close}?)`}; the commands are ${COMMANDS.join(', ')}`,
    );
  }
  const parsed = parseCommandArgs(command, rest, OPTION_SPECS);
  if (parsed.values.get('help') === true) {
    io.stdout.write(usageOf(command as Command));
    return 0;
  }
  if (command === 'send') {
    const { sendCommand } = await import('./sendCommand.js');
    return sendCommand(parsed, io);
  }
  if (command === 'smoke') {
    const { smokeCommand } = await import('./smokeCommand.js');
    return smokeCommand(parsed, io);
  }
  const { runCommand } = await import('./commands.js');
  return runCommand(command as 'detect' | 'normalize', parsed, io);
}

function usageOf(command: Command): string {
  return { detect: DETECT_USAGE, normalize: NORMALIZE_USAGE, send: SEND_USAGE, smoke: SMOKE_USAGE }[command];
}

/** The package version, from package.json (two levels up from lib/cli, three from dist/lib/cli). */
function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'portscan-detector' && pkg.version !== undefined) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
