import { describe, expect, it } from 'vitest';
import { checkPointFirewall } from '../../../../lib/sources/firewalls/checkPointFirewall.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/firewallLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'checkpoint-firewall';

function ctx(): DecodeContext {
  return {
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2025-03-01T12:00:00Z'),
    stream: new StreamState(),
  };
}

function row(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:06.3Z',
    DeviceVendor: 'Check Point',
    DeviceProduct: 'VPN-1 & FireWall-1',
    Activity: 'https',
    DeviceAction: 'Drop',
    SourceIP: '198.51.100.23',
    SourcePort: 51234,
    DestinationIP: '10.0.20.15',
    DestinationPort: 443,
    Protocol: '6',
    Type: 'CommonSecurityLog',
    ...overrides,
  };
}

describe('Decoder: checkpoint-firewall', () => {
  describe('recognition', () => {
    it.each([['Check Point'], ['CheckPoint']])('claims rows and CEF lines of vendor %j', (vendor) => {
      expect(checkPointFirewall.matchJson?.(row({ DeviceVendor: vendor }))).toBe(true);
      expect(
        checkPointFirewall.matchText?.(
          `CEF:0|${vendor}|VPN-1 & FireWall-1|R81|Log|https|Unknown|act=Drop`,
          ctx(),
        ),
      ).toBe(true);
    });

    it.each([
      ['the FalconHost product', row({ DeviceProduct: 'FalconHost' })],
      ['another vendor spelling', row({ DeviceVendor: 'Checkpoint' })],
      ['a row of another table', row({ Type: 'SecurityEvent' })],
    ])('does not claim %s', (_label, record) => {
      expect(checkPointFirewall.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(checkPointFirewall.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, text) => {
      expect(checkPointFirewall.matchText?.(text, ctx())).toBe(false);
    });
  });

  describe('mapping', () => {
    it('maps a Log Exporter row', () => {
      const [record] = normalizeRows([
        row({
          ReceiptTime: '1740823205000',
          DeviceCustomString2: 'Stealth Rule',
          AdditionalExtensions:
            'loguid={0x1,0x2};origin=10.0.0.1;originsicname=CN\\=gw01,O\\=mgmt01..k2rtgh;rule_uid=r-1;conn_direction=Incoming',
        }),
      ]).records;
      expect(record).toEqual({
        TimeGenerated: '2025-03-01T10:00:05.000Z',
        EventStartTime: '2025-03-01T10:00:05.000Z',
        EventEndTime: '2025-03-01T10:00:05.000Z',
        EventCount: 1,
        EventVendor: 'Check Point',
        EventProduct: 'Firewall',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.4',
        EventType: 'NetworkSession',
        EventResult: 'Failure',
        EventOriginalUid: '{0x1,0x2}',
        SrcIpAddr: '198.51.100.23',
        SrcPortNumber: 51234,
        DstIpAddr: '10.0.20.15',
        DstPortNumber: 443,
        NetworkProtocol: 'TCP',
        NetworkDirection: 'Inbound',
        NetworkRuleName: 'Stealth Rule',
        DvcAction: 'Drop',
        Dvc: '10.0.0.1',
        DvcHostname: 'gw01',
      });
    });

    it.each([
      ['Accept', 'Allow', 'Success'],
      ['Allow', 'Allow', 'Success'],
      ['Bypass', 'Allow', 'Success'],
      ['Drop', 'Drop', 'Failure'],
      ['Reject', 'Deny', 'Failure'],
      ['Block', 'Deny', 'Failure'],
      ['Encrypt', 'Encrypt', 'Success'],
      ['Decrypt', 'Decrypt', 'Success'],
      [undefined, undefined, 'NA'],
      ['accept', undefined, undefined],
    ])('maps DeviceAction %j to %s / %s', (action, dvcAction, result) => {
      const [record] = normalizeRows([row({ DeviceAction: action })]).records;
      expect(record?.DvcAction).toBe(dvcAction);
      expect(record?.EventResult).toBe(result);
    });

    it.each([
      ['conn_direction=Incoming', 'Inbound'],
      ['conn_direction=Outgoing', 'Outbound'],
      ['conn_direction=Internal;inzone=External;outzone=Internal', 'Local'],
      ['inzone=Internal;outzone=Internal', 'Local'],
      ['inzone=Internal;outzone=Local', 'Local'],
      ['inzone=Internal;outzone=External', 'Outbound'],
      ['inzone=Local;outzone=External', 'Outbound'],
      ['inzone=External;outzone=Internal', 'Inbound'],
      ['inzone=External;outzone=Local', 'Inbound'],
      ['inzone=External;outzone=External', undefined],
      ['conn_direction=Sideways', undefined],
      ['', undefined],
    ])('derives NetworkDirection from %j', (extensions, direction) => {
      const [record] = normalizeRows([row({ AdditionalExtensions: extensions })]).records;
      expect(record?.NetworkDirection).toBe(direction);
    });

    it.each([
      [{ DeviceCustomString2: 'cs2', AdditionalExtensions: 'rule_uid=uid' }, 'cs2'],
      [{ AdditionalExtensions: 'rule_uid=uid' }, 'uid'],
      [{ AdditionalExtensions: 'rule_uid=' }, 'https'],
      [{}, 'https'],
      [{ Activity: undefined }, undefined],
    ])('takes NetworkRuleName from %j', (overrides, rule) => {
      expect(normalizeRows([row(overrides)]).records[0]?.NetworkRuleName).toBe(rule);
    });

    it.each([
      ['CN\\=gw01,O\\=mgmt01..k2rtgh', 'gw01'],
      ['CN=gw02,O=mgmt01', 'gw02'],
      ['CN\\=gw03', undefined],
      ['O\\=mgmt01,CN\\=gw04', undefined],
    ])('reads DvcHostname from originsicname %j', (sicName, hostname) => {
      const [record] = normalizeRows([row({ AdditionalExtensions: `originsicname=${sicName}` })]).records;
      expect(record?.DvcHostname).toBe(hostname);
    });

    it.each([
      ['6', ['TCP']],
      ['17', ['UDP']],
      ['84', ['TTP', 'IPTM']],
      ['tcp', [undefined]],
      ['06', [undefined]],
      ['150', [undefined]],
      [undefined, [undefined]],
    ])('maps Protocol %j through the IANA table', (protocol, names) => {
      expect(normalizeRows([row({ Protocol: protocol })]).records.map((r) => r.NetworkProtocol)).toEqual(
        names,
      );
    });

    it('takes start and end from the columns, then from AdditionalExtensions', () => {
      const [columns] = normalizeRows([
        row({
          StartTime: '2025-03-01T09:00:00Z',
          EndTime: '2025-03-01T09:01:00Z',
          AdditionalExtensions: 'start=1',
        }),
      ]).records;
      expect(columns).toMatchObject({
        EventStartTime: '2025-03-01T09:00:00.000Z',
        EventEndTime: '2025-03-01T09:01:00.000Z',
      });
      const [extensions] = normalizeRows([
        row({ AdditionalExtensions: 'start=1740819600000;end=1740819660000' }),
      ]).records;
      expect(extensions).toMatchObject({
        EventStartTime: '2025-03-01T09:00:00.000Z',
        EventEndTime: '2025-03-01T09:01:00.000Z',
      });
      const [startOnly] = normalizeRows([row({ AdditionalExtensions: 'start=1740819600000' })]).records;
      expect(startOnly).toMatchObject({
        EventStartTime: '2025-03-01T09:00:00.000Z',
        EventEndTime: '2025-03-01T09:00:00.000Z',
      });
    });

    it('reads a raw Log Exporter line into the same row', () => {
      const [record] = normalizeText(
        '<134>1 2025-03-01T10:00:05Z mgmt01 CheckPoint 2402 - [sc@2620 ] CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Drop spt=51234 dpt=443 src=198.51.100.23 dst=10.0.20.15 proto=6 origin=10.0.0.1 originsicname=CN\\=gw01,O\\=mgmt01..k2rtgh',
      ).records;
      expect(record).toMatchObject({
        TimeGenerated: '2025-03-01T10:00:05.000Z',
        Dvc: '10.0.0.1',
        DvcHostname: 'gw01',
      });
    });
  });

  describe('bad input', () => {
    it.each([
      ['a port out of range', { DestinationPort: '65536' }, 'invalid DestinationPort'],
      ['a hostile SourceIP', { SourceIP: `${'1.'.repeat(100)}1` }, 'invalid SourceIP'],
      ['an object Protocol', { Protocol: { n: 6 } }, 'invalid Protocol'],
    ])('reports a row with %s as invalid and keeps the rows beside it', (_label, overrides, reason) => {
      const result = normalizeRows([row(), row(overrides as JsonObject), row({ DestinationPort: 22 })]);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([443, 22]);
    });

    it('reads a ReceiptTime past the year 9999 as no device time and keeps the row time', () => {
      const [record] = normalizeRows([row({ ReceiptTime: 'Dec 31 9999 23:59:59 -23:59' })]).records;
      expect(record?.TimeGenerated).toBe('2025-03-01T10:00:06.300Z');
      expect(record?.EventStartTime).toBe('2025-03-01T10:00:06.300Z');
    });

    it('ignores AdditionalExtensions that are not text', () => {
      const [record] = normalizeRows([row({ AdditionalExtensions: { origin: '10.0.0.1' } })]).records;
      expect(record?.Dvc).toBeUndefined();
      expect(record?.DstPortNumber).toBe(443);
    });

    it('reads hostile AdditionalExtensions keys as plain keys', () => {
      const [record] = normalizeRows([
        row({ AdditionalExtensions: '__proto__=x;constructor=y;origin=10.0.0.9' }),
      ]).records;
      expect(record?.Dvc).toBe('10.0.0.9');
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });
  });
});
