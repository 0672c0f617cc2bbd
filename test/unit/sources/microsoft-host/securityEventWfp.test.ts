import { describe, expect, it } from 'vitest';
import { securityEventWfp } from '../../../../lib/sources/microsoft-host/securityEventWfp.js';
import { windowsEvent } from '../../../../lib/sources/microsoft-host/windowsEvent.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';
import { expectLinearTime } from '../../../support/growth.js';
import { FOREIGN_RECORDS } from '../../../support/microsoftHostLookalikes.js';

const NAME = 'securityevent-wfp';

/** EventData as the SecurityEvent table writes it: CR LF + two spaces before each Data element. */
function eventDataXml(fields: ReadonlyArray<readonly [string, string]>): string {
  const body = fields.map(([name, value]) => `\r\n  <Data Name="${name}">${value}</Data>`).join('');
  return `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">${body}\r\n</EventData>`;
}

const CONNECTION_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['ProcessID', '4556'],
  ['Application', '\\device\\harddiskvolume2\\windows\\system32\\svchost.exe'],
  ['Direction', '%%14593'],
  ['SourceAddress', '10.1.0.4'],
  ['SourcePort', '50112'],
  ['DestAddress', '198.51.100.23'],
  ['DestPort', '445'],
  ['Protocol', '6'],
  ['FilterRTID', '70201'],
  ['LayerName', '%%14611'],
  ['LayerRTID', '48'],
  ['RemoteUserID', 'S-1-0-0'],
  ['RemoteMachineID', 'S-1-0-0'],
];

function withField(name: string, value: string): ReadonlyArray<readonly [string, string]> {
  return CONNECTION_FIELDS.map(([n, v]) => [n, n === name ? value : v] as const);
}

/** The text up to a few characters into `marker`: a record truncated in the middle of a value. */
function cutInside(text: string, marker: string): string {
  return text.slice(0, text.indexOf(marker) + 5);
}

function row(eventId: number | string, eventData: unknown, overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-11-20T10:16:04.118Z',
    Computer: 'web01.contoso.com',
    EventSourceName: 'Microsoft-Windows-Security-Auditing',
    Channel: 'Security',
    EventID: eventId,
    EventData: eventData,
    Type: 'SecurityEvent',
    ...overrides,
  };
}

describe('Decoder: securityevent-wfp', () => {
  describe('recognition', () => {
    it.each([
      ['an export row with Type', row(5156, eventDataXml(CONNECTION_FIELDS))],
      ['an export row of a non-WFP event (skipped later)', row(4624, '<EventData></EventData>')],
      [
        'a row without Type, marked by EventSourceName',
        (({ Type: _, Channel: __, ...r }) => r)(row(5156, 'x')),
      ],
      [
        'a row without Type, marked by Channel',
        (({ Type: _, EventSourceName: __, ...r }) => r)(row(5156, 'x')),
      ],
      [
        'a column-form row without Type',
        {
          Channel: 'Security',
          EventID: 5157,
          SourceAddress: '10.1.0.4',
          TimeGenerated: '2025-11-20T10:16:04Z',
        },
      ],
    ])('claims %s', (_label, record) => {
      expect(securityEventWfp.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(securityEventWfp.matchJson?.(record)).toBe(false);
    });

    it.each([
      [
        'a WindowsEvent row',
        row(5156, { SourceAddress: '10.1.0.4' }, { Type: 'WindowsEvent', Provider: 'x' }),
      ],
      [
        'a WindowsEvent row without Type (it has Provider)',
        (({ Type: _, ...r }) => r)(
          row(5156, { SourceAddress: '10.1.0.4' }, { Provider: 'Microsoft-Windows-Security-Auditing' }),
        ),
      ],
      [
        'a row without Type and without a Security-log marker',
        { EventID: 5156, EventData: eventDataXml(CONNECTION_FIELDS) },
      ],
      ['a Security-log row without Type, EventData or WFP columns', { Channel: 'Security', EventID: 5156 }],
    ])('does not claim %s', (_label, record) => {
      expect(securityEventWfp.matchJson?.(record)).toBe(false);
    });

    it('leaves WindowsEvent rows to the windowsevent decoder and keeps its own from it', () => {
      expect(windowsEvent.matchJson?.(row(5156, eventDataXml(CONNECTION_FIELDS)))).toBe(false);
      const result = normalizeRows([row(5156, eventDataXml(CONNECTION_FIELDS))]);
      expect(result.sources).toEqual({ [NAME]: 1 });
    });
  });

  describe('event ids', () => {
    it.each([5152, 5154, 5155, 5156, 5157, 5158, 5159])('decodes %i', (eventId) => {
      const result = normalizeRows([row(eventId, eventDataXml(CONNECTION_FIELDS))]);
      expect(result.records).toHaveLength(1);
    });

    it.each([5150, 5151, 5153])('skips %i, which the SecurityEvent parser never reads', (eventId) => {
      const result = normalizeRows([row(eventId, eventDataXml(CONNECTION_FIELDS))]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: WFP event id not read by ASIM`]: 1 });
    });

    it.each([4624, 5149, 5160, 4688, '5031'])('skips %s as not a WFP network event', (eventId) => {
      const result = normalizeRows([row(eventId, '<EventData></EventData>')]);
      expect(result.skipped).toEqual({ [`${NAME}: not a WFP network event`]: 1 });
    });

    it('reads EventID given as a string', () => {
      expect(normalizeRows([row('5156', eventDataXml(CONNECTION_FIELDS))]).records).toHaveLength(1);
    });
  });

  describe('mapping', () => {
    it.each([
      [5152, 'Deny', 'Failure'],
      [5154, 'Allow', 'Success'],
      [5155, 'Deny', 'Failure'],
      [5156, 'Allow', 'Success'],
      [5157, 'Deny', 'Failure'],
      [5158, 'Allow', 'Success'],
      [5159, 'Deny', 'Failure'],
    ])('maps %i to %s / %s', (eventId, action, result) => {
      const { records } = normalizeRows([row(eventId, eventDataXml(CONNECTION_FIELDS))]);
      expect(records[0]).toMatchObject({ DvcAction: action, EventResult: result });
    });

    it('reads the fields by name, whatever their order and separators', () => {
      const shuffled = `<EventData>${[...CONNECTION_FIELDS]
        .reverse()
        .map(([n, v]) => `<Data Name="${n}">${v}</Data>`)
        .join(' ')}</EventData>`;
      const { records } = normalizeRows([row(5156, shuffled)]);
      expect(records[0]).toMatchObject({
        SrcIpAddr: '10.1.0.4',
        SrcPortNumber: 50112,
        DstIpAddr: '198.51.100.23',
        DstPortNumber: 445,
        NetworkProtocol: 'TCP',
        NetworkDirection: 'Outbound',
      });
    });

    it('swaps an inbound connection event so the remote initiator is the source (decision D4)', () => {
      const { records } = normalizeRows([row(5157, eventDataXml(withField('Direction', '%%14592')))]);
      expect(records[0]).toMatchObject({
        SrcIpAddr: '198.51.100.23',
        SrcPortNumber: 445,
        DstIpAddr: '10.1.0.4',
        DstPortNumber: 50112,
        NetworkDirection: 'Inbound',
      });
    });

    it('does not swap an inbound 5152, whose Source is already the packet sender', () => {
      const { records } = normalizeRows([row(5152, eventDataXml(withField('Direction', '%%14592')))]);
      expect(records[0]).toMatchObject({
        SrcIpAddr: '10.1.0.4',
        DstPortNumber: 445,
        NetworkDirection: 'Inbound',
      });
    });

    it('decodes the column form and an EventData JSON object alike', () => {
      const columns = Object.fromEntries(CONNECTION_FIELDS);
      const { records } = normalizeRows([
        { ...row(5156, undefined), ...columns },
        row(5156, columns),
        row(5156, JSON.stringify(columns)),
      ]);
      expect(records).toHaveLength(3);
      for (const r of records)
        expect(r).toMatchObject({ SrcIpAddr: '10.1.0.4', DstPortNumber: 445, NetworkProtocol: 'TCP' });
    });

    it('sets the constant fields', () => {
      const { records } = normalizeRows([row(5156, eventDataXml(CONNECTION_FIELDS))]);
      expect(records[0]).toMatchObject({
        EventVendor: 'Microsoft',
        EventProduct: 'Windows Firewall',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventCount: 1,
        Dvc: 'web01.contoso.com',
        DvcHostname: 'web01.contoso.com',
        DvcOs: 'Windows',
        TimeGenerated: '2025-11-20T10:16:04.118Z',
        EventStartTime: '2025-11-20T10:16:04.118Z',
        EventEndTime: '2025-11-20T10:16:04.118Z',
      });
    });

    it('prefers a TimeCreated column over TimeGenerated (decision D3)', () => {
      const { records } = normalizeRows([
        row(5156, eventDataXml(CONNECTION_FIELDS), { TimeCreated: '2025-11-20T10:16:01.000Z' }),
      ]);
      expect(records[0]?.TimeGenerated).toBe('2025-11-20T10:16:01.000Z');
    });
  });

  describe('bad input', () => {
    it.each([
      [
        'EventData cut inside DestAddress',
        row(5156, cutInside(eventDataXml(CONNECTION_FIELDS), '198.51.100.23')),
        'missing DestAddress',
      ],
      ['EventData that is not XML', row(5156, 'SourceAddress=10.1.0.4 DestPort=445'), 'malformed EventData'],
      ['EventData a number', row(5156, 42), 'malformed EventData'],
      [
        'EventData JSON text that does not parse',
        row(5156, '{"SourceAddress":"10.1.0.4"'),
        'malformed EventData',
      ],
      ['no EventData and no WFP columns', row(5156, undefined), 'missing SourceAddress'],
      ['DestPort not a number', row(5156, eventDataXml(withField('DestPort', 'https'))), 'invalid DestPort'],
      ['DestPort huge', row(5156, eventDataXml(withField('DestPort', '4294967296'))), 'invalid DestPort'],
      [
        'SourceAddress hostile',
        row(5156, eventDataXml(withField('SourceAddress', '10.1.0.4;rm -rf /'))),
        'invalid SourceAddress',
      ],
      [
        'SourceAddress of 50 000 characters',
        row(5156, eventDataXml(withField('SourceAddress', 'f'.repeat(50_000)))),
        'invalid SourceAddress',
      ],
      ['Protocol not a number', row(5156, eventDataXml(withField('Protocol', 'TCP'))), 'invalid Protocol'],
      [
        'EventID an object',
        row({ id: 5156 } as unknown as number, eventDataXml(CONNECTION_FIELDS)),
        'invalid EventID',
      ],
      ['EventID huge', row('99999999999999999999', eventDataXml(CONNECTION_FIELDS)), 'invalid EventID'],
      [
        'Computer with control characters',
        row(5156, eventDataXml(CONNECTION_FIELDS), { Computer: 'web01\u001b[31m' }),
        'invalid Computer',
      ],
      [
        'TimeGenerated not a date',
        row(5156, eventDataXml(CONNECTION_FIELDS), { TimeGenerated: '20.11.2025' }),
        'invalid TimeGenerated',
      ],
      [
        'no time at all',
        row(5156, eventDataXml(CONNECTION_FIELDS), { TimeGenerated: null }),
        'no event time',
      ],
    ])('reports %s as invalid while the good rows beside it come out', (_label, bad, reason) => {
      const good = row(5156, eventDataXml(CONNECTION_FIELDS));
      const result = normalizeText(JSON.stringify({ records: [good, bad, good] }));
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records).toHaveLength(2);
      const letter = result.normalizer.deadLetters[0];
      expect(letter?.location.record).toBe(1);
      expect((letter?.detail ?? '').length).toBeLessThanOrEqual(120);
    });

    it('does not read WFP fields hidden under a __proto__ key of EventData', () => {
      const text = JSON.stringify(row(5156, undefined)).replace(
        '"Type"',
        '"EventData":{"__proto__":{"SourceAddress":"10.1.0.4","SourcePort":"1","DestAddress":"10.1.0.5","DestPort":"2"}},"Type"',
      );
      const result = normalizeText(text.replace(',"EventData":null', ''));
      expect(result.records).toEqual([]);
      expect(result.invalid).toEqual({ [`${NAME}: missing SourceAddress`]: 1 });
      expect(({} as Record<string, unknown>).SourceAddress).toBeUndefined();
    });

    it.each([
      ['closed', '<Data Name="X">1</Data>', 'missing SourceAddress'],
      ['unclosed', '<Data Name="X">', 'malformed EventData'],
    ])('reads a 2 MB EventData of repeated %s Data elements in linear time', (_label, element, reason) => {
      const hostile = (chars: number): string =>
        `<EventData>${element.repeat(Math.ceil(chars / element.length))}</EventData>`;
      expect(normalizeRows([row(5156, hostile(2_000_000))]).invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expectLinearTime((xml: string) => normalizeRows([row(5156, xml)]), hostile);
    });
  });
});
