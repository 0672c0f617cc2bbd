import { describe, expect, it } from 'vitest';
import { securityEventWfp } from '../../../../lib/sources/microsoft-host/securityEventWfp.js';
import { windowsEvent } from '../../../../lib/sources/microsoft-host/windowsEvent.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';
import { FOREIGN_RECORDS } from '../../../support/microsoftHostLookalikes.js';

const NAME = 'windowsevent';
const AUDITING = 'Microsoft-Windows-Security-Auditing';
const SYSMON = 'Microsoft-Windows-Sysmon';

function wfpData(overrides: JsonObject = {}): JsonObject {
  return {
    ProcessID: '0',
    Application: '-',
    Direction: '%%14592',
    SourceAddress: '10.1.0.10',
    SourcePort: '3389',
    DestAddress: '203.0.113.45',
    DestPort: '51544',
    Protocol: '6',
    FilterRTID: '84614',
    LayerName: '%%14610',
    LayerRTID: '44',
    ...overrides,
  };
}

function sysmonData(overrides: JsonObject = {}): JsonObject {
  return {
    RuleName: '-',
    UtcTime: '2025-11-20 10:19:01.408',
    ProcessGuid: '{c9eb4a87-4093-637f-789d-2406ab550000}',
    ProcessId: '1160',
    Image: 'C:\\Windows\\System32\\svchost.exe',
    User: 'NT AUTHORITY\\NETWORK SERVICE',
    Protocol: 'tcp',
    Initiated: 'false',
    SourceIsIpv6: 'false',
    SourceIp: '203.0.113.45',
    SourceHostname: '-',
    SourcePort: '51722',
    SourcePortName: '-',
    DestinationIsIpv6: 'false',
    DestinationIp: '10.0.0.4',
    DestinationHostname: 'web01.contoso.com',
    DestinationPort: '3389',
    DestinationPortName: 'ms-wbt-server',
    ...overrides,
  };
}

function row(provider: string, eventId: unknown, eventData: unknown, overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-11-20T10:16:05.402Z',
    TimeCreated: '2025-11-20T10:16:03.991Z',
    Computer: 'dc01.contoso.com',
    Provider: provider,
    Channel: 'Security',
    EventID: eventId,
    EventData: eventData,
    Type: 'WindowsEvent',
    ...overrides,
  };
}

const wfpRow = (eventId: unknown, data: JsonObject = wfpData(), o: JsonObject = {}) =>
  row(AUDITING, eventId, data, o);
const sysmonRow = (data: JsonObject = sysmonData(), o: JsonObject = {}) => row(SYSMON, 3, data, o);
const withoutType = ({ Type: _, ...rest }: JsonObject): JsonObject => rest;

describe('Decoder: windowsevent', () => {
  describe('recognition', () => {
    it.each([
      ['a WFP export row', wfpRow(5157)],
      ['a Sysmon export row', sysmonRow()],
      [
        'any other WindowsEvent row (skipped later)',
        row('Microsoft-Windows-PowerShell', 4104, { ScriptBlockText: 'x' }),
      ],
      ['a row without Type with an EventData object', withoutType(wfpRow(5157))],
      [
        'a row without Type with EventData JSON text',
        withoutType(wfpRow(5157, undefined, { EventData: '{"SourceAddress":"10.1.0.10"}' })),
      ],
    ])('claims %s', (_label, record) => {
      expect(windowsEvent.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(windowsEvent.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['a SecurityEvent export row', wfpRow(5157, wfpData(), { Type: 'SecurityEvent' })],
      [
        'a SecurityEvent row without Type (no Provider, XML EventData)',
        {
          EventSourceName: AUDITING,
          Channel: 'Security',
          EventID: 5157,
          EventData: '<EventData></EventData>',
        },
      ],
      [
        'a row without Type whose EventData is XML',
        withoutType(wfpRow(5157, undefined, { EventData: '<EventData/>' })),
      ],
    ])('does not claim %s', (_label, record) => {
      expect(windowsEvent.matchJson?.(record)).toBe(false);
    });

    it('is the only decoder of the group that claims WindowsEvent rows', () => {
      expect(securityEventWfp.matchJson?.(wfpRow(5157))).toBe(false);
      expect(normalizeRows([wfpRow(5157), sysmonRow()]).sources).toEqual({ [NAME]: 2 });
    });
  });

  describe('row selection', () => {
    it.each([5150, 5151, 5152, 5153, 5154, 5155, 5156, 5157, 5158, 5159])(
      'decodes WFP event %i',
      (eventId) => {
        expect(normalizeRows([wfpRow(eventId)]).records).toHaveLength(1);
      },
    );

    it('decodes WFP ids whatever the provider, as the parser does', () => {
      expect(normalizeRows([row('Some-Other-Provider', 5156, wfpData())]).records).toHaveLength(1);
    });

    it.each([
      ['a Sysmon event 1', row(SYSMON, 1, { Image: 'cmd.exe' })],
      ['a Sysmon event 22', row(SYSMON, 22, { QueryName: 'example.com' })],
      ['an event 3 of another provider', row('Microsoft-Windows-Something', 3, sysmonData())],
      [
        'a Sysmon event 3 with the provider in another case',
        row('microsoft-windows-sysmon', 3, sysmonData()),
      ],
      ['a logon event', wfpRow(4624, { TargetUserName: 'alice' })],
      ['event 5149', wfpRow(5149)],
      ['event 5160', wfpRow(5160)],
    ])('skips %s', (_label, record) => {
      const result = normalizeRows([record]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: not a network event`]: 1 });
    });
  });

  describe('WFP mapping', () => {
    it.each([
      [5150, 'Deny', 'Failure'],
      [5151, 'Deny', 'Failure'],
      [5152, 'Deny', 'Failure'],
      [5153, 'Deny', 'Failure'],
      [5154, 'Allow', 'Success'],
      [5155, 'Deny', 'Failure'],
      [5156, 'Allow', 'Success'],
      [5157, 'Deny', 'Failure'],
      [5158, 'Allow', 'Success'],
      [5159, 'Deny', 'Failure'],
    ])('maps %i to %s / %s', (eventId, action, result) => {
      expect(normalizeRows([wfpRow(eventId)]).records[0]).toMatchObject({
        DvcAction: action,
        EventResult: result,
      });
    });

    it.each([
      [5156, '%%14592', 'Inbound', true],
      [5157, '%%14592', 'Inbound', true],
      [5157, 'Inbound', 'Inbound', true],
      [5156, '%%14593', 'Outbound', false],
      [5157, 'Outbound', 'Outbound', false],
      [5150, '%%14592', 'Inbound', false],
      [5152, '%%14592', 'Inbound', false],
      [5153, '%%14593', 'Outbound', false],
      [5156, '%%14594', undefined, false],
      [5156, '%%14595', undefined, false],
      [5156, '%%14609', 'Listen', false],
      [5156, '%%99999', undefined, false],
      [5156, '', undefined, false],
    ])('orients %i with Direction "%s" as %s (swapped: %s)', (eventId, code, direction, swapped) => {
      const [record] = normalizeRows([wfpRow(eventId, wfpData({ Direction: code }))]).records;
      expect(record?.NetworkDirection).toBe(direction);
      expect(record).toMatchObject(
        swapped
          ? { SrcIpAddr: '203.0.113.45', SrcPortNumber: 51544, DstIpAddr: '10.1.0.10', DstPortNumber: 3389 }
          : { SrcIpAddr: '10.1.0.10', SrcPortNumber: 3389, DstIpAddr: '203.0.113.45', DstPortNumber: 51544 },
      );
    });

    it.each([5154, 5155, 5158, 5159])(
      'makes %i a Listen row without destination, whatever Direction says',
      (eventId) => {
        const [record] = normalizeRows([wfpRow(eventId, wfpData({ Direction: '%%14592' }))]).records;
        expect(record).toMatchObject({
          NetworkDirection: 'Listen',
          SrcIpAddr: '10.1.0.10',
          SrcPortNumber: 3389,
        });
        expect(record).not.toHaveProperty('DstIpAddr');
        expect(record).not.toHaveProperty('DstPortNumber');
      },
    );

    it.each([
      [1, 'ICMP'],
      [3, 'GGP'],
      [6, 'TCP'],
      [8, 'EGP'],
      [12, 'PUP'],
      [17, 'UDP'],
      [20, 'HMP'],
      [27, 'RDP'],
      [46, 'RSVP'],
      [47, 'PPTP data over GRE'],
      [50, 'ESP'],
      [51, 'AH'],
      [66, 'RVD'],
      [88, 'IGMP'],
      [89, 'OSPF'],
      [0, undefined],
      [2, undefined],
      [58, undefined],
      [132, undefined],
    ])('maps protocol %i to %s through the parser table', (protocol, expected) => {
      const [record] = normalizeRows([wfpRow(5156, wfpData({ Protocol: String(protocol) }))]).records;
      expect(record?.NetworkProtocol).toBe(expected);
    });

    it('accepts numbers where the export writes strings', () => {
      const data = wfpData({ SourcePort: 3389, DestPort: 51544, Protocol: 6 });
      expect(normalizeRows([wfpRow(5157, data, { EventID: '5157' })]).records[0]).toMatchObject({
        DstPortNumber: 3389,
        NetworkProtocol: 'TCP',
      });
    });

    it('uses TimeCreated, else TimeGenerated, else the enqueued time (decision D3)', () => {
      const noCreated = wfpRow(5157, wfpData(), { TimeCreated: null });
      const noTime = wfpRow(5157, wfpData(), { TimeCreated: null, TimeGenerated: null });
      const result = normalizeRows([wfpRow(5157), noCreated, noTime], {
        fallbackTime: '2025-11-20T10:20:00.000Z',
      });
      expect(result.records.map((r) => [r.TimeGenerated, r.EventStartTime, r.EventEndTime])).toEqual([
        ['2025-11-20T10:16:03.991Z', '2025-11-20T10:16:03.991Z', '2025-11-20T10:16:03.991Z'],
        ['2025-11-20T10:16:05.402Z', '2025-11-20T10:16:05.402Z', '2025-11-20T10:16:05.402Z'],
        ['2025-11-20T10:20:00.000Z', '2025-11-20T10:20:00.000Z', '2025-11-20T10:20:00.000Z'],
      ]);
    });
  });

  describe('Sysmon event 3 mapping', () => {
    it('maps an accepted inbound connection with the remote peer as the source', () => {
      const [record] = normalizeRows([sysmonRow()]).records;
      expect(record).toEqual({
        TimeGenerated: '2025-11-20T10:16:03.991Z',
        EventStartTime: '2025-11-20T10:19:01.408Z',
        EventEndTime: '2025-11-20T10:19:01.408Z',
        EventCount: 1,
        EventVendor: 'Microsoft',
        EventProduct: 'Sysmon',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.5',
        EventType: 'EndpointNetworkSession',
        EventResult: 'Success',
        EventOriginalType: '3',
        SrcIpAddr: '203.0.113.45',
        SrcPortNumber: 51722,
        DstIpAddr: '10.0.0.4',
        DstPortNumber: 3389,
        NetworkProtocol: 'TCP',
        NetworkRuleName: '-',
        Dvc: 'dc01.contoso.com',
        DvcIpAddr: '10.0.0.4',
        DvcOs: 'Windows',
      });
    });

    it.each([
      ['true', '203.0.113.45'],
      ['True', '203.0.113.45'],
      [true, '203.0.113.45'],
      ['false', '10.0.0.4'],
      [false, '10.0.0.4'],
      [undefined, '10.0.0.4'],
    ])('takes DvcIpAddr from the local side for Initiated %s', (initiated, dvcIp) => {
      const data = sysmonData({ Initiated: initiated });
      expect(normalizeRows([sysmonRow(data)]).records[0]?.DvcIpAddr).toBe(dvcIp);
    });

    it.each([
      ['udp', 'UDP'],
      ['Tcp', 'TCP'],
      ['', undefined],
    ])('upper-cases Protocol %s', (protocol, expected) => {
      expect(normalizeRows([sysmonRow(sysmonData({ Protocol: protocol }))]).records[0]?.NetworkProtocol).toBe(
        expected,
      );
    });

    it('sets no NetworkDirection, no DvcAction and no DvcHostname', () => {
      const [record] = normalizeRows([sysmonRow()]).records;
      expect(record).not.toHaveProperty('NetworkDirection');
      expect(record).not.toHaveProperty('DvcAction');
      expect(record).not.toHaveProperty('DvcHostname');
    });

    it('leaves EventStartTime out when UtcTime is absent, and bins on the device time', () => {
      const [record] = normalizeRows([sysmonRow(sysmonData({ UtcTime: undefined }))]).records;
      expect(record?.TimeGenerated).toBe('2025-11-20T10:16:03.991Z');
      expect(record).not.toHaveProperty('EventStartTime');
    });
  });

  describe('bad input', () => {
    it.each([
      ['WFP EventData missing', wfpRow(5157, undefined, { EventData: null }), 'missing EventData'],
      ['WFP EventData an array', wfpRow(5157, undefined, { EventData: [1, 2] }), 'malformed EventData'],
      [
        'WFP EventData JSON text cut short',
        wfpRow(5157, undefined, { EventData: '{"SourceAddress":"10.1' }),
        'malformed EventData',
      ],
      ['WFP SourcePort missing', wfpRow(5157, wfpData({ SourcePort: undefined })), 'missing SourcePort'],
      ['WFP DestAddress missing', wfpRow(5157, wfpData({ DestAddress: '' })), 'missing DestAddress'],
      ['WFP DestPort a boolean', wfpRow(5157, wfpData({ DestPort: true })), 'invalid DestPort'],
      ['WFP DestPort huge', wfpRow(5157, wfpData({ DestPort: 1e20 })), 'invalid DestPort'],
      [
        'WFP SourceAddress hostile',
        wfpRow(5157, wfpData({ SourceAddress: "10.1.0.10' OR 1=1" })),
        'invalid SourceAddress',
      ],
      [
        'WFP Direction of 1 000 characters',
        wfpRow(5157, wfpData({ Direction: '%'.repeat(1000) })),
        'invalid Direction',
      ],
      ['EventID missing', wfpRow(undefined), 'missing EventID'],
      ['EventID text', wfpRow('five thousand'), 'invalid EventID'],
      ['Provider an object', row({ name: SYSMON } as unknown as string, 3, sysmonData()), 'invalid Provider'],
      ['TimeCreated not a date', wfpRow(5157, wfpData(), { TimeCreated: 'soon' }), 'invalid TimeCreated'],
      [
        'Sysmon DestinationPort missing',
        sysmonRow(sysmonData({ DestinationPort: undefined })),
        'missing DestinationPort',
      ],
      ['Sysmon SourceIp hostile', sysmonRow(sysmonData({ SourceIp: 'a'.repeat(65) })), 'invalid SourceIp'],
      [
        'Sysmon UtcTime not a date',
        sysmonRow(sysmonData({ UtcTime: '2025-13-45 99:99:99' })),
        'invalid UtcTime',
      ],
      [
        'Sysmon RuleName with control characters',
        sysmonRow(sysmonData({ RuleName: 'x\u0007y' })),
        'invalid RuleName',
      ],
      [
        'no time at all',
        wfpRow(5157, wfpData(), { TimeCreated: null, TimeGenerated: null }),
        'no event time',
      ],
    ])('reports %s as invalid while the good rows beside it come out', (_label, bad, reason) => {
      const result = normalizeText(JSON.stringify({ records: [wfpRow(5157), bad, sysmonRow()] }));
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.EventProduct)).toEqual(['Windows Firewall', 'Sysmon']);
      const letter = result.normalizer.deadLetters[0];
      expect(letter?.location.record).toBe(1);
      expect((letter?.detail ?? '').length).toBeLessThanOrEqual(120);
    });

    it('does not take EventData fields from a __proto__ key', () => {
      const text = JSON.stringify(wfpRow(5157, {})).replace(
        '"EventData":{}',
        '"EventData":{"__proto__":{"SourceAddress":"10.1.0.10","SourcePort":"1","DestAddress":"10.1.0.5","DestPort":"2"}}',
      );
      const result = normalizeText(text);
      expect(result.invalid).toEqual({ [`${NAME}: missing SourceAddress`]: 1 });
      expect(({} as Record<string, unknown>).SourceAddress).toBeUndefined();
    });
  });
});
