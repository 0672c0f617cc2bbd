import { describe, expect, it } from 'vitest';
import {
  applyZeekHeaderLine,
  DEFAULT_ZEEK_LAYOUT,
  readZeekHeaderLine,
  readZeekRow,
  unescapeZeek,
  zeekDirectiveOf,
} from '../../../../lib/sources/formats/zeekTsv.js';
import { isoFromEpochMillis, isoFromEpochSeconds } from '../../../../lib/sources/pipeline/fields.js';
import {
  checkIp,
  directionFromLocality,
  isoFromZeekTime,
  SensorFieldReader,
  splitHostPort,
  toFlag,
  trimChar,
} from '../../../../lib/sources/sensors/sensorFields.js';

describe('Module: sensorFields', () => {
  it.each([
    ['198.51.100.23:51234', { host: '198.51.100.23', port: '51234', bracketed: false }],
    ['198.51.100.23', { host: '198.51.100.23', bracketed: false }],
    ['[2001:db8::1]:443', { host: '2001:db8::1', port: '443', bracketed: true }],
    ['[2001:db8::1]', { host: '2001:db8::1', bracketed: true }],
    ['2001:db8::1', { host: '2001:db8::1', bracketed: false }],
    ['::ffff:192.0.2.1', { host: '::ffff:192.0.2.1', bracketed: false }],
    ['', { host: '', bracketed: false }],
  ])('splits %s', (text, expected) => {
    expect(splitHostPort(text)).toEqual(expected);
  });

  it.each([
    ['198.51.100.23', true],
    ['2001:db8::1', true],
    ['fe80::1%eth0', true],
    ['::ffff:192.0.2.1', true],
    ['999.1.1.1', false],
    ['example.com', false],
    ['1.2.3.4 ', false],
    ['%', false],
    [`2001:db8::${'1'.repeat(80)}`, false],
  ])('checks %s as an address: %s', (text, ok) => {
    expect(checkIp(text) !== undefined).toBe(ok);
  });

  it.each([
    [true, true],
    [false, false],
    ['T', true],
    ['F', false],
    [' TRUE ', true],
    ['false', false],
    ['yes', undefined],
    [1, undefined],
    [null, undefined],
  ])('reads the flag %s as %s', (value, expected) => {
    expect(toFlag(value)).toBe(expected);
  });

  it.each([
    [false, true, 'Local', 'Inbound'],
    [true, false, 'Local', 'Outbound'],
    [true, true, 'External', 'Local'],
    [false, false, 'Local', 'Local'],
    [false, false, 'External', 'External'],
    [undefined, true, 'Local', undefined],
    [true, undefined, 'Local', undefined],
  ] as const)('maps locality (%s, %s) with both-remote %s to %s', (orig, resp, bothRemote, expected) => {
    expect(directionFromLocality(orig, resp, bothRemote)).toBe(expected);
  });

  it.each([
    [1591367999.305988, '2020-06-05T14:39:59.305Z'],
    ['1591367999.305988', '2020-06-05T14:39:59.305Z'],
    [1591367999, '2020-06-05T14:39:59.000Z'],
    ['1591367999', '2020-06-05T14:39:59.000Z'],
    [1740823499.9996, '2025-03-01T10:04:59.999Z'],
    [1591367999305, '2020-06-05T14:39:59.305Z'],
    ['1591367999305', '2020-06-05T14:39:59.305Z'],
    ['2020-06-05T14:39:59.3059Z', '2020-06-05T14:39:59.305Z'],
    ['XXXXXXXXXX.XXXXXX', undefined],
    [-1, undefined],
    [Number.NaN, undefined],
    [1e21, undefined],
    [true, undefined],
  ])('reads the Zeek time %s', (value, expected) => {
    expect(isoFromZeekTime(value)).toBe(expected);
  });

  it('truncates epoch seconds without the binary error of multiplying by 1000', () => {
    // 1591367999.306 * 1000 is 1591367999305.9998 in binary floating point.
    expect(isoFromEpochSeconds(1591367999.306)).toBe('2020-06-05T14:39:59.306Z');
    expect(isoFromEpochSeconds('1.5e9')).toBeUndefined();
  });

  it.each([
    [1740823205123, '2025-03-01T10:00:05.123Z'],
    ['1740823205123', '2025-03-01T10:00:05.123Z'],
    ['1740823205123.0', '2025-03-01T10:00:05.123Z'],
    [1740823205123.9, '2025-03-01T10:00:05.123Z'],
    ['2025-03-01', undefined],
    [-5, undefined],
  ])('reads epoch milliseconds %s', (value, expected) => {
    expect(isoFromEpochMillis(value)).toBe(expected);
  });

  it.each([
    ["'allow'", "'", 'allow'],
    ['""x""', '"', 'x'],
    ["'", "'", ''],
    ['a', "'", 'a'],
  ])('trims %s of %s', (text, c, expected) => {
    expect(trimChar(text, c)).toBe(expected);
  });

  describe('SensorFieldReader', () => {
    it('keeps the first problem and reads the remaining fields', () => {
      const record: Record<string, unknown> = { a: 'x', b: 70000, c: '443', d: null, e: '  ' };
      const f = SensorFieldReader.of(record);
      expect(f.ip('a')).toBeUndefined();
      expect(f.port('b')).toBeUndefined();
      expect(f.port('c')).toBe(443);
      expect(f.port('d')).toBeUndefined();
      expect(f.text('e')).toBeUndefined();
      expect(f.problem).toEqual({ reason: 'invalid a', detail: 'a: x' });
    });

    it('reports a missing required field', () => {
      const f = SensorFieldReader.of({});
      expect(f.ip('id.orig_h', true)).toBeUndefined();
      expect(f.problem).toEqual({ reason: 'missing id.orig_h', detail: 'id.orig_h is absent' });
    });

    it('reads own properties only', () => {
      const record = Object.create({ inherited: '10.0.0.1' }) as Record<string, unknown>;
      const f = SensorFieldReader.of(record);
      expect(f.ip('inherited', true)).toBeUndefined();
      expect(f.problem?.reason).toBe('missing inherited');
    });

    it('bounds text and escapes control characters in details', () => {
      const f = SensorFieldReader.of({ t: `\u0000${'x'.repeat(300)}` });
      expect(f.text('t')).toBeUndefined();
      expect(f.problem?.detail).toMatch(/^t: \\x00x+…$/);
      expect(f.problem?.detail.length).toBeLessThanOrEqual(90);
    });
  });
});

describe('Module: zeekTsv', () => {
  it.each([
    ['#separator \\x09', 'separator'],
    ['#fields\tts\tuid', 'fields'],
    ['#close', 'close'],
    ['#open 2025-03-01-10-00-00', 'open'],
    ['#Fields: date time', undefined],
    ['#fieldsx\tts', undefined],
    ['### BTest', undefined],
    ['#unknown\tx', undefined],
    ['fields\tts', undefined],
  ])('reads the directive of %s', (line, expected) => {
    expect(zeekDirectiveOf(line)).toBe(expected);
  });

  it('reads header lines with a non-tab separator', () => {
    const layout = applyZeekHeaderLine(DEFAULT_ZEEK_LAYOUT, { directive: 'separator', values: [','] });
    expect(zeekDirectiveOf('#fields,ts,uid', layout.separator)).toBe('fields');
    expect(readZeekHeaderLine('#fields,ts,uid', layout)).toEqual({
      directive: 'fields',
      values: ['ts', 'uid'],
    });
  });

  it('starts a new layout at #separator and keeps #path, #fields and the unset and empty markers', () => {
    let layout = DEFAULT_ZEEK_LAYOUT;
    for (const line of [
      '#separator \\x09',
      '#unset_field\tNA',
      '#empty_field\tE',
      '#path\tconn',
      '#fields\ta\tb\tc',
    ]) {
      const header = readZeekHeaderLine(line, layout);
      if (header !== undefined) layout = applyZeekHeaderLine(layout, header);
    }
    expect(layout).toEqual({
      separator: '\t',
      unsetField: 'NA',
      emptyField: 'E',
      path: 'conn',
      fields: ['a', 'b', 'c'],
    });
    expect(readZeekRow('1\tNA\tE', { ...layout, fields: ['a', 'b', 'c'] })).toEqual({ a: '1', c: '' });
    expect(readZeekRow('1\t2', { ...layout, fields: ['a', 'b', 'c'] })).toBe(2);
  });

  it.each([
    ['a\\x09b', 'a\tb'],
    ['\\x2c\\x2C', ',,'],
    ['\\xZZ', '\\xZZ'],
    ['trailing\\x', 'trailing\\x'],
    ['\\\\x41', '\\A'],
  ])('unescapes %s', (text, expected) => {
    expect(unescapeZeek(text)).toBe(expected);
  });
});
