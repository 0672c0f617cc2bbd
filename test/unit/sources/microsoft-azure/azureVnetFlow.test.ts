import { describe, expect, it } from 'vitest';
import { azureVnetFlow } from '../../../../lib/sources/microsoft-azure/azureVnetFlow.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_RECORDS } from '../../../support/azurePlatformLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'azure-vnet-flow';
const ACL = '01020304-abcd-ef00-1234-102030405060';
const FLOW_LOG =
  '/SUBSCRIPTIONS/X/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NW/FLOWLOGS/VNETFLOWLOG';

function vnetRecord(tuples: unknown[], group: JsonObject = {}, flow: JsonObject = {}): JsonObject {
  return {
    time: '2025-11-20T10:00:52.5625085Z',
    flowLogVersion: 4,
    flowLogGUID: 'abcdef01-2345-6789-0abc-def012345678',
    macAddress: '00224871C205',
    category: 'FlowLogFlowEvent',
    flowLogResourceID: FLOW_LOG,
    targetResourceID: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet',
    operationName: 'FlowLogFlowEvent',
    flowRecords: {
      flows: [{ aclID: ACL, flowGroups: [{ rule: 'Internet', flowTuples: tuples, ...group }], ...flow }],
    },
  };
}

const DENIED = '1763632801065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0';
const ALLOWED = '1763632803606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767,2,1580';

describe('Decoder: azure-vnet-flow', () => {
  describe('recognition', () => {
    it('claims a VNet flow-log record', () => {
      expect(azureVnetFlow.matchJson?.(vnetRecord([DENIED]))).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(azureVnetFlow.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['an NSG flow-log record', { category: 'NetworkSecurityGroupFlowEvent', properties: { flows: [] } }],
      ['flowRecords without a category', { flowLogVersion: 4, flowRecords: { flows: [] } }],
      ['an NTANetAnalytics row', { SubType: 'FlowLog', FaSchemaVersion: '3', Type: 'NTANetAnalytics' }],
    ])('does not claim %s', (_label, record) => {
      expect(azureVnetFlow.matchJson?.(record as JsonObject)).toBe(false);
    });
  });

  describe('mapping', () => {
    it('maps a denied inbound tuple to a full row with the Internet source', () => {
      const result = normalizeRows([vnetRecord([DENIED])]);
      expect(result.sources).toEqual({ [NAME]: 1 });
      expect(result.records).toEqual([
        {
          TimeGenerated: '2025-11-20T10:00:01.065Z',
          EventStartTime: '2025-11-20T10:00:01.065Z',
          EventEndTime: '2025-11-20T10:00:01.065Z',
          EventCount: 1,
          EventVendor: 'Microsoft',
          EventProduct: 'Azure NSG flows',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.6',
          EventType: 'Flow',
          EventResult: 'Failure',
          SrcIpAddr: '101.33.218.153',
          SrcPortNumber: 55188,
          DstIpAddr: '10.0.0.6',
          DstPortNumber: 22,
          NetworkProtocol: 'TCP',
          NetworkDirection: 'Inbound',
          NetworkRuleName: 'Internet',
          DvcAction: 'Deny',
          Dvc: ACL,
        },
      ]);
    });

    it.each([
      ['B', 'Allow', 'Success'],
      ['C', 'Allow', 'Success'],
      ['E', 'Allow', 'Success'],
      ['D', 'Deny', 'Failure'],
    ])('maps state %s to %s/%s', (state, action, result) => {
      const [row] = normalizeRows([
        vnetRecord([`1763632801065,10.0.0.6,10.0.0.7,1000,80,6,O,${state},X,0,0,0,0`]),
      ]).records;
      expect(row).toMatchObject({ DvcAction: action, EventResult: result, NetworkDirection: 'Outbound' });
    });

    it.each([
      ['6', 'TCP'],
      ['17', 'UDP'],
      ['1', 'ICMP'],
      ['47', 'GRE'],
      ['58', 'IPv6-ICMP'],
      ['255', 'Reserved'],
    ])('names protocol %s as %s', (number, name) => {
      const [row] = normalizeRows([
        vnetRecord([`1763632801065,10.0.0.6,10.0.0.7,0,0,${number},O,B,NX,0,0,0,0`]),
      ]).records;
      expect(row?.NetworkProtocol).toBe(name);
    });

    it.each(['200', '253'])(
      'leaves out the protocol name of %s, which the ASIM table does not name',
      (number) => {
        const rows = normalizeRows([
          vnetRecord([`1763632801065,10.0.0.6,10.0.0.7,0,0,${number},O,B,NX,0,0,0,0`]),
        ]).records;
        expect(rows).toHaveLength(1);
        expect(rows[0]).not.toHaveProperty('NetworkProtocol');
      },
    );

    it.each(['X', 'NX', 'NX_HW_NOT_SUPPORTED', 'NX_LOCAL_DST'])('accepts encryption status %s', (status) => {
      const result = normalizeRows([
        vnetRecord([`1763632801065,10.0.0.6,10.0.0.7,1,2,6,O,B,${status},0,0,0,0`]),
      ]);
      expect(result.records).toHaveLength(1);
    });

    it('falls back to flowLogResourceID for Dvc when a flow has no aclID', () => {
      const record = vnetRecord([DENIED]);
      const flows = (record.flowRecords as JsonObject).flows as JsonObject[];
      delete flows[0]?.aclID;
      const [row] = normalizeRows([record]).records;
      expect(row?.Dvc).toBe(FLOW_LOG);
    });

    it('emits one row per tuple in document order', () => {
      const record = vnetRecord([DENIED, ALLOWED]);
      const flows = (record.flowRecords as JsonObject).flows as JsonObject[];
      flows.push({
        aclID: 'acl-2',
        flowGroups: [{ rule: 'r2', flowTuples: [DENIED.replace(',22,', ',23,')] }],
      });
      const rows = normalizeRows([record]).records;
      expect(rows.map((r) => [r.Dvc, r.NetworkRuleName, r.DstPortNumber])).toEqual([
        [ACL, 'Internet', 22],
        [ACL, 'Internet', 443],
        ['acl-2', 'r2', 23],
      ]);
    });
  });

  describe('records without tuples', () => {
    it.each([
      ['an empty flow list', (r: JsonObject) => ((r.flowRecords as JsonObject).flows = [])],
      [
        'an ACL with no flow groups',
        (r: JsonObject) => ((r.flowRecords as JsonObject).flows = [{ aclID: ACL, flowGroups: [] }]),
      ],
      ['a flow group with no tuples', () => undefined],
    ])('counts a record with %s as skipped (no flow tuples)', (_label, edit) => {
      const record = vnetRecord([]);
      edit(record);
      const result = normalizeRows([record]);
      expect(result.records).toEqual([]);
      expect(result.invalid).toEqual({});
      expect(result.skipped).toEqual({ [`${NAME}: no flow tuples`]: 1 });
    });
  });

  describe('bad input', () => {
    it.each([
      ['8 fields (an NSG v1 tuple)', '1763632801,101.33.218.153,10.0.0.6,55188,22,T,I,D'],
      ['a timestamp with a fraction', '1763632801065.5,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0'],
      ['a timestamp past the year 9999', '999999999999999,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0'],
      ['a source that is not an address', '1763632801065,<script>,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0'],
      ['a port of 99999', '1763632801065,101.33.218.153,10.0.0.6,55188,99999,6,I,D,NX,0,0,0,0'],
      ['protocol T', '1763632801065,101.33.218.153,10.0.0.6,55188,22,T,I,D,NX,0,0,0,0'],
      ['protocol 0006 (four digits)', '1763632801065,101.33.218.153,10.0.0.6,55188,22,0006,I,D,NX,0,0,0,0'],
      ['protocol 256', '1763632801065,101.33.218.153,10.0.0.6,55188,22,256,I,D,NX,0,0,0,0'],
      ['direction X', '1763632801065,101.33.218.153,10.0.0.6,55188,22,6,X,D,NX,0,0,0,0'],
      ['state A', '1763632801065,101.33.218.153,10.0.0.6,55188,22,6,I,A,NX,0,0,0,0'],
      ['a lower-case encryption status', '1763632801065,101.33.218.153,10.0.0.6,55188,22,6,I,D,nx,0,0,0,0'],
      ['a text counter', '1763632801065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,zero,0,0'],
      ['a number', 1763632801065],
      ['a tuple of 600 characters', `${DENIED},${'9'.repeat(600)}`],
    ])('reports a tuple with %s and keeps the tuples beside it', (_label, bad) => {
      const result = normalizeRows([vnetRecord([DENIED, bad, ALLOWED])]);
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([22, 443]);
      expect(result.invalid).toEqual({ [`${NAME}: malformed flow tuple`]: 1 });
      const detail = result.normalizer.deadLetters[0]?.detail ?? '';
      expect(detail.startsWith('flowRecords.flows[0].flowGroups[0].flowTuples[1]: ')).toBe(true);
      expect(detail.length).toBeLessThan(200);
    });

    it.each([
      ['a flow group without flowTuples', { flowTuples: undefined }],
      ['a flow group whose flowTuples is a string', { flowTuples: DENIED }],
    ])('reports %s and keeps the other groups', (_label, groupOverride) => {
      const record = vnetRecord([DENIED], groupOverride);
      const flows = (record.flowRecords as JsonObject).flows as JsonObject[];
      flows.push({ aclID: 'acl-2', flowGroups: [{ rule: 'r2', flowTuples: [ALLOWED] }] });
      const result = normalizeRows([record]);
      expect(result.records.map((r) => r.Dvc)).toEqual(['acl-2']);
      expect(result.invalid).toEqual({ [`${NAME}: malformed flow group`]: 1 });
    });

    it.each([
      ['no flowRecords', (({ flowRecords: _, ...rest }) => rest)(vnetRecord([]))],
      ['flowRecords.flows that is a string', { ...vnetRecord([]), flowRecords: { flows: 'x' } }],
    ])('reports a record with %s', (_label, record) => {
      const result = normalizeRows([record, vnetRecord([DENIED])]);
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({ [`${NAME}: missing flows`]: 1 });
    });

    it('reports an aclID that is not text and keeps the other flows', () => {
      const record = vnetRecord([DENIED], {}, { aclID: ['x'] });
      const flows = (record.flowRecords as JsonObject).flows as JsonObject[];
      flows.push({ aclID: 'acl-2', flowGroups: [{ rule: 'r2', flowTuples: [ALLOWED] }] });
      const result = normalizeRows([record]);
      expect(result.records.map((r) => r.Dvc)).toEqual(['acl-2']);
      expect(result.invalid).toEqual({ [`${NAME}: invalid field type`]: 1 });
    });

    it('ignores flow records hidden under a __proto__ key', () => {
      const text = `{"records":[{"category":"FlowLogFlowEvent","__proto__":{"flowRecords":{"flows":[]}},"flowRecords":{"__proto__":{"flows":[]},"flows":[{"aclID":"a","flowGroups":[{"rule":"r","flowTuples":["${DENIED}"]}]}]}}]}`;
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]?.SrcIpAddr).toBe('101.33.218.153');
    });
  });
});
