import { describe, expect, it } from 'vitest';
import {
  FieldProblem,
  FieldReader,
  isAbsent,
  isAddressText,
  isJsonObject,
  ownValue,
} from '../../../../lib/sources/pipeline/FieldReader.js';
import { toFlag } from '../../../../lib/sources/sensors/sensorFields.js';

describe('Module: FieldReader', () => {
  describe('small checks', () => {
    it('reads own properties only', () => {
      const record = JSON.parse('{"__proto__":{"x":1},"y":2}') as Record<string, unknown>;
      expect(ownValue(record, 'x')).toBeUndefined();
      expect(ownValue(record, 'y')).toBe(2);
      expect(ownValue({}, 'constructor')).toBeUndefined();
    });

    it.each([
      [{}, true],
      [{ a: 1 }, true],
      [[], false],
      [null, false],
      ['{}', false],
    ])('tells whether %j is a JSON object', (value, expected) => {
      expect(isJsonObject(value)).toBe(expected);
    });

    it.each([
      [undefined, true],
      [null, true],
      [' \t', true],
      ['-', false],
      [0, false],
      [false, false],
    ])('tells whether %j is absent', (value, expected) => {
      expect(isAbsent(value)).toBe(expected);
    });

    it.each(['203.0.113.1', '2001:db8::1', '::ffff:203.0.113.1', 'fe80::1%eth0', '::1', 'fe80::1%12'])(
      'accepts the address text %s',
      (text) => {
        expect(isAddressText(text)).toBe(true);
      },
    );

    // `beef%eth0.1`: the Azure copy of this check looked for the dot in the whole text, zone included.
    it.each(['host.example', '12345', 'abc', '1.2.3.4 ', '1.2.3.4%', '<1.2.3.4>', 'beef%eth0.1', 'ab%x.y'])(
      'rejects the address text %j',
      (text) => {
        expect(isAddressText(text)).toBe(false);
      },
    );
  });

  describe('FieldReader', () => {
    it('keeps the first problem, from its own readers or from fail', () => {
      const reader = new FieldReader();
      expect(reader.fail('invalid port', 'p: x')).toBeUndefined();
      expect(reader.port('y', 'q')).toBeUndefined();
      expect(reader.text('kept', 'r')).toBe('kept');
      expect(reader.problem).toEqual(new FieldProblem('invalid port', 'p: x'));
    });

    it('names the kind of a malformed value to a policy that words problems by kind', () => {
      const kinds: string[] = [];
      const policy = {
        maxTextChars: 3,
        rejectControlCharacters: true,
        describeMalformed: (kind: string, field: string) => {
          kinds.push(kind);
          return new FieldProblem(`bad ${kind}`, field);
        },
      };
      const reads: Array<(r: FieldReader) => unknown> = [
        (r) => r.text(true, 'a'),
        (r) => r.text('abcd', 'b'),
        (r) => r.text('a\u0001', 'c'),
        (r) => r.address('x', 'd'),
        (r) => r.port('70000', 'e'),
        (r) => r.integer('x', 'f'),
        (r) => r.time('yesterday', 'g'),
        (r) => r.invalid('h', 1),
      ];
      for (const read of reads) {
        const reader = new FieldReader(policy);
        expect(read(reader)).toBeUndefined();
        expect(reader.problem?.reason).toBe(`bad ${kinds[kinds.length - 1]}`);
      }
      expect(kinds).toEqual(['type', 'length', 'control', 'address', 'port', 'integer', 'time', 'value']);
    });

    it('reports its first problem to a sink, and nothing when the fields were good', () => {
      const reported: string[] = [];
      const out = {
        record: () => undefined,
        skip: () => undefined,
        note: () => undefined,
        invalid: (r: string) => reported.push(r),
      };
      const good = new FieldReader();
      good.port('22', 'p');
      expect(good.reportTo(out)).toBe(false);
      const bad = new FieldReader();
      bad.port('x', 'p');
      bad.port('y', 'q');
      expect(bad.reportTo(out)).toBe(true);
      expect(reported).toEqual(['invalid p']);
    });

    it('words missing and invalid fields by its policy', () => {
      const plain = new FieldReader();
      plain.port(undefined, 'DestPort', { required: true });
      expect(plain.problem).toEqual({ reason: 'missing DestPort', detail: 'DestPort is absent or empty' });
      const sensor = new FieldReader({ missingDetail: 'is absent' });
      sensor.address(null, 'id.orig_h', { required: true });
      expect(sensor.problem).toEqual({ reason: 'missing id.orig_h', detail: 'id.orig_h is absent' });
      const short = new FieldReader({ excerptChars: 5 });
      short.port('1234567', 'P');
      expect(short.problem).toEqual({ reason: 'invalid P', detail: 'P: 12345…' });
    });

    it('bounds text and control characters only when the policy or the call says so', () => {
      const plain = new FieldReader();
      expect(plain.text(`a\tb${'x'.repeat(300)}`, 'T')).toHaveLength(303);
      expect(plain.text('abcdef', 'T', { maxChars: 5 })).toBeUndefined();
      const strict = new FieldReader({ maxTextChars: 3, rejectControlCharacters: true });
      expect(strict.text(' abc ', 'T')).toBe('abc');
      expect(strict.text('a\tb', 'U')).toBeUndefined();
      expect(strict.problem).toEqual({ reason: 'invalid U', detail: 'U: a\\x09b' });
    });

    it('checks addresses by the policy, with its "no address" text', () => {
      const plain = new FieldReader();
      expect(plain.address(' 10.0.0.1 ', 'A')).toBe('10.0.0.1');
      expect(plain.address('-', 'A')).toBeUndefined();
      expect(plain.problem?.reason).toBe('invalid A');
      const windows = new FieldReader({ noAddressText: '-', isAddress: (text) => text === 'any' });
      expect(windows.address(' - ', 'A', { required: true })).toBeUndefined();
      expect(windows.problem?.reason).toBe('missing A');
      expect(new FieldReader({ isAddress: (text) => text === 'any' }).address('any', 'A')).toBe('any');
    });

    it('reads integers within bounds, times and values through any parser', () => {
      const reader = new FieldReader();
      expect(reader.integer('6', 'protocol', { min: 0, max: 255 })).toBe(6);
      expect(reader.time('2025-11-20 10:19:01.4089', 'time')).toBe('2025-11-20T10:19:01.408Z');
      expect(reader.read('F', 'local_orig', toFlag)).toBe(false);
      expect(reader.problem).toBeUndefined();
      expect(reader.integer(256, 'protocol', { min: 0, max: 255 })).toBeUndefined();
      expect(reader.problem?.detail).toBe('protocol: 256');
    });
  });
});
