import type { Readable } from 'node:stream';
import { FUNCTION_LIMITS, resolveLimits } from '../config/limits.js';
import { integerIn, parseSetting, quoteSetting } from '../config/settingParsers.js';
import { UsageError } from '../errors.js';
import { EventHubSender, type HubTarget } from '../eventhub/EventHubSender.js';
import { excerpt } from '../sources/pipeline/fields.js';
import { ItemSplitter, LINE_OVER_LIMIT } from '../sources/pipeline/ItemSplitter.js';
import { Normalizer } from '../sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../sources/pipeline/registry.js';
import type { DecodeContext, SourceLocation } from '../sources/pipeline/types.js';
import { StreamState } from '../sources/pipeline/types.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './CliIo.js';
import { resolveHubTarget } from './hubTarget.js';
import type { CliInput, InputProblem } from './inputs.js';
import { readInput, resolveInputs } from './inputs.js';
import { type FrameItem, MessageFramer } from './MessageFramer.js';
import { formatBytes, formatCount } from './output.js';
import { Progress, reportProblem } from './progress.js';
import { formatSummary } from './summary.js';

const MAX_LINE_CHARS = 256 * 1024 * 1024;
const MAX_EXAMPLES = 5;

/** `portscan send` (SEND_USAGE in usage.ts): resolves to the exit status. */
export async function sendCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const value = (name: string): string | undefined => {
    const v = args.values.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const target = resolveHubTarget({ namespace: value('namespace'), hub: value('hub') }, io.env);
  const maxMessageBytes = optionalInteger(
    value('max-message-bytes'),
    '--max-message-bytes',
    1024,
    100 * 1024 * 1024,
  );
  const follow = args.values.get('follow') === true;
  const quiet = args.values.get('quiet') === true;
  const flushText = value('flush-interval');
  const flushSeconds = flushText === undefined ? 1 : Number(flushText);
  if (!(flushSeconds >= 0.05 && flushSeconds <= 3600))
    throw new UsageError(`--flush-interval "${flushText}": expected seconds from 0.05 to 3600`);
  if (!follow && flushText !== undefined) throw new UsageError('--flush-interval applies to --follow');
  if (args.positionals.length === 0) throw new UsageError('no input: give one or more files, or - for stdin');
  if (follow && (args.positionals.length !== 1 || args.positionals[0] !== '-'))
    throw new UsageError('--follow reads stdin only: give - as the input');
  const { inputs, problems } = await resolveInputs(args.positionals, io.stdin);
  for (const p of problems) reportProblem(io, p);
  const limits = resolveLimits(io.env, FUNCTION_LIMITS);

  const sender = await EventHubSender.open(target, io.hubRetry === undefined ? {} : { retry: io.hubRetry });
  try {
    if (maxMessageBytes !== undefined && maxMessageBytes > sender.maxEventBytes) {
      throw new UsageError(
        `--max-message-bytes ${maxMessageBytes}: the hub accepts messages of at most ${sender.maxEventBytes} bytes`,
      );
    }
    const run = new SendRun(sender, io, inputs, problems, quiet, {
      maxMessageBytes: maxMessageBytes ?? sender.maxEventBytes,
      maxItemsPerMessage: limits.maxRecordsPerMessage,
    });
    const interrupted = await run.readAll(follow ? flushSeconds * 1000 : undefined);
    if (!quiet) io.stderr.write(run.summary(target));
    if (interrupted) io.stderr.write('portscan: stopped by an interrupt after sending what was read\n');
    if (interrupted && !follow) return 130;
    return problems.length > 0 ? 1 : 0;
  } finally {
    await sender.close();
  }
}

function optionalInteger(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const parser = integerIn(min, max);
  const n = parseSetting(parser, text);
  if (n === undefined) throw new UsageError(`${flag} ${quoteSetting(text)}: expected ${parser.accepts}`);
  return n;
}

/** A record that was read but not sent, with where it was. */
interface NotSent {
  readonly reason: string;
  readonly detail: string;
  readonly location: SourceLocation;
}

/**
 * One run of `send`: reads the inputs with the CLI's reader and the same splitter and decoders as
 * `detect` (the decoders tell which lines are header lines, and the summary says what the function
 * will make of the records), frames the items, and hands the messages to the sender in input order.
 */
class SendRun {
  readonly #sender: EventHubSender;
  readonly #io: CliIo;
  readonly #inputs: readonly CliInput[];
  readonly #problems: InputProblem[];
  readonly #quiet: boolean;
  readonly #started: number;
  readonly #framer: MessageFramer;
  readonly #normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format: 'auto', maxDeadLetters: 20 },
    () => undefined,
  );
  readonly #framed: Buffer[] = [];
  readonly #notSent = new Map<string, number>();
  readonly #examples: NotSent[] = [];
  #records = 0;
  #headerItems = 0;
  #bytes = 0;
  /** Sends run one after another on this chain; the first failure stops the run. */
  #chain: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(
    sender: EventHubSender,
    io: CliIo,
    inputs: readonly CliInput[],
    problems: InputProblem[],
    quiet: boolean,
    limits: ConstructorParameters<typeof MessageFramer>[0],
  ) {
    this.#sender = sender;
    this.#io = io;
    this.#inputs = inputs;
    this.#problems = problems;
    this.#quiet = quiet;
    this.#started = io.now();
    this.#framer = new MessageFramer(limits, (m) => {
      this.#framed.push(m.body);
      this.#records += m.records;
      this.#headerItems += m.headerItems;
    });
  }

  /**
   * Reads every input; with `flushMs` (follow mode) a partly filled message waits at most that
   * long. Resolves to true when an interrupt stopped the reading (what was read is sent).
   */
  async readAll(flushMs: number | undefined): Promise<boolean> {
    const io = this.#io;
    const progress = new Progress({ io, quiet: this.#quiet, inputs: this.#inputs, started: this.#started });
    let interrupted = false;
    let current: Readable | undefined;
    const stopListening = io.onInterrupt?.(() => {
      interrupted = true;
      current?.destroy();
    });
    const timer =
      flushMs === undefined
        ? undefined
        : setInterval(() => {
            this.#framer.flush();
            this.#send(true).catch(() => undefined);
          }, flushMs);
    try {
      for (const input of this.#inputs) {
        if (interrupted) break;
        this.#framer.startInput();
        const ctx: DecodeContext = {
          fallbackTimeMs: undefined,
          referenceTimeMs: io.now(),
          stream: new StreamState(),
        };
        const splitter = this.#splitter(input.name, ctx);
        const tracked: CliInput = {
          ...input,
          open: () => {
            current = input.open();
            return current;
          },
        };
        let sourceBytes = 0;
        let textBytes = 0;
        for await (const event of readInput(tracked, { maxLineChars: MAX_LINE_CHARS })) {
          if (event.kind === 'format') continue;
          if (event.kind === 'problem') {
            // Reading stops when an interrupt closes the input: that is no problem of the input.
            if (!interrupted) {
              this.#problems.push(event.problem);
              reportProblem(io, event.problem);
            }
            continue;
          }
          sourceBytes = event.sourceBytes;
          textBytes = event.textBytes;
          const { lines, lineNumbers, tooLong } = event;
          for (let i = 0; i < lines.length; i++) {
            const lineNumber = lineNumbers[i] as number;
            if (tooLong[i] !== true) splitter.line(lines[i] as string, lineNumber);
            else
              this.#refuse(LINE_OVER_LIMIT, `over ${MAX_LINE_CHARS} characters`, {
                input: input.name,
                line: lineNumber,
              });
          }
          progress.update(
            input,
            sourceBytes,
            this.#normalizer.counts.itemsRead,
            `, ${formatCount(this.#sender.eventsSent)} messages sent`,
          );
          await this.#send(false);
        }
        splitter.end();
        progress.inputDone(sourceBytes);
        this.#bytes += textBytes;
        await this.#send(false);
      }
      this.#framer.flush();
      await this.#send(true);
    } finally {
      if (timer !== undefined) clearInterval(timer);
      stopListening?.();
      progress.end();
    }
    return interrupted;
  }

  /** The splitter of one input: every item is decoded (header lines change the stream state), then framed. */
  #splitter(input: string, ctx: DecodeContext): ItemSplitter {
    const normalizer = this.#normalizer;
    const frame = (item: FrameItem, location: SourceLocation, changesBefore: number, size: () => string) => {
      if (ctx.stream.changes !== changesBefore) {
        this.#framer.addHeader(item, ctx.stream.isFresh);
        return;
      }
      const refused = this.#framer.add(item);
      if (refused !== undefined) this.#refuse(refused, size(), location);
    };
    return new ItemSplitter(
      {
        json: (record, location) => {
          const before = ctx.stream.changes;
          normalizer.json(record, location, ctx);
          frame(
            { json: record },
            location,
            before,
            () => `${formatBytes(Buffer.byteLength(JSON.stringify(record)))} as JSON`,
          );
        },
        text: (line, location) => {
          const before = ctx.stream.changes;
          normalizer.text(line, location, ctx);
          frame(
            { text: line },
            location,
            before,
            () => `${formatBytes(Buffer.byteLength(line))}: ${excerpt(line, 40)}`,
          );
        },
        invalid: (reason, detail, location) => {
          normalizer.reject(reason, detail, location);
          this.#refuse(reason, detail, location);
        },
        // A record-less envelope (a CloudWatch Logs control message): nothing to send.
        skip: (reason) => normalizer.skipItem(reason),
      },
      { input, maxDocumentChars: MAX_LINE_CHARS },
    );
  }

  #refuse(reason: string, detail: string, location: SourceLocation): void {
    this.#notSent.set(reason, (this.#notSent.get(reason) ?? 0) + 1);
    if (this.#examples.length < MAX_EXAMPLES) this.#examples.push({ reason, detail, location });
  }

  /** Hands the framed messages to the sender (and, with `flush`, sends its partial batch); rejects on the first failure. */
  #send(flush: boolean): Promise<void> {
    this.#chain = this.#chain
      .then(async () => {
        if (this.#failure !== undefined) return;
        for (const body of this.#framed.splice(0)) await this.#sender.add(body);
        if (flush) await this.#sender.flush();
      })
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
    return this.#chain.then(() => {
      if (this.#failure !== undefined) throw this.#failure;
    });
  }

  summary(target: HubTarget): string {
    const n = this.#normalizer;
    const out = [
      formatSummary(
        {
          command: `send to event hub "${target.hub}" in ${target.namespace}`,
          inputs: this.#inputs.length,
          bytes: this.#bytes,
          seconds: (this.#io.now() - this.#started) / 1000,
          normalize: n.counts,
          deadLetters: n.deadLetters,
          problems: this.#problems,
          warnings: [],
        },
        formatBytes,
      ).trimEnd(),
    ];
    const row = (label: string, value: string, indent = 2) =>
      out.push(`${' '.repeat(indent)}${label.padEnd(44 - indent)}${value.padStart(12)}`);
    row('messages sent', formatCount(this.#sender.eventsSent));
    row('in batches', formatCount(this.#sender.batchesSent), 4);
    row('bytes sent', formatBytes(this.#sender.bytesSent));
    row('records sent', formatCount(this.#records));
    if (this.#headerItems > 0)
      row('header lines repeated at message heads', formatCount(this.#headerItems), 4);
    const notSent = [...this.#notSent.entries()].sort((a, b) => b[1] - a[1]);
    row('records not sent', formatCount(notSent.reduce((t, [, c]) => t + c, 0)));
    for (const [reason, count] of notSent) row(reason, formatCount(count), 4);
    if (this.#examples.length > 0) {
      out.push('    first examples:');
      for (const e of this.#examples) {
        const where = [
          e.location.input,
          e.location.line === undefined ? undefined : `line ${e.location.line}`,
          e.location.record === undefined ? undefined : `record ${e.location.record}`,
        ]
          .filter((x) => x !== undefined)
          .join(' ');
        out.push(`      ${where}: ${e.reason} (${e.detail})`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}
