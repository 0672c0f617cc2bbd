import { excerpt, toInteger, toPort, toTextOrNumber } from './fields.js';
import { ianaProtocolNames } from './ianaProtocols.js';

/** Why a record is not decodable: a short constant reason and a detail naming the field. */
export interface FieldProblem {
  readonly reason: string;
  readonly detail: string;
}

const ADDRESS = /^[0-9A-Fa-f.:]{2,45}$/;
const ZONE = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * Reads the fields of one record with the `fields.ts` conversions and remembers the first value
 * that is present but malformed, so that a decoder reads everything it needs and then reports a
 * single `invalid` outcome (`invalid DestinationPort`, detail `DestinationPort: "99999"`).
 *
 * Absent means `undefined`, `null` or a blank string: the field is simply left out of the row.
 * Nothing here throws; details carry at most an `excerpt()` of the value.
 */
export class FirewallFieldReader {
  #problem: FieldProblem | undefined;

  /** The first problem found, if any. */
  get problem(): FieldProblem | undefined {
    return this.#problem;
  }

  /** Records a problem (only the first one is kept). */
  fail(reason: string, detail: string): void {
    this.#problem ??= { reason, detail };
  }

  /** A string or finite number as trimmed text; anything else (object, boolean) is a problem. */
  text(value: unknown, name: string): string | undefined {
    if (isAbsent(value)) return undefined;
    const text = toTextOrNumber(value);
    if (text === undefined) this.#invalid(name, value);
    return text;
  }

  /**
   * An IPv4 or IPv6 address as written (trimmed), checked only for its alphabet and length so
   * that the detection filter sees every spelling (DECISIONS D1) but never a hostile string.
   */
  address(value: unknown, name: string): string | undefined {
    if (isAbsent(value)) return undefined;
    const text = typeof value === 'string' ? value.trim() : undefined;
    if (text !== undefined && isAddressText(text)) return text;
    this.#invalid(name, value);
    return undefined;
  }

  /** A port number 0–65535 from a number or a decimal string. */
  port(value: unknown, name: string): number | undefined {
    if (isAbsent(value)) return undefined;
    const port = toPort(value);
    if (port === undefined) this.#invalid(name, value);
    return port;
  }

  /** An integer within [min, max] from a number or a decimal string. */
  integer(value: unknown, name: string, min: number, max: number): number | undefined {
    if (isAbsent(value)) return undefined;
    const n = toInteger(value);
    if (n === undefined || n < min || n > max) {
      this.#invalid(name, value);
      return undefined;
    }
    return n;
  }

  #invalid(name: string, value: unknown): void {
    this.fail(`invalid ${name}`, `${name}: ${excerpt(value, 60)}`);
  }
}

/** KQL `coalesce(toint(a), toint(b), …)`: the first value that reads as an integer. */
export function coalesceInteger(...values: readonly unknown[]): number | undefined {
  for (const value of values) {
    const n = toInteger(value);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** `undefined`, `null` or a blank string. */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Looks like an IPv4 or IPv6 address (hex digits, dots, colons, an optional `%zone`). */
export function isAddressText(text: string): boolean {
  const percent = text.indexOf('%');
  const address = percent < 0 ? text : text.slice(0, percent);
  if (!ADDRESS.test(address) || (address.indexOf('.') < 0 && address.indexOf(':') < 0)) return false;
  return percent < 0 || ZONE.test(text.slice(percent + 1));
}

/**
 * KQL `lookup ProtocolLookup on Protocol` of the AWS, Cisco ASA and Check Point parsers (and of
 * `_ASIM_ResolveNetworkProtocol`): the table names of a protocol number written as a plain decimal
 * (`"6"` or 6). Two names for 84 (the lookup duplicates the row), `['']` for the unnamed numbers,
 * none for anything else (`"tcp"`, `"06"`, 200).
 */
export function lookupProtocolNames(protocol: string | number | undefined): readonly string[] {
  const text = typeof protocol === 'number' ? String(protocol) : protocol;
  if (text === undefined || !/^(0|[1-9]\d{0,2})$/.test(text)) return [];
  return ianaProtocolNames(Number(text));
}
