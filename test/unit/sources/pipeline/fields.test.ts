import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NETWORK_SESSION_FIELD_ORDER } from '../../../../lib/schema/NetworkSession.js';
import { isoFromDeviceTime } from '../../../../lib/sources/firewalls/commonSecurityLog.js';
import {
  excerpt,
  isoFromDateString,
  isoFromEpochMillis,
  isoFromEpochSeconds,
  isoFromMillis,
  makeSession,
  makeSessionInSchemaOrder,
  type SessionFields,
} from '../../../../lib/sources/pipeline/fields.js';
import { nestedArray, nestedObject } from '../../../support/fuzzInputs.js';

describe('Conversions: fields', () => {
  describe('excerpt', () => {
    it('cuts JSON text and shows control characters as escapes', () => {
      expect(excerpt({ a: 'x'.repeat(100) }, 10)).toBe('{"a":"xxxx…');
      expect(excerpt('a\u0000b\u001b')).toBe('a\\x00b\\x1b');
    });

    it.each([
      ['an array nested 100 000 deep', nestedArray(100_000, 1), '[array]'],
      ['an object nested 100 000 deep', nestedObject(100_000, 'a', 1), '[object]'],
      ['a bigint', 10n, '[bigint]'],
    ])('names %s by its type instead of throwing', (_label, value, expected) => {
      expect(excerpt(value)).toBe(expected);
    });
  });

  describe('isoFromDateString', () => {
    it.each([
      ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
      ['0099-12-31 23:59:59.5', '0099-12-31T23:59:59.500Z'],
      ['0001-01-01T00:00:00', '0001-01-01T00:00:00.000Z'],
      ['0000-01-01T01:00:00+01:00', '0000-01-01T00:00:00.000Z'],
      ['2024-02-29 12:00', '2024-02-29T12:00:00.000Z'],
      ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ])('keeps the year and the day of %s', (value, expected) => {
      expect(isoFromDateString(value)).toBe(expected);
    });

    it.each([
      '2025-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2025-04-31 10:00',
      '2025-13-01T00:00:00Z',
      '2025-00-10T00:00:00Z',
      '2025-01-00T00:00:00Z',
      '0050-02-30T00:00:00Z',
    ])('gives no time for the date that does not exist in %s', (value) => {
      expect(isoFromDateString(value)).toBeUndefined();
    });
  });

  describe('isoFromEpochSeconds', () => {
    it.each([
      [1740823499.9999998, '2025-03-01T10:04:59.999Z'],
      [1740823499.9996, '2025-03-01T10:04:59.999Z'],
      ['1740823499.9999999999999', '2025-03-01T10:04:59.999Z'],
      [1591367999.306, '2020-06-05T14:39:59.306Z'],
      [1740823205, '2025-03-01T10:00:05.000Z'],
    ])('truncates %s to the millisecond without rounding into the next second', (value, expected) => {
      expect(isoFromEpochSeconds(value)).toBe(expected);
    });

    it.each([[-1], [1e-7], [Number.NaN], [1e21], ['1.5e9'], ['-5']])('gives no time for %s', (value) => {
      expect(isoFromEpochSeconds(value)).toBeUndefined();
    });
  });

  describe('times past the four-digit years', () => {
    it('keeps the first and the last instant that toISOString writes with four digits', () => {
      expect(isoFromMillis(-62_167_219_200_000)).toBe('0000-01-01T00:00:00.000Z');
      expect(isoFromMillis(253_402_300_799_999)).toBe('9999-12-31T23:59:59.999Z');
    });

    it.each([
      ['one millisecond after 9999', () => isoFromMillis(253_402_300_800_000)],
      ['one millisecond before year 0', () => isoFromMillis(-62_167_219_200_001)],
      ['the last instant a Date holds', () => isoFromMillis(8.64e15)],
      ['an offset that pushes 9999-12-31 into 10000', () => isoFromDateString('9999-12-31T23:59:59-23:59')],
      ['12 digits of epoch seconds', () => isoFromEpochSeconds('999999999999')],
      ['15 digits of epoch milliseconds', () => isoFromEpochMillis('999999999999999')],
      ['a CEF date with an offset past 9999', () => isoFromDeviceTime('Dec 31 9999 23:59:59 -23:59')],
    ])('gives no time for %s, which would not be a NetworkSession time', (_label, read) => {
      expect(read()).toBeUndefined();
    });
  });

  describe('makeSession', () => {
    it('writes the fields a decoder gives, in any order, as the schema orders them', () => {
      const value = fc.oneof(fc.constant(undefined), fc.constant(''), fc.string(), fc.integer());
      const fields = fc
        .tuple(
          fc.shuffledSubarray([...NETWORK_SESSION_FIELD_ORDER, 'NotAField', 'Another']),
          fc.array(value, { minLength: 80, maxLength: 80 }),
          fc.boolean(),
        )
        .map(([keys, values, sorted]) => {
          const order = sorted
            ? [...keys].sort(
                (a, b) =>
                  NETWORK_SESSION_FIELD_ORDER.indexOf(a as never) -
                  NETWORK_SESSION_FIELD_ORDER.indexOf(b as never),
              )
            : keys;
          const out: Record<string, unknown> = { TimeGenerated: '2026-11-02T08:00:00.000Z' };
          if (sorted) delete out.TimeGenerated;
          order.forEach((key, i) => {
            out[key] = values[i % values.length];
          });
          return out as SessionFields & { TimeGenerated: string };
        });
      fc.assert(
        fc.property(fields, (f) => {
          const row = makeSession(f);
          const expected = makeSessionInSchemaOrder(f);
          expect(row).toEqual(expected);
          expect(Object.keys(row)).toEqual(Object.keys(expected));
        }),
        { seed: 20261129, numRuns: 2000 },
      );
      // The schema's own order: the first key is never looked up elsewhere.
      expect(Object.keys(makeSession({ TimeGenerated: 't', EventCount: 1, DstPortNumber: 22 }))).toEqual(
        Object.keys(makeSessionInSchemaOrder({ DstPortNumber: 22, EventCount: 1, TimeGenerated: 't' })),
      );
    });

    it('writes rows as the schema orders them when a few key orders repeat and interleave', () => {
      // Prepare: a few orders of keys (prefixes of one another, orders that leave the schema's
      // order late, keys no schema has), drawn again and again, so that each meets the order a
      // call before it remembered.
      const schemaOrder = [...NETWORK_SESSION_FIELD_ORDER];
      const orders = [
        schemaOrder.slice(0, 20),
        schemaOrder.slice(0, 12),
        [...schemaOrder.slice(0, 12), ...schemaOrder.slice(14, 20)],
        [...schemaOrder.slice(0, 12), schemaOrder[22] as string, schemaOrder[13] as string],
        [...schemaOrder.slice(0, 6), 'NotAField', ...schemaOrder.slice(6, 10)],
        [schemaOrder[3] as string, ...schemaOrder.slice(0, 3)],
        schemaOrder,
      ];
      const value = fc.oneof(
        fc.constant(undefined),
        fc.constant(''),
        fc.string({ minLength: 1 }),
        fc.integer(),
      );
      const call = fc
        .tuple(fc.nat(orders.length - 1), fc.array(value, { minLength: 30, maxLength: 30 }), fc.boolean())
        .map(([which, values, full]) => {
          const out: Record<string, unknown> = {};
          (orders[which] as string[]).forEach((key, i) => {
            out[key] = full ? `v${i}` : values[i];
          });
          return out as SessionFields & { TimeGenerated: string };
        });
      fc.assert(
        fc.property(fc.array(call, { minLength: 1, maxLength: 30 }), (calls) => {
          // Act and assess: each row is the schema-ordered build of its own fields.
          for (const f of calls) {
            const expected = makeSessionInSchemaOrder(f);
            const row = makeSession(f);
            expect(row).toEqual(expected);
            expect(Object.keys(row)).toEqual(Object.keys(expected));
          }
        }),
        { seed: 20261129, numRuns: 500 },
      );
    });
  });
});
