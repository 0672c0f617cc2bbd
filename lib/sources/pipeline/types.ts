import type {
  DvcAction,
  EventResult,
  NetworkDirection,
  NetworkSession,
} from '../../schema/NetworkSession.js';

/** A parsed JSON object (one record of an envelope, one JSON line, one table row). */
export type JsonObject = Record<string, unknown>;

/** Where an item came from, so that decode errors and dead letters can point at it. */
export interface SourceLocation {
  /** The input: a file name, `-` for stdin, or `partition <id>` for an Event Hub batch. */
  readonly input: string;
  /** 1-based line of the item's first character in the input text (text lines, JSON lines). */
  readonly line?: number;
  /** 0-based index of the record inside a JSON array or `{"records":[…]}` envelope. */
  readonly record?: number;
  /** Event Hub sequence number of the message that carried the item. */
  readonly sequenceNumber?: number;
}

/** A flow tuple's outcome: its DvcAction and EventResult. */
export interface FlowVerdict {
  readonly action: DvcAction;
  readonly result: EventResult;
}

/**
 * One flow tuple of a flow log (NSG and VNet flow logs), read: the fields of its NetworkSession
 * row that vary from tuple to tuple. `timeMs` is the instant of `time` (`millisOfIso(time)`).
 */
export interface FlowTuple {
  readonly time: string;
  readonly timeMs: number;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly protocol: string | undefined;
  readonly direction: NetworkDirection;
  readonly verdict: FlowVerdict;
}

/**
 * What the tuples of one flow group share (one rule's tuples of one record): the product, the
 * rule and the device. Made once per group; a sink may remember what it derives from it by identity.
 */
export interface FlowGroup {
  readonly vendor: string;
  readonly product: string;
  readonly schemaVersion: string;
  readonly rule: string | undefined;
  readonly dvc: string | undefined;
}

/**
 * Receives what a decoder makes of one item. A decoder calls it any number of times per item:
 * an NSG flow-log record yields one `record` per flow tuple, a header line yields one `skip`.
 * Reasons are short constant phrases (`'NODATA record'`, `'missing DstPort'`); `detail` names the
 * field and a bounded excerpt of the offending value, never a whole raw line.
 */
export interface DecodeSink {
  /** One normalized NetworkSession row. */
  record(session: NetworkSession): void;
  /**
   * One flow tuple's row, given as the tuple and its group rather than as its NetworkSession
   * (`flowSession(tuple, group)` is the row); a sink without it gets `record`. See `emitFlowRow`.
   */
  flow?(tuple: FlowTuple, group: FlowGroup): void;
  /** The item is well formed but not a network session the rule counts (header line, DNS event, NODATA). */
  skip(reason: string): void;
  /** The item cannot be decoded. The batch goes on; the reason is counted and sampled as a dead letter. */
  invalid(reason: string, detail?: string): void;
  /**
   * The item decodes, but with a fallback worth counting (an event time taken from the enqueued
   * time because the device wrote an ambiguous zone). Call it before `record`; it changes no row.
   */
  note(reason: string): void;
}

/**
 * Per-stream memory of a text input: one file in the CLI, one Event Hub message in the function.
 * Header lines (`#fields` of Zeek, the field list of a custom AWS VPC flow-log format) store their
 * layout here; the lines after them read it.
 */
export class StreamState {
  readonly #values = new Map<string, unknown>();
  #stickySource: string | undefined;
  #changes = 0;

  /** The source that claimed this stream with a header line; its lines are offered to it first. */
  get stickySource(): string | undefined {
    return this.#stickySource;
  }

  set stickySource(source: string | undefined) {
    if (source !== this.#stickySource) this.#changes++;
    this.#stickySource = source;
  }

  get<T>(key: string): T | undefined {
    return this.#values.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.#values.set(key, value);
    this.#changes++;
  }

  /**
   * How many times the state was written: an item after which this moved is one the later items
   * depend on (a header line), which `portscan send` repeats at the start of every message.
   */
  get changes(): number {
    return this.#changes;
  }

  /** True when the state remembers nothing, exactly as a new one (after Zeek's `#close`, say). */
  get isFresh(): boolean {
    if (this.#stickySource !== undefined) return false;
    for (const value of this.#values.values()) if (value !== undefined) return false;
    return true;
  }
}

/** What a decoder may know besides the item itself. Pure values: decoders read no clock and no environment. */
export interface DecodeContext {
  /**
   * The Event Hub enqueued time of the message, in ms since the epoch: the last-resort event time
   * of decision D3 for a record that carries no time of its own. Undefined in the CLI.
   */
  readonly fallbackTimeMs: number | undefined;
  /**
   * A time close to when the data was produced (enqueued time, or the CLI's start time), used only
   * to complete partial timestamps such as RFC 3164's year-less `Nov 24 09:59:47`.
   */
  readonly referenceTimeMs: number;
  /** Memory shared by the lines of the current stream. */
  readonly stream: StreamState;
}

/**
 * One source family: how to recognize its items and how to turn them into NetworkSession rows.
 *
 * A decoder handles JSON records, text lines, or both. `match*` must be cheap and must not claim
 * items of another source (a wrong guess is a bug with a test); `decode*` must never throw on any
 * input: every problem becomes `out.invalid(...)`.
 */
export interface SourceDecoder {
  /** Stable identifier, used by `--format`, in counts and in dead letters: `aws-vpc-flow`. */
  readonly name: string;
  /** One line for people: what the decoder reads. */
  readonly title: string;
  /** Recognizes a JSON record of this source. */
  matchJson?(record: JsonObject): boolean;
  /** Turns a JSON record into rows. */
  decodeJson?(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void;
  /** Recognizes a text line of this source (possibly by a header seen earlier in the stream). */
  matchText?(line: string, ctx: DecodeContext): boolean;
  /** Turns a text line into rows. */
  decodeText?(line: string, out: DecodeSink, ctx: DecodeContext): void;
  /**
   * Asked only about a JSON record no decoder claimed: when it looks like this source's (its table
   * name, vendor string, message tag), why it is not decoded, as a short constant phrase. The record
   * is then reported under this source with that reason instead of as `unknown`.
   */
  resemblesJson?(record: JsonObject): string | undefined;
  /** The same for a text line no decoder claimed. */
  resemblesText?(line: string): string | undefined;
}
