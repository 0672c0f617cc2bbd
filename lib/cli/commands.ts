import { writeFile } from 'node:fs/promises';
import type { AlertSink } from '../alerts/AlertSink.js';
import { conversationUpdate } from '../alerts/chatConversation.js';
import { createAlertSinks } from '../alerts/createAlertSinks.js';
import { sinkConfigsFromFlags } from '../alerts/sinkFlags.js';
import { isChatSink, sinksFor } from '../alerts/sinkRouting.js';
import { PORTSCAN_SETTINGS, readDeclared, readSinks } from '../config/appSettings.js';
import type { DetectionSettings } from '../config/detectionSettings.js';
import { CLI_DEFAULTS, DETECTION_KNOBS, resolveDetectionSettings } from '../config/detectionSettings.js';
import { CLI_LIMITS, resolveLimits } from '../config/limits.js';
import { ChatGrouping } from '../detection/chatGrouping.js';
import { BEYOND_RETENTION } from '../detection/RowRouter.js';
import { StreamingDetector } from '../detection/StreamingDetector.js';
import { ConfigurationError, UsageError } from '../errors.js';
import { FastLinePath } from '../fastpath/FastLinePath.js';
import type { Alert } from '../schema/Alert.js';
import type { NetworkSession } from '../schema/NetworkSession.js';
import { NETWORK_SESSION_FIELD_ORDER } from '../schema/NetworkSession.js';
import { type LineInput, openInput } from '../sources/pipeline/decodeInput.js';
import { LINE_OVER_LIMIT } from '../sources/pipeline/ItemSplitter.js';
import { Normalizer } from '../sources/pipeline/Normalizer.js';
import { formatNames, SOURCE_DECODERS } from '../sources/pipeline/registry.js';
import { InMemoryChatConversationStore } from '../state/InMemoryChatConversationStore.js';
import type { ParsedArgs } from './args.js';
import { suggest } from './args.js';
import type { CliIo } from './CliIo.js';
import type { CliInput, InputFormat, InputProblem } from './inputs.js';
import { describeFsError, readInput, resolveInputs } from './inputs.js';
import {
  CSV_UNCLOSED_QUOTE,
  type CsvLines,
  LogAnalyticsCsvLines,
  logAnalyticsCsvHeader,
} from './logAnalyticsCsv.js';
import {
  ALERT_CSV_COLUMNS,
  alertCsvLine,
  csvField,
  formatAlertTable,
  formatBytes,
  LineWriter,
} from './output.js';
import { Progress, reportProblem } from './progress.js';
import { firstLineOfBytes, linesOfBytes } from './readLines.js';
import { ShardPool } from './ShardPool.js';
import type { RunSummary } from './summary.js';
import { formatSummary, summaryJson } from './summary.js';
import { TableReplay } from './tableReplay.js';

const MAX_LINE_CHARS = 256 * 1024 * 1024;
const MAX_DEAD_LETTER_SAMPLES = 20;
/** Inputs read ahead of the one being read (small files only, `CliInput.readAhead`): at most 8 MiB held. */
const READ_AHEAD_INPUTS = 8;

/** What the options of a command resolved to. */
interface CommandOptions {
  readonly command: 'detect' | 'normalize';
  readonly format: string;
  readonly output: 'jsonl' | 'table' | 'csv';
  readonly quiet: boolean;
  readonly summaryJson: string | undefined;
  readonly threads: number;
  readonly table: TableOptions | undefined;
}

/** Where `--state table` keeps the window state. */
interface TableOptions {
  readonly connection: string;
  readonly prefix: string;
}

/** Runs `detect` or `normalize` with parsed arguments; resolves to the exit status. */
export async function runCommand(
  command: 'detect' | 'normalize',
  args: ParsedArgs,
  io: CliIo,
): Promise<number> {
  const options = commandOptions(command, args, io);
  if (args.positionals.length === 0)
    throw new UsageError('no input: give one or more files or directories, or - for stdin');
  const writer = new LineWriter(io.stdout);
  let settings: DetectionSettings | undefined;
  let sinks: readonly AlertSink[] = [];
  const flags: Record<string, string | string[]> = {};
  if (command === 'detect') {
    for (const k of DETECTION_KNOBS) {
      const v = args.values.get(k.flag.slice(2));
      if (typeof v === 'string') flags[k.flag] = v;
      else if (Array.isArray(v)) flags[k.flag] = [...v];
    }
    settings = resolveDetectionSettings(io.env, flags, CLI_DEFAULTS);
    sinks = cliSinks(args, io);
  }
  const { inputs, problems } = await resolveInputs(args.positionals, io.stdin);
  for (const p of problems) reportProblem(io, p);
  const run = new RunState(io, options, inputs, problems);
  let status: number;
  if (command === 'normalize') status = await normalizeCommand(run, writer);
  else if (options.table !== undefined)
    status = await detectWithTable(run, writer, settings as DetectionSettings, options.table, sinks);
  else status = await detectCommand(run, writer, settings as DetectionSettings, flags, sinks);
  return problems.length > 0 ? Math.max(status, 1) : status;
}

function commandOptions(command: 'detect' | 'normalize', args: ParsedArgs, io: CliIo): CommandOptions {
  const value = (name: string) => {
    const v = args.values.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const format = value('format') ?? 'auto';
  if (!formatNames().includes(format)) {
    const close = suggest(format, formatNames());
    throw new UsageError(
      `--format "${format}" is not a source name${close === undefined ? '' : ` (did you mean ${close}?)`}; expected one of ${formatNames().join(', ')}`,
    );
  }
  const outputs = command === 'detect' ? ['jsonl', 'table', 'csv'] : ['jsonl', 'csv'];
  const output = value('output') ?? (command === 'detect' && io.isStdoutTty ? 'table' : 'jsonl');
  if (!outputs.includes(output)) {
    throw new UsageError(
      `--output "${output}": ${command} writes ${outputs.join(', ').replace(/, (\w+)$/, ' or $1')}`,
    );
  }
  const state = value('state') ?? 'memory';
  if (state !== 'memory' && state !== 'table')
    throw new UsageError(`--state "${state}": expected memory or table`);
  let table: TableOptions | undefined;
  if (state === 'table') {
    const connection = value('table-connection') ?? io.env.PortscanStorage;
    if (connection === undefined || connection.trim() === '') {
      throw new UsageError(
        '--state table needs --table-connection (or the PortscanStorage setting): a Table Storage connection string',
      );
    }
    const prefix = value('table-prefix') ?? `Replay${io.now().toString(36)}`;
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix)) {
      throw new UsageError(`--table-prefix "${prefix}": expected letters and digits, starting with a letter`);
    }
    table = { connection, prefix };
  } else if (value('table-connection') !== undefined || value('table-prefix') !== undefined) {
    throw new UsageError('--table-connection and --table-prefix need --state table');
  }
  const threadsText = value('threads') ?? '1';
  const threads = /^\d{1,2}$/.test(threadsText) ? Number(threadsText) : 0;
  if (threads < 1 || threads > 32) throw new UsageError(`--threads "${threadsText}": expected 1 to 32`);
  if (threads > 1 && table !== undefined) throw new UsageError('--threads applies to --state memory only');
  if (threads > 1 && format !== 'auto') {
    throw new UsageError(
      '--threads needs --format auto: the worker threads recognize records by content (leave out --format or --threads)',
    );
  }
  return {
    command,
    format,
    output: output as CommandOptions['output'],
    quiet: args.values.get('quiet') === true,
    summaryJson: value('summary-json'),
    threads,
    table,
  };
}

/** The webhook sinks: the `PORTSCAN_SINK_<NAME>_*` settings (as in Azure), then the flags. */
function cliSinks(args: ParsedArgs, io: CliIo): AlertSink[] {
  const issues: string[] = [];
  const fromSettings = readSinks(io.env, issues);
  // The same settings and defaults as the closing timer's sinks.
  const alertLinkTemplate = readDeclared(io.env, PORTSCAN_SETTINGS.alertLinkTemplate, issues);
  const httpTimeoutSeconds = readDeclared(io.env, PORTSCAN_SETTINGS.httpTimeoutSeconds, issues);
  if (issues.length > 0) throw new ConfigurationError(issues);
  return createAlertSinks({
    sinks: [...fromSettings, ...sinkConfigsFromFlags(args.tokens)],
    alertLinkTemplate,
    httpTimeoutMs: httpTimeoutSeconds * 1000,
  });
}

/** What a run has seen so far, for the summary, the warnings and the exit status. */
class RunState {
  readonly io: CliIo;
  readonly options: CommandOptions;
  readonly inputs: readonly CliInput[];
  readonly problems: InputProblem[];
  readonly formats = new Map<string, InputFormat>();
  /** Inputs read as Log Analytics CSV exports. */
  readonly csvInputs: string[] = [];
  readonly started: number;
  bytes = 0;

  constructor(io: CliIo, options: CommandOptions, inputs: readonly CliInput[], problems: InputProblem[]) {
    this.io = io;
    this.options = options;
    this.inputs = inputs;
    this.problems = problems;
    this.started = io.now();
  }

  /** Prints the summary (unless --quiet) and the warnings, and writes --summary-json. */
  async report(
    summary: Omit<RunSummary, 'command' | 'inputs' | 'bytes' | 'seconds' | 'warnings' | 'problems'>,
  ) {
    const full: RunSummary = {
      command: this.options.command,
      inputs: this.inputs.length,
      bytes: this.bytes,
      seconds: (this.io.now() - this.started) / 1000,
      problems: this.problems,
      warnings: warningsOf(this, summary),
      ...summary,
    };
    if (!this.options.quiet) this.io.stderr.write(formatSummary(full, formatBytes));
    for (const w of full.warnings) this.io.stderr.write(`portscan: warning: ${w}\n`);
    if (this.options.summaryJson !== undefined) {
      try {
        await writeFile(this.options.summaryJson, `${JSON.stringify(summaryJson(full), null, 2)}\n`);
      } catch (cause) {
        const problem = {
          input: this.options.summaryJson,
          reason: `cannot write the summary: ${describeFsError(cause)}`,
        };
        this.problems.push(problem);
        reportProblem(this.io, problem);
      }
    }
  }
}

/** Warnings with what to do about them. */
function warningsOf(
  run: RunState,
  s: Omit<RunSummary, 'command' | 'inputs' | 'bytes' | 'seconds' | 'warnings' | 'problems'>,
): string[] {
  const warnings: string[] = [];
  const n = s.normalize;
  const invalid = [...n.invalid.values()].reduce((a, b) => a + b, 0);
  const skipped = [...n.skipped.values()].reduce((a, b) => a + b, 0);
  if (n.itemsRead > 0 && n.recordsNormalized === 0 && skipped === 0) {
    warnings.push(
      `nothing was decoded: none of the ${n.itemsRead.toLocaleString('en-US')} records read is a flow record of a supported source (${invalid.toLocaleString('en-US')} not decodable; the first examples are above). See docs/sources.md for the formats read, or force one with --format NAME.`,
    );
  } else if (n.itemsRead === 0 && run.bytes > 0 && run.problems.length === 0) {
    warnings.push('the inputs hold no records (only empty lines)');
  }
  const late = s.notCounted?.get(BEYOND_RETENTION) ?? 0;
  if (late > 0) {
    warnings.push(
      `${late.toLocaleString('en-US')} rows were not counted because they came more than --retention-hours behind the closed bins (the newest row already read less the lateness); scans in them may be missed. Give the inputs oldest first (S3 and date-named paths sort that way), or raise --retention-hours to cover the whole span.`,
    );
  }
  const expired = s.knownScannersExpired ?? [];
  if (expired.length > 0) {
    warnings.push(
      `${expired.length} known-scanner entries have expired and no longer suppress alerts (${expired.slice(0, 5).join('; ')}${expired.length > 5 ? '; …' : ''}): renew their expiry or remove them from --known-scanners`,
    );
  }
  if ((s.lateAlerts ?? 0) > 0) {
    warnings.push(
      `${s.lateAlerts} alerts are late: rows for their bins came after the bins had closed, because the inputs are not in time order. Give the inputs oldest first, or raise --lateness-minutes.`,
    );
  }
  for (const [name, f] of run.formats) {
    if (f.encoding !== 'utf-8') {
      warnings.push(
        `${name}: read as ${f.encoding.toUpperCase()}${f.encodingGuessed ? ' (no byte order mark; guessed from the bytes)' : ''}; UTF-8 is smaller and faster (iconv -f ${f.encoding.toUpperCase()} -t UTF-8)`,
      );
    }
  }
  return warnings;
}

async function normalizeCommand(run: RunState, writer: LineWriter): Promise<number> {
  const csv = run.options.output === 'csv';
  const pending: NetworkSession[] = [];
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format: run.options.format, maxDeadLetters: MAX_DEAD_LETTER_SAMPLES },
    (s) => {
      pending.push(s);
    },
  );
  if (csv) await writer.text(`${NETWORK_SESSION_FIELD_ORDER.join(',')}\n`);
  await readAll(run, normalizer, async () => {
    for (const s of pending) {
      const line = csv
        ? NETWORK_SESSION_FIELD_ORDER.map((f) => csvField((s as Record<string, unknown>)[f])).join(',')
        : JSON.stringify(s);
      const wait = writer.write(line);
      if (wait !== undefined) await wait;
    }
    pending.length = 0;
  });
  await writer.flush();
  await run.report({ normalize: normalizer.counts, deadLetters: normalizer.deadLetters });
  return 0;
}

async function detectCommand(
  run: RunState,
  writer: LineWriter,
  settings: DetectionSettings,
  flags: Record<string, string | string[]>,
  sinks: readonly AlertSink[],
): Promise<number> {
  const { output, threads } = run.options;
  const tableAlerts: Alert[] = [];
  const pendingAlerts: Alert[] = [];
  const toDeliver: Alert[] = [];
  const deliveries = new DeliveryTally(sinks, settings);
  let lateAlerts = 0;
  let suppressedAlerts = 0;
  const limits = resolveLimits(run.io.env, CLI_LIMITS);
  const onAlert = (alert: Alert) => {
    if (alert.IsLate) lateAlerts++;
    if (alert.Suppression !== undefined) suppressedAlerts++;
    if (output === 'table') tableAlerts.push(alert);
    else pendingAlerts.push(alert);
    if (sinks.length > 0) toDeliver.push(alert);
  };
  const detector = new StreamingDetector(settings, onAlert, limits.maxOpenWindows);
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format: run.options.format, maxDeadLetters: MAX_DEAD_LETTER_SAMPLES },
    (s) => detector.add(s),
    (tuple, group) => detector.addFlow(tuple, group),
  );
  if (output === 'csv') await writer.text(`${ALERT_CSV_COLUMNS.join(',')}\n`);
  const flushAlerts = async () => {
    for (const a of pendingAlerts) {
      const wait = writer.write(output === 'csv' ? alertCsvLine(a) : JSON.stringify(a));
      if (wait !== undefined) await wait;
    }
    pendingAlerts.length = 0;
    for (const a of toDeliver.splice(0)) await deliveries.deliver(a);
  };
  // detect reads only what the rule reads: the fast path may take ASIM JSON lines and default VPC
  // records whole (identical results, proven by test/unit/fastpath); every other line is decoded in full.
  const fastPath = new FastLinePath(SOURCE_DECODERS, normalizer.maxFieldChars);
  // More threads: workers decode the input and hold its windows, sharded by source (ShardPool).
  const pool =
    threads > 1 && normalizer.isAuto
      ? new ShardPool({
          threads,
          env: run.io.env,
          flags,
          maxDocumentChars: MAX_LINE_CHARS,
          maxDeadLetters: MAX_DEAD_LETTER_SAMPLES,
          maxOpenWindows: limits.maxOpenWindows,
          normalizer,
          onAlert,
          // About four read buffers (1 MiB) per thread, or many more chunks when they are small.
          depth: 64 * threads,
          depthBytes: (4 << 20) * threads,
        })
      : undefined;
  let counts: { rowsCounted: number; beyondRetention: number; alerts: number; binsFinalizedEarly: number };
  let drops: ReadonlyMap<string, number>;
  try {
    await readAll(run, normalizer, flushAlerts, fastPath, pool);
    if (pool === undefined) {
      detector.finish();
      counts = detector.counts;
      drops = detector.router.drops;
    } else {
      const sharded = await pool.finish();
      counts = { ...sharded, binsFinalizedEarly: 0 };
      drops = sharded.drops;
    }
  } finally {
    await pool?.close();
  }
  await flushAlerts();
  await deliveries.finish();
  await writer.flush();
  if (output === 'table') await writer.text(formatAlertTable(tableAlerts));
  const notCounted = new Map<string, number>(drops);
  if (counts.beyondRetention > 0) notCounted.set(BEYOND_RETENTION, counts.beyondRetention);
  if (counts.binsFinalizedEarly > 0) {
    run.io.stderr.write(
      `portscan: warning: ${counts.binsFinalizedEarly} bins were finalized early to stay under PORTSCAN_MAX_OPEN_WINDOWS=${limits.maxOpenWindows}; late rows for them are counted as ${BEYOND_RETENTION}\n`,
    );
  }
  await run.report({
    normalize: normalizer.counts,
    deadLetters: normalizer.deadLetters,
    notCounted,
    rowsCounted: counts.rowsCounted,
    alerts: counts.alerts,
    lateAlerts,
    suppressedAlerts,
    knownScannersExpired: expiredKnownScanners(settings, run.io.now()),
    deliveries: deliveries.counts(),
  });
  return deliveries.failed() > 0 ? 1 : 0;
}

/** The expired known-scanner entries, as the summary's warning lists them. */
function expiredKnownScanners(settings: DetectionSettings, nowMs: number): string[] {
  return settings.knownScanners.expiredAt(nowMs).map((e) => `${e.cidr} (${e.reason}, expired ${e.expires})`);
}

/**
 * Delivers the CLI's alerts to its webhook sinks, one alert at a time (a known scanner's only to
 * the signed webhooks), and counts the outcomes. With grouping on (`--chat-group-hours`, 5 by
 * default), Teams and Slack get one card per source and grouping window and, at the end of the
 * run (the replay is one closing run), one "still scanning" update per conversation that grew;
 * the signed webhooks get every alert.
 */
class DeliveryTally {
  readonly #sinks: readonly AlertSink[];
  readonly #counts = new Map<string, { delivered: number; failed: number; reasons: Set<string> }>();
  /** The closing timer's grouping, over conversations kept in memory for the run. */
  readonly #grouping: ChatGrouping | undefined;
  /** The alerts that opened a conversation, whose revisions carry its update. */
  readonly #openers = new Map<string, Alert>();

  constructor(sinks: readonly AlertSink[], settings: Pick<DetectionSettings, 'chatGroupMs' | 'binMs'>) {
    this.#sinks = sinks;
    for (const s of sinks) this.#counts.set(s.name, { delivered: 0, failed: 0, reasons: new Set() });
    this.#grouping =
      settings.chatGroupMs > 0 && sinks.some(isChatSink)
        ? new ChatGrouping(new InMemoryChatConversationStore(), settings.chatGroupMs, settings.binMs)
        : undefined;
  }

  async deliver(alert: Alert): Promise<void> {
    const role = this.#grouping === undefined ? 'opens' : await this.#grouping.place(alert);
    if (role === 'opens' && !this.#openers.has(alert.AlertId)) this.#openers.set(alert.AlertId, alert);
    for (const sink of sinksFor(alert, this.#sinks)) {
      if (role === 'joins' && isChatSink(sink)) continue;
      await this.#send(sink, alert);
    }
  }

  /** Sends each grown conversation's totals to the chat sinks its card went to. */
  async finish(): Promise<void> {
    for (const pending of (await this.#grouping?.pendingUpdates()) ?? []) {
      const opener = this.#openers.get(pending.alertId);
      if (opener === undefined) continue;
      const update = conversationUpdate(opener, pending.totals);
      for (const sink of sinksFor(opener, this.#sinks).filter(isChatSink)) await this.#send(sink, update);
      await pending.markSent();
    }
  }

  async #send(sink: AlertSink, alert: Alert): Promise<void> {
    const outcome = await sink.deliver(alert);
    const c = this.#counts.get(sink.name) as { delivered: number; failed: number; reasons: Set<string> };
    if (outcome.ok) c.delivered++;
    else {
      c.failed++;
      c.reasons.add(outcome.reason);
    }
  }

  failed(): number {
    let n = 0;
    for (const c of this.#counts.values()) n += c.failed;
    return n;
  }

  counts(): ReadonlyMap<string, { delivered: number; failed: number; reasons: readonly string[] }> {
    return new Map([...this.#counts].map(([name, c]) => [name, { ...c, reasons: [...c.reasons] }]));
  }
}

/** `detect --state table`: the same persistence and closing code as the functions, against Table Storage. */
async function detectWithTable(
  run: RunState,
  writer: LineWriter,
  settings: DetectionSettings,
  table: TableOptions,
  sinks: readonly AlertSink[],
): Promise<number> {
  const replay = new TableReplay(table.connection, table.prefix, settings, run.started);
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format: run.options.format, maxDeadLetters: MAX_DEAD_LETTER_SAMPLES },
    (s) => replay.add(s),
  );
  await readAll(run, normalizer, () => replay.drain());
  const alerts = await replay.finish(run.io.now, sinks);
  if (run.options.output === 'table') await writer.text(formatAlertTable(alerts));
  else {
    if (run.options.output === 'csv') await writer.text(`${ALERT_CSV_COLUMNS.join(',')}\n`);
    for (const a of alerts) {
      const wait = writer.write(run.options.output === 'csv' ? alertCsvLine(a) : JSON.stringify(a));
      if (wait !== undefined) await wait;
    }
    await writer.flush();
  }
  await run.report({
    normalize: normalizer.counts,
    deadLetters: normalizer.deadLetters,
    notCounted: replay.router.drops,
    rowsCounted: replay.rowsCounted,
    alerts: alerts.length,
    lateAlerts: alerts.filter((a) => a.IsLate).length,
    suppressedAlerts: alerts.filter((a) => a.Suppression !== undefined).length,
    knownScannersExpired: expiredKnownScanners(settings, run.io.now()),
    storage: `table entity writes ${replay.entityWrites}, transactions ${replay.transactions} (tables ${table.prefix}*)`,
  });
  return 0;
}

/**
 * Reads every input through the normalizer; `drain` runs between chunks so output keeps up. A
 * problem with one input is reported and recorded, and the next input is read. With `shards`,
 * the lines go to its worker threads instead, and what this thread does itself (a line over the
 * limit, a CSV row that never closes) takes its place among their chunks.
 */
async function readAll(
  run: RunState,
  normalizer: Normalizer,
  drain: () => Promise<void>,
  fastPath?: FastLinePath,
  shards?: ShardPool,
): Promise<void> {
  const progress = new Progress({
    io: run.io,
    quiet: run.options.quiet,
    inputs: run.inputs,
    started: run.started,
  });
  const referenceTimeMs = run.io.now();
  for (let index = 0; index < run.inputs.length; index++) {
    const input = run.inputs[index] as CliInput;
    // Small files are read ahead of their turn, a few at a time, their round trips overlapping.
    for (const next of run.inputs.slice(index + 1, index + 1 + READ_AHEAD_INPUTS)) next.readAhead?.();
    const description = {
      input: input.name,
      fallbackTimeMs: undefined,
      referenceTimeMs,
      maxDocumentChars: MAX_LINE_CHARS,
    };
    const splitter =
      shards === undefined
        ? (fastPath?.open(normalizer, description) ?? openInput(normalizer, description))
        : undefined;
    shards?.openInput(input.name, referenceTimeMs);
    const onTooLong = (line: string, lineNumber: number) => {
      normalizer.reject(
        LINE_OVER_LIMIT,
        `over ${MAX_LINE_CHARS} characters`,
        { input: input.name, line: lineNumber },
        line,
      );
    };
    const rejectCsvRows = (rows: CsvLines['rejected']) => {
      for (const row of rows)
        normalizer.reject(
          CSV_UNCLOSED_QUOTE,
          'its quoted cell never closes; the rows after it are read on their own',
          { input: input.name, line: row.lineNumber },
          row.text,
        );
    };
    let sourceBytes = 0;
    let textBytes = 0;
    let csv: LogAnalyticsCsvLines | undefined;
    let firstLine = true;
    const feed = async (lines: string[], lineNumbers: number[], tooLong: boolean[]) => {
      if (shards !== undefined) {
        let from = 0;
        for (let i = 0; i < lines.length; i++) {
          if (tooLong[i] !== true) continue;
          await shards.lines(lines.slice(from, i), lineNumbers.slice(from, i));
          const line = lines[i] as string;
          const lineNumber = lineNumbers[i] as number;
          await shards.inOrder(() => onTooLong(line, lineNumber));
          from = i + 1;
        }
        await shards.lines(
          from === 0 ? lines : lines.slice(from),
          from === 0 ? lineNumbers : lineNumbers.slice(from),
        );
        return;
      }
      const lineInput = splitter as LineInput;
      for (let i = 0; i < lines.length; i++) {
        if (tooLong[i] === true) onTooLong(lines[i] as string, lineNumbers[i] as number);
        else lineInput.line(lines[i] as string, lineNumbers[i] as number);
      }
    };
    const reject = async (rows: CsvLines['rejected']) => {
      if (rows.length === 0) return;
      if (shards === undefined) rejectCsvRows(rows);
      else await shards.inOrder(() => rejectCsvRows(rows));
    };
    for await (const event of readInput(input, {
      maxLineChars: MAX_LINE_CHARS,
      asBytes: shards !== undefined,
    })) {
      if (event.kind === 'format') {
        run.formats.set(input.name, event);
        continue;
      }
      if (event.kind === 'problem') {
        run.problems.push(event.problem);
        reportProblem(run.io, event.problem);
        continue;
      }
      sourceBytes = event.sourceBytes;
      textBytes = event.textBytes;
      let { lines, lineNumbers, tooLong } = event;
      let { bytes } = event;
      // Whether the input is a CSV export is read from its first line alone: any other input's bytes
      // go to the workers undecoded (a directory of small files is mostly first chunks).
      if (bytes !== undefined && firstLine && logAnalyticsCsvHeader(firstLineOfBytes(bytes)) === undefined)
        firstLine = false;
      if (bytes !== undefined && (firstLine || csv !== undefined)) {
        // A CSV export is read on this thread.
        const decoded = linesOfBytes(bytes);
        ({ lines, lineNumbers, tooLong } = {
          lines: [...decoded.lines, ...lines],
          lineNumbers: [...decoded.lineNumbers, ...lineNumbers],
          tooLong: [...decoded.tooLong, ...tooLong],
        });
        bytes = undefined;
      }
      if (firstLine && lines.length > 0) {
        firstLine = false;
        // A Log Analytics CSV export: its rows are read as the JSON records a data export gives.
        const columns = logAnalyticsCsvHeader(lines[0] as string);
        if (columns !== undefined) {
          csv = new LogAnalyticsCsvLines(columns);
          run.csvInputs.push(input.name);
          ({ lines, lineNumbers } = { lines: lines.slice(1), lineNumbers: lineNumbers.slice(1) });
        }
      }
      if (csv !== undefined) {
        const rows = csv.push(lines, lineNumbers);
        ({ lines, lineNumbers } = rows);
        tooLong = lines.map(() => false);
        await reject(rows.rejected);
      }
      if (bytes !== undefined) await shards?.bytes(bytes);
      await feed(lines, lineNumbers, tooLong);
      progress.update(input, sourceBytes, normalizer.counts.itemsRead);
      await drain();
    }
    if (csv !== undefined) {
      const rest = csv.end();
      await reject(rest.rejected);
      await feed(
        rest.lines,
        rest.lineNumbers,
        rest.lines.map(() => false),
      );
    }
    if (shards === undefined) (splitter as LineInput).end();
    else await shards.endInput();
    progress.inputDone(sourceBytes);
    run.bytes += textBytes;
    await drain();
  }
  progress.end();
}
