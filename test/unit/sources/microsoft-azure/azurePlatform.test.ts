import { describe, expect, it } from 'vitest';
import {
  azureFields,
  fieldsOf,
  splitFlowTuple,
  tuplePort,
} from '../../../../lib/sources/microsoft-azure/azurePlatform.js';
import { MICROSOFT_AZURE_SOURCES } from '../../../../lib/sources/microsoft-azure/microsoftAzureSources.js';
import {
  FieldProblem,
  type FieldReader,
  isAddressText,
  ownValue,
} from '../../../../lib/sources/pipeline/FieldReader.js';
import { SOURCE_DECODERS } from '../../../../lib/sources/pipeline/registry.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';

/** One field read through the group's reader: its value, or the problem it recorded. */
function readOnce<T>(read: (fields: FieldReader) => T): T | FieldProblem | undefined {
  const fields = azureFields();
  const value = read(fields);
  return fields.problem ?? value;
}
const readText = (value: unknown, field: string) => readOnce((f) => f.text(value, field));
const readPort = (value: unknown, field: string) => readOnce((f) => f.port(value, field));
const readAddress = (value: unknown, field: string) => readOnce((f) => f.address(value, field));
const readTime = (value: unknown, field: string) => readOnce((f) => f.time(value, field));

describe('Module: azurePlatform', () => {
  describe('field access', () => {
    it('reads own properties only', () => {
      const record = JSON.parse('{"__proto__":{"a":1},"b":2}') as JsonObject;
      expect(ownValue(record, 'a')).toBeUndefined();
      expect(ownValue(record, 'b')).toBe(2);
      expect(ownValue({}, 'constructor')).toBeUndefined();
      expect(ownValue({}, 'toString')).toBeUndefined();
    });

    it('reads a field by its exact name first, then in any letter case', () => {
      const get = fieldsOf({ SourceIp: 'exact', sourceip: 'lower', DESTINATIONPORT: 22 });
      expect(get('SourceIp')).toBe('exact');
      expect(get('DestinationPort')).toBe(22);
      expect(get('Action')).toBeUndefined();
      expect(get('constructor')).toBeUndefined();
    });
  });

  describe('readers', () => {
    it.each([
      [undefined, undefined],
      [null, undefined],
      ['  ', undefined],
      [' rule ', 'rule'],
      [42, '42'],
    ])('reads text %j as %j', (value, expected) => {
      expect(readText(value, 'f')).toBe(expected);
    });

    it.each([
      [true, 'invalid field type', 'f: boolean'],
      [{}, 'invalid field type', 'f: object'],
      [[], 'invalid field type', 'f: array'],
      [Number.NaN, 'invalid field type', 'f: number'],
      ['x'.repeat(3000), 'oversized field', 'f: 3000 characters'],
    ])('rejects text %#', (value, reason, detail) => {
      expect(readText(value, 'f')).toEqual(new FieldProblem(reason, detail));
    });

    it.each([
      [443, 443],
      ['443', 443],
      [' 0 ', 0],
      ['65535', 65535],
      ['', undefined],
      [undefined, undefined],
    ])('reads port %j as %j', (value, expected) => {
      expect(readPort(value, 'p')).toBe(expected);
    });

    it.each([[65536], [-1], ['http'], [1.5], [{}], [true]])('rejects port %j', (value) => {
      expect(readPort(value, 'p')).toBeInstanceOf(FieldProblem);
    });

    it.each(['203.0.113.1', '2001:db8::1', '::ffff:203.0.113.1', 'fe80::1%eth0', '::1'])(
      'accepts address %s',
      (value) => {
        expect(isAddressText(value)).toBe(true);
        expect(readAddress(` ${value} `, 'a')).toBe(value);
      },
    );

    it.each(['host.example', '12345', 'abc', '1.2.3.4 ', `${'1'.repeat(46)}.1`, '1.2.3.4%', '<1.2.3.4>'])(
      'rejects address %j',
      (value) => {
        expect(isAddressText(value)).toBe(false);
      },
    );

    it('rejects an address whose only dot is in its zone, as the other groups do', () => {
      expect(readAddress('beef%eth0.1', 'a')).toEqual(new FieldProblem('invalid address', 'a: beef%eth0.1'));
    });

    it('reads a date-time and rejects an unreadable one', () => {
      expect(readTime('2025-11-20T10:18:11.0590400Z', 't')).toBe('2025-11-20T10:18:11.059Z');
      expect(readTime('', 't')).toBeUndefined();
      expect(readTime('11/20/2025', 't')).toEqual(new FieldProblem('invalid time', 't: 11/20/2025'));
    });

    it('keeps the first rejection of a record', () => {
      const check = azureFields();
      expect(check.port('1', 'a')).toBe(1);
      expect(check.port('x', 'b')).toBeUndefined();
      expect(check.address('y', 'c')).toBeUndefined();
      expect(check.problem).toEqual(new FieldProblem('invalid port', 'b: x'));
    });
  });

  describe('flow tuples', () => {
    it('splits a tuple of an accepted field count', () => {
      expect(splitFlowTuple('1,2,3', [3])).toEqual(['1', '2', '3']);
      expect(splitFlowTuple('1,2,,', [4])).toEqual(['1', '2', '', '']);
    });

    it.each([
      ['1,2', [3]],
      [42, [1]],
      ['x'.repeat(513), [1]],
      [','.repeat(10_000), [10_001]],
    ])('refuses %#', (tuple, counts) => {
      expect(splitFlowTuple(tuple, counts)).toBeUndefined();
    });

    it.each([
      ['22', 22],
      ['65535', 65535],
      ['65536', undefined],
      ['+22', undefined],
      ['', undefined],
      ['022222', undefined],
    ])('reads tuple port %j as %j', (value, expected) => {
      expect(tuplePort(value)).toBe(expected);
    });
  });

  describe('registration', () => {
    it('lists the group decoders in recognition order with stable kebab-case names', () => {
      expect(MICROSOFT_AZURE_SOURCES.map((d) => d.name)).toEqual([
        'azure-firewall',
        'azure-nsg-flow',
        'azure-vnet-flow',
        'nta-net-analytics',
        'sysmon-linux',
      ]);
      for (const decoder of MICROSOFT_AZURE_SOURCES) expect(SOURCE_DECODERS).toContain(decoder);
    });
  });
});
