import { excerpt, isoFromMillis, utcMillisOf } from '../pipeline/fields.js';
import type { JsonObject } from '../pipeline/types.js';
import { parseSyslog, type SyslogHeader } from './syslog.js';

/**
 * ArcSight Common Event Format (CEF, "Implementing ArcSight CEF" rev. 16 / 25), and its translation
 * into the columns of the Log Analytics `CommonSecurityLog` table
 * (docs/sources/firewalls.md#cef-and-commonsecuritylog), so that
 * a raw CEF line and a CommonSecurityLog row exported from a workspace go through the same vendor
 * mappings.
 *
 * `CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`
 *
 * - The marker may sit anywhere in the line, after an RFC 3164 or RFC 5424 syslog header (read by
 *   `parseSyslog`), and may carry spaces before the version (`CEF: 0|`, FortiOS 6.0).
 * - Header fields escape only `\|` and `\\`.
 * - The extension is space-separated `key=value`; a value runs up to the space before the next
 *   `key=` and may contain spaces. Value escapes: `\=`, `\\`, `\n`, `\r`; `|` is literal.
 *
 * Every function here is a left-to-right scan: linear in the input, no backtracking regex.
 */

/** The seven header fields, unescaped. */
export interface CefHeader {
  readonly version: string;
  readonly deviceVendor: string;
  readonly deviceProduct: string;
  readonly deviceVersion: string;
  readonly signatureId: string;
  readonly name: string;
  readonly severity: string;
}

/** One extension pair: `value` unescaped, `rawValue` as written (escapes kept, as Sentinel stores them). */
export interface CefExtensionField {
  readonly key: string;
  readonly value: string;
  readonly rawValue: string;
}

export interface CefEvent {
  readonly header: CefHeader;
  readonly extension: readonly CefExtensionField[];
}

/** Result of reading CEF: the event, or why it is not readable (a short constant reason and a bounded detail). */
export type CefParseResult =
  | { readonly ok: true; readonly event: CefEvent; readonly markerIndex: number }
  | { readonly ok: false; readonly reason: string; readonly detail: string };

const BACKSLASH = 92;
const PIPE = 124;
const EQUALS = 61;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

/** Characters of an extension key: letters, digits, `_`, `.` and `-` (`ad.vd`, `FTNTFGTpoluuid`). */
function isKeyChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code === 46 ||
    code === 45
  );
}

/**
 * Index of the first `CEF:` that starts a CEF event (`CEF:` + optional spaces + version digits +
 * `|`), or -1. Linear: each candidate is checked over a bounded window.
 */
export function findCefMarker(text: string): number {
  let from = 0;
  for (;;) {
    const at = text.indexOf('CEF:', from);
    if (at < 0) return -1;
    let i = at + 4;
    while (i < text.length && i < at + 12 && text.charCodeAt(i) === 32) i++;
    const digitsStart = i;
    while (i < text.length && i < digitsStart + 3 && isDigit(text.charCodeAt(i))) i++;
    if (i > digitsStart && text.charCodeAt(i) === PIPE) return at;
    from = at + 4;
  }
}

/**
 * Reads up to `count` header fields starting at `start` (just after `CEF:`), unescaping `\|` and
 * `\\`. Returns the fields and the index after the last `|`, or `undefined` when the line ends first.
 */
function readHeaderFields(
  text: string,
  start: number,
  count: number,
): { fields: string[]; end: number } | undefined {
  const fields: string[] = [];
  let current = '';
  let segmentStart = start;
  let i = start;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) {
      const next = text.charCodeAt(i + 1);
      if (next === PIPE || next === BACKSLASH) {
        current += text.slice(segmentStart, i) + text[i + 1];
        i += 2;
        segmentStart = i;
        continue;
      }
      i++;
      continue;
    }
    if (code === PIPE) {
      fields.push(current + text.slice(segmentStart, i));
      current = '';
      i++;
      segmentStart = i;
      if (fields.length === count) return { fields, end: i };
      continue;
    }
    i++;
  }
  return undefined;
}

/**
 * The vendor and product of a CEF line, read from the header only: the cheap check automatic
 * recognition uses. `undefined` when the line has no CEF marker or its header is cut short.
 */
export function peekCefVendorProduct(
  line: string,
): { readonly vendor: string; readonly product: string } | undefined {
  // Every CEF vendor's decoder asks about the same line in turn: the last answer is kept.
  if (line === peeked.line) return peeked.header;
  const marker = findCefMarker(line);
  const read = marker < 0 ? undefined : readHeaderFields(line, marker + 4, 3);
  const header =
    read === undefined ? undefined : { vendor: read.fields[1] ?? '', product: read.fields[2] ?? '' };
  peeked = { line, header };
  return header;
}

/** The line `peekCefVendorProduct` read last, and what it read (callers only read the result). */
let peeked: {
  readonly line: string | undefined;
  readonly header: { readonly vendor: string; readonly product: string } | undefined;
} = { line: undefined, header: undefined };

/** Unescapes a CEF extension value: `\=`, `\\`, `\n`, `\r`; any other backslash is kept as written. */
export function unescapeCefValue(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  let segmentStart = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) !== BACKSLASH || i + 1 >= raw.length) continue;
    const next = raw[i + 1];
    const replacement =
      next === '=' ? '=' : next === '\\' ? '\\' : next === 'n' ? '\n' : next === 'r' ? '\r' : undefined;
    if (replacement === undefined) continue;
    out += raw.slice(segmentStart, i) + replacement;
    i++;
    segmentStart = i + 1;
  }
  return out + raw.slice(segmentStart);
}

/**
 * Reads the key that starts at `i`: key characters followed by `=`. Returns the index of the `=`,
 * or the index of the first character that ended the attempt (negated minus one) when it is not a key.
 */
function keyEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && isKeyChar(text.charCodeAt(j))) j++;
  return j > i && text.charCodeAt(j) === EQUALS ? j : -(j + 1);
}

/**
 * Splits a CEF extension into its pairs. A new pair starts at a `key=` that follows whitespace and
 * is not escaped; values are trimmed. Returns `undefined` when non-blank text precedes the first key.
 */
export function parseCefExtension(extension: string): CefExtensionField[] | undefined {
  const text = extension;
  const fields: CefExtensionField[] = [];
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (i >= text.length) return fields;
  let eq = keyEnd(text, i);
  if (eq < 0) return undefined;
  let key = text.slice(i, eq);
  let valueStart = eq + 1;
  let k = valueStart;
  while (k < text.length) {
    const code = text.charCodeAt(k);
    if (code === BACKSLASH) {
      // An escaped character never ends a value (`\ ` or `\=`).
      k += 2;
      continue;
    }
    if (!isSpace(code)) {
      k++;
      continue;
    }
    eq = keyEnd(text, k + 1);
    if (eq >= 0) {
      pushField(fields, key, text.slice(valueStart, k));
      key = text.slice(k + 1, eq);
      valueStart = eq + 1;
      k = valueStart;
      continue;
    }
    // Not a key: the characters scanned were key characters (never whitespace or a backslash),
    // so the scan resumes after them and every character is visited once.
    k = Math.max(k + 1, -eq - 1);
  }
  pushField(fields, key, text.slice(valueStart));
  return fields;
}

function pushField(fields: CefExtensionField[], key: string, rawValue: string): void {
  const raw = rawValue.trim();
  fields.push({ key, rawValue: raw, value: unescapeCefValue(raw) });
}

/** Reads the CEF event of a line (anything before the marker is ignored here). */
export function parseCef(line: string): CefParseResult {
  const marker = findCefMarker(line);
  if (marker < 0) return { ok: false, reason: 'no CEF marker', detail: `line of ${line.length} characters` };
  const read = readHeaderFields(line, marker + 4, 7);
  if (read === undefined) {
    return {
      ok: false,
      reason: 'truncated CEF header',
      detail: `header: ${excerpt(line.slice(marker), 80)}`,
    };
  }
  const [version, deviceVendor, deviceProduct, deviceVersion, signatureId, name, severity] = read.fields;
  const extension = parseCefExtension(line.slice(read.end));
  if (extension === undefined) {
    return {
      ok: false,
      reason: 'malformed CEF extension',
      detail: `extension does not start with key=value: ${excerpt(line.slice(read.end), 40)}`,
    };
  }
  return {
    ok: true,
    markerIndex: marker,
    event: {
      header: {
        version: (version ?? '').trim(),
        deviceVendor: deviceVendor ?? '',
        deviceProduct: deviceProduct ?? '',
        deviceVersion: deviceVersion ?? '',
        signatureId: signatureId ?? '',
        name: name ?? '',
        severity: severity ?? '',
      },
      extension,
    },
  };
}

/**
 * CEF extension keys with a dedicated CommonSecurityLog column (from Microsoft's "CEF and
 * CommonSecurityLog field mapping", docs/sources/firewalls.md#cef-and-commonsecuritylog). Every
 * other key goes to `AdditionalExtensions`. A Map, so that
 * keys such as `__proto__` or `constructor` are just unknown keys.
 */
const CEF_KEY_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['act', 'DeviceAction'],
  ['app', 'ApplicationProtocol'],
  ['cat', 'DeviceEventCategory'],
  ['cnt', 'EventCount'],
  ['deviceDirection', 'CommunicationDirection'],
  ['rt', 'ReceiptTime'],
  ['start', 'StartTime'],
  ['end', 'EndTime'],
  ['in', 'ReceivedBytes'],
  ['out', 'SentBytes'],
  ['msg', 'Message'],
  ['src', 'SourceIP'],
  ['dst', 'DestinationIP'],
  ['spt', 'SourcePort'],
  ['dpt', 'DestinationPort'],
  ['proto', 'Protocol'],
  ['suser', 'SourceUserName'],
  ['duser', 'DestinationUserName'],
  ['spriv', 'SourceUserPrivileges'],
  ['sourceTranslatedAddress', 'SourceTranslatedAddress'],
  ['sourceTranslatedPort', 'SourceTranslatedPort'],
  ['destinationTranslatedAddress', 'DestinationTranslatedAddress'],
  ['destinationTranslatedPort', 'DestinationTranslatedPort'],
  ['deviceInboundInterface', 'DeviceInboundInterface'],
  ['deviceOutboundInterface', 'DeviceOutboundInterface'],
  ['deviceExternalId', 'DeviceExternalID'],
  ['dvchost', 'DeviceName'],
  ['dvc', 'DeviceAddress'],
  ['externalId', 'ExternalID'],
  ['reason', 'Reason'],
  ['flexString1', 'FlexString1'],
  ['flexString1Label', 'FlexString1Label'],
  ['flexNumber1', 'FlexNumber1'],
  ['flexNumber1Label', 'FlexNumber1Label'],
  ...[1, 2, 3, 4, 5, 6].flatMap((n) => [
    [`cs${n}`, `DeviceCustomString${n}`] as const,
    [`cs${n}Label`, `DeviceCustomString${n}Label`] as const,
  ]),
  ...[1, 2, 3].flatMap((n) => [
    [`cn${n}`, `DeviceCustomNumber${n}`] as const,
    [`cn${n}Label`, `DeviceCustomNumber${n}Label`] as const,
  ]),
]);

/** What the syslog envelope of a line contributes to its row. */
export interface CefEnvelope {
  /** The syslog HOSTNAME: the `Computer` column, as the collector sees the sender. */
  readonly hostname?: string;
  /** The syslog header time in ms, standing in for the collector's `TimeGenerated`. */
  readonly timestampMs?: number;
}

/**
 * The CommonSecurityLog row a Sentinel collector (AMA) would write for a CEF event: header fields
 * in DeviceVendor…LogSeverity, mapped keys in their columns, every other key appended to
 * `AdditionalExtensions` as `key=value` joined by `;` with the value as written (escapes kept, as
 * docs/sources/firewalls.md#kql-semantics-the-decoders-reproduce says). Values stay strings;
 * numeric columns are checked by the vendor mappings. The row has no
 * prototype, so hostile keys cannot reach `Object.prototype`.
 */
export function toCommonSecurityLogRow(event: CefEvent, envelope: CefEnvelope = {}): JsonObject {
  const row: JsonObject = Object.create(null) as JsonObject;
  row.Type = 'CommonSecurityLog';
  if (envelope.timestampMs !== undefined) {
    const iso = isoFromMillis(envelope.timestampMs);
    if (iso !== undefined) row.TimeGenerated = iso;
  }
  if (envelope.hostname !== undefined) row.Computer = envelope.hostname;
  const { header } = event;
  row.DeviceVendor = header.deviceVendor;
  row.DeviceProduct = header.deviceProduct;
  row.DeviceVersion = header.deviceVersion;
  row.DeviceEventClassID = header.signatureId;
  row.Activity = header.name;
  row.LogSeverity = header.severity;
  const additional: string[] = [];
  for (const field of event.extension) {
    const column = CEF_KEY_COLUMNS.get(field.key);
    if (column === undefined) additional.push(`${field.key}=${field.rawValue}`);
    else if (field.value !== '') row[column] = field.value;
  }
  if (additional.length > 0) row.AdditionalExtensions = additional.join(';');
  return row;
}

/** A raw CEF line read into its CommonSecurityLog row, or why it cannot be. */
export type CefLineResult =
  | { readonly ok: true; readonly row: JsonObject; readonly syslog: SyslogHeader | undefined }
  | { readonly ok: false; readonly reason: string; readonly detail: string };

/**
 * Reads a raw CEF line, with or without a syslog header before the marker (RFC 3164, RFC 5424,
 * RFC 6587 octet counting), into its CommonSecurityLog row. `referenceTimeMs` completes year-less
 * RFC 3164 timestamps.
 */
export function readCefLine(line: string, referenceTimeMs: number): CefLineResult {
  const parsed = parseCef(line);
  if (!parsed.ok) return parsed;
  const prefix = line.slice(0, parsed.markerIndex);
  const syslog = prefix.trim() === '' ? undefined : parseSyslog(prefix, referenceTimeMs);
  return {
    ok: true,
    syslog,
    // The header is the envelope: its hostname and time are the ones a collector reads.
    row: toCommonSecurityLogRow(parsed.event, syslog),
  };
}

/**
 * KQL `parse-kv AdditionalExtensions with (pair_delimiter=';', kv_delimiter='=')`: pairs split on
 * `;`, key and value on the first `=`, values as stored (CEF escapes kept). The first occurrence
 * of a key wins. Anything but a string gives an empty map.
 */
export function parseAdditionalExtensions(value: unknown): ReadonlyMap<string, string> {
  const pairs = new Map<string, string>();
  if (typeof value !== 'string' || value === '') return pairs;
  let start = 0;
  // The next `=` at or after `start`, found once and reused, so that a run of pairs without `=`
  // (`x=;;;;…`) costs no rescan to the end of the text for each pair.
  let eq = value.indexOf('=');
  while (start <= value.length) {
    let end = value.indexOf(';', start);
    if (end < 0) end = value.length;
    if (eq >= 0 && eq < start) eq = value.indexOf('=', start);
    if (eq > start && eq < end) {
      const key = value.slice(start, eq).trim();
      if (key !== '' && !pairs.has(key)) pairs.set(key, value.slice(eq + 1, end).trim());
    }
    start = end + 1;
  }
  return pairs;
}

const MONTHS: ReadonlyMap<string, number> = new Map(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [m, i]),
);

// MMM dd yyyy HH:mm:ss[.SSS][ zone] — the CEF date forms that carry a year. The zone may be
// GMT/UTC/Z or a numeric offset; a missing zone reads as UTC.
const CEF_DATE =
  /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: (GMT|UTC|Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * A CEF timestamp (`rt`, `start`, `end`) to ISO time: milliseconds since the epoch (the CEF
 * default), or `MMM dd yyyy HH:mm:ss[.SSS] [GMT|UTC|±hh:mm]` (PAN-OS writes `Mar 01 2025 10:00:05
 * GMT`). Year-less forms and named zones other than GMT/UTC are not read (`undefined`), so that a
 * guess never moves an event into another bin; so are dates that do not exist (`Feb 30 2025`).
 */
export function isoFromCefDate(value: string): string | undefined {
  // A device writes one such time for every event of a second: the readings are remembered.
  const known = cefDates.get(value);
  if (known !== undefined || cefDates.has(value)) return known;
  const iso = readCefDate(value);
  if (cefDates.size >= CEF_DATES_KEPT) cefDates.clear();
  cefDates.set(value, iso);
  return iso;
}

/** How many distinct CEF dates `isoFromCefDate` remembers before it starts over. */
const CEF_DATES_KEPT = 4096;
const cefDates = new Map<string, string | undefined>();

function readCefDate(value: string): string | undefined {
  const text = value.trim();
  const m = CEF_DATE.exec(text);
  if (m === null) return undefined;
  const [, mon, day, year, hh, mi, ss, frac, zone] = m;
  const month = MONTHS.get(mon ?? '');
  if (month === undefined) return undefined;
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
  let t = utcMillisOf(Number(year), month + 1, Number(day), Number(hh), Number(mi), Number(ss), ms);
  if (t === undefined) return undefined;
  if (zone !== undefined && zone !== 'GMT' && zone !== 'UTC' && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return isoFromMillis(t);
}
