import type { DvcAction, EventResult, NetworkSession } from '../schema/NetworkSession.js';
import { DvcActionSchema, EventResultSchema } from '../schema/NetworkSession.js';
import {
  ASIM_DEFAULT_SCHEMA_VERSION,
  ASIM_TABLE,
  asimNetworkSession,
} from '../sources/asim/asimNetworkSession.js';
import {
  AWS_VPC_PRODUCT,
  AWS_VPC_SCHEMA_VERSION,
  AWS_VPC_VENDOR,
  awsVpcFlow,
  isStreamOfDefaultLayout,
} from '../sources/firewalls/awsVpcFlow.js';
import { lookupProtocolNames } from '../sources/formats/ianaProtocols.js';
import { sysmonLinux } from '../sources/microsoft-azure/sysmonLinux.js';
import { type InputDescription, openInput } from '../sources/pipeline/decodeInput.js';
import { isAddressText } from '../sources/pipeline/FieldReader.js';
import {
  isoFromDateString,
  isoFromEpochSeconds,
  toEventCount,
  toInteger,
  toPort,
  toText,
} from '../sources/pipeline/fields.js';
import type { ItemSplitter } from '../sources/pipeline/ItemSplitter.js';
import type { Normalizer } from '../sources/pipeline/Normalizer.js';
import type { DecodeContext, SourceDecoder } from '../sources/pipeline/types.js';
import { StreamState } from '../sources/pipeline/types.js';

/** The decoders whose lines the fast path reads, by name. */
export const ASIM = asimNetworkSession.name;
export const AWS_VPC = awsVpcFlow.name;

/** The fields of the rows one line gives, as the full decoder would normalize them. */
export interface FastFields {
  readonly decoder: typeof ASIM | typeof AWS_VPC;
  /** Identical rows the line gives (an AWS protocol number with two IANA names gives two). */
  readonly rows: number;
  readonly timeGenerated: string;
  readonly eventStartTime: string | undefined;
  readonly src: string | undefined;
  readonly port: number | undefined;
  readonly vendor: string;
  readonly product: string;
  readonly eventCount: number;
  /** The fields the alert's evidence reads: destination address, outcome and device. */
  readonly dst: string | undefined;
  readonly dvcAction: DvcAction | undefined;
  readonly eventResult: EventResult | undefined;
  readonly dvc: string | undefined;
  readonly dvcHostname: string | undefined;
  readonly dvcIpAddr: string | undefined;
  readonly dvcId: string | undefined;
}

/**
 * The NetworkSession of fast fields: the fields the rule and the evidence read, as the decoder writes them, and the
 * decoder's EventSchemaVersion (for ASIM, the version of a record that names none).
 */
export function sessionOf(f: FastFields): NetworkSession {
  const session: Record<string, unknown> = {
    TimeGenerated: f.timeGenerated,
    EventCount: f.eventCount,
    EventVendor: f.vendor,
    EventProduct: f.product,
    EventSchema: 'NetworkSession',
    EventSchemaVersion: f.decoder === ASIM ? ASIM_DEFAULT_SCHEMA_VERSION : AWS_VPC_SCHEMA_VERSION,
  };
  if (f.eventStartTime !== undefined) session.EventStartTime = f.eventStartTime;
  if (f.src !== undefined) session.SrcIpAddr = f.src;
  if (f.port !== undefined) session.DstPortNumber = f.port;
  if (f.dst !== undefined) session.DstIpAddr = f.dst;
  if (f.dvcAction !== undefined) session.DvcAction = f.dvcAction;
  if (f.eventResult !== undefined) session.EventResult = f.eventResult;
  if (f.dvc !== undefined) session.Dvc = f.dvc;
  if (f.dvcHostname !== undefined) session.DvcHostname = f.dvcHostname;
  if (f.dvcIpAddr !== undefined) session.DvcIpAddr = f.dvcIpAddr;
  if (f.dvcId !== undefined) session.DvcId = f.dvcId;
  return session as NetworkSession;
}

const ASIM_ACTIONS = new Set<string>(DvcActionSchema.options);
const ASIM_RESULTS = new Set<string>(EventResultSchema.options);
/** Text decoders that may come before aws-vpc-flow: none of them claims a line of the VPC record alphabet. */
const HARMLESS_BEFORE_VPC = new Set([sysmonLinux.name]);

/** What a worker thread read from a line with {@link FastLinePath.classify}, to apply in the line's place. */
export interface FastReading {
  readonly decoder: typeof ASIM | typeof AWS_VPC;
  readonly rows: number;
  /** Routes the line's rows (the normalizer has counted them when this is called). */
  readonly route: () => void;
}

/**
 * A byte-level fast path for the two shapes that dominate flow-log archives: ASIM JSON lines and
 * AWS VPC flow-log records in the default (version 2) format. It reads only the fields the rule
 * and the alert's evidence read (destination address, action and result, device), and returns a row only when the full decoder would have produced exactly that row with
 * exactly those counts; on anything else it declines, and the line takes the full path.
 *
 * It declines, among others: a line with leading or trailing blanks, a JSON escape, a nested value,
 * a `records` key, a `Type` of another table, a blank vendor or product, an unreadable time, an
 * EventSchema other than NetworkSession; a VPC line that is not 14 tokens of the record alphabet,
 * a log status other than OK, a malformed address, port, protocol or time; any line when the
 * stream holds state that changes how the full decoder routes it (a custom VPC header, another
 * sticky source), when a format is forced, or when the decoder registry is ordered so that another
 * decoder could claim the line first. The conversions themselves (times, ports, counts, addresses,
 * protocol names) are the decoders' own functions, so their semantics are shared, not copied.
 * The differential property tests in test/unit/fastpath hold it to the full decoder.
 *
 * Its one entry point is {@link FastLinePath.open}, used in place of the pipeline's `openInput`:
 * the decoding core knows only that a line may be taken before it is parsed.
 */
export class FastLinePath {
  readonly #asim: boolean;
  readonly #vpc: boolean;
  readonly #maxFieldChars: number;
  readonly #maxLineChars: number;
  /** Start and end of each of the 14 tokens of the VPC line being read. */
  readonly #bounds = new Int32Array(28);
  /** Epoch-seconds field → ISO time, for the last few thousand distinct values (flow logs repeat their seconds). */
  readonly #epochTimes = new Map<string, string | undefined>();

  /**
   * @param decoders the registry the full path uses (the fast path checks its order)
   * @param maxFieldChars the normalizer's field limit: lines that could hold a longer field decline
   */
  constructor(decoders: readonly SourceDecoder[], maxFieldChars: number) {
    const json = decoders.filter((d) => d.matchJson !== undefined && d.decodeJson !== undefined);
    this.#asim = json[0]?.name === ASIM;
    const text = decoders.filter((d) => d.matchText !== undefined && d.decodeText !== undefined);
    const vpcAt = text.findIndex((d) => d.name === AWS_VPC);
    this.#vpc = vpcAt >= 0 && text.slice(0, vpcAt).every((d) => HARMLESS_BEFORE_VPC.has(d.name));
    this.#maxFieldChars = maxFieldChars;
    // Every field of a row is a piece of the line, a constant or a short rendering of a number.
    this.#maxLineChars = maxFieldChars - 32;
  }

  /**
   * Opens one input as the pipeline's `openInput` does, with this fast path taking the lines it can
   * read whole; with a forced format (no recognition by content), or a normalizer whose field
   * limit is not the one this path was built for, every line takes the full path.
   */
  open(normalizer: Normalizer, description: InputDescription): FastInput {
    return new FastInput(this, normalizer, description, normalizer.maxFieldChars === this.#maxFieldChars);
  }

  /**
   * Decodes `line` (no line break, no open multi-line document before it) into `normalizer` when it
   * is one of the shapes above; returns false, having done nothing, when the full path must read it.
   */
  tryLine(line: string, ctx: DecodeContext, normalizer: Normalizer): boolean {
    const first = line.charCodeAt(0);
    if (first === 50 && !isStreamOfDefaultLayout(ctx)) return false;
    const f = this.classify(line);
    if (f === undefined) return false;
    normalizer.acceptDecoded(f.decoder, sessionOf(f), f.rows);
    return true;
  }

  /**
   * What the fast path reads from `line` alone, or `undefined` when the full path must read it. A
   * result for an AWS VPC record holds only where `isStreamOfDefaultLayout` holds for its stream
   * (`tryLine` checks it; a worker thread's result is checked where the line is taken).
   */
  classify(line: string): FastFields | undefined {
    if (line.length > this.#maxLineChars) return undefined;
    const first = line.charCodeAt(0);
    if (first === 123) return this.#asim ? this.#classifyAsim(line) : undefined;
    if (first === 50) return this.#vpc ? this.#classifyVpc(line) : undefined;
    return undefined;
  }

  #classifyAsim(line: string): FastFields | undefined {
    const f = scanFlatObject(line);
    if (f === undefined || f.hasRecords) return undefined;
    // asimNetworkSession.matchJson: a Type of another table, or a missing key, is another decoder's.
    if (typeof f.Type === 'string' && f.Type !== ASIM_TABLE) return undefined;
    if (!f.hasVendor || !f.hasProduct || !(f.hasSrc || f.hasDst || f.hasPort)) return undefined;
    // asimNetworkSession.decodeJson: skipped and invalid records take the full path.
    const schema = toText(f.EventSchema);
    if (schema !== undefined && schema !== 'NetworkSession') return undefined;
    const vendor = toText(f.EventVendor);
    const product = toText(f.EventProduct);
    if (vendor === undefined || product === undefined) return undefined;
    const timeGenerated = isoFromDateString(f.TimeGenerated);
    if (timeGenerated === undefined) return undefined;
    const start = isoFromDateString(f.EventStartTime);
    const src = toText(f.SrcIpAddr);
    const port = toPort(f.DstPortNumber);
    const action = toText(f.DvcAction);
    const result = toText(f.EventResult);
    return {
      decoder: ASIM,
      rows: 1,
      timeGenerated,
      eventStartTime: start,
      src,
      port,
      vendor,
      product,
      eventCount: toEventCount(f.EventCount),
      dst: toText(f.DstIpAddr),
      dvcAction: action !== undefined && ASIM_ACTIONS.has(action) ? (action as DvcAction) : undefined,
      eventResult: result !== undefined && ASIM_RESULTS.has(result) ? (result as EventResult) : undefined,
      dvc: toText(f.Dvc),
      dvcHostname: toText(f.DvcHostname),
      dvcIpAddr: toText(f.DvcIpAddr),
      dvcId: toText(f.DvcId),
    };
  }

  #classifyVpc(line: string): FastFields | undefined {
    // awsVpcFlow's isDefaultRecord and decodeText, default layout: `2 account eni srcaddr dstaddr
    // srcport dstport protocol packets bytes start end action log-status`, `-` for no value.
    const at = this.#bounds;
    if (!splitVpcRecord(line, at)) return undefined;
    const from = (k: number) => at[2 * k] as number;
    const to = (k: number) => at[2 * k + 1] as number;
    if (to(1) - from(1) !== 12 || !isDigits(line, from(1), to(1))) return undefined;
    if (!line.startsWith('eni-', from(2))) return undefined;
    if (to(13) - from(13) !== 2 || !line.startsWith('OK', from(13))) return undefined;
    const isDash = (k: number) => to(k) - from(k) === 1 && line.charCodeAt(from(k)) === 45;
    const srcaddr = isDash(3) ? undefined : line.slice(from(3), to(3));
    if (srcaddr !== undefined && !isAddressText(srcaddr)) return undefined;
    const dstaddr = isDash(4) ? undefined : line.slice(from(4), to(4));
    if (dstaddr !== undefined && !isAddressText(dstaddr)) return undefined;
    if (!isDash(5) && this.#port(line, from(5), to(5)) === undefined) return undefined;
    const dstPort = isDash(6) ? undefined : this.#port(line, from(6), to(6));
    if (!isDash(6) && dstPort === undefined) return undefined;
    let protocol: number | undefined;
    if (!isDash(7)) {
      protocol =
        isDigits(line, from(7), to(7)) && to(7) - from(7) <= 3
          ? Number(line.slice(from(7), to(7)))
          : toInteger(line.slice(from(7), to(7)));
      if (protocol === undefined || protocol < 0 || protocol > 255) return undefined;
    }
    const time = isDash(10) ? undefined : this.#epochTime(line.slice(from(10), to(10)));
    if (time === undefined) return undefined;
    if (!isDash(11) && this.#epochTime(line.slice(from(11), to(11))) === undefined) return undefined;
    const names = lookupProtocolNames(protocol);
    // awsVpcFlow: ACCEPT is Allow and Success, REJECT Deny and Failure, anything else Failure.
    const accepted = to(12) - from(12) === 6 && line.startsWith('ACCEPT', from(12));
    const rejected = to(12) - from(12) === 6 && line.startsWith('REJECT', from(12));
    return {
      decoder: AWS_VPC,
      rows: names.length > 0 ? names.length : 1,
      timeGenerated: time,
      eventStartTime: time,
      src: srcaddr,
      port: dstPort,
      vendor: AWS_VPC_VENDOR,
      product: AWS_VPC_PRODUCT,
      eventCount: 1,
      dst: dstaddr,
      dvcAction: accepted ? 'Allow' : rejected ? 'Deny' : undefined,
      eventResult: accepted ? 'Success' : 'Failure',
      // The default format has no vpc-id: the decoder names no device.
      dvc: undefined,
      dvcHostname: undefined,
      dvcIpAddr: undefined,
      dvcId: undefined,
    };
  }

  /** `toPort` of the token: a plain run of up to 5 digits is read in place, anything else by `toPort`. */
  #port(line: string, from: number, to: number): number | undefined {
    if (to - from > 5 || !isDigits(line, from, to)) return toPort(line.slice(from, to));
    let n = 0;
    for (let i = from; i < to; i++) n = n * 10 + (line.charCodeAt(i) - 48);
    return n <= 65535 ? n : undefined;
  }

  /** awsVpcFlow's epoch-seconds field reader (`isoFromEpochSecondsField`), remembered. */
  #epochTime(value: string): string | undefined {
    const known = this.#epochTimes.get(value);
    if (known !== undefined || this.#epochTimes.has(value)) return known;
    const iso = /^\d{1,11}$/.test(value) ? isoFromEpochSeconds(value) : undefined;
    if (this.#epochTimes.size >= 4096) this.#epochTimes.clear();
    this.#epochTimes.set(value, iso);
    return iso;
  }
}

/**
 * One input read through the fast path: feed it lines, then call `end()`, as the splitter that
 * `openInput` returns.
 */
export class FastInput {
  readonly #splitter: ItemSplitter;
  readonly #normalizer: Normalizer;
  /** The input's per-stream state (header layouts, sticky sources). */
  readonly stream = new StreamState();
  /** A worker's reading of the line being fed, if it has one. */
  #reading: FastReading | undefined;
  #taken = 0;

  constructor(path: FastLinePath, normalizer: Normalizer, description: InputDescription, isFast: boolean) {
    this.#normalizer = normalizer;
    const take = (line: string, ctx: DecodeContext): boolean => {
      const reading = this.#reading;
      const taken = reading === undefined ? path.tryLine(line, ctx, normalizer) : this.#apply(reading, ctx);
      if (taken) this.#taken++;
      return taken;
    };
    this.#splitter = openInput(
      normalizer,
      description,
      isFast && normalizer.isAuto ? take : undefined,
      this.stream,
    );
  }

  /** True while a multi-line JSON document is open: the next line continues it. */
  get isInDocument(): boolean {
    return this.#splitter.isInDocument;
  }

  /** Lines the fast path took whole. */
  get linesTaken(): number {
    return this.#taken;
  }

  /** Feeds one line (without its line break); `lineNumber` is 1-based. */
  line(rawLine: string, lineNumber: number): void {
    this.#splitter.line(rawLine, lineNumber);
  }

  /**
   * Feeds a line that a worker thread already read with {@link FastLinePath.classify}: the reading is
   * applied only where the fast path would take the line (no multi-line document open, under the
   * line and item limits, a VPC record only in a stream of the default layout); otherwise the line
   * is decoded in full, as `line()` would.
   */
  lineRead(rawLine: string, lineNumber: number, reading: FastReading): void {
    this.#reading = reading;
    try {
      this.#splitter.line(rawLine, lineNumber);
    } finally {
      this.#reading = undefined;
    }
  }

  /** Ends the input (an unfinished multi-line document is taken again line by line). */
  end(): void {
    this.#splitter.end();
  }

  #apply(reading: FastReading, ctx: DecodeContext): boolean {
    if (reading.decoder === AWS_VPC && !isStreamOfDefaultLayout(ctx)) return false;
    this.#normalizer.countDecoded(reading.decoder, reading.rows);
    reading.route();
    return true;
  }
}

/**
 * Finds the 14 tokens of a line made only of the VPC record alphabet (`[A-Za-z0-9 .:/_-]`), split
 * on spaces with empty tokens dropped as `awsVpcFlow` splits it, and writes their start and end
 * into `bounds`; false for any other line.
 */
function splitVpcRecord(line: string, bounds: Int32Array): boolean {
  if (line.length > 4096 || line.charCodeAt(1) !== 32) return false;
  let count = 0;
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) {
      if (start >= 0) {
        if (count === 14) return false;
        bounds[2 * count] = start;
        bounds[2 * count + 1] = i;
        count++;
        start = -1;
      }
      continue;
    }
    if (c >= 128 || !IS_RECORD_CHAR[c]) return false;
    if (start < 0) start = i;
  }
  if (start >= 0) {
    if (count === 14) return false;
    bounds[2 * count] = start;
    bounds[2 * count + 1] = line.length;
    count++;
  }
  return count === 14;
}

/** True when `line[from, to)` is one or more ASCII digits. */
function isDigits(line: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `[A-Za-z0-9.:/_-]` by character code (the space is handled apart). */
const IS_RECORD_CHAR: readonly boolean[] = Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c);
  return /^[A-Za-z0-9.:/_-]$/.test(ch);
});

/** The values of the keys the ASIM decoder reads, as `JSON.parse` would give them, and which keys are present. */
interface FlatAsimFields {
  Type?: unknown;
  EventVendor?: unknown;
  EventProduct?: unknown;
  EventSchema?: unknown;
  TimeGenerated?: unknown;
  EventStartTime?: unknown;
  EventCount?: unknown;
  SrcIpAddr?: unknown;
  DstIpAddr?: unknown;
  DstPortNumber?: unknown;
  DvcAction?: unknown;
  EventResult?: unknown;
  Dvc?: unknown;
  DvcHostname?: unknown;
  DvcIpAddr?: unknown;
  DvcId?: unknown;
  hasVendor: boolean;
  hasProduct: boolean;
  hasSrc: boolean;
  hasDst: boolean;
  hasPort: boolean;
  hasRecords: boolean;
}

/**
 * Reads a line that is exactly one flat JSON object — `{`, then string keys with string, number,
 * `true`, `false` or `null` values, then `}` with nothing around it — as `JSON.parse` would, and
 * returns the values of the keys the ASIM decoder reads (the last of duplicate keys wins, as in
 * `JSON.parse`). `undefined` when the line is anything else: invalid JSON, an escape sequence, a
 * control character, a nested object or array, blanks before or after.
 */
export function scanFlatObject(line: string): FlatAsimFields | undefined {
  const n = line.length;
  if (n < 2 || line.charCodeAt(0) !== 123 || line.charCodeAt(n - 1) !== 125) return undefined;
  // No escape and no control character anywhere: then every string ends at its next quote.
  if (line.indexOf('\\') >= 0 || CONTROL_CHARACTER.test(line)) return undefined;
  const out: FlatAsimFields = {
    hasVendor: false,
    hasProduct: false,
    hasSrc: false,
    hasDst: false,
    hasPort: false,
    hasRecords: false,
  };
  let i = skipBlanks(line, 1);
  if (line.charCodeAt(i) === 125) return i === n - 1 ? out : undefined;
  for (;;) {
    if (line.charCodeAt(i) !== 34) return undefined;
    const keyEnd = line.indexOf('"', i + 1);
    if (keyEnd < 0) return undefined;
    const key = keyOf(line, i + 1, keyEnd);
    i = skipBlanks(line, keyEnd + 1);
    if (line.charCodeAt(i) !== 58) return undefined;
    i = skipBlanks(line, i + 1);
    const c = line.charCodeAt(i);
    let value: unknown;
    if (c === 34) {
      const end = line.indexOf('"', i + 1);
      if (end < 0) return undefined;
      if (key !== OTHER_KEY) value = line.slice(i + 1, end);
      i = end + 1;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      const end = numberEnd(line, i);
      if (end < 0) return undefined;
      if (key !== OTHER_KEY) value = Number(line.slice(i, end));
      i = end;
    } else if (line.startsWith('true', i)) {
      value = true;
      i += 4;
    } else if (line.startsWith('false', i)) {
      value = false;
      i += 5;
    } else if (line.startsWith('null', i)) {
      value = null;
      i += 4;
    } else return undefined;
    if (key !== OTHER_KEY) assignField(out, key, value);
    i = skipBlanks(line, i);
    const sep = line.charCodeAt(i);
    if (sep === 44) {
      i = skipBlanks(line, i + 1);
      continue;
    }
    return sep === 125 && i === n - 1 ? out : undefined;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
const OTHER_KEY = '';
const KEYS = [
  'Type',
  'EventVendor',
  'EventProduct',
  'EventSchema',
  'TimeGenerated',
  'EventStartTime',
  'EventCount',
  'SrcIpAddr',
  'DstIpAddr',
  'DstPortNumber',
  'DvcAction',
  'EventResult',
  'Dvc',
  'DvcHostname',
  'DvcIpAddr',
  'DvcId',
  'records',
];

/** The key between `from` and `to` when the ASIM decoder reads it, else `OTHER_KEY`, without cutting a string. */
function keyOf(line: string, from: number, to: number): string {
  const length = to - from;
  for (const key of KEYS) if (key.length === length && line.startsWith(key, from)) return key;
  return OTHER_KEY;
}

function assignField(out: FlatAsimFields, key: string, value: unknown): void {
  switch (key) {
    case 'Type':
      out.Type = value;
      return;
    case 'EventVendor':
      out.EventVendor = value;
      out.hasVendor = true;
      return;
    case 'EventProduct':
      out.EventProduct = value;
      out.hasProduct = true;
      return;
    case 'EventSchema':
      out.EventSchema = value;
      return;
    case 'TimeGenerated':
      out.TimeGenerated = value;
      return;
    case 'EventStartTime':
      out.EventStartTime = value;
      return;
    case 'EventCount':
      out.EventCount = value;
      return;
    case 'SrcIpAddr':
      out.SrcIpAddr = value;
      out.hasSrc = true;
      return;
    case 'DstIpAddr':
      out.DstIpAddr = value;
      out.hasDst = true;
      return;
    case 'DvcAction':
      out.DvcAction = value;
      return;
    case 'EventResult':
      out.EventResult = value;
      return;
    case 'Dvc':
      out.Dvc = value;
      return;
    case 'DvcHostname':
      out.DvcHostname = value;
      return;
    case 'DvcIpAddr':
      out.DvcIpAddr = value;
      return;
    case 'DvcId':
      out.DvcId = value;
      return;
    case 'DstPortNumber':
      out.DstPortNumber = value;
      out.hasPort = true;
      return;
    case 'records':
      out.hasRecords = true;
      return;
    default:
      return;
  }
}

/** JSON whitespace: space, tab, line feed, carriage return. */
function skipBlanks(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return i;
    i++;
  }
}

/** End of a JSON number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`) starting at `from`, or -1. */
function numberEnd(text: string, from: number): number {
  let i = from;
  if (text.charCodeAt(i) === 45) i++;
  const lead = text.charCodeAt(i);
  if (lead === 48) i++;
  else if (lead >= 49 && lead <= 57) i = digitsEnd(text, i + 1);
  else return -1;
  if (text.charCodeAt(i) === 46) {
    const after = digitsEnd(text, i + 1);
    if (after === i + 1) return -1;
    i = after;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const after = digitsEnd(text, i);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

function digitsEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return i;
    i++;
  }
}
