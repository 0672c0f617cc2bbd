import { describe, expect, it } from 'vitest';
import { defenderDeviceNetworkEvents } from '../../../../lib/sources/microsoft-host/defenderDeviceNetworkEvents.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';
import { FOREIGN_RECORDS } from '../../../support/microsoftHostLookalikes.js';

const NAME = 'defender-devicenetworkevents';

function ahRow(overrides: JsonObject = {}): JsonObject {
  return {
    Timestamp: '2025-11-20T10:14:58.553Z',
    DeviceId: 'dev-1',
    DeviceName: 'web01.contoso.com',
    ActionType: 'InboundConnectionAccepted',
    RemoteIP: '203.0.113.45',
    RemotePort: 51544,
    LocalIP: '10.1.0.4',
    LocalPort: 3389,
    Protocol: 'Tcp',
    ReportId: 18123,
    ...overrides,
  };
}

function streamRecord(properties: JsonObject, envelope: JsonObject = {}): JsonObject {
  return {
    time: '2025-11-20T10:15:32.1234567Z',
    tenantId: 't',
    operationName: 'Publish',
    category: 'AdvancedHunting-DeviceNetworkEvents',
    properties,
    ...envelope,
  };
}

function exportRow(overrides: JsonObject = {}): JsonObject {
  return { ...ahRow(), TimeGenerated: '2025-11-20T10:15:40.000Z', Type: 'DeviceNetworkEvents', ...overrides };
}

describe('Decoder: defender-devicenetworkevents', () => {
  describe('recognition', () => {
    it.each([
      ['a streaming API record', streamRecord(ahRow())],
      [
        'a streaming API record of another Advanced Hunting table',
        { ...streamRecord({}), category: 'AdvancedHunting-DeviceProcessEvents' },
      ],
      [
        'a streaming API record with a lower-case category',
        { ...streamRecord(ahRow()), category: 'advancedhunting-devicenetworkevents' },
      ],
      ['a Log Analytics export row', exportRow()],
      ['a bare Advanced Hunting row', ahRow()],
    ])('claims %s', (_label, record) => {
      expect(defenderDeviceNetworkEvents.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(defenderDeviceNetworkEvents.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['a row of another table with the same columns', exportRow({ Type: 'DeviceEvents' })],
      ['a streaming record whose properties is not an object', streamRecord(ahRow(), { properties: 'x' })],
      [
        'a resource-log record of another category',
        streamRecord(ahRow(), { category: 'AzureFirewallNetworkRule' }),
      ],
      ['a bare row without DeviceId', (({ DeviceId: _, ...rest }) => rest)(ahRow())],
      [
        'a row whose Type is only inherited through __proto__',
        JSON.parse('{"__proto__":{"Type":"DeviceNetworkEvents"},"ActionType":"ConnectionSuccess"}'),
      ],
    ])('does not claim %s', (_label, record) => {
      expect(defenderDeviceNetworkEvents.matchJson?.(record as JsonObject)).toBe(false);
    });

    it('recognizes its records automatically through the normalizer', () => {
      const result = normalizeRows([streamRecord(ahRow()), exportRow(), ahRow()]);
      expect(result.sources).toEqual({ [NAME]: 3 });
      expect(result.records).toHaveLength(3);
    });
  });

  describe('mapping', () => {
    it.each([
      ['ConnectionSuccess', 'Outbound', 'Success', true],
      ['ConnectionFailed', 'Outbound', 'Failure', true],
      ['ConnectionRequest', 'Outbound', 'Success', true],
      ['InboundConnectionAccepted', 'Inbound', 'Success', false],
      ['ConnectionFound', 'Unknown', 'Success', false],
      ['ListeningConnectionCreated', 'Listen', 'Success', false],
    ])('maps %s to %s / %s on the right branch', (actionType, direction, result, outbound) => {
      const { records } = normalizeRows([ahRow({ ActionType: actionType })]);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        NetworkDirection: direction,
        EventResult: result,
        SrcIpAddr: outbound ? '10.1.0.4' : '203.0.113.45',
        SrcPortNumber: outbound ? 3389 : 51544,
        DstIpAddr: outbound ? '203.0.113.45' : '10.1.0.4',
        DstPortNumber: outbound ? 51544 : 3389,
        DvcIpAddr: '10.1.0.4',
      });
    });

    it.each([
      'ConnectionAttempt',
      'ConnectionAcknowledged',
      'InboundConnectionInspected',
      'NetworkSignatureInspected',
      'connectionsuccess',
    ])('skips ActionType %s, which the parser drops', (actionType) => {
      const result = normalizeRows([ahRow({ ActionType: actionType })]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: unmapped ActionType`]: 1 });
    });

    it.each([
      ['Tcp', 'TCP'],
      ['TcpV4', 'TCP'],
      ['tcpv6', 'TCP'],
      ['Udp', 'UDP'],
      ['UdpV6', 'UDPV6'],
      ['Icmp', 'ICMP'],
      ['IcmpV6', 'ICMPV6'],
      ['unknown', 'UNKNOWN'],
    ])('maps Protocol %s to %s', (protocol, expected) => {
      const { records } = normalizeRows([ahRow({ Protocol: protocol })]);
      expect(records[0]?.NetworkProtocol).toBe(expected);
    });

    it.each([
      ['Unknown', 'Unknown'],
      ['absent', undefined],
      ['empty', ''],
    ])('leaves NetworkProtocol out for Protocol %s', (_label, protocol) => {
      const row = ahRow({ Protocol: protocol });
      if (protocol === undefined) delete row.Protocol;
      const { records } = normalizeRows([row]);
      expect(records).toHaveLength(1);
      expect(records[0]).not.toHaveProperty('NetworkProtocol');
    });

    it('sets the constant fields, the device fields and EventOriginalUid', () => {
      const { records } = normalizeRows([ahRow({ ReportId: '18123' })]);
      expect(records[0]).toMatchObject({
        EventCount: 1,
        EventVendor: 'Microsoft',
        EventProduct: 'M365 Defender for Endpoint',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventOriginalUid: '18123',
        Dvc: 'web01',
        DvcHostname: 'web01',
        DvcId: 'dev-1',
      });
      expect(records[0]).not.toHaveProperty('DvcAction');
    });

    it('keeps IPv4-mapped addresses as written', () => {
      const { records } = normalizeRows([ahRow({ RemoteIP: '::ffff:203.0.113.45' })]);
      expect(records[0]?.SrcIpAddr).toBe('::ffff:203.0.113.45');
    });

    it('leaves the source out of a listening row with an empty or unspecified RemoteIP', () => {
      const { records } = normalizeRows([
        ahRow({ ActionType: 'ListeningConnectionCreated', RemoteIP: '', RemotePort: null }),
        ahRow({ ActionType: 'ListeningConnectionCreated', RemoteIP: '0.0.0.0', RemotePort: 0 }),
      ]);
      expect(records).toHaveLength(2);
      expect(records[0]).not.toHaveProperty('SrcIpAddr');
      expect(records[0]).not.toHaveProperty('SrcPortNumber');
      expect(records[1]).toMatchObject({ SrcIpAddr: '0.0.0.0', SrcPortNumber: 0, DstPortNumber: 3389 });
    });
  });

  describe('time (decision D3)', () => {
    it('prefers Timestamp over TimeGenerated', () => {
      const { records } = normalizeRows([exportRow({ Timestamp: '2025-11-20T10:14:58.553Z' })]);
      expect(records[0]).toMatchObject({
        TimeGenerated: '2025-11-20T10:14:58.553Z',
        EventStartTime: '2025-11-20T10:14:58.553Z',
        EventEndTime: '2025-11-20T10:14:58.553Z',
      });
    });

    it('uses TimeGenerated when Timestamp is absent', () => {
      const row = exportRow();
      delete row.Timestamp;
      const { records } = normalizeRows([row]);
      expect(records[0]?.TimeGenerated).toBe('2025-11-20T10:15:40.000Z');
    });

    it("uses the stream record's time when the row has no time", () => {
      const row = ahRow();
      delete row.Timestamp;
      const { records } = normalizeRows([streamRecord(row)]);
      expect(records[0]?.TimeGenerated).toBe('2025-11-20T10:15:32.123Z');
    });

    it('falls back to the enqueued time, and reports a row without any time', () => {
      const row = ahRow();
      delete row.Timestamp;
      expect(
        normalizeRows([row], { fallbackTime: '2025-11-20T10:16:00.000Z' }).records[0]?.TimeGenerated,
      ).toBe('2025-11-20T10:16:00.000Z');
      const result = normalizeRows([row]);
      expect(result.records).toEqual([]);
      expect(result.invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });
  });

  describe('bad input', () => {
    it.each([
      ['RemotePort out of range', ahRow({ RemotePort: 70000 }), 'invalid RemotePort'],
      ['LocalPort negative', ahRow({ LocalPort: -1 }), 'invalid LocalPort'],
      ['LocalPort fractional', ahRow({ LocalPort: 22.5 }), 'invalid LocalPort'],
      ['LocalPort huge', ahRow({ LocalPort: '999999999999999999999' }), 'invalid LocalPort'],
      ['LocalPort an object', ahRow({ LocalPort: { value: 22 } }), 'invalid LocalPort'],
      ['RemoteIP an array', ahRow({ RemoteIP: ['203.0.113.45'] }), 'invalid RemoteIP'],
      ['RemoteIP hostile markup', ahRow({ RemoteIP: '<script>alert(1)</script>' }), 'invalid RemoteIP'],
      ['RemoteIP with a NUL', ahRow({ RemoteIP: '203.0.113.45\u0000' }), 'invalid RemoteIP'],
      ['RemoteIP of 100 000 characters', ahRow({ RemoteIP: '1'.repeat(100_000) }), 'invalid RemoteIP'],
      [
        'DeviceName with control characters',
        ahRow({ DeviceName: 'web01\r\nINJECTED' }),
        'invalid DeviceName',
      ],
      ['DeviceName of 10 000 characters', ahRow({ DeviceName: 'a'.repeat(10_000) }), 'invalid DeviceName'],
      ['ActionType an object', ahRow({ ActionType: { x: 1 } }), 'invalid ActionType'],
      ['ActionType missing', ahRow({ ActionType: null }), 'missing ActionType'],
      ['LocalPort missing on an inbound row', ahRow({ LocalPort: null }), 'missing LocalPort'],
      ['RemoteIP missing on an inbound row', ahRow({ RemoteIP: '' }), 'missing RemoteIP'],
      [
        'LocalIP missing on an outbound row',
        ahRow({ ActionType: 'ConnectionSuccess', LocalIP: null }),
        'missing LocalIP',
      ],
      ['Timestamp not a date', ahRow({ Timestamp: 'yesterday' }), 'invalid Timestamp'],
      ['Timestamp a number', ahRow({ Timestamp: 1_700_000_000 }), 'invalid Timestamp'],
    ])('reports %s as invalid while the good row beside it comes out', (_label, bad, reason) => {
      const result = normalizeText(
        JSON.stringify({ records: [ahRow({ ReportId: 1 }), bad, ahRow({ ReportId: 2 })] }),
      );
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.EventOriginalUid)).toEqual(['1', '2']);
      const letter = result.normalizer.deadLetters[0];
      expect(letter?.reason).toBe(reason);
      expect(letter?.location.record).toBe(1);
      expect((letter?.detail ?? '').length).toBeLessThanOrEqual(120);
    });

    it('reports a stream record without properties when the format is forced', () => {
      const result = normalizeRows([{ category: 'AdvancedHunting-DeviceNetworkEvents', properties: [1] }], {
        format: NAME,
      });
      expect(result.invalid).toEqual({ [`${NAME}: missing properties`]: 1 });
    });

    it('keeps the good lines around a truncated JSON line', () => {
      const text = [
        JSON.stringify(ahRow({ ReportId: 1 })),
        '{"ActionType":"ConnectionSuccess","DeviceId":"d',
        JSON.stringify(ahRow({ ReportId: 2 })),
      ].join('\n');
      const result = normalizeText(text);
      expect(result.records.map((r) => r.EventOriginalUid)).toEqual(['1', '2']);
      expect(result.invalid).toEqual({ 'unknown: malformed JSON': 1 });
    });

    it('ignores __proto__ keys and pollutes no prototype', () => {
      const text =
        '{"__proto__":{"polluted":"yes","RemoteIP":"198.51.100.1"},"Timestamp":"2025-11-20T10:14:58.553Z","DeviceId":"d","ActionType":"InboundConnectionAccepted","RemoteIP":"203.0.113.45","RemotePort":1,"LocalIP":"10.1.0.4","LocalPort":22}';
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]?.SrcIpAddr).toBe('203.0.113.45');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
