import { describe, expect, it } from 'vitest';
import { ntaNetAnalytics } from '../../../../lib/sources/microsoft-azure/ntaNetAnalytics.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_RECORDS } from '../../../support/azurePlatformLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'nta-net-analytics';

function ntaRow(overrides: JsonObject = {}): JsonObject {
  return {
    TenantId: '11111111-2222-3333-4444-555555555555',
    TimeGenerated: '2025-08-25T20:11:21.937Z',
    SubType: 'FlowLog',
    FaSchemaVersion: '3',
    FlowType: 'ExternalPublic',
    FlowStartTime: '2025-08-25T19:27:37.050Z',
    FlowEndTime: '2025-08-25T19:28:00.000Z',
    DestIp: '172.18.0.4',
    DestPort: '10002',
    L4Protocol: 'TCP',
    FlowDirection: 'Inbound',
    FlowStatus: 'Denied',
    CompletedFlows: '0',
    SrcPublicIps: '35.203.210.116|1|0|0|0|0|0',
    AclRule: 'denyallinbound',
    Type: 'NTANetAnalytics',
    ...overrides,
  };
}

describe('Decoder: nta-net-analytics', () => {
  describe('recognition', () => {
    it.each([
      ['an export row', ntaRow()],
      ['a row without Type', (({ Type: _, ...rest }) => rest)(ntaRow())],
      ['a Topology row', ntaRow({ SubType: 'Topology' })],
    ])('claims %s', (_label, record) => {
      expect(ntaNetAnalytics.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(ntaNetAnalytics.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['a row of another table with the same columns', ntaRow({ Type: 'NTAIpDetails' })],
      ['a row without Type, SubType or FaSchemaVersion', { SrcIp: '1.2.3.4', DestPort: 22 }],
      ['a VNet flow-log record', { category: 'FlowLogFlowEvent', flowRecords: { flows: [] } }],
    ])('does not claim %s', (_label, record) => {
      expect(ntaNetAnalytics.matchJson?.(record as JsonObject)).toBe(false);
    });
  });

  describe('mapping', () => {
    it('maps an inbound Internet probe to a full row with the public source (decision D4)', () => {
      const result = normalizeRows([ntaRow()]);
      expect(result.sources).toEqual({ [NAME]: 1 });
      expect(result.records).toEqual([
        {
          TimeGenerated: '2025-08-25T19:27:37.050Z',
          EventStartTime: '2025-08-25T19:27:37.050Z',
          EventEndTime: '2025-08-25T19:28:00.000Z',
          EventCount: 1,
          EventVendor: 'Microsoft',
          EventProduct: 'Azure NSG flows',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.6',
          EventType: 'Flow',
          EventResult: 'Failure',
          SrcIpAddr: '35.203.210.116',
          DstIpAddr: '172.18.0.4',
          DstPortNumber: 10002,
          NetworkProtocol: 'TCP',
          NetworkDirection: 'Inbound',
          NetworkRuleName: 'denyallinbound',
          DvcAction: 'Deny',
          Dvc: 'Azure NSG flows',
        },
      ]);
    });

    it('prefers SrcIp over SrcPublicIps and counts CompletedFlows', () => {
      const [row] = normalizeRows([ntaRow({ SrcIp: '10.0.0.5', CompletedFlows: 7 })]).records;
      expect(row).toMatchObject({ SrcIpAddr: '10.0.0.5', EventCount: 7 });
    });

    it('emits one row per public source, counted by its flowsEnded', () => {
      const rows = normalizeRows([
        ntaRow({
          SrcPublicIps: '198.51.100.1|4|3|0|0|0|0  198.51.100.2|1|0|0|0|0|0 2001:db8::9|1|1|0|0|0|0',
        }),
      ]).records;
      expect(rows.map((r) => [r.SrcIpAddr, r.EventCount, r.DstPortNumber])).toEqual([
        ['198.51.100.1', 3, 10002],
        ['198.51.100.2', 1, 10002],
        ['2001:db8::9', 1, 10002],
      ]);
    });

    it('keeps a row without any source address, as the parser does', () => {
      const { SrcPublicIps: _, ...row } = ntaRow();
      const rows = normalizeRows([row]).records;
      expect(rows).toHaveLength(1);
      expect(rows[0]).not.toHaveProperty('SrcIpAddr');
    });

    it.each([
      ['T', 'TCP'],
      ['U', 'UDP'],
      ['TCP', 'TCP'],
      ['UDP', 'UDP'],
      ['ICMP', 'ICMP'],
      ['tcp', undefined],
      ['GRE', undefined],
    ])('maps L4Protocol %s to %s', (protocol, expected) => {
      const [row] = normalizeRows([ntaRow({ L4Protocol: protocol })]).records;
      expect(row?.NetworkProtocol).toBe(expected);
    });

    it.each([
      ['Allowed', 'Allow', 'Success'],
      ['Denied', 'Deny', 'Failure'],
      ['A', undefined, undefined],
      ['denied', undefined, undefined],
    ])('maps FlowStatus %s to %s/%s', (status, action, result) => {
      const [row] = normalizeRows([ntaRow({ FlowStatus: status })]).records;
      expect(row?.DvcAction).toBe(action);
      expect(row?.EventResult).toBe(result);
    });

    it.each([
      ['Inbound', 'Inbound'],
      ['Outbound', 'Outbound'],
      ['I', undefined],
    ])('maps FlowDirection %s to %s', (direction, expected) => {
      const [row] = normalizeRows([ntaRow({ FlowDirection: direction })]).records;
      expect(row?.NetworkDirection).toBe(expected);
    });

    it.each([
      ['51000', 51000],
      ['51000|51001|51002', 51000],
      ['', undefined],
      ['many', undefined],
      ['1024-2048', undefined],
    ])('takes SrcPorts %s as source port %s', (srcPorts, expected) => {
      const [row] = normalizeRows([ntaRow({ SrcPorts: srcPorts })]).records;
      expect(row?.SrcPortNumber).toBe(expected);
    });

    it('times the row by TimeGenerated when FlowStartTime is absent', () => {
      const { FlowStartTime: _, ...row } = ntaRow();
      const [out] = normalizeRows([row]).records;
      expect(out?.TimeGenerated).toBe('2025-08-25T20:11:21.937Z');
      expect(out).not.toHaveProperty('EventStartTime');
    });

    it('times the row by the enqueued time when it has no time at all', () => {
      const { FlowStartTime: _s, FlowEndTime: _e, TimeGenerated: _t, ...row } = ntaRow();
      const [out] = normalizeRows([row], { fallbackTime: '2025-08-25T21:00:00.000Z' }).records;
      expect(out?.TimeGenerated).toBe('2025-08-25T21:00:00.000Z');
    });

    it.each([['Topology'], ['IPDetails'], [undefined]])('skips a row whose SubType is %s', (subType) => {
      const result = normalizeRows([ntaRow({ SubType: subType })]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: not a FlowLog row`]: 1 });
    });
  });

  describe('bad input', () => {
    it.each([
      [
        'no time at all',
        (({ FlowStartTime: _s, FlowEndTime: _e, TimeGenerated: _t, ...rest }) => rest)(ntaRow()),
        'no event time',
      ],
      ['an unreadable FlowStartTime', ntaRow({ FlowStartTime: 'soon' }), 'invalid time'],
      [
        'a FlowEndTime past the year 9999',
        ntaRow({ FlowEndTime: '9999-12-31T23:59:59-23:59' }),
        'invalid time',
      ],
      ['a DestPort of 70000', ntaRow({ DestPort: 70000 }), 'invalid port'],
      ['a DestPort that is an object', ntaRow({ DestPort: { p: 1 } }), 'invalid port'],
      ['a SrcIp that is a number', ntaRow({ SrcIp: 42 }), 'invalid address'],
      ['a DestIp with markup', ntaRow({ DestIp: '<img src=x>' }), 'invalid address'],
      ['an AclRule that is an array', ntaRow({ AclRule: ['a'] }), 'invalid field type'],
      [
        'an oversized SrcPublicIps',
        ntaRow({ SrcPublicIps: '1.2.3.4|1|1|0|0|0|0 '.repeat(5000) }),
        'oversized field',
      ],
    ])('reports a row with %s and keeps the rows beside it', (_label, bad, reason) => {
      const result = normalizeRows([ntaRow(), bad, ntaRow()]);
      expect(result.records).toHaveLength(2);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
    });

    it('reports a public entry that is not an address and keeps the entries beside it', () => {
      const result = normalizeRows([ntaRow({ SrcPublicIps: '198.51.100.1|1|1 evil|1|1 198.51.100.2|1|1' })]);
      expect(result.records.map((r) => r.SrcIpAddr)).toEqual(['198.51.100.1', '198.51.100.2']);
      expect(result.invalid).toEqual({ [`${NAME}: invalid address`]: 1 });
      expect(result.normalizer.deadLetters[0]?.detail).toBe('SrcPublicIps[1]: evil|1|1');
    });

    it('ignores columns hidden under a __proto__ key', () => {
      const text =
        '{"__proto__":{"SrcIp":"198.51.100.99","SubType":"FlowLog"},"Type":"NTANetAnalytics","SubType":"FlowLog",' +
        '"FlowStartTime":"2025-08-25T19:27:37.050Z","DestIp":"10.0.0.4","DestPort":22}';
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]).not.toHaveProperty('SrcIpAddr');
    });
  });
});
