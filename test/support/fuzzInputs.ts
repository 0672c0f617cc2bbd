import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import { NetworkSessionSchema } from '../../lib/schema/NetworkSession.js';
import type { DecodeContext, DecodeSink, JsonObject } from '../../lib/sources/pipeline/types.js';
import { StreamState } from '../../lib/sources/pipeline/types.js';
import { FIXTURES_DIR } from './golden.js';
import { readLogAnalyticsCsv } from './laCsv.js';

/**
 * Input generators and checks for the fuzzers under `test/fuzz`: real records and lines from
 * `test/fixtures` to mutate, hostile values and text fragments, byte strings decoded as UTF-8, and
 * the checks every decoder outcome must pass (schema-valid rows, short typed reasons, bounded
 * details, no prototype pollution).
 */

/**
 * The seed of every fuzz property, fixed so that a failure replays exactly; FUZZ_SEED overrides it
 * to explore other inputs (a failure then prints the seed to replay with).
 */
export const FUZZ_SEED = Number.isSafeInteger(Number(process.env.FUZZ_SEED))
  ? Number(process.env.FUZZ_SEED)
  : 20261129;

const LONG_RUNS = Number(process.env.FUZZ_RUNS ?? Number.NaN);

/** Whether this is the long run (`npm run fuzz`, which sets FUZZ_RUNS). */
export const IS_LONG_RUN = Number.isInteger(LONG_RUNS) && LONG_RUNS > 0;

/** Timeout of one fuzz test: the configured default in the short run, an hour in the long run. */
export const FUZZ_TIMEOUT_MS: number | undefined = IS_LONG_RUN ? 60 * 60_000 : undefined;

/**
 * Runs of one property: `short` in `npm test`; in the long run FUZZ_RUNS scaled by `longShare`
 * (expensive properties take a share of it), never fewer than `short`.
 */
export function fuzzRuns(short: number, longShare = 1): number {
  return IS_LONG_RUN ? Math.max(short, Math.round(LONG_RUNS * longShare)) : short;
}

/** fast-check parameters of a fuzz property: the fixed seed and the run count. */
export function fuzzParameters(short: number, longShare = 1): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: fuzzRuns(short, longShare), endOnFailure: true };
}

// ---------------------------------------------------------------------------------------------
// Real shapes from the fixtures

export interface FixtureRecord {
  /** Fixture folder and file, for failure messages. */
  readonly origin: string;
  /** The record as JSON text; parse it again for every use, so that mutations never leak. */
  readonly json: string;
}

export interface FixtureLine {
  readonly origin: string;
  readonly line: string;
}

export interface FixtureStream {
  readonly origin: string;
  /** The lines of one text fixture, in order (header lines first). */
  readonly lines: readonly string[];
}

export interface FixtureSamples {
  readonly records: readonly FixtureRecord[];
  readonly lines: readonly FixtureLine[];
  readonly streams: readonly FixtureStream[];
}

let samples: FixtureSamples | undefined;

/** Every record, text line and text file of `test/fixtures` (alert payloads and golden files aside). */
export function fixtureSamples(): FixtureSamples {
  if (samples !== undefined) return samples;
  const records: FixtureRecord[] = [];
  const lines: FixtureLine[] = [];
  const streams: FixtureStream[] = [];
  const addRecord = (origin: string, value: unknown): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      records.push({ origin, json: JSON.stringify(value) });
  };
  for (const folder of readdirSync(FIXTURES_DIR).sort()) {
    if (folder === 'alerts') continue;
    for (const file of readdirSync(join(FIXTURES_DIR, folder)).sort()) {
      const origin = `${folder}/${file}`;
      const path = join(FIXTURES_DIR, folder, file);
      // Parquet is binary: its rows are the field-named JSON records of the same folder.
      if (file.endsWith('.expected.json') || file.endsWith('.md') || file.endsWith('.parquet')) continue;
      if (file.endsWith('.csv')) {
        for (const row of readLogAnalyticsCsv(path)) addRecord(origin, row);
      } else if (file.endsWith('.json')) {
        for (const value of splitJsonDocuments(readFileSync(path, 'utf8'))) {
          const envelope = (value as { records?: unknown } | null)?.records;
          const items = Array.isArray(value) ? value : Array.isArray(envelope) ? envelope : [value];
          for (const item of items) addRecord(origin, item);
        }
      } else {
        const text = readFileSync(path, 'utf8').split(/\r?\n/);
        const textLines: string[] = [];
        for (const line of text) {
          if (line.trim() === '') continue;
          if (line.startsWith('{')) addRecord(origin, JSON.parse(line));
          else textLines.push(line);
        }
        for (const line of textLines) lines.push({ origin, line });
        if (textLines.length > 0) streams.push({ origin, lines: textLines });
      }
    }
  }
  samples = { records, lines, streams };
  return samples;
}

/** The JSON documents of a file that may hold several, one after another (pretty-printed or not). */
function splitJsonDocuments(text: string): unknown[] {
  const documents: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) documents.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return documents;
}

/** A fresh copy of a fixture record, as `JSON.parse` gives it to the decoders. */
export function parseRecord(record: FixtureRecord): JsonObject {
  return JSON.parse(record.json) as JsonObject;
}

// ---------------------------------------------------------------------------------------------
// Hostile values and text fragments

/** An own property, as `JSON.parse` creates it: a `__proto__` key stays an ordinary key. */
export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value nested `depth` arrays deep, built without recursion. */
export function nestedArray(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A value nested `depth` objects deep under `key`, built without recursion. */
export function nestedObject(depth: number, key: string, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) {
    const next = {};
    defineOwn(next, key, value);
    value = next;
  }
  return value;
}

/**
 * Field values a hostile or broken producer sends, as JSON would carry them: wrong types, numbers
 * past every range (ports, epochs, year 9999, safe integers), NaN- and Infinity-like strings,
 * negative and fractional ports, control characters, lone surrogates, very long strings, markup
 * of other formats, and objects with `__proto__` / `constructor` / `prototype` keys.
 */
const HOSTILE_VALUE_FACTORIES: ReadonlyArray<() => unknown> = [
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -0,
  () => -1,
  () => 0.5,
  () => 443.5,
  () => 65535,
  () => 65536,
  () => -65536,
  () => 2 ** 53,
  () => 2 ** 53 + 2,
  () => 1e21,
  () => -1e21,
  () => 1e308,
  () => -1e308,
  () => 5e-324,
  // JSON reads `1e400` as Infinity; NaN cannot come from JSON but costs nothing to try.
  () => Number.POSITIVE_INFINITY,
  () => Number.NEGATIVE_INFINITY,
  () => Number.NaN,
  () => 8.64e15,
  () => 253402300800,
  () => 253402300800000,
  () => 99999999999999,
  () => 999999999999999,
  () => '',
  () => ' ',
  () => '-',
  () => 'NaN',
  () => 'Infinity',
  () => '-Infinity',
  () => '1e999',
  () => '0x1F',
  () => '-1',
  () => '-0',
  () => '0.5',
  () => '443.5',
  () => '443.0',
  () => '65536',
  () => '99999',
  () => '00000000000000000443',
  () => '9'.repeat(400),
  () => '999999999999',
  () => '999999999999999',
  () => '9999999999999999999',
  () => '253402300800',
  () => '1e3',
  () => '\u0000',
  () => 'a\u0000b',
  () => '\u001b[31mred\u001b[0m',
  () => '\r\n',
  () => '\ufeff',
  () => '\ud800',
  () => '\udfff\ud800',
  () => 'x'.repeat(10_000),
  () => 'a='.repeat(2_000),
  () => '\\'.repeat(3_000),
  () => '2025-02-30T25:61:61Z',
  () => '9999-12-31T23:59:59-23:59',
  () => '9999-12-31T23:59:59.999Z',
  () => '0001-01-01T00:00:00',
  () => '0000-01-01T00:00:00+01:00',
  () => '+275760-09-13T00:00:00.000Z',
  () => 'Dec 31 9999 23:59:59 -23:59',
  () => '203.0.113.7',
  () => '2001:db8::1%eth0',
  () => '::ffff:192.0.2.1',
  () => '999.999.999.999',
  () => '[2001:db8::1]:65536',
  () => '1.2.3.4:-1',
  () => 'CEF:0|Cisco|ASA|9|302013|x|5|src=1.2.3.4',
  () =>
    '%ASA-6-302013: Built inbound TCP connection 1 for a:1.2.3.4/1 (1.2.3.4/1) to b:5.6.7.8/2 (5.6.7.8/2)',
  () => '<Event><EventData><Data Name="SourceIp">1.2.3.4</Data></EventData></Event>',
  () => '<Data Name="SourceIp">',
  () => '{"__proto__":{"polluted":"yes"}}',
  () => [],
  () => [1, '2', null],
  () => ['x'.repeat(600)],
  () => ({}),
  () => JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  () => JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  () => JSON.parse('{"prototype":{"polluted":"yes"},"toString":"x","valueOf":1,"hasOwnProperty":null}'),
  () => nestedArray(20_000, 'deep'),
  () => nestedObject(20_000, 'a', 'deep'),
];

/** Keys that reach `Object.prototype` when a decoder copies input keys carelessly, and names decoders look up. */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'polluted',
  'Type',
  'category',
  'records',
  'properties',
  'EventData',
  'Message',
  'SyslogMessage',
  'AdditionalExtensions',
  'SourceIP',
  'DestinationPort',
  'id.orig_h',
  'metadata_type',
  '',
];

/**
 * A field value as a specification (fast-check prints specifications, and a 20 000-deep value
 * cannot be printed): a hostile value by its index, any JSON value, or any string.
 */
export type ValueSpec = { readonly hostile: number } | { readonly json: unknown } | { readonly text: string };

/** The value a specification stands for (a fresh object each time). */
export function toValue(spec: ValueSpec): unknown {
  if ('hostile' in spec) return (HOSTILE_VALUE_FACTORIES[spec.hostile] as () => unknown)();
  return 'json' in spec ? spec.json : spec.text;
}

/** One hostile field value, as a specification. */
export const hostileValue: fc.Arbitrary<ValueSpec> = fc
  .integer({ min: 0, max: HOSTILE_VALUE_FACTORIES.length - 1 })
  .map((hostile) => ({ hostile }));

/**
 * Text fragments that matter to the parsers: CEF separators and escapes, key=value runs, quotes,
 * syslog and Meraki headers, ASA tags, event XML with unclosed tags, Zeek escapes and directives,
 * JSON punctuation, control characters and lone surrogates.
 */
export const TEXT_FRAGMENTS: readonly string[] = [
  '|',
  '||',
  '\\|',
  '\\',
  '\\\\',
  '\\=',
  '=',
  '==',
  ' =',
  '= ',
  'a=',
  ' a=b',
  'key=value ',
  "='",
  ';',
  ';;',
  '=;',
  'k=v;',
  '"',
  "'",
  '<',
  '>',
  '</',
  '<Data Name="',
  '<Data Name="SourceIp">',
  '</Data>',
  '<Data',
  '<EventData>',
  '</EventData>',
  '<Event>',
  '<EventID>3</EventID>',
  '<Provider Name="Linux-Sysmon"',
  '<Computer>',
  '<TimeCreated SystemTime="',
  'Name="',
  '&#x',
  '&amp;',
  '&#1114112;',
  '\u0000',
  '\u0007',
  '\u001b',
  '\r',
  '\t',
  ' ',
  '  ',
  ':',
  '::',
  '/',
  '(',
  ')',
  '%',
  '%ASA-',
  '%ASA-6-302013:',
  '%FTD-session-6-',
  'CEF:',
  'CEF:0|',
  'CEF: 0|a|b|c|d|e|f|',
  '[',
  ']',
  '{',
  '}',
  ',',
  '-',
  '1 ',
  '<134>1 ',
  '<134>',
  '1763632801.123456789 ',
  ' flows allow',
  ' src=',
  ' dst=',
  ' sport=',
  ' dport=',
  'src=1.2.3.4:',
  'pattern: ',
  'timestamp=',
  '#fields\t',
  '#separator \\x09',
  '#close',
  '\\x',
  '\\x0',
  '\\x41',
  ' request from ',
  ' to ',
  '. Action: ',
  " was DNAT'ed to ",
  'from ',
  'for ',
  'src ',
  'dst ',
  '->',
  'hit-cnt',
  'access-group "',
  'bytes ',
  '2 123456789012 eni-',
  '1.2.3.4',
  '2001:db8::',
  '255.255.255.255',
  '65536',
  '-1',
  '99999999999999999999',
  'Mar 01 9999 23:59:59 ',
  '9999-12-31T23:59:59-23:59',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u2028',
  'é',
  '😀',
];

/** Any UTF-16 code unit, lone surrogates included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Arbitrary strings: any code units, printable ASCII, and fragment soup. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: anyCodeUnit, maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.array(fc.constantFrom(...TEXT_FRAGMENTS), { maxLength: 60 }).map((parts) => parts.join('')),
);

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Byte strings (including invalid UTF-8) decoded as the function decodes a message body. */
export const utf8Bytes: fc.Arbitrary<string> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => utf8.decode(bytes)),
  // Mostly-ASCII bytes with stray continuation and lead bytes, closer to a damaged log line.
  fc
    .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), {
      maxLength: 300,
    })
    .map((bytes) => utf8.decode(Uint8Array.from(bytes))),
);

// ---------------------------------------------------------------------------------------------
// Text mutations

/** One edit of a text at a position given as any natural number (taken modulo the length). */
export type TextEdit =
  | { readonly op: 'insert'; readonly at: number; readonly text: string }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly length: number; readonly times: number }
  | { readonly op: 'run'; readonly at: number; readonly text: string; readonly times: number }
  | { readonly op: 'bytes'; readonly at: number; readonly bytes: Uint8Array };

const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TEXT_FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: anyCodeUnit, minLength: 1, maxLength: 6 }) },
);

/** Repetitions of a run: mostly a few, sometimes enough for a very long line. */
const times = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 2, max: 64 }) },
  { weight: 1, arbitrary: fc.integer({ min: 500, max: 5_000 }) },
);

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fragment }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('duplicate' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 30 }),
      times,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('run' as const), at: fc.nat(), text: fragment, times }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('bytes' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
);

export const textEdits: fc.Arbitrary<readonly TextEdit[]> = fc.array(textEdit, {
  minLength: 1,
  maxLength: 5,
});

/** Applies edits in order; positions wrap around the current length. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    switch (edit.op) {
      case 'insert':
        out = out.slice(0, at) + edit.text + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + edit.length);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'duplicate':
        out = out.slice(0, at) + out.slice(at, at + edit.length).repeat(edit.times) + out.slice(at);
        break;
      case 'run':
        out = out.slice(0, at) + edit.text.repeat(edit.times) + out.slice(at);
        break;
      case 'bytes':
        out = out.slice(0, at) + utf8.decode(edit.bytes) + out.slice(at);
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON record mutations

export type JsonEdit =
  | { readonly op: 'drop'; readonly at: number }
  | { readonly op: 'set'; readonly at: number; readonly value: ValueSpec }
  | { readonly op: 'add'; readonly at: number; readonly key: string; readonly value: ValueSpec }
  | { readonly op: 'text'; readonly at: number; readonly edits: readonly TextEdit[] }
  | { readonly op: 'nest'; readonly at: number; readonly depth: number };

const fieldValue: fc.Arbitrary<ValueSpec> = fc.oneof(
  { weight: 4, arbitrary: hostileValue },
  { weight: 1, arbitrary: fc.record({ json: fc.jsonValue({ maxDepth: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ text: anyString }) },
);

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fieldValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 })),
      value: fieldValue,
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('text' as const), at: fc.nat(), edits: textEdits }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('nest' as const),
      at: fc.nat(),
      depth: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1_000, max: 20_000 })),
    }),
  },
);

export const jsonEdits: fc.Arbitrary<readonly JsonEdit[]> = fc.array(jsonEdit, {
  minLength: 1,
  maxLength: 5,
});

interface Slot {
  readonly parent: Record<string, unknown> | unknown[];
  readonly key: string | number;
}

/** The fields of a record and of the objects and arrays inside it (at most 2000), depth first. */
function slotsOf(root: JsonObject): Slot[] {
  const slots: Slot[] = [];
  const stack: Array<Record<string, unknown> | unknown[]> = [root];
  while (stack.length > 0 && slots.length < 2000) {
    const container = stack.pop() as Record<string, unknown> | unknown[];
    const keys: Array<string | number> = Array.isArray(container)
      ? container.map((_, i) => i)
      : Object.keys(container);
    for (const key of keys) {
      slots.push({ parent: container, key });
      const value = (container as Record<string | number, unknown>)[key];
      if (value !== null && typeof value === 'object') stack.push(value as Record<string, unknown>);
    }
  }
  return slots;
}

function containersOf(root: JsonObject): Array<Record<string, unknown>> {
  return [root, ...slotsOf(root).map((s) => (s.parent as Record<string | number, unknown>)[s.key])].filter(
    (v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v),
  );
}

function setSlot(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else defineOwn(slot.parent, String(slot.key), value);
}

/** JSON text of a value, or `''` when it has none or is nested too deep to print. */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Applies edits to a record in place and returns it. */
export function applyJsonEdits(record: JsonObject, edits: readonly JsonEdit[]): JsonObject {
  for (const edit of edits) {
    if (edit.op === 'add') {
      const containers = containersOf(record);
      const target = containers[edit.at % containers.length] ?? record;
      defineOwn(target, edit.key, toValue(edit.value));
      continue;
    }
    const slots = slotsOf(record);
    const slot = slots[edit.at % Math.max(1, slots.length)];
    if (slot === undefined) continue;
    const current = (slot.parent as Record<string | number, unknown>)[slot.key];
    switch (edit.op) {
      case 'drop':
        if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
        else delete slot.parent[slot.key as string];
        break;
      case 'set':
        setSlot(slot, toValue(edit.value));
        break;
      case 'text':
        setSlot(
          slot,
          applyTextEdits(typeof current === 'string' ? current : safeStringify(current), edit.edits),
        );
        break;
      case 'nest':
        setSlot(slot, nestedArray(edit.depth, current));
        break;
    }
  }
  return record;
}

/** An object not taken from the fixtures, as its list of own fields (hostile keys among them). */
export type ObjectSpec = ReadonlyArray<readonly [key: string, value: ValueSpec]>;

/** Arbitrary JSON objects as specifications; build them with {@link toObject}. */
export const anyJsonObject: fc.Arbitrary<ObjectSpec> = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 })), fieldValue),
  { maxLength: 12 },
);

/** The object of a specification, every key an own property (as `JSON.parse` makes `__proto__`). */
export function toObject(spec: ObjectSpec): JsonObject {
  const object: JsonObject = {};
  for (const [key, value] of spec) defineOwn(object, key, toValue(value));
  return object;
}

// ---------------------------------------------------------------------------------------------
// Checks

/** One thing a decoder said about an item. */
export type Outcome =
  | { readonly kind: 'record'; readonly session: NetworkSession }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string; readonly detail: string | undefined }
  | { readonly kind: 'note'; readonly reason: string };

/** A DecodeSink that keeps every outcome. */
export class CollectingSink implements DecodeSink {
  readonly outcomes: Outcome[] = [];

  record(session: NetworkSession): void {
    this.outcomes.push({ kind: 'record', session });
  }

  skip(reason: string): void {
    this.outcomes.push({ kind: 'skip', reason });
  }

  invalid(reason: string, detail?: string): void {
    this.outcomes.push({ kind: 'invalid', reason, detail });
  }

  note(reason: string): void {
    this.outcomes.push({ kind: 'note', reason });
  }
}

/** Longest reason: a short constant phrase. */
export const MAX_REASON_CHARS = 80;
/**
 * Longest detail: a field path and a bounded excerpt, never a whole long item. An excerpt keeps at
 * most 80 characters of the value and shows each control character as four (`\x0d`).
 */
export const MAX_DETAIL_CHARS = 600;

/**
 * Checks the outcomes of one item: each row passes the strict NetworkSession schema; each skip and
 * invalid outcome has a non-empty reason of at most {@link MAX_REASON_CHARS} characters; each
 * detail has at most {@link MAX_DETAIL_CHARS}. Throws an Error naming the first violation.
 */
export function checkOutcomes(outcomes: readonly Outcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.kind === 'record') {
      const parsed = NetworkSessionSchema.safeParse(outcome.session);
      if (!parsed.success)
        throw new Error(
          `row fails the NetworkSession schema: ${parsed.error.message.slice(0, 400)}\nrow: ${describeRow(outcome.session)}`,
        );
      continue;
    }
    const { reason } = outcome;
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON_CHARS)
      throw new Error(
        `${outcome.kind} reason is not a short phrase: ${JSON.stringify(String(reason).slice(0, 200))}`,
      );
    if (outcome.kind === 'invalid' && outcome.detail !== undefined) {
      if (typeof outcome.detail !== 'string' || outcome.detail.length > MAX_DETAIL_CHARS)
        throw new Error(
          `invalid detail over ${MAX_DETAIL_CHARS} characters (${String(outcome.detail).length}): ${String(outcome.detail).slice(0, 200)}`,
        );
    }
  }
}

function describeRow(session: unknown): string {
  return safeStringify(session).slice(0, 600);
}

/** A fresh decode context: a new stream, a reference time, and optionally an enqueued time. */
export function freshContext(fallbackTimeMs: number | undefined): DecodeContext {
  return {
    fallbackTimeMs,
    referenceTimeMs: Date.UTC(2026, 0, 1),
    stream: new StreamState(),
  };
}

/** Enqueued times a context may carry: none (the CLI) or a real one (the function). */
export const fallbackTime: fc.Arbitrary<number | undefined> = fc.constantFrom(
  undefined,
  Date.UTC(2025, 10, 20, 10),
);

// ---------------------------------------------------------------------------------------------
// Prototype pollution

const GUARDED_PROTOTYPES: ReadonlyArray<readonly [string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Map.prototype', Map.prototype],
];

type PrototypeSnapshot = ReadonlyArray<readonly [string, ReadonlyMap<PropertyKey, unknown>]>;

function snapshotPrototypes(): PrototypeSnapshot {
  return GUARDED_PROTOTYPES.map(([name, proto]) => [
    name,
    new Map(
      Reflect.ownKeys(proto).map((key) => {
        const d = Object.getOwnPropertyDescriptor(proto, key);
        return [key, d?.value ?? d?.get];
      }),
    ),
  ]);
}

const PRISTINE = snapshotPrototypes();

/**
 * Throws when any input reached a shared prototype: `({}).polluted` is defined, or a guarded
 * prototype gained, lost or changed an own property since this module was loaded.
 */
export function assertNoPrototypePollution(): void {
  if (({} as Record<string, unknown>).polluted !== undefined)
    throw new Error('Object.prototype.polluted is set');
  if (([] as unknown as Record<string, unknown>).polluted !== undefined)
    throw new Error('Array.prototype.polluted is set');
  if (Object.getPrototypeOf(Object.prototype) !== null)
    throw new Error("Object.prototype's prototype changed");
  const now = snapshotPrototypes();
  for (let i = 0; i < PRISTINE.length; i++) {
    const [name, before] = PRISTINE[i] as PrototypeSnapshot[number];
    const after = (now[i] as PrototypeSnapshot[number])[1];
    if (after.size !== before.size) throw new Error(`${name} gained or lost a property`);
    for (const [key, value] of before)
      if (!after.has(key) || after.get(key) !== value) throw new Error(`${name}.${String(key)} changed`);
  }
}

// ---------------------------------------------------------------------------------------------
// Time (the growth check lives in growth.ts; re-exported for the fuzzers)

export { type Growth, MAX_GROWTH_RATIO, measureGrowth, superlinearGrowth } from './growth.js';

/** Builds `prefix + filler…` of about `chars` characters, the filler repeated. */
export function fill(prefix: string, filler: string, chars: number, suffix = ''): string {
  const times = Math.max(1, Math.ceil((chars - prefix.length - suffix.length) / Math.max(1, filler.length)));
  return prefix + filler.repeat(times) + suffix;
}
