import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetworkSessionSchema } from '../../../../lib/schema/NetworkSession.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { normalizeRows } from '../../../support/golden.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = 20251120;

/** Any JSON value a hostile or broken producer could put in a field. */
const anyJson = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'a', 'SourceIp'), fc.string({ maxLength: 5 })),
  fc.constantFrom(
    '',
    ' ',
    '65536',
    '-1',
    '1e3',
    '203.0.113.7',
    '2001:db8::1',
    'Deny',
    'alert',
    '\u0000\u001b',
  ),
);

const GOOD_NSG = '1763632801,203.0.113.77,10.0.0.4,55000,22,T,I,D';
const GOOD_VNET = '1763632801065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0';
const SYSMON =
  '<Event><System><Provider Name="Linux-Sysmon"/><EventID>3</EventID><EventRecordID>1</EventRecordID>' +
  '<Computer>h</Computer></System><EventData><Data Name="UtcTime">2025-11-20 10:19:01.408</Data>' +
  '<Data Name="SourceIp">203.0.113.45</Data><Data Name="DestinationPort">22</Data></EventData></Event>';

/** Templates of every shape the group decodes, each with the names of the fields the property replaces. */
const TEMPLATES: ReadonlyArray<readonly [string, JsonObject, readonly string[]]> = [
  [
    'legacy firewall record',
    {
      category: 'AzureFirewallNetworkRule',
      time: '2025-11-20T10:18:11Z',
      resourceId: '/SUBSCRIPTIONS/X',
      operationName: 'AzureFirewallNetworkRuleLog',
      properties: { msg: 'TCP request from 1.2.3.4:5 to 6.7.8.9:80. Action: Deny. ' },
    },
    ['time', 'resourceId', 'operationName', 'properties'],
  ],
  [
    'structured firewall record',
    {
      category: 'AZFWNetworkRule',
      time: '2025-11-20T10:18:11Z',
      properties: { SourceIp: '203.0.113.45', DestinationPort: 22, Action: 'Deny', Protocol: 'TCP' },
    },
    ['time', 'resourceId', 'properties'],
  ],
  [
    'firewall export row',
    {
      TimeGenerated: '2025-11-20T10:18:11Z',
      SourceIp: '203.0.113.45',
      SourcePort: 1,
      DestinationPort: 22,
      Action: 'Deny',
      Protocol: 'TCP',
      Rule: 'r',
      Type: 'AZFWNetworkRule',
    },
    [
      'TimeGenerated',
      'SourceIp',
      'SourcePort',
      'DestinationIp',
      'DestinationPort',
      'Action',
      'Protocol',
      'Rule',
      '_ItemId',
    ],
  ],
  [
    'NSG flow record',
    {
      category: 'NetworkSecurityGroupFlowEvent',
      resourceId: '/SUBSCRIPTIONS/X',
      properties: { Version: 1, flows: [{ rule: 'r', flows: [{ mac: 'A', flowTuples: [GOOD_NSG] }] }] },
    },
    ['resourceId', 'properties'],
  ],
  [
    'VNet flow record',
    {
      category: 'FlowLogFlowEvent',
      flowLogResourceID: '/SUBSCRIPTIONS/X',
      flowRecords: { flows: [{ aclID: 'a', flowGroups: [{ rule: 'r', flowTuples: [GOOD_VNET] }] }] },
    },
    ['flowLogResourceID', 'flowRecords'],
  ],
  [
    'NTANetAnalytics row',
    {
      Type: 'NTANetAnalytics',
      SubType: 'FlowLog',
      FlowStartTime: '2025-08-25T19:27:37.050Z',
      DestIp: '10.0.0.4',
      DestPort: 22,
      SrcPublicIps: '198.51.100.1|1|0|0|0|0|0',
    },
    [
      'SubType',
      'FlowStartTime',
      'FlowEndTime',
      'TimeGenerated',
      'SrcIp',
      'DestIp',
      'DestPort',
      'SrcPorts',
      'L4Protocol',
      'FlowDirection',
      'FlowStatus',
      'CompletedFlows',
      'SrcPublicIps',
      'AclRule',
    ],
  ],
  [
    'Sysmon for Linux Syslog row',
    { Type: 'Syslog', TimeGenerated: '2025-11-20T10:19:02Z', HostIP: '10.2.0.5', SyslogMessage: SYSMON },
    ['TimeGenerated', 'HostIP'],
  ],
];

function expectSafeOutcome(rows: readonly JsonObject[]): void {
  const result = normalizeRows(rows);
  for (const key of Object.keys(result.invalid)) expect(key).not.toMatch(/decoder failure/);
  for (const record of result.records) expect(NetworkSessionSchema.safeParse(record).success).toBe(true);
}

describe('Property: Azure platform decoders never throw and emit only schema-valid rows', () => {
  it.each(TEMPLATES)('holds for a %s with any values in its fields', (_label, template, fields) => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), anyJson, (field, value) => {
        expectSafeOutcome([{ ...template, [field]: value }]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('holds for any legacy msg text', () => {
    const [, template] = TEMPLATES[0] ?? [];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc
            .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
            .map(([a, b, c]) => `${a} request from ${b}:${c} to ${b}:${c}. Action: ${a}.`),
        ),
        (msg) => {
          expectSafeOutcome([{ ...template, properties: { msg } }]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('keeps the good tuple beside any bad one', () => {
    fc.assert(
      fc.property(anyJson, fc.string({ maxLength: 120 }), (value, text) => {
        const nsg = normalizeRows([
          {
            category: 'NetworkSecurityGroupFlowEvent',
            properties: {
              flows: [{ rule: 'r', flows: [{ mac: 'A', flowTuples: [value, GOOD_NSG, text] }] }],
            },
          },
        ]);
        expect(
          nsg.records.filter((r) => r.SrcIpAddr === '203.0.113.77' && r.DstPortNumber === 22).length,
        ).toBeGreaterThanOrEqual(1);
        const vnet = normalizeRows([
          {
            category: 'FlowLogFlowEvent',
            flowRecords: {
              flows: [{ aclID: 'a', flowGroups: [{ rule: 'r', flowTuples: [text, GOOD_VNET, value] }] }],
            },
          },
        ]);
        expect(vnet.records.filter((r) => r.SrcIpAddr === '101.33.218.153').length).toBeGreaterThanOrEqual(1);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
