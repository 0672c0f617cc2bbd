import { describe, expect, it } from 'vitest';
import { azureNsgFlow } from '../../../../lib/sources/microsoft-azure/azureNsgFlow.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_RECORDS } from '../../../support/azurePlatformLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';
import { expectLinearTime } from '../../../support/growth.js';

const NAME = 'azure-nsg-flow';
const NSG =
  '/SUBSCRIPTIONS/AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE/RESOURCEGROUPS/RG-APP/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/APP-NSG';

function nsgRecord(
  tuples: unknown[],
  options: { version?: unknown; rule?: unknown; overrides?: JsonObject } = {},
): JsonObject {
  return {
    time: '2025-11-20T10:00:35.3899262Z',
    systemId: 'a0fca5ce-022c-47b1-9735-89943b42f2fa',
    category: 'NetworkSecurityGroupFlowEvent',
    resourceId: NSG,
    operationName: 'NetworkSecurityGroupFlowEvents',
    properties: {
      Version: options.version ?? 2,
      flows: [
        {
          rule: options.rule ?? 'DefaultRule_DenyAllInBound',
          flows: [{ mac: '000D3AF87856', flowTuples: tuples }],
        },
      ],
    },
    ...options.overrides,
  };
}

const V1 = '1763632801,203.0.113.77,10.0.0.4,55000,22,T,I,D';
const V2 = '1763632802,10.0.0.4,198.51.100.8,44931,443,U,O,A,E,1,66,1,66';

describe('Decoder: azure-nsg-flow', () => {
  describe('recognition', () => {
    it.each([
      ['a flow-log record', nsgRecord([V1])],
      ['an NSG rule event record', { category: 'NetworkSecurityGroupEvent', properties: {} }],
      ['an NSG rule counter record', { category: 'NetworkSecurityGroupRuleCounter', properties: {} }],
    ])('claims %s', (_label, record) => {
      expect(azureNsgFlow.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(azureNsgFlow.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['a VNet flow-log record', { category: 'FlowLogFlowEvent', flowRecords: { flows: [] } }],
      ['an Azure Firewall record', { category: 'AzureFirewallNetworkRule', properties: { msg: 'x' } }],
      ['a record with flows but no category', { ...nsgRecord([V1]), category: undefined }],
      ['a lower-case category', { ...nsgRecord([V1]), category: 'networksecuritygroupflowevent' }],
    ])('does not claim %s', (_label, record) => {
      expect(azureNsgFlow.matchJson?.(record as JsonObject)).toBe(false);
    });
  });

  describe('mapping', () => {
    it('maps a version 1 tuple to a full row', () => {
      const result = normalizeRows([nsgRecord([V1], { version: 1 })]);
      expect(result.sources).toEqual({ [NAME]: 1 });
      expect(result.records).toEqual([
        {
          TimeGenerated: '2025-11-20T10:00:01.000Z',
          EventStartTime: '2025-11-20T10:00:01.000Z',
          EventEndTime: '2025-11-20T10:00:01.000Z',
          EventCount: 1,
          EventVendor: 'Microsoft',
          EventProduct: 'NSGFlow',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.3',
          EventType: 'Flow',
          EventResult: 'Failure',
          SrcIpAddr: '203.0.113.77',
          SrcPortNumber: 55000,
          DstIpAddr: '10.0.0.4',
          DstPortNumber: 22,
          NetworkProtocol: 'TCP',
          NetworkDirection: 'Inbound',
          NetworkRuleName: 'DefaultRule_DenyAllInBound',
          DvcAction: 'Deny',
          Dvc: NSG,
        },
      ]);
    });

    it('maps a version 2 tuple: U, O, A and the tail it ignores', () => {
      const [row] = normalizeRows([nsgRecord([V2], { rule: 'DefaultRule_AllowInternetOutBound' })]).records;
      expect(row).toMatchObject({
        TimeGenerated: '2025-11-20T10:00:02.000Z',
        SrcIpAddr: '10.0.0.4',
        DstIpAddr: '198.51.100.8',
        DstPortNumber: 443,
        NetworkProtocol: 'UDP',
        NetworkDirection: 'Outbound',
        DvcAction: 'Allow',
        EventResult: 'Success',
        NetworkRuleName: 'DefaultRule_AllowInternetOutBound',
      });
    });

    it.each([
      ['B with empty counters', '1763632803,10.0.0.4,198.51.100.8,44931,443,T,O,A,B,,,,'],
      ['C with counters', '1763632803,10.0.0.4,198.51.100.8,44931,443,T,O,A,C,30,16978,24,14008'],
      ['an 8-field tuple in a version 2 record', '1763632803,10.0.0.4,198.51.100.8,44931,443,T,O,A'],
      ['IPv6 addresses', '1763632803,2001:db8::4,2001:db8::8,44931,443,T,O,A'],
    ])('accepts %s', (_label, tuple) => {
      const result = normalizeRows([nsgRecord([tuple])]);
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({});
    });

    it('emits one row per tuple across rules and MAC groups, in document order', () => {
      const record = nsgRecord([]);
      (record.properties as JsonObject).flows = [
        {
          rule: 'r1',
          flows: [
            { mac: 'A', flowTuples: [V1, V1.replace(',22,', ',23,')] },
            { mac: 'B', flowTuples: [V2] },
          ],
        },
        { rule: 'r2', flows: [{ mac: 'A', flowTuples: [V1.replace(',22,', ',24,')] }] },
      ];
      const rows = normalizeRows([record]).records;
      expect(rows.map((r) => [r.NetworkRuleName, r.DstPortNumber])).toEqual([
        ['r1', 22],
        ['r1', 23],
        ['r1', 443],
        ['r2', 24],
      ]);
    });

    it('times each row by its own tuple, not by the record', () => {
      const rows = normalizeRows([nsgRecord(['1487282370,192.0.2.17,10.1.0.4,61771,3389,T,I,A'])]).records;
      expect(rows[0]?.TimeGenerated).toBe('2017-02-16T21:59:30.000Z');
    });

    it('leaves out Dvc and NetworkRuleName when the record has no resourceId or rule', () => {
      const record = nsgRecord([V1], { rule: '' });
      delete record.resourceId;
      const [row] = normalizeRows([record]).records;
      expect(row).not.toHaveProperty('Dvc');
      expect(row).not.toHaveProperty('NetworkRuleName');
    });

    it.each([['NetworkSecurityGroupEvent'], ['NetworkSecurityGroupRuleCounter']])(
      'skips %s records, which carry no flow tuples',
      (category) => {
        const result = normalizeRows([
          { time: '2025-11-20T10:00:00Z', category, resourceId: NSG, properties: { ruleName: 'x' } },
        ]);
        expect(result.records).toEqual([]);
        expect(result.skipped).toEqual({ [`${NAME}: NSG event without flow tuples`]: 1 });
      },
    );

    it.each([
      ['an empty flow list', (r: JsonObject) => ((r.properties as JsonObject).flows = [])],
      [
        'a rule with no MAC groups',
        (r: JsonObject) => ((r.properties as JsonObject).flows = [{ rule: 'r', flows: [] }]),
      ],
      ['a MAC group with no tuples', () => undefined],
    ])('counts a record with %s as skipped (no flow tuples)', (_label, edit) => {
      const record = nsgRecord([]);
      edit(record);
      const result = normalizeRows([record]);
      expect(result.records).toEqual([]);
      expect(result.invalid).toEqual({});
      expect(result.skipped).toEqual({ [`${NAME}: no flow tuples`]: 1 });
    });
  });

  describe('bad input', () => {
    it.each([
      ['7 fields', '1763632801,203.0.113.77,10.0.0.4,55000,22,T,I'],
      ['9 fields', `${V1},B`],
      ['a non-numeric timestamp', '17636328x1,203.0.113.77,10.0.0.4,55000,22,T,I,D'],
      [
        'a timestamp in milliseconds beyond the seconds range',
        '1763632801000000,203.0.113.77,10.0.0.4,55000,22,T,I,D',
      ],
      ['a timestamp past the year 9999', '999999999999,203.0.113.77,10.0.0.4,55000,22,T,I,D'],
      ['a host name as source', '1763632801,evil.example,10.0.0.4,55000,22,T,I,D'],
      ['an empty destination', '1763632801,203.0.113.77,,55000,22,T,I,D'],
      ['a port of 65536', '1763632801,203.0.113.77,10.0.0.4,55000,65536,T,I,D'],
      ['a signed port', '1763632801,203.0.113.77,10.0.0.4,+55000,22,T,I,D'],
      ['protocol 6', '1763632801,203.0.113.77,10.0.0.4,55000,22,6,I,D'],
      ['direction In', '1763632801,203.0.113.77,10.0.0.4,55000,22,T,In,D'],
      ['decision B', '1763632801,203.0.113.77,10.0.0.4,55000,22,T,I,B'],
      ['state X', '1763632801,203.0.113.77,10.0.0.4,55000,22,T,I,D,X,,,,'],
      ['a negative counter', '1763632801,203.0.113.77,10.0.0.4,55000,22,T,I,D,E,-1,0,0,0'],
      ['a number', 42],
      ['null', null],
      ['an object', { tuple: V1 }],
      ['a string of 100 000 commas', ','.repeat(100_000)],
    ])('reports a tuple with %s and keeps the tuples beside it', (_label, bad) => {
      const result = normalizeRows([nsgRecord([V1, bad, V2])]);
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([22, 443]);
      expect(result.invalid).toEqual({ [`${NAME}: malformed flow tuple`]: 1 });
      const detail = result.normalizer.deadLetters[0]?.detail ?? '';
      expect(detail.startsWith('properties.flows[0].flows[0].flowTuples[1]: ')).toBe(true);
      expect(detail.length).toBeLessThan(200);
    });

    it.each([
      ['a flow group that is a string', 'x'],
      ['a flow group without flows', { rule: 'r' }],
      ['a MAC group without flowTuples', { rule: 'r', flows: [{ mac: 'A' }] }],
    ])('reports %s and keeps the other groups', (_label, badGroup) => {
      const record = nsgRecord([V1]);
      const flows = (record.properties as JsonObject).flows as unknown[];
      flows.unshift(badGroup);
      const result = normalizeRows([record]);
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({ [`${NAME}: malformed flow group`]: 1 });
    });

    it('reports a flow group nested 100 000 arrays deep and keeps the other groups', () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const text = JSON.stringify(nsgRecord([V1])).replace('"flows":[{"rule"', `"flows":[${deep},{"rule"`);
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({ [`${NAME}: malformed flow group`]: 1 });
      expect(result.normalizer.deadLetters[0]?.detail).toBe('properties.flows[0]: [array]');
    });

    it.each([
      ['no properties', { category: 'NetworkSecurityGroupFlowEvent' }],
      [
        'flows that are an object',
        { category: 'NetworkSecurityGroupFlowEvent', properties: { flows: { a: 1 } } },
      ],
      ['properties that are an array', { category: 'NetworkSecurityGroupFlowEvent', properties: [] }],
    ])('reports a record with %s', (_label, record) => {
      const result = normalizeRows([record, nsgRecord([V1])]);
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({ [`${NAME}: missing flows`]: 1 });
    });

    it('reports a rule name that is not text, keeping the other rules', () => {
      const record = nsgRecord([V1], { rule: { name: 'x' } });
      (record.properties as JsonObject).flows = [
        ...((record.properties as JsonObject).flows as unknown[]),
        { rule: 'ok', flows: [{ mac: 'A', flowTuples: [V2] }] },
      ];
      const result = normalizeRows([record]);
      expect(result.records.map((r) => r.NetworkRuleName)).toEqual(['ok']);
      expect(result.invalid).toEqual({ [`${NAME}: invalid field type`]: 1 });
    });

    it('ignores flows hidden under a __proto__ key', () => {
      const text = `{"records":[{"category":"NetworkSecurityGroupFlowEvent","__proto__":{"properties":{"flows":[]}},"properties":{"Version":1,"__proto__":{"flows":[]},"flows":[{"rule":"r","flows":[{"mac":"A","flowTuples":["${V1}"]}]}]}}]}`;
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]?.DstPortNumber).toBe(22);
    });

    it('decodes a record of 20 000 tuples in time linear in their number', () => {
      const record = (count: number): JsonObject =>
        nsgRecord(
          Array.from(
            { length: count },
            (_, i) => `1763632801,203.0.113.77,10.0.0.4,55000,${i % 65536},T,I,D`,
          ),
        );
      expect(normalizeRows([record(20_000)]).records).toHaveLength(20_000);
      // About 50 characters a tuple: 20 tuples against 2,000.
      expectLinearTime(
        (r: JsonObject) => normalizeRows([r]),
        (chars) => record(Math.round(chars / 50)),
        {
          sizeOf: (r) => JSON.stringify(r).length,
        },
      );
    });
  });
});
