import { describe, expect, it } from 'vitest';
import { vmConnection } from '../../../../lib/sources/microsoft-host/vmConnection.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';
import { FOREIGN_RECORDS } from '../../../support/microsoftHostLookalikes.js';

const NAME = 'vmconnection';

function vmRow(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-11-20T10:17:00Z',
    Computer: 'web01.contoso.com',
    Machine: 'm-3b5c',
    ProcessName: 'sshd',
    SourceIp: '203.0.113.45',
    DestinationIp: '10.1.0.4',
    DestinationPort: 22,
    Protocol: 'tcp',
    Direction: 'inbound',
    RemoteIp: '203.0.113.45',
    ConnectionId: 'c-0a1b',
    LinksEstablished: 1,
    LinksTerminated: 1,
    LinksLive: 0,
    LinksFailed: 0,
    Type: 'VMConnection',
    ...overrides,
  };
}

const withoutType = ({ Type: _, ...rest }: JsonObject): JsonObject => rest;

describe('Decoder: vmconnection', () => {
  describe('recognition', () => {
    it.each([
      ['an export row', vmRow()],
      ['an export row with another Direction (skipped later)', vmRow({ Direction: 'unknown' })],
      ['a row without Type', withoutType(vmRow())],
      [
        'a row without Type that has only Machine of the three markers',
        withoutType(vmRow({ LinksEstablished: undefined, ConnectionId: undefined })),
      ],
    ])('claims %s', (_label, record) => {
      expect(vmConnection.matchJson?.(JSON.parse(JSON.stringify(record)) as JsonObject)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(vmConnection.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['a row of another table', vmRow({ Type: 'VMBoundPort' })],
      [
        'a row without Type and without LinksEstablished, ConnectionId or Machine',
        { Direction: 'inbound', SourceIp: '203.0.113.45', DestinationIp: '10.1.0.4', DestinationPort: 22 },
      ],
      ['a row without Type and without Direction', withoutType(vmRow({ Direction: undefined }))],
    ])('does not claim %s', (_label, record) => {
      expect(vmConnection.matchJson?.(JSON.parse(JSON.stringify(record)) as JsonObject)).toBe(false);
    });

    it('recognizes its rows automatically through the normalizer', () => {
      expect(normalizeRows([vmRow(), withoutType(vmRow())]).sources).toEqual({ [NAME]: 2 });
    });
  });

  describe('mapping', () => {
    it('maps an inbound row with the remote peer as the source and the VM as the device', () => {
      expect(normalizeRows([vmRow()]).records[0]).toEqual({
        TimeGenerated: '2025-11-20T10:17:00.000Z',
        EventStartTime: '2025-11-20T10:17:00.000Z',
        EventEndTime: '2025-11-20T10:17:00.000Z',
        EventCount: 1,
        EventVendor: 'Microsoft',
        EventProduct: 'VMConnection',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'EndpointNetworkSession',
        EventResult: 'Success',
        SrcIpAddr: '203.0.113.45',
        DstIpAddr: '10.1.0.4',
        DstPortNumber: 22,
        NetworkProtocol: 'TCP',
        NetworkDirection: 'Inbound',
        Dvc: 'web01',
        DvcHostname: 'web01',
        DvcIpAddr: '10.1.0.4',
        DvcId: 'm-3b5c',
      });
    });

    it('maps an outbound row with the VM as the source', () => {
      const row = vmRow({
        Direction: 'outbound',
        SourceIp: '10.1.0.4',
        DestinationIp: '198.51.100.80',
        DestinationPort: '5432',
      });
      expect(normalizeRows([row]).records[0]).toMatchObject({
        SrcIpAddr: '10.1.0.4',
        DstIpAddr: '198.51.100.80',
        DstPortNumber: 5432,
        NetworkDirection: 'Outbound',
        DvcIpAddr: '10.1.0.4',
      });
    });

    it.each(['Inbound', 'OUTBOUND', 'unknown', '', null, 7])(
      'skips Direction %s, which the parser drops',
      (direction) => {
        const result = normalizeRows([vmRow({ Direction: direction })]);
        expect(result.records).toEqual([]);
        expect(result.skipped).toEqual({ [`${NAME}: Direction not inbound or outbound`]: 1 });
      },
    );

    it.each([
      [1, 1],
      [7, 7],
      ['12', 12],
      [0, 1],
      ['0', 1],
      [undefined, 1],
    ])('turns LinksEstablished %s into EventCount %i', (links, count) => {
      expect(normalizeRows([vmRow({ LinksEstablished: links })]).records[0]?.EventCount).toBe(count);
    });

    it('keeps a Computer without dots as its own host name and leaves an absent Protocol out', () => {
      const [record] = normalizeRows([vmRow({ Computer: 'web01', Protocol: undefined })]).records;
      expect(record).toMatchObject({ Dvc: 'web01', DvcHostname: 'web01' });
      expect(record).not.toHaveProperty('NetworkProtocol');
      expect(record).not.toHaveProperty('SrcPortNumber');
    });

    it('falls back to the enqueued time without TimeGenerated', () => {
      const result = normalizeRows([vmRow({ TimeGenerated: undefined })], {
        fallbackTime: '2025-11-20T10:18:00.000Z',
      });
      expect(result.records[0]?.TimeGenerated).toBe('2025-11-20T10:18:00.000Z');
    });
  });

  describe('bad input', () => {
    it.each([
      ['SourceIp missing', vmRow({ SourceIp: '' }), 'missing SourceIp'],
      ['DestinationIp missing', vmRow({ DestinationIp: undefined }), 'missing DestinationIp'],
      ['DestinationPort missing', vmRow({ DestinationPort: null }), 'missing DestinationPort'],
      ['DestinationPort out of range', vmRow({ DestinationPort: 65536 }), 'invalid DestinationPort'],
      ['DestinationPort an array', vmRow({ DestinationPort: [22] }), 'invalid DestinationPort'],
      ['SourceIp hostile', vmRow({ SourceIp: '203.0.113.45\n<img src=x>' }), 'invalid SourceIp'],
      ['SourceIp a number', vmRow({ SourceIp: 3405803821 }), 'invalid SourceIp'],
      ['LinksEstablished negative', vmRow({ LinksEstablished: -3 }), 'invalid LinksEstablished'],
      ['LinksEstablished huge', vmRow({ LinksEstablished: '1e308' }), 'invalid LinksEstablished'],
      ['Computer of 300 characters', vmRow({ Computer: 'c'.repeat(300) }), 'invalid Computer'],
      ['Protocol an object', vmRow({ Protocol: { name: 'tcp' } }), 'invalid Protocol'],
      ['TimeGenerated not a date', vmRow({ TimeGenerated: 'Thursday' }), 'invalid TimeGenerated'],
      ['no time at all', vmRow({ TimeGenerated: undefined }), 'no event time'],
    ])('reports %s as invalid while the good rows beside it come out', (_label, bad, reason) => {
      const result = normalizeText(JSON.stringify({ records: [vmRow(), bad, vmRow()] }));
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records).toHaveLength(2);
      const letter = result.normalizer.deadLetters[0];
      expect(letter?.location.record).toBe(1);
      expect((letter?.detail ?? '').length).toBeLessThanOrEqual(120);
    });

    it('is not fooled by a __proto__ key carrying the table columns', () => {
      const text =
        '{"__proto__":{"Type":"VMConnection","Direction":"inbound","SourceIp":"203.0.113.45","DestinationIp":"10.1.0.4","DestinationPort":22,"Machine":"m"}}';
      const result = normalizeText(text);
      expect(result.sources).not.toHaveProperty(NAME);
      expect(({} as Record<string, unknown>).Direction).toBeUndefined();
    });
  });
});
