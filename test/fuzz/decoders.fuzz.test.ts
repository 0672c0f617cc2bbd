import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import { SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import type { DecodeContext, JsonObject, SourceDecoder } from '../../lib/sources/pipeline/types.js';
import {
  anyJsonObject,
  anyString,
  applyJsonEdits,
  applyTextEdits,
  assertNoPrototypePollution,
  CollectingSink,
  checkOutcomes,
  defineOwn,
  type FixtureRecord,
  type FixtureStream,
  FUZZ_TIMEOUT_MS,
  fallbackTime,
  fixtureSamples,
  freshContext,
  fuzzParameters,
  jsonEdits,
  type ObjectSpec,
  type Outcome,
  parseRecord,
  textEdits,
  toObject,
  utf8Bytes,
} from '../support/fuzzInputs.js';

/** Registers nothing: the property does not apply to this decoder (no JSON side, no text side, no sample). */
const itNotApplicable = (_name: string, _test: () => void, _timeoutMs?: number): void => undefined;

/**
 * Every decoder of the registry, called directly (not through the Normalizer, which would turn a
 * throw into a counted `decoder failure` and hide it), on real records and lines from the fixtures
 * mutated at random, on arbitrary strings and byte strings, and on arbitrary JSON objects:
 *
 * - no input makes `match*` or `decode*` throw;
 * - every row passes the strict NetworkSession schema; every skip and invalid outcome has a short
 *   non-empty reason and a bounded detail (never the whole of a long input);
 * - no input pollutes a shared prototype;
 * - what `match*` claims, `decode*` never rejects as another source's item.
 */

// The long run (`npm run fuzz`) takes minutes per property; the short run keeps the default timeout.
if (FUZZ_TIMEOUT_MS !== undefined) vi.setConfig({ testTimeout: FUZZ_TIMEOUT_MS });

const SAMPLES = fixtureSamples();

/** A row that passes the NetworkSession schema, for the checks' own tests. */
const VALID_ROW: NetworkSession = {
  TimeGenerated: '2025-03-01T10:00:00.000Z',
  EventCount: 1,
  EventVendor: 'AWS',
  EventProduct: 'VPC',
  EventSchema: 'NetworkSession',
  EventSchemaVersion: '0.2.3',
  DstPortNumber: 22,
};

/** Invalid reasons that mean "this item is not of my source": a decoder must not give them for an item it claimed. */
const NOT_MINE = new Set([
  'no ASA message tag',
  'no Meraki header',
  'no CEF marker',
  'data line before #fields header',
  'missing SyslogMessage',
]);

function isNotMine(outcome: Outcome): boolean {
  return (
    outcome.kind === 'invalid' &&
    (NOT_MINE.has(outcome.reason) ||
      outcome.reason.startsWith('not a ') ||
      outcome.reason.startsWith('not an '))
  );
}

function tryMatchJson(decoder: SourceDecoder, record: JsonObject): boolean {
  try {
    return decoder.matchJson?.(record) === true;
  } catch {
    return false;
  }
}

/** The fixture records a decoder claims: the real shapes its mutations start from. */
function claimedRecords(decoder: SourceDecoder): FixtureRecord[] {
  return SAMPLES.records.filter((r) => tryMatchJson(decoder, parseRecord(r)));
}

/** The text fixtures in which a decoder claims a line (after the header lines before it). */
function claimedStreams(decoder: SourceDecoder): FixtureStream[] {
  return SAMPLES.streams.filter((stream) => {
    const ctx = freshContext(undefined);
    const sink = new CollectingSink();
    let claimed = false;
    for (const line of stream.lines) {
      if (decoder.matchText?.(line, ctx) !== true) continue;
      claimed = true;
      decoder.decodeText?.(line, sink, ctx);
    }
    return claimed;
  });
}

/** Decodes one JSON record directly and checks every property of the outcomes. */
function checkJson(decoder: SourceDecoder, record: JsonObject, ctx: DecodeContext): Outcome[] {
  const decodeJson = decoder.decodeJson;
  if (decodeJson === undefined) return [];
  const claimed = decoder.matchJson?.(record) === true;
  const sink = new CollectingSink();
  decodeJson.call(decoder, record, sink, ctx);
  checkOutcomes(sink.outcomes);
  assertNoPrototypePollution();
  const stray = claimed ? sink.outcomes.find(isNotMine) : undefined;
  if (stray !== undefined) throw new Error(`claimed the record, then rejected it: ${JSON.stringify(stray)}`);
  return sink.outcomes;
}

/** Decodes one text line directly (claimed or not, as `--format` forces it) and checks the outcomes. */
function checkText(decoder: SourceDecoder, line: string, ctx: DecodeContext): Outcome[] {
  const decodeText = decoder.decodeText;
  if (decodeText === undefined) return [];
  const claimed = decoder.matchText?.(line, ctx) === true;
  const sink = new CollectingSink();
  decodeText.call(decoder, line, sink, ctx);
  checkOutcomes(sink.outcomes);
  assertNoPrototypePollution();
  const stray = claimed ? sink.outcomes.find(isNotMine) : undefined;
  if (stray !== undefined) throw new Error(`claimed the line, then rejected it: ${JSON.stringify(stray)}`);
  return sink.outcomes;
}

/** A copy of a record without a prototype, as the CEF reader builds its rows. */
function withoutPrototype(record: JsonObject): JsonObject {
  const copy = Object.create(null) as JsonObject;
  for (const key of Object.keys(record)) defineOwn(copy, key, record[key]);
  return copy;
}

/** Objects that are not plain JSON records, for the matchers, by name (fast-check prints the name). */
const EXOTIC_RECORDS: ReadonlyMap<string, () => unknown> = new Map<string, () => unknown>([
  ['empty array', () => []],
  [
    'array with CSL keys',
    () => Object.assign([], { Type: 'CommonSecurityLog', DeviceVendor: 'Cisco', DeviceProduct: 'ASA' }),
  ],
  ['null prototype', () => Object.create(null)],
  ['Date', () => new Date(0)],
  ['Map', () => new Map([['Type', 'CommonSecurityLog']])],
  ['Set', () => new Set(['Type'])],
  ['String object', () => new String('CEF:0|Cisco|ASA|')],
  [
    'frozen CSL row',
    () => Object.freeze({ Type: 'CommonSecurityLog', DeviceVendor: 'Cisco', DeviceProduct: 'ASA' }),
  ],
  [
    'inherited fields',
    () => Object.create({ Type: 'Syslog', SyslogMessage: '<Provider Name="Linux-Sysmon"' }),
  ],
  ['symbol key and value', () => ({ [Symbol('Type')]: 'x', Type: Symbol('CommonSecurityLog') })],
  ['bigint values', () => ({ Type: 10n, category: 1n, EventVendor: 1n, SyslogMessage: 1n, Message: 1n })],
]);

/** A value for a matcher: an exotic object, an array of JSON values, or a null-prototype object of hostile fields. */
type ExoticSpec =
  | { readonly exotic: string }
  | { readonly array: unknown[] }
  | { readonly nullPrototype: ObjectSpec }
  | { readonly object: ObjectSpec };

const exoticRecord: fc.Arbitrary<ExoticSpec> = fc.oneof(
  fc.record({ exotic: fc.constantFrom(...EXOTIC_RECORDS.keys()) }),
  fc.record({ array: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }) }),
  fc.record({ nullPrototype: anyJsonObject }),
  fc.record({ object: anyJsonObject }),
);

function toExotic(spec: ExoticSpec): unknown {
  if ('exotic' in spec) return (EXOTIC_RECORDS.get(spec.exotic) as () => unknown)();
  if ('array' in spec) return spec.array;
  if ('object' in spec) return toObject(spec.object);
  return withoutPrototype(toObject(spec.nullPrototype));
}

describe('Fuzz: the checks', () => {
  it('notice a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'yes';
    try {
      expect(() => assertNoPrototypePollution()).toThrow(/polluted/);
    } finally {
      delete proto.polluted;
    }
    Object.defineProperty(Map.prototype, 'extra', { value: 1, configurable: true });
    try {
      expect(() => assertNoPrototypePollution()).toThrow(/Map.prototype/);
    } finally {
      delete (Map.prototype as unknown as Record<string, unknown>).extra;
    }
    assertNoPrototypePollution();
  });

  it.each([
    [
      'a six-digit year',
      { kind: 'record', session: { ...VALID_ROW, TimeGenerated: '+010000-01-01T00:00:00.000Z' } },
    ],
    ['a field the schema does not have', { kind: 'record', session: { ...VALID_ROW, Extra: 'x' } }],
    ['a fractional port', { kind: 'record', session: { ...VALID_ROW, DstPortNumber: 22.5 } }],
    ['an empty reason', { kind: 'skip', reason: '' }],
    ['a reason that carries input', { kind: 'invalid', reason: `bad ${'x'.repeat(100)}`, detail: undefined }],
    [
      'a detail that carries a whole long input',
      { kind: 'invalid', reason: 'bad', detail: 'x'.repeat(1000) },
    ],
  ])('reject %s', (_label, outcome) => {
    expect(() => checkOutcomes([outcome as Outcome])).toThrow();
  });

  it("reject a decoder that claims an item, then calls it another source's", () => {
    const fickle: SourceDecoder = {
      name: 'fickle',
      title: 'claims everything, then rejects it',
      matchJson: () => true,
      decodeJson: (_record, out) => out.invalid('not a fickle record'),
      matchText: () => true,
      decodeText: (_line, out) => out.invalid('no Meraki header'),
    };
    expect(() => checkJson(fickle, {}, freshContext(undefined))).toThrow(/claimed the record/);
    expect(() => checkText(fickle, 'x', freshContext(undefined))).toThrow(/claimed the line/);
  });

  it('accept a valid row and short typed outcomes', () => {
    checkOutcomes([
      { kind: 'record', session: VALID_ROW },
      { kind: 'skip', reason: 'header line' },
      { kind: 'invalid', reason: 'invalid dstport', detail: 'dstport: "70000"' },
    ]);
  });
});

describe('Fuzz: every decoder', () => {
  it('has every registered decoder claim at least one fixture record or line to mutate', () => {
    const without = SOURCE_DECODERS.filter(
      (d) => claimedRecords(d).length === 0 && claimedStreams(d).length === 0,
    ).map((d) => d.name);
    expect(without).toEqual([]);
  });

  describe.each(SOURCE_DECODERS.map((d) => [d.name, d] as const))('%s', (_name, decoder) => {
    const ownRecords = claimedRecords(decoder);
    const ownStreams = claimedStreams(decoder);
    const baseRecords = ownRecords.length > 0 ? ownRecords : SAMPLES.records;
    const ownLines = ownStreams.flatMap((s) => s.lines);
    const baseLines = ownLines.length > 0 ? ownLines : SAMPLES.lines.map((l) => l.line);

    (decoder.decodeJson !== undefined ? it : itNotApplicable)(
      'turns any JSON record into schema-valid rows or typed outcomes, never an exception',
      () => {
        // Specifications, not objects: fast-check prints them, and each run parses a fresh record.
        const spec = fc.oneof(
          { weight: 6, arbitrary: fc.record({ base: fc.constantFrom(...baseRecords), edits: jsonEdits }) },
          {
            weight: 2,
            arbitrary: fc.record({ base: fc.constantFrom(...SAMPLES.records), edits: jsonEdits }),
          },
          {
            weight: 1,
            arbitrary: fc.record({
              base: fc.constantFrom(...baseRecords),
              edits: fc.option(jsonEdits, { nil: undefined }),
              nullPrototype: fc.constant(true),
            }),
          },
          { weight: 2, arbitrary: fc.record({ object: anyJsonObject }) },
        );
        fc.assert(
          fc.property(spec, fallbackTime, (s, fallback) => {
            let record: JsonObject;
            if ('object' in s) record = toObject(s.object);
            else {
              record = applyJsonEdits(parseRecord(s.base), s.edits ?? []);
              if ('nullPrototype' in s) record = withoutPrototype(record);
            }
            checkJson(decoder, record, freshContext(fallback));
          }),
          fuzzParameters(300, 1),
        );
      },
    );

    (decoder.decodeText !== undefined ? it : itNotApplicable)(
      'turns any text line into schema-valid rows or typed outcomes, never an exception',
      () => {
        const line = fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .tuple(fc.constantFrom(...baseLines), textEdits)
              .map(([l, e]) => applyTextEdits(l, e)),
          },
          {
            weight: 2,
            arbitrary: fc
              .tuple(fc.constantFrom(...SAMPLES.lines.map((l) => l.line)), textEdits)
              .map(([l, e]) => applyTextEdits(l, e)),
          },
          { weight: 2, arbitrary: anyString },
          { weight: 1, arbitrary: utf8Bytes },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom(...baseLines), fc.uint8Array({ minLength: 1, maxLength: 6 }), fc.nat())
              .map(([l, bytes, at]) => {
                // Byte-level damage of a real line, decoded again as UTF-8.
                const encoded = new TextEncoder().encode(l);
                const i = at % (encoded.length + 1);
                const damaged = new Uint8Array([
                  ...encoded.slice(0, i),
                  ...bytes,
                  ...encoded.slice(i + bytes.length),
                ]);
                return new TextDecoder().decode(damaged);
              }),
          },
        );
        fc.assert(
          fc.property(line, fallbackTime, (text, fallback) => {
            checkText(decoder, text, freshContext(fallback));
          }),
          fuzzParameters(300, 1),
        );
      },
    );

    (decoder.decodeText !== undefined && ownStreams.length > 0 ? it : itNotApplicable)(
      'reads mutated text files line by line, header state included, without an exception',
      () => {
        const stream = fc.tuple(
          fc.constantFrom(...ownStreams),
          fc.array(fc.tuple(fc.nat(), textEdits), { minLength: 1, maxLength: 4 }),
          fc.array(fc.tuple(fc.nat(), fc.oneof(anyString, fc.constantFrom(...baseLines))), { maxLength: 3 }),
        );
        fc.assert(
          fc.property(stream, fallbackTime, ([base, edits, inserted], fallback) => {
            const lines = [...base.lines];
            for (const [at, e] of edits) {
              const i = at % lines.length;
              lines[i] = applyTextEdits(lines[i] ?? '', e);
            }
            for (const [at, extra] of inserted) lines.splice(at % (lines.length + 1), 0, extra);
            const ctx = freshContext(fallback);
            for (const line of lines) checkText(decoder, line, ctx);
          }),
          fuzzParameters(100, 0.25),
        );
      },
    );

    it('recognizes any value without throwing', () => {
      fc.assert(
        fc.property(exoticRecord, anyString, (spec, line) => {
          decoder.matchJson?.(toExotic(spec) as JsonObject);
          decoder.matchText?.(line, freshContext(undefined));
          assertNoPrototypePollution();
        }),
        fuzzParameters(200, 0.25),
      );
    });
  });
});
