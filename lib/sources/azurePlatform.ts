import { excerpt, isoFromDateString, isoFromMillis, toPort } from './fields.js';
import type { DecodeContext, JsonObject } from './types.js';

/**
 * Parsing shared by the Azure platform decoders (Azure Firewall, NSG and VNet flow logs,
 * NTANetAnalytics, Sysmon for Linux): own-property field access that tolerates the unverified key
 * casing of diagnostic-settings records, field readers that tell "absent" from "present but
 * wrong", and the splitter of comma-separated flow tuples.
 *
 * Nothing here throws; every reader returns a value, `undefined` for an absent field, or a
 * {@link Rejection} that the decoder turns into `out.invalid(reason, detail)`.
 */

/** Why a field or a tuple cannot be decoded: a short constant reason and a bounded detail naming the field. */
export class Rejection {
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {}
}

/** Longest text value a decoder accepts for a name-like field (rule names, resource ids, hostnames). */
export const MAX_TEXT_CHARS = 2048;

/** Longest flow tuple accepted: real tuples are under 120 characters. */
const MAX_TUPLE_CHARS = 512;

/** A plain JSON object (not an array, not null), or `undefined`. */
export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** The value of an own property; inherited names (`constructor`, `__proto__` of the prototype) read as absent. */
export function ownValue(record: JsonObject, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * A reader of an object's own fields by name: the exact name first, then the same name in any
 * letter case. Used where a format's key casing is not verified (the `properties` of Azure Firewall
 * resource-specific categories, spec §5.4); a JSON `__proto__` key is an ordinary field here.
 */
export function fieldsOf(record: JsonObject): (name: string) => unknown {
  let byLowerName: Map<string, unknown> | undefined;
  return (name) => {
    if (Object.hasOwn(record, name)) return record[name];
    if (byLowerName === undefined) {
      byLowerName = new Map();
      for (const key of Object.keys(record)) {
        const lower = key.toLowerCase();
        if (!byLowerName.has(lower)) byLowerName.set(lower, record[key]);
      }
    }
    return byLowerName.get(name.toLowerCase());
  };
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value;
}

/**
 * A text field: trimmed string, or a finite number as text. Absent, null and blank are `undefined`;
 * other types and strings over `maxChars` are rejected.
 */
export function readText(
  value: unknown,
  field: string,
  maxChars = MAX_TEXT_CHARS,
): string | undefined | Rejection {
  if (isBlank(value)) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string')
    return new Rejection('invalid field type', `${field}: ${describeType(value)}`);
  if (value.length > maxChars)
    return new Rejection('oversized field', `${field}: ${value.length} characters`);
  return value.trim();
}

/** A port (0–65535) from a number or a decimal string. Absent or blank is `undefined`; anything else is rejected. */
export function readPort(value: unknown, field: string): number | undefined | Rejection {
  if (isBlank(value)) return undefined;
  const port = toPort(value);
  return port ?? new Rejection('invalid port', `${field}: ${excerpt(value, 40)}`);
}

// IPv4 or IPv6 literal characters, with an optional IPv6 zone (`fe80::1%eth0`). Two disjoint
// classes joined by `%`: no backtracking.
const IP_LITERAL = /^[0-9A-Fa-f.:]{2,45}(?:%[0-9A-Za-z_.-]{1,32})?$/;

/** Whether a string has the shape of an IP address literal (the detector parses it strictly later, DECISIONS D1). */
export function isIpLiteral(value: string): boolean {
  return IP_LITERAL.test(value) && (value.includes('.') || value.includes(':'));
}

/**
 * An IP address field, trimmed. Absent or blank is `undefined`; a value that is not an IP literal
 * (wrong type, hostname, hostile text) is rejected.
 */
export function readAddress(value: unknown, field: string): string | undefined | Rejection {
  if (isBlank(value)) return undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (isIpLiteral(trimmed)) return trimmed;
  }
  return new Rejection('invalid address', `${field}: ${excerpt(value, 60)}`);
}

/** A date-time field to ISO time. Absent or blank is `undefined`; an unreadable value is rejected. */
export function readTime(value: unknown, field: string): string | undefined | Rejection {
  if (isBlank(value)) return undefined;
  return isoFromDateString(value) ?? new Rejection('invalid time', `${field}: ${excerpt(value, 40)}`);
}

/** The Event Hub enqueued time as ISO time (DECISIONS D3, last resort), or `undefined`. */
export function fallbackTime(ctx: DecodeContext): string | undefined {
  return ctx.fallbackTimeMs === undefined ? undefined : isoFromMillis(ctx.fallbackTimeMs);
}

/**
 * Collects the readers' results for one record and remembers the first rejection, so that a
 * decoder reads all its fields in a row and checks once.
 */
export class FieldCheck {
  #first: Rejection | undefined;

  /** The value, or `undefined` after recording a rejection. */
  take<T>(result: T | undefined | Rejection): T | undefined {
    if (result instanceof Rejection) {
      this.#first ??= result;
      return undefined;
    }
    return result;
  }

  /** The first rejection seen, if any. */
  get rejection(): Rejection | undefined {
    return this.#first;
  }
}

/**
 * The fields of a comma-separated flow tuple, when `tuple` is a string of at most 512 characters
 * with one of the accepted field counts; `undefined` otherwise. Counting commas first keeps a
 * hostile string from being split into a huge array.
 */
export function splitFlowTuple(tuple: unknown, fieldCounts: readonly number[]): string[] | undefined {
  if (typeof tuple !== 'string' || tuple.length > MAX_TUPLE_CHARS) return undefined;
  let commas = 0;
  for (let i = tuple.indexOf(','); i >= 0; i = tuple.indexOf(',', i + 1)) commas++;
  if (!fieldCounts.includes(commas + 1)) return undefined;
  return tuple.split(',');
}

/** A flow-tuple port: 1 to 5 digits, at most 65535. */
export function tuplePort(value: string): number | undefined {
  return /^\d{1,5}$/.test(value) ? toPort(value) : undefined;
}

/** A flow-tuple counter (packets, bytes): digits, or empty for tuples that carry none (state B). */
export function isFlowCounter(value: string): boolean {
  return /^\d{0,20}$/.test(value);
}

/** The detail of a bad tuple: where it is and a bounded excerpt of it. */
export function tupleDetail(path: string, what: string, tuple: unknown): string {
  return `${path}: ${what} in ${excerpt(tuple, 60)}`;
}
