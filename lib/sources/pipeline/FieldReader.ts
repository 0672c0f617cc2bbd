import { excerpt, isoFromDateString, toInteger, toPort, toTextOrNumber } from './fields.js';
import type { DecodeSink, JsonObject } from './types.js';

/**
 * Field reading shared by every decoder: own-property access, the JSON-object and address-text
 * checks, the one shape of a field problem and the reader that remembers the first one.
 *
 * The rule the readers apply: an absent value (`undefined`, `null`, a blank string) leaves its field
 * out, as the ASIM parsers leave it null; a present but malformed value is a problem that makes the
 * row invalid, reported once as `out.invalid(problem.reason, problem.detail)`. Nothing here throws;
 * details carry at most an `excerpt()` of the value.
 */

/** `record[key]` only when `key` is the record's own property: `__proto__`, `constructor` and the like read as absent. */
export function ownValue(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `undefined`, `null` or a blank string: a field the record does not give. */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

const ZONE = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * Whether `text` has the shape of an IPv4 or IPv6 address literal (hex digits, dots and colons, at
 * least one dot or colon, an optional `%zone`): the address part matches `^[0-9A-Fa-f.:]{2,45}$`
 * with a `.` or `:` in it, read in place since every row's addresses pass here. Only the alphabet
 * and length are checked, so that the detection filter sees every spelling (decision D1) but never
 * a hostile string.
 */
export function isAddressText(text: string): boolean {
  const percent = text.indexOf('%');
  const end = percent < 0 ? text.length : percent;
  if (end < 2 || end > 45) return false;
  let separators = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 58) separators++;
    else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  if (separators === 0) return false;
  return percent < 0 || ZONE.test(text.slice(percent + 1));
}

/** Why a record (or one of its fields) is not decodable: a short constant reason and a bounded detail. */
export class FieldProblem {
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {}
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * What is wrong with a present value: not what its reader parses (`value`, `port`, `integer`,
 * `time`, `address`), not text at all (`type`), text over its bound (`length`), or text with
 * control characters (`control`).
 */
export type MalformedKind = 'value' | 'type' | 'length' | 'control' | 'address' | 'port' | 'integer' | 'time';

/**
 * How a family of decoders reads its fields: what it accepts and how it words a problem. Each
 * default is the plainest rule; a family states only where it differs (one policy per family in
 * its folder: `FIREWALL_FIELDS`, `HOST_FIELDS`, `AZURE_FIELDS`, `SENSOR_FIELDS`).
 */
export interface FieldReaderPolicy {
  /** Characters of the value quoted in an `invalid` detail (default 80). */
  readonly excerptChars?: number;
  /** What follows the field name in a `missing` detail (default `is absent or empty`). */
  readonly missingDetail?: string;
  /** Longest text (trimmed) accepted when a call gives no `maxChars` (default: no bound). */
  readonly maxTextChars?: number;
  /** Whether text with control characters is malformed (default: accepted). */
  readonly rejectControlCharacters?: boolean;
  /** The check of a trimmed address (default {@link isAddressText}). */
  readonly isAddress?: (text: string) => boolean;
  /** A text that stands for "no address" and reads as absent (Windows writes `-`). */
  readonly noAddressText?: string;
  /**
   * The problem of a present but malformed value (default: reason `invalid <field>`, detail
   * `<field>: <excerpt of the value>`), for a family that names the kind of problem instead.
   */
  readonly describeMalformed?: (kind: MalformedKind, field: string, value: unknown) => FieldProblem;
}

/** Options of one read: `required` turns absence into a `missing <field>` problem. */
export interface ReadOptions {
  readonly required?: boolean;
}

/**
 * Reads the fields of one record and keeps the first problem, so that a decoder reads everything it
 * needs and then checks once. Each method returns `undefined` when the value is absent or malformed;
 * only a malformed value (or an absent one marked `required`) records a problem, named after the
 * source field: `missing DestPort` (detail `DestPort is absent or empty`), `invalid SourceAddress`
 * (detail `SourceAddress: <excerpt>`), unless the family's policy words them otherwise.
 */
export class FieldReader {
  readonly #policy: FieldReaderPolicy;
  #problem: FieldProblem | undefined;

  constructor(policy: FieldReaderPolicy = {}) {
    this.#policy = policy;
  }

  /** The first problem, if any. */
  get problem(): FieldProblem | undefined {
    return this.#problem;
  }

  /** Records a problem unless one is already known; returns `undefined` for convenience. */
  fail(reason: string, detail: string): undefined {
    this.#problem ??= new FieldProblem(reason, detail);
    return undefined;
  }

  /** Records that the value of `field` is malformed, worded by the policy (`invalid <field>` by default). */
  invalid(field: string, value: unknown): undefined {
    return this.#malformed('value', field, value);
  }

  /**
   * Reports the first problem to `out` as `out.invalid(reason, detail)`; true when there was one
   * (the decoder then stops), false when the fields were good.
   */
  reportTo(out: DecodeSink): boolean {
    const problem = this.#problem;
    if (problem === undefined) return false;
    out.invalid(problem.reason, problem.detail);
    return true;
  }

  /** Any value through `parse`: absent is `undefined` (or `missing` when required); unparseable is `invalid`. */
  read<T>(
    value: unknown,
    field: string,
    parse: (value: unknown) => T | undefined,
    options: ReadOptions = {},
  ): T | undefined {
    return this.#read('value', value, field, parse, options);
  }

  /** A string (or finite number, as text): trimmed, within the length bound and the control-character rule. */
  text(
    value: unknown,
    field: string,
    options: ReadOptions & { readonly maxChars?: number } = {},
  ): string | undefined {
    if (isAbsent(value)) return this.#absent(field, options.required);
    const text = toTextOrNumber(value);
    if (text === undefined) return this.#malformed('type', field, value);
    if (text.length > (options.maxChars ?? this.#policy.maxTextChars ?? Number.POSITIVE_INFINITY))
      return this.#malformed('length', field, value);
    if (this.#policy.rejectControlCharacters === true && CONTROL_CHARACTERS.test(text))
      return this.#malformed('control', field, value);
    return text;
  }

  /** An IP address as the source wrote it (trimmed), checked by the policy's address rule. */
  address(value: unknown, field: string, options: ReadOptions = {}): string | undefined {
    if (isAbsent(value)) return this.#absent(field, options.required);
    const text = typeof value === 'string' ? value.trim() : undefined;
    if (text !== undefined && text === this.#policy.noAddressText)
      return this.#absent(field, options.required);
    if (text === undefined || !(this.#policy.isAddress ?? isAddressText)(text))
      return this.#malformed('address', field, value);
    return text;
  }

  /** A port number 0–65535 from a number or a decimal string. */
  port(value: unknown, field: string, options: ReadOptions = {}): number | undefined {
    return this.#read('port', value, field, toPort, options);
  }

  /** A safe integer from a number or a decimal string, within [min, max] when given. */
  integer(
    value: unknown,
    field: string,
    options: ReadOptions & { readonly min?: number; readonly max?: number } = {},
  ): number | undefined {
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = options;
    return this.#read(
      'integer',
      value,
      field,
      (v) => {
        const n = toInteger(v);
        return n !== undefined && n >= min && n <= max ? n : undefined;
      },
      options,
    );
  }

  /** A time read by `parse` (`isoFromDateString` unless given); present but unreadable is `invalid`. */
  time(
    value: unknown,
    field: string,
    parse: (value: unknown) => string | undefined = isoFromDateString,
  ): string | undefined {
    return this.#read('time', value, field, parse, {});
  }

  #read<T>(
    kind: MalformedKind,
    value: unknown,
    field: string,
    parse: (value: unknown) => T | undefined,
    options: ReadOptions,
  ): T | undefined {
    if (isAbsent(value)) return this.#absent(field, options.required);
    return parse(value) ?? this.#malformed(kind, field, value);
  }

  #malformed(kind: MalformedKind, field: string, value: unknown): undefined {
    if (this.#problem !== undefined) return undefined;
    const describe = this.#policy.describeMalformed;
    if (describe !== undefined) {
      this.#problem = describe(kind, field, value);
      return undefined;
    }
    return this.fail(`invalid ${field}`, `${field}: ${excerpt(value, this.#policy.excerptChars ?? 80)}`);
  }

  #absent(field: string, required: boolean | undefined): undefined {
    if (required === true)
      this.fail(`missing ${field}`, `${field} ${this.#policy.missingDetail ?? 'is absent or empty'}`);
    return undefined;
  }
}
