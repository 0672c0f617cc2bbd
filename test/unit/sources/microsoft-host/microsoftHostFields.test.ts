import { describe, expect, it } from 'vitest';
import {
  HOST_FIELDS,
  isTrue,
  pickEventTime,
  readEventData,
  toHostname,
} from '../../../../lib/sources/microsoft-host/microsoftHostFields.js';
import { FieldReader, ownValue } from '../../../../lib/sources/pipeline/FieldReader.js';
import { type DecodeContext, StreamState } from '../../../../lib/sources/pipeline/types.js';

function context(fallbackTimeMs?: number): DecodeContext {
  return { fallbackTimeMs, referenceTimeMs: 0, stream: new StreamState() };
}

describe('Module: microsoftHostFields', () => {
  describe('FieldReader', () => {
    it('returns absent values as undefined without a problem unless they are required', () => {
      const reader = new FieldReader(HOST_FIELDS);
      expect(reader.port(undefined, 'A')).toBeUndefined();
      expect(reader.address(' - ', 'B')).toBeUndefined();
      expect(reader.text('   ', 'C')).toBeUndefined();
      expect(reader.problem).toBeUndefined();
      expect(reader.port(null, 'DestPort', { required: true })).toBeUndefined();
      expect(reader.problem).toEqual({ reason: 'missing DestPort', detail: 'DestPort is absent or empty' });
    });

    it('keeps only the first problem', () => {
      const reader = new FieldReader(HOST_FIELDS);
      reader.port('x', 'First');
      reader.port('y', 'Second');
      expect(reader.problem?.reason).toBe('invalid First');
    });

    it.each([
      ['443', 443],
      [443, 443],
      ['443.0', 443],
      [' 0 ', 0],
      [65535, 65535],
    ])('reads port %j as %i', (value, expected) => {
      const reader = new FieldReader(HOST_FIELDS);
      expect(reader.port(value, 'P')).toBe(expected);
      expect(reader.problem).toBeUndefined();
    });

    it.each([[65536], [-1], [1.5], ['0x50'], [true], [{}], [[80]], ['1'.repeat(30)]])(
      'reports port %j as invalid',
      (value) => {
        const reader = new FieldReader(HOST_FIELDS);
        expect(reader.port(value, 'P')).toBeUndefined();
        expect(reader.problem?.reason).toBe('invalid P');
      },
    );

    it.each([
      '203.0.113.45',
      '::',
      '::ffff:10.1.0.9',
      'fe80::1%12',
      'fe80:0:0:0:1c2b:3d4e:5f60:7a8b',
      '0.0.0.0',
    ])('accepts address %s as written', (value) => {
      const reader = new FieldReader(HOST_FIELDS);
      expect(reader.address(` ${value} `, 'A')).toBe(value);
      expect(reader.problem).toBeUndefined();
    });

    it.each(['10.0.0.1 10.0.0.2', '<b>', '10.0.0.1\u0000', 'a'.repeat(65), 'ü.example', 42])(
      'reports address %j as invalid with a bounded detail',
      (value) => {
        const reader = new FieldReader(HOST_FIELDS);
        expect(reader.address(value, 'A')).toBeUndefined();
        expect(reader.problem?.reason).toBe('invalid A');
        expect(reader.problem?.detail.length).toBeLessThanOrEqual(90);
      },
    );

    it('bounds text length and rejects control characters', () => {
      const reader = new FieldReader(HOST_FIELDS);
      expect(reader.text('web01', 'T', { maxChars: 5 })).toBe('web01');
      expect(reader.text(1234, 'N')).toBe('1234');
      expect(reader.text('web012', 'T', { maxChars: 5 })).toBeUndefined();
      expect(reader.problem?.reason).toBe('invalid T');
      const other = new FieldReader(HOST_FIELDS);
      other.text('a\tb', 'U');
      expect(other.problem?.detail).toBe('U: a\\x09b');
    });
  });

  describe('pickEventTime', () => {
    it('takes the first present candidate and truncates to milliseconds', () => {
      const reader = new FieldReader(HOST_FIELDS);
      const time = pickEventTime(
        reader,
        [
          [undefined, 'Timestamp'],
          ['', 'TimeCreated'],
          ['2025-11-20T10:15:32.1234567Z', 'TimeGenerated'],
          ['2025-11-20T10:00:00Z', 'time'],
        ],
        context(),
      );
      expect(time).toBe('2025-11-20T10:15:32.123Z');
    });

    it('does not fall through past a present but unreadable candidate', () => {
      const reader = new FieldReader(HOST_FIELDS);
      const time = pickEventTime(
        reader,
        [
          ['garbage', 'Timestamp'],
          ['2025-11-20T10:00:00Z', 'TimeGenerated'],
        ],
        context(),
      );
      expect(time).toBeUndefined();
      expect(reader.problem?.reason).toBe('invalid Timestamp');
    });

    it('falls back to the enqueued time, else gives undefined', () => {
      expect(
        pickEventTime(new FieldReader(HOST_FIELDS), [[null, 'T']], context(Date.UTC(2025, 10, 20))),
      ).toBe('2025-11-20T00:00:00.000Z');
      expect(pickEventTime(new FieldReader(HOST_FIELDS), [[null, 'T']], context())).toBeUndefined();
    });
  });

  describe('readEventData', () => {
    it('reads an object, its JSON text and event XML by name', () => {
      const fromObject = readEventData({ SourcePort: '1' });
      const fromJson = readEventData(' {"SourcePort":"1"} ');
      const fromXml = readEventData('<EventData>\r\n  <Data Name="SourcePort">1</Data>\r\n</EventData>');
      for (const lookup of [fromObject, fromJson, fromXml]) {
        expect(typeof lookup).toBe('function');
        if (typeof lookup === 'function') {
          expect(lookup('SourcePort')).toBe('1');
          expect(lookup('sourceport')).toBeUndefined();
          expect(lookup('constructor')).toBeUndefined();
        }
      }
    });

    it.each([[undefined], [null], ['  ']])('reports %j as absent', (value) => {
      expect(readEventData(value)).toBe('absent');
    });

    it.each([
      [42],
      [[1]],
      ['plain text'],
      ['{"a":'],
      ['[1,2]'],
      ['<EventData></EventData>'],
      ['<Data Name="A">unclosed'],
    ])('reports %j as malformed', (value) => {
      expect(readEventData(value)).toBe('malformed');
    });
  });

  describe('small helpers', () => {
    it('reads only own properties', () => {
      const record = JSON.parse('{"__proto__":{"x":1},"y":2}') as Record<string, unknown>;
      expect(ownValue(record, 'x')).toBeUndefined();
      expect(ownValue(record, 'y')).toBe(2);
      expect(ownValue({}, 'toString')).toBeUndefined();
    });

    it.each([
      ['web01.contoso.com', 'web01'],
      ['web01', 'web01'],
      [undefined, undefined],
    ])('takes the host name of %s', (name, expected) => {
      expect(toHostname(name)).toBe(expected);
    });

    it.each([
      [true, true],
      ['true', true],
      ['TRUE', true],
      ['1', true],
      [1, true],
      [false, false],
      ['false', false],
      ['yes', false],
      [undefined, false],
      [0, false],
    ])('reads %j as boolean %s', (value, expected) => {
      expect(isTrue(value)).toBe(expected);
    });
  });
});
