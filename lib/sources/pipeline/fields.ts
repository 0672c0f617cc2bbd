import type { NetworkSession } from '../../schema/NetworkSession.js';
import { NETWORK_SESSION_FIELD_ORDER } from '../../schema/NetworkSession.js';
import type { DecodeContext } from './types.js';

/**
 * Small, total conversions shared by the decoders. None of them throws; each returns `undefined`
 * when the value is absent or not of the expected form, so the decoder decides what that means.
 */

/** A string value, trimmed; `undefined` for non-strings and for empty or blank strings. */
export function toText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A string or finite number rendered as text; `undefined` otherwise. */
export function toTextOrNumber(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  return toText(value);
}

const DECIMAL = /^[+-]?\d{1,15}$/;

/** An integer from a number or a decimal string (`"443"`, `443`, `443.0`); `undefined` otherwise. */
export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (DECIMAL.test(trimmed)) return Number(trimmed);
  // Log Analytics exports numeric columns of custom tables as doubles (`"443.0"`, `_d` columns).
  if (/^\d{1,15}\.0+$/.test(trimmed)) return Number(trimmed);
  return undefined;
}

/** A port number (0–65535) from a number or decimal string; `undefined` when absent or out of range. */
export function toPort(value: unknown): number | undefined {
  const n = toInteger(value);
  return n !== undefined && n >= 0 && n <= 65535 ? n : undefined;
}

/** A positive event count, defaulting to 1 when absent or not a positive integer. */
export function toEventCount(value: unknown): number {
  const n = toInteger(value);
  return n !== undefined && n >= 1 ? n : 1;
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: beyond them `toISOString` writes a six-digit year. */
const MIN_ISO_MS = -62_167_219_200_000;
const MAX_ISO_MS = 253_402_300_799_999;

/**
 * The canonical time form of NetworkSession (`toISOString`), or `undefined` for an invalid instant
 * or one outside the years 0000–9999, which that form cannot write.
 */
export function isoFromMillis(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_ISO_MS || ms > MAX_ISO_MS) return undefined;
  // Rows of one stream share their seconds: the last few hundred renderings are remembered.
  const slot = (ms | 0) & (ISO_SLOTS - 1);
  if (isoSlotMs[slot] === ms) return isoSlotText[slot];
  const iso = Number.isInteger(ms) ? isoOfWholeMillis(ms) : new Date(ms).toISOString();
  isoSlotMs[slot] = ms;
  isoSlotText[slot] = iso;
  return iso;
}

const MS_PER_DAY = 86_400_000;
/** The day `isoOfWholeMillis` writes times of: rows of one stream share their day... */
let isoDayStartMs = Number.NaN;
/** ...and its `yyyy-MM-ddT`, as `toISOString` writes it. */
let isoDayText = '';
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `new Date(ms).toISOString()` for a whole `ms` in the four-digit years: the day's text, then the time of day. */
function isoOfWholeMillis(ms: number): string {
  let t = ms - isoDayStartMs;
  if (!(t >= 0 && t < MS_PER_DAY)) {
    isoDayStartMs = ms - (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
    isoDayText = new Date(isoDayStartMs).toISOString().slice(0, 11);
    t = ms - isoDayStartMs;
  }
  const seconds = Math.floor(t / 1000);
  return `${isoDayText}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[t % 1000]}Z`;
}

const ISO_SLOTS = 1024;
const isoSlotMs = new Float64Array(ISO_SLOTS).fill(Number.NaN);
const isoSlotText: (string | undefined)[] = new Array<string | undefined>(ISO_SLOTS).fill(undefined);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/** The Gregorian calendar repeats every 400 years (146 097 days). */
const MS_PER_400_YEARS = 146_097 * 86_400_000;

/**
 * Milliseconds since the epoch of a UTC date and time as written (`month` 1–12), or `undefined`
 * when no such instant exists: a month outside 1–12, a day past the month's end (`2025-02-30`,
 * `2025-04-31`), an hour over 23 or a minute over 59. `Date.UTC` would roll those over into the
 * next month or day, and would read the years 0–99 as 1900–1999; here the year is kept. A second
 * of 60 (a leap second) is the first instant of the next minute, as `Date.UTC` gives it.
 */
export function utcMillisOf(
  year: number,
  month: number,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
  ms: number,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  return year >= 100
    ? Date.UTC(year, month - 1, day, hours, minutes, seconds, ms)
    : Date.UTC(year + 400, month - 1, day, hours, minutes, seconds, ms) - MS_PER_400_YEARS;
}
/**
 * True when `text` is already in the one time form of NetworkSession (`yyyy-MM-ddTHH:mm:ss.SSSZ`,
 * years 1000 to 9999) and names a real instant: then `isoFromDateString(text)` is `text` itself,
 * because `toISOString` writes that instant back the same way. Day 31 of a 30-day month, Feb 29 of
 * a common year or second 60 roll over in `Date.UTC`, so they are read the long way.
 */
export function isCanonicalIso(text: string): boolean {
  return !Number.isNaN(readCanonicalIso(text, false));
}

/**
 * `Date.parse(text)`, read without the general date parser when `text` is in the one time form
 * of NetworkSession (`isCanonicalIso`), where both give the instant `Date.UTC` gives for its
 * fields: every decoder writes its times in that form, and the engine reads each row's time back.
 */
export function millisOfIso(text: string): number {
  // Rows of one record or one second repeat their time: the last one read is remembered.
  if (text === lastIsoText) return lastIsoMs;
  const canonicalMs = readCanonicalIso(text, true);
  const ms = Number.isNaN(canonicalMs) ? Date.parse(text) : canonicalMs;
  lastIsoText = text;
  lastIsoMs = ms;
  return ms;
}

let lastIsoText: string | undefined;
let lastIsoMs = Number.NaN;

/** The instant of a time in the canonical form (`isCanonicalIso`), NaN for any other text. */
export function millisOfCanonicalIso(text: string): number {
  return readCanonicalIso(text, true);
}

/**
 * NaN unless `text` is in the canonical form (`isCanonicalIso`); else its instant when `wantMillis`,
 * 0 otherwise. One pass over the characters, each read where it stands.
 */
function readCanonicalIso(text: string, wantMillis: boolean): number {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 /* T */ ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 /* . */ ||
    text.charCodeAt(23) !== 90 /* Z */
  )
    return Number.NaN;
  const year = isoDigits(text, 0, 4);
  const month = isoDigits(text, 5, 2);
  const day = isoDigits(text, 8, 2);
  const hours = isoDigits(text, 11, 2);
  const minutes = isoDigits(text, 14, 2);
  const seconds = isoDigits(text, 17, 2);
  const ms = isoDigits(text, 20, 3);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59 || ms < 0)
    return Number.NaN;
  if (!wantMillis) return 0;
  return (
    daysFromCivil(year, month, day) * MS_PER_DAY + hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + ms
  );
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (`month` 1–12), for years
 * from 0 on: H. Hinnant's `days_from_civil`, in whole numbers, the count `Date.UTC` makes.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The decimal number of the `count` ASCII digits at `at`, -1 when one is not a digit. */
function isoDigits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

const EPOCH_SECONDS = /^(\d{1,12})(?:\.(\d+))?$/;

/**
 * Epoch seconds (number or decimal string, fractions allowed) to ISO time. Fractions below the
 * millisecond are truncated, never rounded, so `…4.9996` stays in its bin (decision D2 edges). A
 * number is read through its shortest decimal form (`String(1591367999.305988)`), which avoids both
 * the binary error of multiplying by 1000 and the rounding of `toFixed` (`…9.9999998` would become
 * the next second); numbers that form has no plain digits for (`1e-7`, negatives) give `undefined`.
 */
export function isoFromEpochSeconds(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') text = String(value);
  else if (typeof value === 'string') text = value.trim();
  else return undefined;
  // Whole seconds, as flow logs write them: the reading below, without the pattern.
  if (text.length >= 1 && text.length <= 12 && isAsciiDigits(text)) return isoFromMillis(Number(text) * 1000);
  const m = EPOCH_SECONDS.exec(text);
  if (m === null) return undefined;
  const fraction = (m[2] ?? '').slice(0, 3).padEnd(3, '0');
  return isoFromMillis(Number(m[1]) * 1000 + Number(fraction));
}

/** Whether `text` is ASCII digits only (true for the empty text). */
export function isAsciiDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The last-resort event time of decision D3: the Event Hub enqueued time of the message, as ISO
 * time, or `undefined` when there is none (the CLI).
 */
export function fallbackTime(ctx: DecodeContext): string | undefined {
  return ctx.fallbackTimeMs === undefined ? undefined : isoFromMillis(ctx.fallbackTimeMs);
}

/** Epoch milliseconds (number or decimal string, fractions truncated) to ISO time. */
export function isoFromEpochMillis(value: unknown): string | undefined {
  const n =
    typeof value === 'string' && /^\d{1,15}(\.\d{1,9})?$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return undefined;
  return isoFromMillis(Math.trunc(n));
}

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$/;

/**
 * A date-time string in ISO-8601 or the close variants logs use (`2025-11-20 10:19:01.408`,
 * `2026-11-01T00:00:02.25`, `…+02:00`, `…Z`), to ISO time in UTC. A string without a zone is UTC:
 * Log Analytics, .NET `DateTime` and Sysmon all write UTC without a marker. Fractions beyond
 * milliseconds are truncated. Other shapes (`11/20/2025 10:19 AM`) and dates that do not exist
 * (`2025-02-30`) give `undefined`; the years 0000–0099 are kept as written ({@link utcMillisOf}).
 */
export function isoFromDateString(value: unknown): string | undefined {
  if (value instanceof Date) return isoFromMillis(value.getTime());
  if (typeof value !== 'string') return undefined;
  if (isCanonicalIso(value)) return value;
  const m = ISO_LIKE.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const utcMs = utcMillisOf(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? '0'), ms);
  if (utcMs === undefined) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  return isoFromMillis(utcMs - offsetMinutes * 60_000);
}

/** Anything a NetworkSession field may be given while a decoder builds it; `undefined` means absent. */
export type SessionFields = { [K in keyof NetworkSession]?: NetworkSession[K] | undefined };

/**
 * Builds a NetworkSession with the fields in schema order and absent fields left out, so that
 * JSON output and golden files read the same for every source. The caller guarantees the
 * required fields (TimeGenerated, EventCount, EventVendor, EventProduct, EventSchema,
 * EventSchemaVersion); empty strings are dropped like `undefined`.
 */
export function makeSession(fields: SessionFields & Pick<NetworkSession, 'TimeGenerated'>): NetworkSession {
  // A decoder writes its fields in one order at one call site, almost always the schema's: then
  // its own keys, walked once, are the row (no lookup of the schema's other fields). The last
  // order found to be the schema's is remembered, so its keys are not looked up again; and when
  // no value is dropped, the decoder's own object (a literal made for this call at every call
  // site) already is the row.
  let rank = -1;
  let i = 0;
  let isRow = true;
  for (const key in fields) {
    if (key === checkedOrder[i]) rank = checkedRanks[i] as number;
    else {
      const next = FIELD_RANK.get(key);
      if (next === undefined || next < rank) {
        checkedOrder.length = i;
        return makeSessionInSchemaOrder(fields);
      }
      rank = next;
      // Keys after this one were checked after another prefix: they are checked again.
      checkedOrder.length = i;
      checkedOrder.push(key);
      checkedRanks[i] = rank;
    }
    i++;
    const value = fields[key as keyof NetworkSession];
    if (value === undefined || value === '') isRow = false;
  }
  if (isRow) return fields as NetworkSession;
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key as keyof NetworkSession];
    if (value === undefined || value === '') continue;
    out[key] = value;
  }
  return out as NetworkSession;
}

/** The longest key order `makeSession` last found in the schema's order, each key with its place. */
const checkedOrder: string[] = [];
const checkedRanks: number[] = [];

/** `makeSession` for fields given in any order: each field of the schema, in its order, looked up. */
export function makeSessionInSchemaOrder(
  fields: SessionFields & Pick<NetworkSession, 'TimeGenerated'>,
): NetworkSession {
  const out: Record<string, unknown> = {};
  for (const key of NETWORK_SESSION_FIELD_ORDER) {
    const value = fields[key];
    if (value === undefined || value === '') continue;
    out[key] = value;
  }
  return out as NetworkSession;
}

/** Each NetworkSession field's place in the schema's order. */
const FIELD_RANK: ReadonlyMap<string, number> = new Map(
  NETWORK_SESSION_FIELD_ORDER.map((key, i) => [key, i]),
);

/** Cuts a value for a dead-letter detail: at most `max` characters, control characters shown as `\xNN`. */
export function excerpt(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : toPrintable(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we escape here
  return cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A value as JSON text; one JSON cannot print (nested too deep for the stack, a bigint) is named by its type. */
function toPrintable(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Array.isArray(value) ? '[array]' : `[${typeof value}]`;
  }
}
