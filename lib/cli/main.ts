import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { AlertSink } from '../alerts/AlertSink.js';
import { createAlertSinks } from '../alerts/createAlertSinks.js';
import { SINK_FLAG_OPTIONS, SINK_FLAGS_USAGE, sinkConfigsFromFlags } from '../alerts/sinkFlags.js';
import type { DetectionSettings } from '../config/detectionSettings.js';
import { CLI_DEFAULTS, DETECTION_KNOBS, resolveDetectionSettings } from '../config/detectionSettings.js';
import { CLI_LIMITS, resolveLimits } from '../config/limits.js';
import { BEYOND_RETENTION } from '../detection/RowRouter.js';
import { StreamingDetector } from '../detection/StreamingDetector.js';
import { DetectorError, UsageError } from '../errors.js';
import { FastLinePath } from '../fastpath/FastLinePath.js';
import type { Alert } from '../schema/Alert.js';
import type { NetworkSession } from '../schema/NetworkSession.js';
import { openInput } from '../sources/decodeInput.js';
import { LINE_OVER_LIMIT } from '../sources/ItemSplitter.js';
import { Normalizer, UNKNOWN_SOURCE } from '../sources/Normalizer.js';
import { formatNames, SOURCE_DECODERS } from '../sources/registry.js';
import type { PendingChunk } from './ClassifyPool.js';
import { applyChunk, ClassifyPool } from './ClassifyPool.js';
import { formatAlertTable, formatBytes, LineWriter } from './output.js';
import type { CliInput } from './readLines.js';
import { forEachLine, resolveInputs } from './readLines.js';
import { formatSummary } from './summary.js';
import { TableReplay } from './tableReplay.js';

/** The process around the CLI, passed in so that tests run it in-process. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isStdoutTty: boolean;
  readonly isStderrTty: boolean;
  /** Wall clock, read only here in the composition root. */
  readonly now: () => number;
}

const MAX_LINE_CHARS = 256 * 1024 * 1024;
const MAX_DEAD_LETTER_SAMPLES = 20;
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

const USAGE = `Usage:
  portscan detect [options] FILE... | -     run the port-scan rule and print the alerts
  portscan normalize [--format NAME] FILE... | -
                                            print the NetworkSession rows as JSON lines

Input: files or - for stdin, of any size; .gz files are read compressed, .parquet files
row by row. JSON lines, JSON arrays, {"records":[...]} envelopes, CloudWatch Logs payloads
and text lines (syslog, CEF, flow logs) are recognized automatically, record by record.

Options:
  --format NAME            auto (default) or a source: ${formatNames().join(', ')}
  --output jsonl|table     jsonl (default when stdout is not a terminal) or table
  --state memory|table     memory (default), or the functions' Table Storage state and closing code
  --table-connection CS    Table Storage connection string for --state table [PortscanStorage]
  --table-prefix NAME      table name prefix for --state table (default: a new one per run)
  --threads N              detect: decode on N threads (1 to 32, default 1); results are the same
${SINK_FLAGS_USAGE}
${DETECTION_KNOBS.map((k) => `  ${k.flag.padEnd(23)}  ${k.accepts} [${k.setting}]`).join('\n')}
  -h, --help               this help

Each option can also be set with the app setting in brackets. Exit status: 0 when the run
completes (bad records are counted, not fatal), 1 for an unreadable input, 2 for bad usage.
`;

/** Runs the `portscan` command line; resolves to the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof DetectorError) {
      io.stderr.write(`portscan: ${error.message}\n`);
      if (error instanceof UsageError) io.stderr.write('Run "portscan --help" for usage.\n');
      return error instanceof UsageError || error.code === 'INVALID_CONFIGURATION' ? 2 : 1;
    }
    throw error;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'detect' && command !== 'normalize') throw new UsageError(`unknown command "${command}"`);

  const knobOptions = Object.fromEntries(
    DETECTION_KNOBS.map((k) => [
      k.flag.slice(2),
      { type: 'string' as const, multiple: k.flag === '--exclude' },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        ...SINK_FLAG_OPTIONS,
        format: { type: 'string', default: 'auto' },
        output: { type: 'string' },
        state: { type: 'string', default: 'memory' },
        'table-connection': { type: 'string' },
        'table-prefix': { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...knobOptions,
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help === true) {
    io.stdout.write(USAGE);
    return 0;
  }
  const format = String(values.format);
  if (!formatNames().includes(format)) {
    throw new UsageError(`--format "${format}": expected one of ${formatNames().join(', ')}`);
  }
  const output = values.output === undefined ? (io.isStdoutTty ? 'table' : 'jsonl') : String(values.output);
  if (output !== 'jsonl' && output !== 'table')
    throw new UsageError(`--output "${output}": expected jsonl or table`);
  if (parsed.positionals.length === 0)
    throw new UsageError('no input: give one or more files, or - for stdin');
  const state = String(values.state);
  if (state !== 'memory' && state !== 'table')
    throw new UsageError(`--state "${state}": expected memory or table`);
  let table: TableOptions | undefined;
  if (state === 'table') {
    const connection =
      typeof values['table-connection'] === 'string' ? values['table-connection'] : io.env.PortscanStorage;
    if (connection === undefined || connection.trim() === '') {
      throw new UsageError(
        '--state table needs --table-connection (or the PortscanStorage setting): a Table Storage connection string',
      );
    }
    const prefix =
      typeof values['table-prefix'] === 'string' ? values['table-prefix'] : `Replay${io.now().toString(36)}`;
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix)) {
      throw new UsageError(`--table-prefix "${prefix}": expected letters and digits, starting with a letter`);
    }
    table = { connection, prefix };
  } else if (values['table-connection'] !== undefined || values['table-prefix'] !== undefined) {
    throw new UsageError('--table-connection and --table-prefix need --state table');
  }

  const threadsText = typeof values.threads === 'string' ? values.threads : '1';
  const threads = /^\d{1,2}$/.test(threadsText) ? Number(threadsText) : 0;
  if (threads < 1 || threads > 32) throw new UsageError(`--threads "${threadsText}": expected 1 to 32`);
  if (threads > 1 && (command !== 'detect' || table !== undefined))
    throw new UsageError('--threads applies to detect with --state memory');

  const flags: Record<string, string | string[]> = {};
  for (const k of DETECTION_KNOBS) {
    const v = values[k.flag.slice(2)];
    if (typeof v === 'string' || Array.isArray(v)) flags[k.flag] = v;
  }
  const settings = resolveDetectionSettings(io.env, flags, CLI_DEFAULTS);
  const sinkConfigs = sinkConfigsFromFlags(parsed.tokens ?? []);
  if (command === 'normalize' && sinkConfigs.length > 0)
    throw new UsageError('--teams, --slack and --webhook apply to detect');
  const link = io.env.PORTSCAN_ALERT_LINK_TEMPLATE?.trim();
  const sinks = createAlertSinks({
    sinks: sinkConfigs,
    alertLinkTemplate: link === undefined || link === '' ? undefined : link,
    httpTimeoutMs: 10_000,
  });
  const inputs = await resolveInputs(parsed.positionals, io.stdin);
  return command === 'normalize'
    ? normalizeCommand(inputs, format, io)
    : detectCommand(inputs, format, output, settings, io, table, sinks, threads);
}

/** Where `--state table` keeps the window state. */
interface TableOptions {
  readonly connection: string;
  readonly prefix: string;
}

async function normalizeCommand(inputs: readonly CliInput[], format: string, io: CliIo): Promise<number> {
  const writer = new LineWriter(io.stdout);
  const pending: NetworkSession[] = [];
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format, maxDeadLetters: MAX_DEAD_LETTER_SAMPLES },
    (s) => {
      pending.push(s);
    },
  );
  const started = io.now();
  const bytes = await readAll(inputs, normalizer, io, async () => {
    for (const s of pending) {
      const wait = writer.write(JSON.stringify(s));
      if (wait !== undefined) await wait;
    }
    pending.length = 0;
  });
  await writer.flush();
  io.stderr.write(
    formatSummary(
      {
        command: 'normalize',
        inputs: inputs.length,
        bytes,
        seconds: (io.now() - started) / 1000,
        normalize: normalizer.counts,
        deadLetters: normalizer.deadLetters,
      },
      formatBytes,
    ),
  );
  return 0;
}

async function detectCommand(
  inputs: readonly CliInput[],
  format: string,
  output: string,
  settings: DetectionSettings,
  io: CliIo,
  table: TableOptions | undefined,
  sinks: readonly AlertSink[],
  threads: number,
): Promise<number> {
  if (table !== undefined) return detectWithTable(inputs, format, output, settings, io, table, sinks);
  const writer = new LineWriter(io.stdout);
  const tableAlerts: Alert[] = [];
  const pendingAlerts: Alert[] = [];
  const toDeliver: Alert[] = [];
  const deliveries = new DeliveryTally(sinks);
  const limits = resolveLimits(io.env, CLI_LIMITS);
  const detector = new StreamingDetector(
    settings,
    (alert) => {
      if (output === 'table') tableAlerts.push(alert);
      else pendingAlerts.push(alert);
      if (sinks.length > 0) toDeliver.push(alert);
    },
    limits.maxOpenWindows,
  );
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format, maxDeadLetters: MAX_DEAD_LETTER_SAMPLES },
    (s) => detector.add(s),
  );
  const flushAlerts = async () => {
    for (const a of pendingAlerts) {
      const wait = writer.write(JSON.stringify(a));
      if (wait !== undefined) await wait;
    }
    pendingAlerts.length = 0;
    for (const a of toDeliver.splice(0)) await deliveries.deliver(a);
  };
  const started = io.now();
  // detect reads only what the rule reads: the fast path may take ASIM JSON lines and default VPC
  // records whole (identical results, proven by test/unit/fastpath); every other line is decoded in full.
  const fastPath = new FastLinePath(SOURCE_DECODERS, normalizer.maxFieldChars);
  // More threads: workers run the fast path ahead of this thread, which applies their results in order.
  const pool =
    threads > 1 && normalizer.isAuto ? new ClassifyPool(threads - 1, normalizer.maxFieldChars) : undefined;
  let bytes: number;
  try {
    bytes = await readAll(
      inputs,
      normalizer,
      io,
      flushAlerts,
      fastPath,
      pool === undefined ? undefined : { pool, detector, depth: 2 * threads },
    );
  } finally {
    await pool?.close();
  }
  detector.finish();
  await flushAlerts();
  await writer.flush();
  if (output === 'table') io.stdout.write(formatAlertTable(tableAlerts));
  const notCounted = new Map<string, number>(detector.router.drops);
  if (detector.counts.beyondRetention > 0) notCounted.set(BEYOND_RETENTION, detector.counts.beyondRetention);
  if (detector.counts.binsFinalizedEarly > 0) {
    io.stderr.write(
      `portscan: ${detector.counts.binsFinalizedEarly} bins were finalized early to stay under PORTSCAN_MAX_OPEN_WINDOWS=${limits.maxOpenWindows}; late rows for them are counted as ${BEYOND_RETENTION}\n`,
    );
  }
  io.stderr.write(
    formatSummary(
      {
        command: 'detect',
        inputs: inputs.length,
        bytes,
        seconds: (io.now() - started) / 1000,
        normalize: normalizer.counts,
        deadLetters: normalizer.deadLetters,
        notCounted,
        rowsCounted: detector.counts.rowsCounted,
        alerts: detector.counts.alerts,
      },
      formatBytes,
    ),
  );
  io.stderr.write(deliveries.format());
  return 0;
}

/** Delivers the CLI's alerts to its webhook sinks, one alert at a time, and counts the outcomes. */
class DeliveryTally {
  readonly #sinks: readonly AlertSink[];
  readonly #counts = new Map<string, { delivered: number; failed: number; reasons: Set<string> }>();

  constructor(sinks: readonly AlertSink[]) {
    this.#sinks = sinks;
    for (const s of sinks) this.#counts.set(s.name, { delivered: 0, failed: 0, reasons: new Set() });
  }

  async deliver(alert: Alert): Promise<void> {
    for (const sink of this.#sinks) {
      const outcome = await sink.deliver(alert);
      const c = this.#counts.get(sink.name) as { delivered: number; failed: number; reasons: Set<string> };
      if (outcome.ok) c.delivered++;
      else {
        c.failed++;
        c.reasons.add(outcome.reason);
      }
    }
  }

  format(): string {
    return [...this.#counts.entries()]
      .map(
        ([name, c]) =>
          `  delivered to ${name}: ${c.delivered}, failed: ${c.failed}${c.reasons.size > 0 ? ` (${[...c.reasons].join('; ')})` : ''}\n`,
      )
      .join('');
  }
}

/** `detect --state table`: the same persistence and closing code as the functions, against Table Storage. */
async function detectWithTable(
  inputs: readonly CliInput[],
  format: string,
  output: string,
  settings: DetectionSettings,
  io: CliIo,
  table: TableOptions,
  sinks: readonly AlertSink[],
): Promise<number> {
  const started = io.now();
  const replay = new TableReplay(table.connection, table.prefix, settings, started);
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format, maxDeadLetters: MAX_DEAD_LETTER_SAMPLES },
    (s) => replay.add(s),
  );
  const bytes = await readAll(inputs, normalizer, io, () => replay.drain());
  const alerts = await replay.finish(io.now(), sinks);
  if (output === 'table') io.stdout.write(formatAlertTable(alerts));
  else {
    const writer = new LineWriter(io.stdout);
    for (const a of alerts) {
      const wait = writer.write(JSON.stringify(a));
      if (wait !== undefined) await wait;
    }
    await writer.flush();
  }
  io.stderr.write(
    formatSummary(
      {
        command: `detect --state table (tables ${table.prefix}*)`,
        inputs: inputs.length,
        bytes,
        seconds: (io.now() - started) / 1000,
        normalize: normalizer.counts,
        deadLetters: normalizer.deadLetters,
        notCounted: replay.router.drops,
        rowsCounted: replay.rowsCounted,
        alerts: alerts.length,
      },
      formatBytes,
    ),
  );
  io.stderr.write(`  table entity writes ${replay.entityWrites}, transactions ${replay.transactions}\n`);
  return 0;
}

/** Reads every input through the normalizer; `drain` runs between chunks so output keeps up. */
async function readAll(
  inputs: readonly CliInput[],
  normalizer: Normalizer,
  io: CliIo,
  drain: () => Promise<void>,
  fastPath?: FastLinePath,
  parallel?: { readonly pool: ClassifyPool; readonly detector: StreamingDetector; readonly depth: number },
): Promise<number> {
  const totalBytes = inputs.reduce((t, i) => t + (i.sizeBytes ?? 0), 0);
  const showProgress = io.isStderrTty && totalBytes >= PROGRESS_MIN_BYTES;
  let bytesRead = 0;
  let lastProgress = 0;
  const referenceTimeMs = io.now();
  for (const input of inputs) {
    const splitter = openInput(
      normalizer,
      {
        input: input.name,
        fallbackTimeMs: undefined,
        referenceTimeMs,
        maxDocumentChars: MAX_LINE_CHARS,
      },
      fastPath,
    );
    let stream: Readable;
    try {
      stream = input.open();
    } catch (cause) {
      throw new DetectorError('INPUT_UNREADABLE', `${input.name}: cannot open`, { cause });
    }
    const onTooLong = (line: string, lineNumber: number) => {
      normalizer.counts.itemsRead++;
      normalizer.invalid(
        UNKNOWN_SOURCE,
        LINE_OVER_LIMIT,
        `over ${MAX_LINE_CHARS} characters`,
        {
          input: input.name,
          line: lineNumber,
        },
        line,
      );
    };
    // With worker threads, each chunk's lines are read by a worker while earlier chunks are applied
    // here, in input order (ClassifyPool).
    const queue: PendingChunk[] = [];
    let lines: string[] = [];
    let lineNumbers: number[] = [];
    let tooLongs: boolean[] = [];
    const submit = () => {
      if (parallel === undefined || lines.length === 0) return;
      queue.push({ lines, lineNumbers, tooLong: tooLongs, classified: parallel.pool.classify(lines) });
      lines = [];
      lineNumbers = [];
      tooLongs = [];
    };
    const applyHead = async () => {
      const head = queue.shift() as PendingChunk;
      const chunk = await head.classified;
      const { detector } = parallel as { detector: StreamingDetector };
      applyChunk(head, chunk, splitter, normalizer, detector, onTooLong);
    };
    try {
      await forEachLine(
        stream,
        MAX_LINE_CHARS,
        (line, lineNumber, tooLong) => {
          if (parallel !== undefined) {
            lines.push(line);
            lineNumbers.push(lineNumber);
            tooLongs.push(tooLong);
          } else if (tooLong) onTooLong(line, lineNumber);
          else splitter.line(line, lineNumber);
        },
        async (n) => {
          if (parallel !== undefined) {
            submit();
            while (queue.length > parallel.depth) await applyHead();
          }
          bytesRead += n;
          if (showProgress) {
            const now = io.now();
            if (now - lastProgress >= 500) {
              lastProgress = now;
              const pct =
                totalBytes > 0 ? ` (${Math.min(100, Math.floor((bytesRead / totalBytes) * 100))}%)` : '';
              io.stderr.write(
                `\r  ${formatBytes(bytesRead)} of ${formatBytes(totalBytes)}${pct}, ${normalizer.counts.itemsRead.toLocaleString('en-US')} records   `,
              );
            }
          }
          await drain();
        },
      );
      submit();
      while (queue.length > 0) await applyHead();
    } catch (cause) {
      // An input reader's own error (a Parquet file that is not one) already says what is wrong.
      if (cause instanceof DetectorError) throw cause;
      const code = (cause as NodeJS.ErrnoException).code;
      throw new DetectorError(
        'INPUT_UNREADABLE',
        `${input.name}: read failed (${code ?? (cause as Error).message})`,
        {
          cause,
        },
      );
    }
    splitter.end();
    await drain();
  }
  if (showProgress) io.stderr.write('\r\x1b[K');
  return bytesRead;
}
