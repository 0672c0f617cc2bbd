import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parseAdditionalExtensions } from '../../lib/sources/formats/cef.js';
import { SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import type { DecodeContext, JsonObject, SourceDecoder } from '../../lib/sources/pipeline/types.js';
import {
  CollectingSink,
  checkOutcomes,
  defineOwn,
  FUZZ_TIMEOUT_MS,
  fill,
  fixtureSamples,
  freshContext,
  fuzzParameters,
  type Growth,
  IS_LONG_RUN,
  MAX_GROWTH_RATIO,
  parseRecord,
  superlinearGrowth,
  TEXT_FRAGMENTS,
} from '../support/fuzzInputs.js';

/** Registers nothing: the property does not apply to this decoder (no JSON side, no text side, no sample). */
const itNotApplicable = (_name: string, _test: () => void, _timeoutMs?: number): void => undefined;

/**
 * Decoding time must grow linearly with the input, whatever an attacker writes into it: a
 * catastrophic regular expression or a rescan from every position turns a 4 MB line into minutes
 * of CPU. Each check decodes one 100 KB adversarial input (a real line or record with a filler of
 * parser-relevant fragments repeated inside it) and the same amount of text as 100 inputs of 1 KB,
 * back to back, best of three CPU times: the ratio is about 1 for a linear decoder whatever the machine's
 * speed or load, and about 100 for a quadratic one. A 100 KB decode under 2 ms passes at once.
 */

// The long run (`npm run fuzz`) takes minutes per property; the short run keeps the default timeout.
if (FUZZ_TIMEOUT_MS !== undefined) vi.setConfig({ testTimeout: FUZZ_TIMEOUT_MS });

const SAMPLES = fixtureSamples();

/** A line of a text fixture with the header lines before it, which a stream reads first. */
interface TextCase {
  readonly origin: string;
  readonly header: readonly string[];
  readonly line: string;
}

/** Up to `perStream` claimed lines of every text fixture the decoder reads, each with its header. */
function textCases(decoder: SourceDecoder, perStream: number): TextCase[] {
  const cases: TextCase[] = [];
  for (const stream of SAMPLES.streams) {
    const ctx = freshContext(undefined);
    const sink = new CollectingSink();
    let taken = 0;
    for (let i = 0; i < stream.lines.length && taken < perStream; i++) {
      const line = stream.lines[i] ?? '';
      if (decoder.matchText?.(line, ctx) !== true) continue;
      decoder.decodeText?.(line, sink, ctx);
      if (line.startsWith('#')) continue;
      cases.push({ origin: stream.origin, header: stream.lines.slice(0, i), line });
      taken++;
    }
  }
  return cases;
}

function decodeLine(decoder: SourceDecoder, header: readonly string[], line: string): void {
  const ctx: DecodeContext = freshContext(Date.UTC(2025, 10, 20));
  const sink = new CollectingSink();
  for (const h of header) if (decoder.matchText?.(h, ctx) === true) decoder.decodeText?.(h, sink, ctx);
  decoder.matchText?.(line, ctx);
  decoder.decodeText?.(line, sink, ctx);
  checkOutcomes(sink.outcomes);
}

/** The string and array fields of a record, by path, with their values. */
function fieldPaths(record: JsonObject): Array<readonly (string | number)[]> {
  const paths: Array<readonly (string | number)[]> = [];
  const stack: Array<readonly [unknown, readonly (string | number)[]]> = [[record, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as readonly [unknown, readonly (string | number)[]];
    if (typeof value === 'string' || Array.isArray(value)) paths.push(path);
    if (value !== null && typeof value === 'object')
      for (const [key, child] of Object.entries(value))
        stack.push([child, [...path, Array.isArray(value) ? Number(key) : key]]);
  }
  return paths.filter((p) => p.length > 0);
}

/**
 * The record with the field at `path` grown to about `chars` characters: a string gets the filler
 * repeated at `position` (a fraction of its length); an array gets its first element repeated, with
 * the filler inside each copy when it is a string.
 */
function grow(
  record: JsonObject,
  path: readonly (string | number)[],
  filler: string,
  position: number,
  chars: number,
): JsonObject {
  let parent: Record<string | number, unknown> = record;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  const value = parent[key];
  let grown: unknown;
  if (typeof value === 'string') {
    const at = Math.floor(value.length * position);
    grown = fill(value.slice(0, at), filler, chars, value.slice(at));
  } else if (Array.isArray(value) && value.length > 0) {
    const first: unknown = value[0];
    const element =
      typeof first === 'string'
        ? `${first.slice(0, Math.floor(first.length * position))}${filler.repeat(4)}${first.slice(Math.floor(first.length * position))}`
        : first;
    const size = Math.max(8, JSON.stringify(element)?.length ?? 8);
    grown = Array.from({ length: Math.ceil(chars / size) }, () => element);
  } else grown = fill('', filler, chars);
  if (Array.isArray(parent)) parent[key as number] = grown;
  else defineOwn(parent, String(key), grown);
  return record;
}

function describeGrowth(what: string, growth: Growth): string {
  return `${what}: 100 KB took ${growth.largeMs.toFixed(1)} ms, 100 × 1 KB took ${growth.smallBatchMs.toFixed(1)} ms (ratio ${growth.ratio.toFixed(1)})`;
}

/** A filler: one to three fragments (CEF separators, escapes, `=` runs, quotes, tags, headers…). */
const filler = fc
  .array(fc.constantFrom(...TEXT_FRAGMENTS), { minLength: 1, maxLength: 3 })
  .map((f) => f.join(''));

describe('Fuzz: the growth check', () => {
  it('flags a quadratic scan and passes the linear one that replaced it', () => {
    // parseAdditionalExtensions before the fuzzer found it: a search to the end of the text per `;`.
    let found = 0;
    const quadratic = (text: string): void => {
      for (let start = 0; start <= text.length; ) {
        const end = text.indexOf(';', start);
        if (text.indexOf('=', start) > start) found++;
        start = (end < 0 ? text.length : end) + 1;
      }
    };
    const make = (chars: number): string => fill('x=', ';', chars);
    // A scan by indexOf runs at memory speed, so at the default 100 KB against 1 KB this quadratic
    // measures only about 23 (its per-call cost weighs on the small inputs): 300 KB gives about 65.
    expect(superlinearGrowth(quadratic, make, { largeChars: 300_000 })?.ratio).toBeGreaterThan(
      MAX_GROWTH_RATIO,
    );
    expect(superlinearGrowth((text: string) => parseAdditionalExtensions(text), make)).toBeUndefined();
    expect(found).toBeGreaterThan(0);
  });
});

describe('Fuzz: decoding time grows linearly with the input', () => {
  describe.each(SOURCE_DECODERS.map((d) => [d.name, d] as const))('%s', (_name, decoder) => {
    const lines = decoder.decodeText === undefined ? [] : textCases(decoder, IS_LONG_RUN ? 4 : 1);
    const records =
      decoder.decodeJson === undefined
        ? []
        : SAMPLES.records.filter((r) => decoder.matchJson?.(parseRecord(r)));

    (lines.length > 0 ? it : itNotApplicable)(
      'reads a long line in linear time, every fragment repeated at its end and middle',
      () => {
        const slow: string[] = [];
        for (const c of lines.slice(0, IS_LONG_RUN ? lines.length : 2)) {
          for (const fragment of TEXT_FRAGMENTS) {
            for (const position of [1, 0.5]) {
              const at = Math.floor(c.line.length * position);
              const growth = superlinearGrowth<string>(
                (line) => decodeLine(decoder, c.header, line),
                (chars) => fill(c.line.slice(0, at), fragment, chars, c.line.slice(at)),
              );
              if (growth !== undefined)
                slow.push(describeGrowth(`${c.origin}, ${JSON.stringify(fragment)} at ${position}`, growth));
            }
          }
        }
        expect(slow).toEqual([]);
      },
    );

    (lines.length > 0 ? it : itNotApplicable)('reads a long line in linear time, any filler anywhere', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...lines),
          filler,
          fc.double({ min: 0, max: 1, noNaN: true }),
          (c, f, position) => {
            const at = Math.floor(c.line.length * position);
            const growth = superlinearGrowth<string>(
              (line) => decodeLine(decoder, c.header, line),
              (chars) => fill(c.line.slice(0, at), f, chars, c.line.slice(at)),
            );
            if (growth !== undefined) throw new Error(describeGrowth(c.origin, growth));
          },
        ),
        fuzzParameters(40, 0.02),
      );
    });

    (records.length > 0 ? it : itNotApplicable)('reads a record with one long field in linear time', () => {
      const cases = records.map((r) => ({ origin: r.origin, record: r, paths: fieldPaths(parseRecord(r)) }));
      fc.assert(
        fc.property(
          fc.constantFrom(...cases),
          fc.nat(),
          filler,
          fc.double({ min: 0, max: 1, noNaN: true }),
          (c, pathIndex, f, position) => {
            const path = c.paths[pathIndex % c.paths.length];
            if (path === undefined) return;
            // Built once per size, outside the measurement: the decoder's time is what counts.
            const decode = (record: JsonObject): void => {
              const sink = new CollectingSink();
              decoder.matchJson?.(record);
              decoder.decodeJson?.(record, sink, freshContext(Date.UTC(2025, 10, 20)));
              checkOutcomes(sink.outcomes);
            };
            const make = (chars: number): JsonObject => grow(parseRecord(c.record), path, f, position, chars);
            const growth = superlinearGrowth(decode, make, {
              sizeOf: (record) => JSON.stringify(record)?.length ?? 0,
            });
            if (growth !== undefined)
              throw new Error(describeGrowth(`${c.origin} ${path.join('.')}`, growth));
          },
        ),
        fuzzParameters(60, 0.02),
      );
    });
  });
});
