import { describe, expect, it } from 'vitest';
import { zscalerZiaFirewall } from '../../../../lib/sources/firewalls/zscalerZiaFirewall.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/firewallLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'zscaler-zia-firewall';
const REFERENCE = '2025-03-01T12:00:00.000Z';

function ctx(): DecodeContext {
  return { fallbackTimeMs: undefined, referenceTimeMs: Date.parse(REFERENCE), stream: new StreamState() };
}

function row(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:06.120Z',
    Computer: 'zscaler-nss01',
    DeviceVendor: 'Zscaler',
    DeviceProduct: 'NSSFWlog',
    Activity: 'Default Firewall Filtering Rule',
    DeviceAction: 'Block/Drop',
    SourceIP: '198.51.100.23',
    SourcePort: 51515,
    DestinationIP: '203.0.113.80',
    DestinationPort: 3389,
    Protocol: 'TCP',
    DeviceCustomNumber2: 1,
    Type: 'CommonSecurityLog',
    ...overrides,
  };
}

function line(extension: string, header = 'Block/Drop|Default Firewall Filtering Rule'): string {
  return `<134>Mar  1 10:00:05 zscaler-nss01 CEF:0|Zscaler|NSSFWlog|5.7|${header}|3|${extension}`;
}

const BASE_EXTENSION = 'act=Block/Drop src=198.51.100.23 spt=51515 dst=203.0.113.80 dpt=3389 proto=TCP';

describe('Decoder: zscaler-zia-firewall', () => {
  describe('recognition', () => {
    it('claims NSSFWlog CommonSecurityLog rows, with or without Type', () => {
      expect(zscalerZiaFirewall.matchJson?.(row())).toBe(true);
      const { Type: _type, ...untyped } = row();
      expect(zscalerZiaFirewall.matchJson?.(untyped)).toBe(true);
    });

    it('claims NSSFWlog CEF lines', () => {
      expect(zscalerZiaFirewall.matchText?.(line(BASE_EXTENSION), ctx())).toBe(true);
    });

    it.each([
      ['an NSSWeblog row', row({ DeviceProduct: 'NSSWeblog' })],
      ['a row with another vendor spelling', row({ DeviceVendor: 'zscaler' })],
      ['a row of another table', row({ Type: 'Syslog' })],
      ['a row with a non-string vendor', row({ DeviceVendor: ['Zscaler'] })],
    ])('does not claim %s', (_label, record) => {
      expect(zscalerZiaFirewall.matchJson?.(record)).toBe(false);
    });

    it('does not claim NSSWeblog or other vendors CEF lines', () => {
      expect(
        zscalerZiaFirewall.matchText?.('CEF:0|Zscaler|NSSWeblog|5.7|Allowed|Allowed|3|act=Allowed', ctx()),
      ).toBe(false);
      expect(zscalerZiaFirewall.matchText?.('CEF:0|Fortinet|Fortigate|v6|1|x|3|act=Allowed', ctx())).toBe(
        false,
      );
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(zscalerZiaFirewall.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, text) => {
      expect(zscalerZiaFirewall.matchText?.(text, ctx())).toBe(false);
    });

    it('skips another vendor under a forced format', () => {
      const result = normalizeText('CEF:0|Fortinet|Fortigate|v6|1|x|3|act=accept', { format: NAME });
      expect(result.skipped).toEqual({ [`${NAME}: not a Zscaler NSSFWlog row`]: 1 });
      const rows = normalizeRows([{ Type: 'Syslog', SyslogMessage: 'x' }], { format: NAME });
      expect(rows.invalid).toEqual({ [`${NAME}: not a CommonSecurityLog row`]: 1 });
    });
  });

  describe('mapping', () => {
    it('maps a raw line and its row the same way', () => {
      const expected = {
        TimeGenerated: '2025-03-01T10:00:05.000Z',
        EventStartTime: '2025-03-01T10:00:05.000Z',
        EventEndTime: '2025-03-01T10:00:05.000Z',
        EventCount: 1,
        EventVendor: 'Zscaler',
        EventProduct: 'ZIA Firewall',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventResult: 'Failure',
        SrcIpAddr: '198.51.100.23',
        SrcPortNumber: 51515,
        DstIpAddr: '203.0.113.80',
        DstPortNumber: 3389,
        NetworkProtocol: 'TCP',
        NetworkRuleName: 'Default Firewall Filtering Rule',
        DvcAction: 'Drop',
        Dvc: 'zscaler-nss01',
        DvcHostname: 'zscaler-nss01',
      };
      expect(normalizeText(line(BASE_EXTENSION), { referenceTime: REFERENCE }).records).toEqual([expected]);
      expect(normalizeRows([row({ TimeGenerated: '2025-03-01T10:00:05Z' })]).records).toEqual([expected]);
    });

    it.each([
      ['Allow', 'Allow', 'Success'],
      ['Allow due to insufficient app data', 'Allow', 'Failure'],
      ['Block/Drop', 'Drop', 'Failure'],
      ['Block/ICMP', 'Drop ICMP', 'Failure'],
      ['Block/Reset', 'Reset', 'Failure'],
      ['IPS Drop', 'Drop', 'Failure'],
      ['IPS Reset', 'Reset', 'Failure'],
      ['Block ICMP', 'Drop ICMP', 'Failure'],
      ['Drop', 'Drop', 'Failure'],
      ['allow', undefined, 'Failure'],
      ['Quarantine', undefined, 'Failure'],
    ])('maps DeviceAction %j to %s / %s', (action, dvcAction, result) => {
      const [record] = normalizeRows([row({ DeviceAction: action })]).records;
      expect(record?.DvcAction).toBe(dvcAction);
      expect(record?.EventResult).toBe(result);
    });

    it('gives EventResult Failure to a row without DeviceAction', () => {
      const { DeviceAction: _a, ...noAction } = row();
      expect(normalizeRows([noAction]).records[0]).toMatchObject({ EventResult: 'Failure' });
      expect(normalizeRows([noAction]).records[0]?.DvcAction).toBeUndefined();
    });

    it.each([
      ['FieldDeviceCustomNumber2 first', { FieldDeviceCustomNumber2: '7', DeviceCustomNumber2: 3 }, 7],
      [
        'DeviceCustomNumber2 when the Field column is empty',
        { FieldDeviceCustomNumber2: '', DeviceCustomNumber2: 3 },
        3,
      ],
      ['1 without a count', { DeviceCustomNumber2: undefined }, 1],
      ['1 for a zero count', { DeviceCustomNumber2: 0 }, 1],
      ['1 for a count that is not a number', { DeviceCustomNumber2: 'many' }, 1],
    ])('takes EventCount from %s', (_label, overrides, count) => {
      expect(normalizeRows([row(overrides)]).records[0]?.EventCount).toBe(count);
    });

    it('takes EventCount from cn2 on a raw line', () => {
      expect(normalizeText(line(`${BASE_EXTENSION} cn2=9 cn2Label=numsessions`)).records[0]?.EventCount).toBe(
        9,
      );
    });

    it('keeps Protocol as sent', () => {
      expect(normalizeRows([row({ Protocol: 6 })]).records[0]?.NetworkProtocol).toBe('6');
      expect(normalizeRows([row({ Protocol: 'udp' })]).records[0]?.NetworkProtocol).toBe('udp');
    });

    it('times a row by ReceiptTime, then TimeGenerated, then the enqueued time', () => {
      expect(normalizeRows([row({ ReceiptTime: '1740823201000' })]).records[0]?.TimeGenerated).toBe(
        '2025-03-01T10:00:01.000Z',
      );
      expect(normalizeRows([row({ ReceiptTime: 'not a time' })]).records[0]?.TimeGenerated).toBe(
        '2025-03-01T10:00:06.120Z',
      );
      const { TimeGenerated: _t, ...untimed } = row();
      expect(
        normalizeRows([untimed], { fallbackTime: '2025-03-01T11:00:00Z' }).records[0]?.TimeGenerated,
      ).toBe('2025-03-01T11:00:00.000Z');
      expect(normalizeRows([untimed]).invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('times a raw line by rt before its syslog time', () => {
      const [record] = normalizeText(line(`${BASE_EXTENSION} rt=Mar 01 2025 09:59:59 GMT`)).records;
      expect(record?.TimeGenerated).toBe('2025-03-01T09:59:59.000Z');
    });
  });

  describe('bad input', () => {
    it.each([
      ['an object SourceIP', { SourceIP: { ip: '1.2.3.4' } }, 'invalid SourceIP'],
      ['a hostile SourceIP', { SourceIP: `<script>${'x'.repeat(5000)}` }, 'invalid SourceIP'],
      ['a DestinationPort out of range', { DestinationPort: 65536 }, 'invalid DestinationPort'],
      ['a text DestinationPort', { DestinationPort: 'rdp' }, 'invalid DestinationPort'],
      ['a negative SourcePort', { SourcePort: '-1' }, 'invalid SourcePort'],
      ['an object Protocol', { Protocol: { name: 'TCP' } }, 'invalid Protocol'],
      [
        'a DestinationIP with a control character',
        { DestinationIP: '203.0.113.80\u0000evil' },
        'invalid DestinationIP',
      ],
    ])('reports a row with %s as invalid and keeps the rows beside it', (_label, overrides, reason) => {
      const result = normalizeRows([row(), row(overrides as JsonObject), row({ DestinationPort: 22 })]);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([3389, 22]);
      expect(result.normalizer.deadLetters[0]?.detail?.length ?? 0).toBeLessThan(100);
    });

    it('reports a truncated CEF line and keeps the lines beside it', () => {
      const good = line(BASE_EXTENSION);
      const result = normalizeText([good, good.slice(0, 80), good].join('\n'));
      expect(result.invalid).toEqual({ [`${NAME}: truncated CEF header`]: 1 });
      expect(result.records).toHaveLength(2);
    });

    it('reports a dpt that is not a port on a raw line', () => {
      const result = normalizeText(
        line('act=Allow src=198.51.100.23 dst=203.0.113.80 dpt=99999999999999999999'),
      );
      expect(result.invalid).toEqual({ [`${NAME}: invalid DestinationPort`]: 1 });
    });

    it('decodes a row with `__proto__` keys without touching prototypes', () => {
      const text = `{"__proto__":{"DeviceAction":"Allow","polluted":1},${JSON.stringify(row()).slice(1)}`;
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]?.DvcAction).toBe('Drop');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
