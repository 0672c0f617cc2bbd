import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import { isCloudWatchPayload } from '../../lib/sources/formats/cloudWatchLogs.js';
import { decodeText } from '../../lib/sources/pipeline/decodeInput.js';
import { ItemSplitter } from '../../lib/sources/pipeline/ItemSplitter.js';
import { Normalizer } from '../../lib/sources/pipeline/Normalizer.js';
import { formatNames, SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import type { JsonObject, SourceLocation } from '../../lib/sources/pipeline/types.js';
import {
  anyString,
  applyJsonEdits,
  applyTextEdits,
  assertNoPrototypePollution,
  checkOutcomes,
  type FixtureRecord,
  FUZZ_TIMEOUT_MS,
  fallbackTime,
  fill,
  fixtureSamples,
  fuzzParameters,
  type JsonEdit,
  jsonEdits,
  MAX_DETAIL_CHARS,
  MAX_REASON_CHARS,
  type Outcome,
  parseRecord,
  superlinearGrowth,
  type TextEdit,
  textEdits,
  utf8Bytes,
} from '../support/fuzzInputs.js';

/**
 * Envelope detection (`ItemSplitter`, `decodeText`) and the Normalizer behind it, on whole
 * messages: JSON lines, arrays, `{"records":[…]}` envelopes compact or pretty-printed, truncated
 * and deeply nested JSON, mutated fixture files, arbitrary strings and byte strings. No message
 * makes them throw; every item is a JSON object, a text line or a typed invalid item; no decoder
 * throws behind the Normalizer's back (`decoder failure`); every row is schema-valid; time grows
 * linearly with the message.
 */

// The long run (`npm run fuzz`) takes minutes per property; the short run keeps the default timeout.
if (FUZZ_TIMEOUT_MS !== undefined) vi.setConfig({ testTimeout: FUZZ_TIMEOUT_MS });

const SAMPLES = fixtureSamples();
/** The function's default largest message (`maxMessageBytes`), which also bounds a multi-line document. */
const MESSAGE_CHARS = 4 * 1024 * 1024;
const REFERENCE_MS = Date.UTC(2026, 0, 1);

/** Lines that open a JSON value they do not close. */
const OPENERS = ['[', '{', '{"records":[', '{"records": [', '{"a":', '[1,', '  {', '{"a":"b",', '{"a":[{'];

/** A deeply nested document, on one line or one bracket per line. */
function deep(depth: number, multiline: boolean, closed: boolean): string {
  const sep = multiline ? '\n' : '';
  const open = Array.from({ length: depth }, (_, i) => (i % 2 === 0 ? '[' : '{"a":')).join(sep);
  if (!closed) return open;
  const close = Array.from({ length: depth }, (_, i) => ((depth - 1 - i) % 2 === 0 ? ']' : '}')).join(sep);
  return `${open}${sep}0${sep}${close}`;
}

/** A message as its specification (printable by fast-check), built by {@link toMessage}. */
type MessageSpec =
  | { readonly lines: readonly string[]; readonly crlf: boolean }
  | { readonly json: unknown; readonly pretty: boolean; readonly edits: readonly TextEdit[] | undefined }
  | {
      readonly records: ReadonlyArray<{
        readonly base: number;
        readonly edits: readonly JsonEdit[] | undefined;
      }>;
      readonly pretty: boolean;
      readonly edits: readonly TextEdit[] | undefined;
    }
  | {
      readonly deep: number;
      readonly multiline: boolean;
      readonly closed: boolean;
      readonly inEnvelope: boolean;
    }
  | { readonly stream: number; readonly edits: ReadonlyArray<readonly [number, readonly TextEdit[]]> }
  | {
      readonly cloudWatch: readonly string[];
      readonly control: boolean;
      readonly lambda: boolean;
      readonly edits: readonly TextEdit[] | undefined;
    };

const line = fc.oneof(
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: utf8Bytes },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...OPENERS, ']', '}', '],', '}]}', '', '   ', '"quoted"', '123', 'null'),
  },
  { weight: 2, arbitrary: fc.constantFrom(...SAMPLES.lines.map((l) => l.line)) },
  { weight: 2, arbitrary: fc.constantFrom(...SAMPLES.records.map((r) => r.json)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...SAMPLES.records.map((r) => r.json), ...SAMPLES.lines.map((l) => l.line)),
        textEdits,
      )
      .map(([l, e]) => applyTextEdits(l, e)),
  },
);

const messageSpec: fc.Arbitrary<MessageSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ lines: fc.array(line, { maxLength: 25 }), crlf: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      json: fc.jsonValue({ maxDepth: 4 }),
      pretty: fc.boolean(),
      edits: fc.option(textEdits, { nil: undefined }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      records: fc.array(
        fc.record({
          base: fc.nat(SAMPLES.records.length - 1),
          edits: fc.option(jsonEdits, { nil: undefined }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      pretty: fc.boolean(),
      edits: fc.option(textEdits, { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      deep: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 5_000, max: 50_000 })),
      multiline: fc.boolean(),
      closed: fc.boolean(),
      inEnvelope: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      cloudWatch: fc.array(line, { maxLength: 8 }),
      control: fc.boolean(),
      lambda: fc.boolean(),
      edits: fc.option(textEdits, { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      stream: fc.nat(SAMPLES.streams.length - 1),
      edits: fc.array(fc.tuple(fc.nat(), textEdits), { maxLength: 4 }),
    }),
  },
);

/** JSON text, indented when `pretty` and shallow; `''` for a value nested too deep to print. */
function toJsonText(value: unknown, pretty: boolean): string {
  try {
    const compact = JSON.stringify(value) ?? '';
    // Indentation grows with depth: a deep value pretty-printed would take depth² characters.
    return pretty && nestingDepth(compact) <= 64 ? (JSON.stringify(value, null, 2) ?? '') : compact;
  } catch {
    return '';
  }
}

/** The deepest bracket nesting of JSON text (strings skipped). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

function toMessage(spec: MessageSpec): string {
  if ('lines' in spec) return spec.lines.join(spec.crlf ? '\r\n' : '\n');
  if ('json' in spec) return applyTextEdits(toJsonText(spec.json, spec.pretty), spec.edits ?? []);
  if ('records' in spec) {
    const records = spec.records.map((r) =>
      applyJsonEdits(parseRecord(SAMPLES.records[r.base] as FixtureRecord), r.edits ?? []),
    );
    // Records nested too deep to print go one per line, as far as they print at all.
    const text = toJsonText({ records }, spec.pretty) || records.map((r) => toJsonText(r, false)).join('\n');
    return applyTextEdits(text, spec.edits ?? []);
  }
  if ('cloudWatch' in spec) {
    // A CloudWatch Logs subscription payload whose log events carry the lines, as is or as the
    // base64 gzip of a Lambda `awslogs` event.
    const payload = JSON.stringify({
      messageType: spec.control ? 'CONTROL_MESSAGE' : 'DATA_MESSAGE',
      logGroup: 'fuzz',
      logEvents: spec.cloudWatch.map((message, i) => ({ id: String(i), timestamp: 0, message })),
    });
    const text = spec.lambda
      ? JSON.stringify({ awslogs: { data: gzipSync(payload).toString('base64') } })
      : payload;
    return applyTextEdits(text, spec.edits ?? []);
  }
  if ('deep' in spec) {
    const doc = deep(spec.deep, spec.multiline, spec.closed);
    return spec.inEnvelope
      ? `{"records":[${spec.multiline ? '\n' : ''}${doc}${spec.closed ? ']}' : ''}`
      : doc;
  }
  const lines = [...(SAMPLES.streams[spec.stream]?.lines ?? [])];
  for (const [at, e] of spec.edits) {
    const i = at % Math.max(1, lines.length);
    lines[i] = applyTextEdits(lines[i] ?? '', e);
  }
  return lines.join('\n');
}

/** Splits a message line by line, as `decodeText` does, and checks every item the splitter hands over. */
function splitChecked(text: string, maxDocumentChars: number): Outcome[] {
  const lineCount = text.split('\n').length;
  const outcomes: Outcome[] = [];
  const checkLocation = (location: SourceLocation): void => {
    const l = location.line;
    if (l === undefined || !Number.isInteger(l) || l < 1 || l > lineCount)
      throw new Error(`location outside the message: line ${String(l)} of ${lineCount}`);
  };
  const splitter = new ItemSplitter(
    {
      json(record: JsonObject, location) {
        checkLocation(location);
        if (record === null || typeof record !== 'object' || Array.isArray(record))
          throw new Error(`json item is not an object: ${typeof record}`);
      },
      text(value, location) {
        checkLocation(location);
        if (typeof value !== 'string') throw new Error(`text item is not a string: ${typeof value}`);
      },
      invalid(reason, detail, location) {
        checkLocation(location);
        outcomes.push({ kind: 'invalid', reason, detail });
      },
      skip(_reason, location) {
        checkLocation(location);
      },
    },
    { input: 'fuzz', maxDocumentChars },
  );
  let start = 0;
  for (let n = 1; ; n++) {
    const nl = text.indexOf('\n', start);
    splitter.line(nl < 0 ? text.slice(start) : text.slice(start, nl), n);
    if (nl < 0) break;
    start = nl + 1;
  }
  splitter.end();
  checkOutcomes(outcomes);
  return outcomes;
}

/** Decodes a message through the registry exactly as the function does, and checks what the Normalizer counted. */
function normalizeChecked(
  text: string,
  format: string,
  fallbackTimeMs: number | undefined,
): NetworkSession[] {
  const rows: NetworkSession[] = [];
  const normalizer = new Normalizer(SOURCE_DECODERS, { format, maxDeadLetters: 20 }, (s) => rows.push(s));
  decodeText(text, normalizer, {
    input: 'fuzz',
    fallbackTimeMs,
    referenceTimeMs: REFERENCE_MS,
    maxDocumentChars: MESSAGE_CHARS,
  });
  const failures = [...normalizer.counts.invalid.keys()].filter((key) => key.endsWith(': decoder failure'));
  if (failures.length > 0)
    throw new Error(
      `a decoder threw: ${failures.join('; ')} — ${normalizer.deadLetters.find((d) => d.reason === 'decoder failure')?.detail}`,
    );
  checkOutcomes(rows.map((session) => ({ kind: 'record', session })));
  for (const letter of normalizer.deadLetters) {
    if (letter.reason.length === 0 || letter.reason.length > MAX_REASON_CHARS)
      throw new Error(`dead-letter reason is not a short phrase: ${letter.reason.slice(0, 100)}`);
    if ((letter.detail?.length ?? 0) > MAX_DETAIL_CHARS || letter.excerpt.length > MAX_DETAIL_CHARS)
      throw new Error(`dead letter over ${MAX_DETAIL_CHARS} characters: ${letter.reason}`);
  }
  assertNoPrototypePollution();
  return rows;
}

describe('Fuzz: envelope detection', () => {
  it('splits any message into objects, text lines and typed invalid items, never an exception', () => {
    fc.assert(
      fc.property(messageSpec, fc.constantFrom(MESSAGE_CHARS, 200), (spec, maxDocumentChars) => {
        splitChecked(toMessage(spec), maxDocumentChars);
      }),
      fuzzParameters(300, 1),
    );
  });

  it('decodes any message through every decoder: schema-valid rows, typed dead letters, no decoder failure', () => {
    const format = fc.oneof(
      { weight: 4, arbitrary: fc.constant('auto') },
      { weight: 1, arbitrary: fc.constantFrom(...formatNames()) },
    );
    fc.assert(
      fc.property(messageSpec, format, fallbackTime, (spec, f, fallback) => {
        normalizeChecked(toMessage(spec), f, fallback);
      }),
      fuzzParameters(300, 1),
    );
  });

  // Found by this fuzzer: an abandoned document's lines, taken again, opened a second document
  // that `end()` dropped, and every record after two unclosed opener lines vanished uncounted.
  it('keeps every valid JSON line that follows unclosed opener lines', () => {
    const junk = fc.array(fc.constantFrom(...OPENERS, 'a plain text line', ''), {
      minLength: 1,
      maxLength: 6,
    });
    // Records only: a CloudWatch Logs payload among the samples comes out as its messages, not as itself.
    const records = SAMPLES.records.filter((r) => !isCloudWatchPayload(JSON.parse(r.json) as JsonObject));
    const valid = fc.array(fc.constantFrom(...records.map((r) => r.json)), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(junk, valid, (before, records) => {
        const jsonLines = new Set<number>();
        const splitter = new ItemSplitter(
          {
            json: (_record, location) => jsonLines.add(location.line ?? 0),
            text: () => undefined,
            invalid: () => undefined,
            skip: () => undefined,
          },
          { input: 'fuzz', maxDocumentChars: MESSAGE_CHARS },
        );
        const lines = [...before, ...records];
        lines.forEach((l, i) => {
          splitter.line(l, i + 1);
        });
        splitter.end();
        // No document can close on or after a balanced record line, so each must come out on its own.
        const lost = records.map((_, i) => before.length + i + 1).filter((n) => !jsonLines.has(n));
        expect(
          lost,
          `lines ${lost.join(', ')} of ${JSON.stringify(before)} + ${records.length} records`,
        ).toEqual([]);
      }),
      fuzzParameters(200, 0.01),
    );
  });

  /** Adversarial messages of about `chars` characters, by name. */
  const ADVERSARIAL: ReadonlyArray<readonly [string, (chars: number) => string]> = [
    ['opener lines', (n) => fill('', '[\n', n)],
    ['envelope openers', (n) => fill('', '{"records":[\n', n)],
    ['unbalanced quotes', (n) => fill('', '{"a":"\n', n)],
    ['closers', (n) => fill('', ']}\n', n)],
    ['one deep line', (n) => fill('', '[', n)],
    ['one deep valid line', (n) => `${'['.repeat(n / 2)}${']'.repeat(n / 2)}`],
    ['a deep pretty document', (n) => deep(Math.floor(n / 6), true, true)],
    ['a pretty envelope', (n) => fill('{"records":[\n', '{"x":1},\n', n, '{"x":2}\n]}')],
    ['a truncated pretty envelope', (n) => fill('{"records":[\n', '{"x":1},\n', n)],
    ['backslashes in a string', (n) => fill('{"a":"', '\\', n, '"}')],
    ['JSON lines', (n) => fill('', `${SAMPLES.records[0]?.json ?? '{}'}\n`, n)],
    ['text lines', (n) => fill('', `${SAMPLES.lines[0]?.line ?? 'x'}\n`, n)],
    ['blank lines', (n) => fill('', ' \r\n', n)],
  ];

  it.each(ADVERSARIAL)('splits and decodes %s in time linear in the message size', (_name, make) => {
    normalizeChecked(make(100_000), 'auto', undefined);
    // Timed without the checks, whose cost per message would blur the comparison.
    const decode = (text: string): void => {
      const normalizer = new Normalizer(
        SOURCE_DECODERS,
        { format: 'auto', maxDeadLetters: 20 },
        () => undefined,
      );
      decodeText(text, normalizer, {
        input: 'fuzz',
        fallbackTimeMs: undefined,
        referenceTimeMs: REFERENCE_MS,
        maxDocumentChars: MESSAGE_CHARS,
      });
    };
    const growth = superlinearGrowth(decode, make);
    expect(
      growth,
      `100 KB took ${growth?.largeMs} ms, 100 × 1 KB took ${growth?.smallBatchMs} ms`,
    ).toBeUndefined();
  });
});
