import { isIP } from 'node:net';
import type { NetworkDirection } from '../../schema/NetworkSession.js';
import { type FieldProblem, FieldReader, type FieldReaderPolicy, ownValue } from '../pipeline/FieldReader.js';
import { isoFromDateString, isoFromEpochMillis, isoFromEpochSeconds } from '../pipeline/fields.js';

/**
 * Field reading specific to the network-sensor decoders (Corelight/Zeek, Vectra, Cisco Meraki), on
 * the shared {@link FieldReader}: the group's reading rules, reading by field name, and the
 * conversions these sources need beyond `fields.ts` (Zeek times, `T`/`F` flags, locality →
 * direction, `host:port` splitting).
 */

/** Longest text value copied into a NetworkSession field; longer values are bad input, not data. */
export const MAX_TEXT_CHARS = 256;

const TOKEN = /^[A-Za-z0-9_/.:-]{1,64}$/;

/**
 * The reading rules of the group for the shared {@link FieldReader}: text at most
 * {@link MAX_TEXT_CHARS}, an address must parse as an IPv4 or IPv6 literal ({@link checkIp}), and a
 * missing field is `<key> is absent`.
 */
export const SENSOR_FIELDS: FieldReaderPolicy = {
  missingDetail: 'is absent',
  maxTextChars: MAX_TEXT_CHARS,
  isAddress: (text) => checkIp(text) !== undefined,
};

/**
 * The shared {@link FieldReader} addressed by field name, as the sensor decoders read their records
 * (Vectra's keys carry a type suffix, Meraki's come from a `key=value` message): a decoder reads
 * every field it needs, then checks {@link SensorFieldReader.problem} once and reports it with
 * `out.invalid(problem.reason, problem.detail)`.
 *
 * Absent means `undefined`, `null` or a blank string (the Zeek TSV reader drops unset `-` fields
 * before this). Reasons name the field as the record spells it (`invalid id.resp_p`,
 * `missing id_orig_h_s`); details carry at most an `excerpt()` of the value. Never throws.
 */
export class SensorFieldReader {
  readonly #get: (key: string) => unknown;
  readonly #fields = new FieldReader(SENSOR_FIELDS);

  /** `get` returns the raw value of a field by its name in the record. */
  constructor(get: (key: string) => unknown) {
    this.#get = get;
  }

  /** Reads the own properties of a parsed JSON record (never its prototype's). */
  static of(record: Readonly<Record<string, unknown>>): SensorFieldReader {
    return new SensorFieldReader((key) => ownValue(record, key));
  }

  /** The first problem met, if any. */
  get problem(): FieldProblem | undefined {
    return this.#fields.problem;
  }

  /** Records a problem (only the first one is kept) and returns `undefined` for convenience. */
  fail(reason: string, detail: string): undefined {
    return this.#fields.fail(reason, detail);
  }

  /** The raw value of a field. */
  raw(key: string): unknown {
    return this.#get(key);
  }

  /** An IPv4 or IPv6 address literal; `required` turns absence into a `missing` problem. */
  ip(key: string, required = false): string | undefined {
    return this.#fields.address(this.#get(key), key, { required });
  }

  /** A port (0–65535) from a number or a decimal string (`"443"`, `443`, `"443.0"`). */
  port(key: string, required = false): number | undefined {
    return this.#fields.port(this.#get(key), key, { required });
  }

  /** Free text of at most {@link MAX_TEXT_CHARS} characters, trimmed. Finite numbers are rendered as text. */
  text(key: string): string | undefined {
    return this.#fields.text(this.#get(key), key);
  }

  /** A short word such as a protocol name or a connection state (letters, digits, `_-/.:`, at most 64). */
  token(key: string): string | undefined {
    return this.#fields.read(this.#get(key), key, toToken);
  }

  /** A boolean from JSON `true`/`false`, the strings `"true"`/`"false"`, or Zeek's `T`/`F`. */
  flag(key: string): boolean | undefined {
    return this.#fields.read(this.#get(key), key, toFlag);
  }

  /** A time read by `parse` (one of the `isoFrom…` conversions); present but unreadable is a problem. */
  time(key: string, parse: (value: unknown) => string | undefined): string | undefined {
    return this.#fields.time(this.#get(key), key, parse);
  }
}

function toToken(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return TOKEN.test(text) ? text : undefined;
}

/** The address itself when `text` is an IPv4 or IPv6 literal (an IPv6 zone index allowed), else `undefined`. */
export function checkIp(text: string): string | undefined {
  if (text.length > 64) return undefined;
  const zone = text.indexOf('%');
  const address = zone > 0 && text.includes(':') ? text.slice(0, zone) : text;
  return isIP(address) === 0 ? undefined : text;
}

/** A boolean from `true`/`false` (any case), `T`/`F`, or JSON booleans; `undefined` otherwise. */
export function toFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === 't') return true;
  if (text === 'false' || text === 'f') return false;
  return undefined;
}

/**
 * The ASIM direction of a session from the sensor's "is local" flags of originator and responder
 * (`local_orig`, `local_resp`), as the parsers' lookup tables give it: (F,T) Inbound, (T,F)
 * Outbound, (T,T) Local, and (F,F) `bothRemote` (Corelight says Local, Vectra External). A missing
 * flag leaves the direction empty, like a KQL lookup miss.
 */
export function directionFromLocality(
  localOrig: boolean | undefined,
  localResp: boolean | undefined,
  bothRemote: NetworkDirection,
): NetworkDirection | undefined {
  if (localOrig === undefined || localResp === undefined) return undefined;
  if (localOrig) return localResp ? 'Local' : 'Outbound';
  return localResp ? 'Inbound' : bothRemote;
}

/**
 * A Zeek time: epoch seconds with fraction (a JSON number or the string `1591367999.430166`, Zeek's
 * default), epoch milliseconds (an integer of 12 digits or more, `JSON::TS_MILLIS`), or an ISO-8601
 * string (Corelight's export, `JSON::TS_ISO8601`). Fractions are truncated to milliseconds, never
 * rounded, so that a connection at 10:04:59.9996 stays in the 10:00 bin.
 */
export function isoFromZeekTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e11) return isoFromEpochMillis(value);
  if (typeof value === 'string' && /^\d{12,15}$/.test(value.trim())) return isoFromEpochMillis(value.trim());
  return isoFromEpochSeconds(value) ?? isoFromDateString(value);
}

/** KQL `trim(c, text)` for one literal character: drops every leading and trailing `c`. */
export function trimChar(text: string, c: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === c) start++;
  while (end > start && text[end - 1] === c) end--;
  return text.slice(start, end);
}

/** An address with an optional port, as Meraki writes `src=`/`dst=` and the API `srcIp`/`destIp`. */
export interface HostPort {
  readonly host: string;
  readonly port?: string;
  /** The `[v6]:port` form. */
  readonly bracketed: boolean;
}

/**
 * Splits `a.b.c.d:port`, `[v6]:port` and bare addresses. A value with two colons or more and no
 * brackets is a bare IPv6 address (`2001:db8::1`, `::ffff:192.0.2.1`), never `host:port`: the ASIM
 * parser and the Meraki DCR split such values on `:` and keep only the first piece (a deviation).
 */
export function splitHostPort(text: string): HostPort {
  if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close > 0) return { host: text.slice(1, close), port: text.slice(close + 2), bracketed: true };
    if (text.endsWith(']')) return { host: text.slice(1, -1), bracketed: true };
  }
  const colon = text.indexOf(':');
  if (colon < 0 || text.indexOf(':', colon + 1) >= 0) return { host: text, bracketed: false };
  return { host: text.slice(0, colon), port: text.slice(colon + 1), bracketed: false };
}
