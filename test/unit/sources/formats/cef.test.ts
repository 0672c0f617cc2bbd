import { describe, expect, it } from 'vitest';
import {
  findCefMarker,
  isoFromCefDate,
  parseAdditionalExtensions,
  parseCef,
  parseCefExtension,
  peekCefVendorProduct,
  readCefLine,
  toCommonSecurityLogRow,
  unescapeCefValue,
} from '../../../../lib/sources/formats/cef.js';
import { parseSyslog } from '../../../../lib/sources/formats/syslog.js';
import { fill, superlinearGrowth } from '../../../support/fuzzInputs.js';
import { expectLinearTime } from '../../../support/growth.js';

const REFERENCE_MS = Date.parse('2025-03-01T12:00:00.000Z');

function parsed(line: string) {
  const result = parseCef(line);
  if (!result.ok) throw new Error(`expected CEF, got ${result.reason}`);
  return result.event;
}

function extension(text: string): Record<string, string> {
  const fields = parseCefExtension(text);
  if (fields === undefined) throw new Error('expected an extension');
  return Object.fromEntries(fields.map((f) => [f.key, f.value]));
}

describe('Parser: cef', () => {
  describe('marker', () => {
    it.each([
      ['CEF:0|a|b|c|d|e|f|', 0],
      ['CEF: 0|a|b|c|d|e|f|', 0],
      ['CEF:1|a|b|c|d|e|f|', 0],
      ['<134>Mar  1 10:00:00 host CEF:0|a|b|c|d|e|f|', 26],
      ['note CEF:x then CEF:0|a|b|c|d|e|f|', 16],
    ])('finds the CEF marker in %j at %i', (line, index) => {
      expect(findCefMarker(line)).toBe(index);
    });

    it.each([
      'CEF:|a|b',
      'CEF:0 a|b',
      'CEF:events to the SIEM',
      'no marker at all',
      'CEF:0',
      'cef:0|lower|case|',
    ])('finds no CEF marker in %j', (line) => {
      expect(findCefMarker(line)).toBe(-1);
    });
  });

  describe('header', () => {
    it('reads the seven header fields', () => {
      const event = parsed('CEF:0|Palo Alto Networks|PAN-OS|10.1.11|drop|TRAFFIC|1|src=1.2.3.4');
      expect(event.header).toEqual({
        version: '0',
        deviceVendor: 'Palo Alto Networks',
        deviceProduct: 'PAN-OS',
        deviceVersion: '10.1.11',
        signatureId: 'drop',
        name: 'TRAFFIC',
        severity: '1',
      });
    });

    it('unescapes \\| and \\\\ in header fields and keeps other backslashes', () => {
      const event = parsed('CEF:0|Ven\\|dor|Prod\\\\uct|1\\.0|sig|a \\| b \\\\ c \\n d|5|');
      expect(event.header.deviceVendor).toBe('Ven|dor');
      expect(event.header.deviceProduct).toBe('Prod\\uct');
      expect(event.header.deviceVersion).toBe('1\\.0');
      expect(event.header.name).toBe('a | b \\ c \\n d');
    });

    it('reads the version after spaces (FortiOS 6.0 writes `CEF: 0|`)', () => {
      expect(
        parsed('CEF: 0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|act=close').header.version,
      ).toBe('0');
    });

    it('reports a header cut short as truncated', () => {
      const result = parseCef('<134>Mar  1 10:00:00 host CEF:0|Zscaler|NSSFWlog|5.7|Block');
      expect(result).toMatchObject({ ok: false, reason: 'truncated CEF header' });
    });

    it('reports a line without a marker', () => {
      expect(parseCef('plain text')).toMatchObject({ ok: false, reason: 'no CEF marker' });
    });

    it('accepts an empty extension', () => {
      expect(parsed('CEF:0|a|b|c|d|e|f|').extension).toEqual([]);
      expect(parsed('CEF:0|a|b|c|d|e|f|   ').extension).toEqual([]);
    });

    it('peeks at vendor and product without reading the rest', () => {
      expect(peekCefVendorProduct('<14>1 - h - - - - CEF:0|Check Point|VPN-1 & FireWall-1|R81|x')).toEqual({
        vendor: 'Check Point',
        product: 'VPN-1 & FireWall-1',
      });
      expect(peekCefVendorProduct('CEF:0|Zscaler')).toBeUndefined();
      expect(peekCefVendorProduct('no cef')).toBeUndefined();
    });
  });

  describe('extension', () => {
    it('splits key=value pairs and keeps spaces inside values', () => {
      expect(extension('FTNTFGTdstcountry=United States src=10.1.100.11 msg=a b  c')).toEqual({
        FTNTFGTdstcountry: 'United States',
        src: '10.1.100.11',
        msg: 'a b  c',
      });
    });

    it('unescapes \\=, \\\\, \\n and \\r in values', () => {
      expect(extension('cs1=a\\=b c\\\\d\\r\\nline dst=1.2.3.4')).toEqual({
        cs1: 'a=b c\\d\r\nline',
        dst: '1.2.3.4',
      });
    });

    it('keeps an unknown escape and a trailing backslash as written', () => {
      expect(unescapeCefValue('a\\tb\\')).toBe('a\\tb\\');
    });

    it('takes `|` literally in values', () => {
      expect(extension('msg=a|b|c act=drop')).toEqual({ msg: 'a|b|c', act: 'drop' });
    });

    it('does not start a key at an `=` that is not preceded by whitespace', () => {
      expect(extension('request=http://example.com/?a=b&c=d act=allow')).toEqual({
        request: 'http://example.com/?a=b&c=d',
        act: 'allow',
      });
    });

    it('does not start a key after an escaped space or at an escaped `=`', () => {
      expect(extension('msg=x\\ y=z w \\=v act=allow')).toEqual({ msg: 'x\\ y=z w =v', act: 'allow' });
    });

    it('ends a value before an escaped backslash followed by a new key', () => {
      expect(extension('filePath=C:\\\\dir\\\\ dst=1.2.3.4')).toEqual({
        filePath: 'C:\\dir\\',
        dst: '1.2.3.4',
      });
    });

    it('reads empty values and trims the space around values', () => {
      expect(extension('suser= duser= act=drop  ')).toEqual({ suser: '', duser: '', act: 'drop' });
    });

    it('accepts vendor keys with digits, dots, dashes and underscores', () => {
      expect(extension('ad.vd=root FTNTFGTpoluuid=c2d4 x-y_z=1 PanOSPacketsSent=1')).toEqual({
        'ad.vd': 'root',
        FTNTFGTpoluuid: 'c2d4',
        'x-y_z': '1',
        PanOSPacketsSent: '1',
      });
    });

    it('keeps the value as written beside the unescaped value', () => {
      const fields = parseCefExtension('originsicname=CN\\=gw01,O\\=mgmt01..k2rtgh');
      expect(fields).toEqual([
        { key: 'originsicname', value: 'CN=gw01,O=mgmt01..k2rtgh', rawValue: 'CN\\=gw01,O\\=mgmt01..k2rtgh' },
      ]);
    });

    it('rejects an extension that does not start with key=value', () => {
      expect(parseCefExtension('garbage without keys')).toBeUndefined();
      expect(parseCef('CEF:0|a|b|c|d|e|f|garbage src=1.2.3.4')).toMatchObject({
        ok: false,
        reason: 'malformed CEF extension',
      });
    });

    it('reads a long hostile extension in linear time', () => {
      const hostile = (chars: number): string => `msg=${'k k= \\= \\\\ '.repeat(chars / 10)}a`;
      expect(parseCefExtension(hostile(400_000))?.length).toBeGreaterThan(0);
      expectLinearTime(parseCefExtension, hostile);
    });

    it('reads a long line of key-like words without `=` in linear time', () => {
      const hostile = (chars: number): string => `msg=${'word '.repeat(chars / 5)}`;
      expect(parseCefExtension(hostile(1_000_000))).toHaveLength(1);
      expectLinearTime(parseCefExtension, hostile);
    });
  });

  describe('CommonSecurityLog column form', () => {
    it('puts header fields, mapped keys and the rest where Sentinel stores them', () => {
      const row = toCommonSecurityLogRow(
        parsed(
          'CEF:0|Palo Alto Networks|PAN-OS|10.1.11|drop|TRAFFIC|1|rt=Mar 01 2025 10:00:05 GMT src=198.51.100.23 dst=10.0.20.15 spt=51234 dpt=8443 proto=tcp act=drop cs1Label=Rule cs1=interzone-default cn1=7 cat=from-policy deviceDirection=0 in=60 out=0 start=s end=e dvchost=PA-3220 dvc=10.0.0.1 deviceExternalId=0132 externalId=736 reason=policy-deny suser=alice app=ssl msg=hello cnt=2 flexString1=0x0 flexNumber1=60 sourceTranslatedAddress=1.1.1.1 sourceTranslatedPort=1 destinationTranslatedAddress=2.2.2.2 destinationTranslatedPort=2 deviceInboundInterface=eth1 deviceOutboundInterface=eth2 duser=bob spriv=loc PanOSPacketsSent=1 originsicname=CN\\=gw01,O\\=x',
        ),
        { hostname: 'PA-3220', timestampMs: Date.parse('2025-03-01T10:00:06Z') },
      );
      expect({ ...row }).toEqual({
        Type: 'CommonSecurityLog',
        TimeGenerated: '2025-03-01T10:00:06.000Z',
        Computer: 'PA-3220',
        DeviceVendor: 'Palo Alto Networks',
        DeviceProduct: 'PAN-OS',
        DeviceVersion: '10.1.11',
        DeviceEventClassID: 'drop',
        Activity: 'TRAFFIC',
        LogSeverity: '1',
        ReceiptTime: 'Mar 01 2025 10:00:05 GMT',
        SourceIP: '198.51.100.23',
        DestinationIP: '10.0.20.15',
        SourcePort: '51234',
        DestinationPort: '8443',
        Protocol: 'tcp',
        DeviceAction: 'drop',
        DeviceCustomString1Label: 'Rule',
        DeviceCustomString1: 'interzone-default',
        DeviceCustomNumber1: '7',
        DeviceEventCategory: 'from-policy',
        CommunicationDirection: '0',
        ReceivedBytes: '60',
        SentBytes: '0',
        StartTime: 's',
        EndTime: 'e',
        DeviceName: 'PA-3220',
        DeviceAddress: '10.0.0.1',
        DeviceExternalID: '0132',
        ExternalID: '736',
        Reason: 'policy-deny',
        SourceUserName: 'alice',
        ApplicationProtocol: 'ssl',
        Message: 'hello',
        EventCount: '2',
        FlexString1: '0x0',
        FlexNumber1: '60',
        SourceTranslatedAddress: '1.1.1.1',
        SourceTranslatedPort: '1',
        DestinationTranslatedAddress: '2.2.2.2',
        DestinationTranslatedPort: '2',
        DeviceInboundInterface: 'eth1',
        DeviceOutboundInterface: 'eth2',
        DestinationUserName: 'bob',
        SourceUserPrivileges: 'loc',
        AdditionalExtensions: 'PanOSPacketsSent=1;originsicname=CN\\=gw01,O\\=x',
      });
    });

    it('leaves empty values out and has no AdditionalExtensions when every key is mapped', () => {
      const row = toCommonSecurityLogRow(parsed('CEF:0|v|p|1|s|n|1|suser= src=1.2.3.4'));
      expect(row.SourceUserName).toBeUndefined();
      expect(row.SourceIP).toBe('1.2.3.4');
      expect(row.AdditionalExtensions).toBeUndefined();
      expect(row.TimeGenerated).toBeUndefined();
      expect(row.Computer).toBeUndefined();
    });

    it('keeps hostile keys as plain AdditionalExtensions text and never touches prototypes', () => {
      const row = toCommonSecurityLogRow(
        parsed('CEF:0|v|p|1|s|n|1|__proto__=polluted constructor=x toString=y src=1.2.3.4'),
      );
      expect(row.AdditionalExtensions).toBe('__proto__=polluted;constructor=x;toString=y');
      expect(Object.getPrototypeOf(row)).toBeNull();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });
  });

  describe('syslog envelope', () => {
    it.each([
      ['no header', 'CEF:0|v|p|1|s|n|1|src=1.2.3.4', undefined, undefined],
      [
        'RFC 3164',
        '<134>Mar  1 10:00:02 relay01 CEF:0|v|p|1|s|n|1|src=1.2.3.4',
        'relay01',
        '2025-03-01T10:00:02.000Z',
      ],
      [
        'RFC 3164 without host',
        '<134>Mar  1 10:00:02 CEF:0|v|p|1|s|n|1|src=1.2.3.4',
        undefined,
        '2025-03-01T10:00:02.000Z',
      ],
      [
        'RFC 5424',
        '<14>1 2025-03-01T10:00:05+00:00 PA-3220 - - - - CEF:0|v|p|1|s|n|1|src=1.2.3.4',
        'PA-3220',
        '2025-03-01T10:00:05.000Z',
      ],
      [
        'RFC 5424 with structured data',
        '<134>1 2025-03-01T10:00:05Z mgmt01 CheckPoint 2402 - [sc@2620 a="x]"] CEF:0|v|p|1|s|n|1|src=1.2.3.4',
        'mgmt01',
        '2025-03-01T10:00:05.000Z',
      ],
      [
        'RFC 6587 octet counting',
        '312 <134>1 2025-03-01T10:00:03.5+01:00 nss02 app - - - CEF:0|v|p|1|s|n|1|src=1.2.3.4',
        'nss02',
        '2025-03-01T09:00:03.500Z',
      ],
      [
        'FortiOS without PRI',
        'Dec 27 11:07:55 FGT-A-LOG CEF: 0|v|p|1|s|n|1|src=1.2.3.4',
        'FGT-A-LOG',
        '2024-12-27T11:07:55.000Z',
      ],
    ])('reads the %s before the marker', (_label, line, host, time) => {
      const result = readCefLine(line, REFERENCE_MS);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.row.Computer).toBe(host);
      expect(result.row.TimeGenerated).toBe(time);
      expect(result.row.SourceIP).toBe('1.2.3.4');
    });

    it('passes the parser failure through', () => {
      expect(readCefLine('<134>Mar  1 10:00:02 relay01 CEF:0|v|p', REFERENCE_MS)).toMatchObject({
        ok: false,
        reason: 'truncated CEF header',
      });
    });

    it('bounds the detail of a failure', () => {
      const result = readCefLine(`CEF:0|${'x'.repeat(10_000)}`, REFERENCE_MS);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.detail.length).toBeLessThan(120);
    });

    it.each([
      [
        'Cisco time with year',
        '<164>Mar 01 2025 10:00:05 asa-fw01 : ',
        '2025-03-01T10:00:05.000Z',
        'asa-fw01',
      ],
      [
        'Cisco time with year and colon',
        '<164>Mar 01 2025 10:00:05: ',
        '2025-03-01T10:00:05.000Z',
        undefined,
      ],
      [
        'Cisco time with year far from the reference',
        'Jun 30 2019 23:59:59 fw ',
        '2019-06-30T23:59:59.000Z',
        'fw',
      ],
      [
        'RFC 3164 without year (the nearest year)',
        '<134>Dec 31 23:59:59 host ',
        '2024-12-31T23:59:59.000Z',
        'host',
      ],
    ])('reads the syslog header with a %s', (_label, prefix, time, host) => {
      const header = parseSyslog(prefix, REFERENCE_MS);
      expect(header.timestampMs === undefined ? undefined : new Date(header.timestampMs).toISOString()).toBe(
        time,
      );
      expect(header.hostname).toBe(host);
    });
  });

  describe('AdditionalExtensions', () => {
    it('splits pairs on `;` and key from value on the first `=`', () => {
      expect(
        Object.fromEntries(
          parseAdditionalExtensions(
            'a=1;originsicname=CN\\=gw01,O\\=x;cat=traffic:forward; spaced = v ;novalue;=x',
          ),
        ),
      ).toEqual({ a: '1', originsicname: 'CN\\=gw01,O\\=x', cat: 'traffic:forward', spaced: 'v' });
    });

    it('keeps the first of repeated keys', () => {
      expect(parseAdditionalExtensions('start=1;start=2').get('start')).toBe('1');
    });

    it.each([[undefined], [null], [42], [{ a: 1 }], ['']])('reads %j as no pairs', (value) => {
      expect(parseAdditionalExtensions(value).size).toBe(0);
    });

    it('reads the pairs after a long run of `;` without `=`', () => {
      expect(Object.fromEntries(parseAdditionalExtensions(`x=1${';'.repeat(1000)}y=2;z`))).toEqual({
        x: '1',
        y: '2',
      });
    });

    it('reads a run of pairs without `=` in time linear in its length', () => {
      // Found by the fuzzer: each `;` used to search to the end of the text for the next `=`, so a
      // 1 MB value of `;` (a CEF value lands here as written) took seconds.
      const growth = superlinearGrowth(
        (text: string) => parseAdditionalExtensions(text),
        (chars) => fill('x=', ';', chars),
      );
      expect(growth).toBeUndefined();
    });

    it('stores a `__proto__` key as an ordinary key', () => {
      const pairs = parseAdditionalExtensions('__proto__=x;b=2');
      expect(pairs.get('__proto__')).toBe('x');
      expect(pairs.get('b')).toBe('2');
    });
  });

  describe('CEF dates', () => {
    it.each([
      ['Mar 01 2025 10:00:05 GMT', '2025-03-01T10:00:05.000Z'],
      ['Mar 01 2025 10:00:05 UTC', '2025-03-01T10:00:05.000Z'],
      ['Mar  1 2025 10:00:05', '2025-03-01T10:00:05.000Z'],
      ['Mar 01 2025 10:00:05.25 Z', '2025-03-01T10:00:05.250Z'],
      ['Mar 01 2025 10:00:05 +01:00', '2025-03-01T09:00:05.000Z'],
      ['Mar 01 2025 10:00:05 -0700', '2025-03-01T17:00:05.000Z'],
    ])('reads %j', (value, iso) => {
      expect(isoFromCefDate(value)).toBe(iso);
    });

    it.each([
      'Mar 01 10:00:05',
      'Mar 01 2025 10:00:05 PST',
      'Foo 01 2025 10:00:05',
      'Mar 32 2025 10:00:05',
      '',
    ])('does not guess %j', (value) => {
      expect(isoFromCefDate(value)).toBeUndefined();
    });
  });

  describe('dates as written', () => {
    it('keeps a year below 100 and a real February 29', () => {
      expect(isoFromCefDate('Jan 01 0050 00:00:00 GMT')).toBe('0050-01-01T00:00:00.000Z');
      expect(isoFromCefDate('Feb 29 2024 10:00:00')).toBe('2024-02-29T10:00:00.000Z');
    });

    it.each(['Feb 30 2025 10:00:00', 'Feb 29 2025 10:00:00', 'Apr 31 2025 10:00:00', 'Mar 01 2025 24:00:00'])(
      'gives no CEF date for %j instead of rolling it over',
      (value) => {
        expect(isoFromCefDate(value)).toBeUndefined();
      },
    );

    it('reads syslog header dates the same way', () => {
      expect(parseSyslog('<14>1 0050-01-01T00:00:00Z h - - - - m', REFERENCE_MS)?.timestampMs).toBe(
        Date.parse('0050-01-01T00:00:00Z'),
      );
      expect(
        parseSyslog('<14>1 2025-02-30T00:00:00Z h - - - - m', REFERENCE_MS)?.timestampMs,
      ).toBeUndefined();
      expect(
        parseSyslog('<14>1 2025-13-01T00:00:00Z h - - - - m', REFERENCE_MS)?.timestampMs,
      ).toBeUndefined();
      expect(parseSyslog('<134>Feb 30 2025 10:00:02 relay01 m', REFERENCE_MS)?.timestampMs).toBeUndefined();
      expect(parseSyslog('<134>Feb 28 0099 10:00:02 relay01 m', REFERENCE_MS)?.timestampMs).toBe(
        Date.parse('0099-02-28T10:00:02Z'),
      );
    });
  });
});
