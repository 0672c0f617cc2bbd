import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokensOf } from '../../../../lib/sources/firewalls/awsVpcFlow.js';
import {
  isFlowCounter,
  splitFlowTuple,
  tuplePort,
} from '../../../../lib/sources/microsoft-azure/azurePlatform.js';
import { isAddressText } from '../../../../lib/sources/pipeline/FieldReader.js';
import {
  isCanonicalIso,
  isoFromEpochSeconds,
  isoFromMillis,
  millisOfIso,
  toPort,
} from '../../../../lib/sources/pipeline/fields.js';

/**
 * Readers that every row passes through are written as loops over character codes instead of
 * regular expressions. Each is held here to the pattern it replaced, which stays its definition.
 */

const SEED = 20261129;
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

/** Strings over an alphabet that sits on the patterns' edges, of lengths around their bounds. */
const textOver = (alphabet: string, maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { maxLength }).map((chars) => chars.join(''));
const edgy = (alphabet: string, maxLength: number) =>
  fc.oneof(textOver(alphabet, maxLength), fc.string({ maxLength }), fc.ipV4(), fc.ipV6());

const definitions = {
  isAddressText: (text: string): boolean => {
    const percent = text.indexOf('%');
    const address = percent < 0 ? text : text.slice(0, percent);
    if (!/^[0-9A-Fa-f.:]{2,45}$/.test(address) || (address.indexOf('.') < 0 && address.indexOf(':') < 0))
      return false;
    return percent < 0 || /^[A-Za-z0-9_.-]{1,32}$/.test(text.slice(percent + 1));
  },
  tuplePort: (value: string): number | undefined => (/^\d{1,5}$/.test(value) ? toPort(value) : undefined),
  isFlowCounter: (value: string): boolean => /^\d{0,20}$/.test(value),
  isoFromEpochSeconds: (text: string): string | undefined => {
    const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
    if (m === null) return undefined;
    return isoFromMillis(Number(m[1]) * 1000 + Number((m[2] ?? '').slice(0, 3).padEnd(3, '0')));
  },
};

describe('Readers in place: equal to the patterns they replace', () => {
  it('isAddressText', () => {
    fc.assert(
      fc.property(edgy('0123456789abcdefABCDEFgG.:%_- ', 50), (text) => {
        expect(isAddressText(text)).toBe(definitions.isAddressText(text));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect([
      isAddressText('::'),
      isAddressText('1.'),
      isAddressText('fe80::1%eth0'),
      isAddressText('ab'),
    ]).toEqual([true, true, true, false]);
  });

  it('tuplePort and isFlowCounter', () => {
    fc.assert(
      fc.property(edgy('0123456789+-. x', 22), (text) => {
        expect(tuplePort(text)).toBe(definitions.tuplePort(text));
        expect(isFlowCounter(text)).toBe(definitions.isFlowCounter(text));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect([tuplePort('65535'), tuplePort('65536'), tuplePort('007'), tuplePort('')]).toEqual([
      65535,
      undefined,
      7,
      undefined,
    ]);
  });

  it('isoFromEpochSeconds', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          edgy('0123456789. \t', 16),
          fc.integer({ min: 0, max: 999_999_999_999 }).map(String),
          fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }).map(String),
        ),
        (text) => {
          expect(isoFromEpochSeconds(text)).toBe(definitions.isoFromEpochSeconds(text));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('millisOfIso and isCanonicalIso', () => {
    // ISO text as toISOString writes it, with one character or one field pushed off its range.
    const iso = fc
      .integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 })
      .map((ms) => new Date(ms).toISOString());
    const edited = fc
      .tuple(iso, fc.nat(23), fc.constantFrom(...'0123456789:-.TZtz +'.split('')))
      .map(([text, at, c]) => text.slice(0, at) + c + text.slice(at + 1));
    const fields = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 999 }),
      )
      .map(
        ([y, mo, d, h, mi, s, ms]) =>
          `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}Z`,
      );
    fc.assert(
      fc.property(fc.oneof(iso, edited, fields, fc.string({ maxLength: 30 })), (text) => {
        expect(millisOfIso(text)).toBe(Date.parse(text));
        // Canonical: the shape, years from 1000, and an instant toISOString writes back the same way.
        const ms = Date.parse(text);
        expect(isCanonicalIso(text)).toBe(
          /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text) &&
            Number.isFinite(ms) &&
            new Date(ms).toISOString() === text,
        );
      }),
      { seed: SEED, numRuns: RUNS * 5 },
    );
    expect(millisOfIso('2024-02-29T23:59:59.999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });

  it('isoFromMillis', () => {
    const inRange = fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 });
    // Runs of nearby times (a stream's rows share their day), whole and fractional, and the range's ends.
    const times = fc.oneof(
      inRange,
      fc
        .tuple(inRange, fc.array(fc.integer({ min: -3_000, max: 90_000_000 }), { maxLength: 20 }))
        .map(([start, steps]) => steps.map((d) => start + d)),
      fc.double({ min: -62_167_219_200_000, max: 253_402_300_799_999, noNaN: true }),
      fc.constantFrom(
        -62_167_219_200_000,
        253_402_300_799_999,
        0,
        -0,
        -1,
        86_399_999,
        86_400_000,
        -86_400_000,
      ),
    );
    fc.assert(
      fc.property(times, (t) => {
        for (const ms of Array.isArray(t) ? t : [t]) {
          const expected =
            ms >= -62_167_219_200_000 && ms <= 253_402_300_799_999 ? new Date(ms).toISOString() : undefined;
          expect(isoFromMillis(ms)).toBe(expected);
        }
      }),
      { seed: SEED, numRuns: RUNS * 5 },
    );
  });

  it('tokensOf', () => {
    fc.assert(
      fc.property(edgy('ab1 -.\t', 40), (text) => {
        expect(tokensOf(text)).toEqual(text.split(' ').filter((token) => token !== ''));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('splitFlowTuple', () => {
    const counts = fc.constantFrom<number[]>([8, 13], [8], [3], [1, 2]);
    fc.assert(
      fc.property(
        fc.oneof(edgy('0123456789,ABDTIO.', 60), fc.string({ maxLength: 600 })),
        counts,
        (text, fieldCounts) => {
          const expected =
            text.length <= 512 && fieldCounts.includes(text.split(',').length) ? text.split(',') : undefined;
          expect(splitFlowTuple(text, fieldCounts)).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
