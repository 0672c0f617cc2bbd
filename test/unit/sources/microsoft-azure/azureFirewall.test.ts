import { describe, expect, it } from 'vitest';
import { azureFirewall } from '../../../../lib/sources/microsoft-azure/azureFirewall.js';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_RECORDS } from '../../../support/azurePlatformLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'azure-firewall';
const FW =
  '/SUBSCRIPTIONS/AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE/RESOURCEGROUPS/RG-HUB/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/AZFW-HUB';

function legacyRecord(msg: unknown, overrides: JsonObject = {}): JsonObject {
  return {
    category: 'AzureFirewallNetworkRule',
    time: '2025-11-20T10:18:11.0590400Z',
    resourceId: FW,
    operationName: 'AzureFirewallNetworkRuleLog',
    properties: { msg },
    ...overrides,
  };
}

function diagnosticsRow(msg: string, overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-11-20T10:21:00.000Z',
    ResourceId: FW,
    Category: 'AzureFirewallNetworkRule',
    OperationName: 'AzureFirewallNetworkRuleLog',
    msg_s: msg,
    Type: 'AzureDiagnostics',
    ...overrides,
  };
}

function structuredProperties(overrides: JsonObject = {}): JsonObject {
  return {
    Protocol: 'TCP',
    SourceIp: '203.0.113.45',
    SourcePort: 50913,
    DestinationIp: '20.10.30.40',
    DestinationPort: 5900,
    Action: 'Deny',
    Policy: '',
    RuleCollectionGroup: '',
    RuleCollection: '',
    Rule: '',
    ActionReason: 'Default Action',
    ...overrides,
  };
}

function structuredRecord(properties: JsonObject, overrides: JsonObject = {}): JsonObject {
  return {
    category: 'AZFWNetworkRule',
    time: '2025-11-20T10:18:13.9120530Z',
    resourceId: FW,
    operationName: 'AzureFirewallNetworkRuleLog',
    properties,
    ...overrides,
  };
}

function exportRow(overrides: JsonObject = {}): JsonObject {
  return {
    TenantId: '11111111-2222-3333-4444-555555555555',
    TimeGenerated: '2025-11-21T20:15:39.8269850Z',
    ...structuredProperties(),
    Type: 'AZFWNetworkRule',
    _ResourceId: '/subscriptions/x/resourcegroups/rg/providers/microsoft.network/azurefirewalls/fw',
    ...overrides,
  };
}

const MSG = 'TCP request from 203.0.113.45:50911 to 20.10.30.40:8443. Action: Deny. ';

describe('Decoder: azure-firewall', () => {
  describe('recognition', () => {
    it.each([
      ['a legacy network-rule record', legacyRecord(MSG)],
      ['a legacy application-rule record', legacyRecord(MSG, { category: 'AzureFirewallApplicationRule' })],
      ['an AzureDiagnostics row', diagnosticsRow(MSG)],
      ['an AzureDiagnostics DNS proxy row', diagnosticsRow(MSG, { Category: 'AzureFirewallDnsProxy' })],
      ['an AZFWNetworkRule record', structuredRecord(structuredProperties())],
      ['an AZFWNatRule record', structuredRecord(structuredProperties(), { category: 'AZFWNatRule' })],
      [
        'an AZFWThreatIntel record',
        structuredRecord(structuredProperties(), { category: 'AZFWThreatIntel' }),
      ],
      [
        'an AZFWIdpsSignature record',
        structuredRecord(structuredProperties(), { category: 'AZFWIdpsSignature' }),
      ],
      ['an AZFWDnsQuery record', structuredRecord({}, { category: 'AZFWDnsQuery' })],
      ['an AZFWNetworkRule export row', exportRow()],
      ['an AZFWApplicationRule export row', exportRow({ Type: 'AZFWApplicationRule' })],
    ])('claims %s', (_label, record) => {
      expect(azureFirewall.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(azureFirewall.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['an NSG flow-log record', { category: 'NetworkSecurityGroupFlowEvent', properties: { flows: [] } }],
      ['a VNet flow-log record', { category: 'FlowLogFlowEvent', flowRecords: { flows: [] } }],
      ['an NTANetAnalytics row', { SubType: 'FlowLog', FaSchemaVersion: '3', Type: 'NTANetAnalytics' }],
      ['an AZFW row without Type', (({ Type: _, ...rest }) => rest)(exportRow())],
      ['a record whose category is not a string', legacyRecord(MSG, { category: 42 })],
      [
        'a lower-case azfw category',
        structuredRecord(structuredProperties(), { category: 'azfwnetworkrule' }),
      ],
    ])('does not claim %s', (_label, record) => {
      expect(azureFirewall.matchJson?.(record as JsonObject)).toBe(false);
    });

    it('recognizes every shape automatically through the normalizer', () => {
      const result = normalizeRows([
        legacyRecord(MSG),
        diagnosticsRow(MSG),
        structuredRecord(structuredProperties()),
        exportRow(),
      ]);
      expect(result.sources).toEqual({ [NAME]: 4 });
      expect(result.records).toHaveLength(4);
    });
  });

  describe('legacy msg grammar', () => {
    it('maps a network-rule message to a full row', () => {
      const result = normalizeRows([legacyRecord(MSG)]);
      expect(result.records).toEqual([
        {
          TimeGenerated: '2025-11-20T10:18:11.059Z',
          EventStartTime: '2025-11-20T10:18:11.059Z',
          EventEndTime: '2025-11-20T10:18:11.059Z',
          EventCount: 1,
          EventVendor: 'Microsoft',
          EventProduct: 'Azure Firewall',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.6',
          EventType: 'NetworkSession',
          EventResult: 'Failure',
          SrcIpAddr: '203.0.113.45',
          SrcPortNumber: 50911,
          DstIpAddr: '20.10.30.40',
          DstPortNumber: 8443,
          NetworkProtocol: 'TCP',
          DvcAction: 'Deny',
          Dvc: FW,
          DvcId: FW,
        },
      ]);
    });

    it.each([
      [
        'the shortest accepted tail',
        'TCP request from 1.2.3.4:5 to 6.7.8.9:80. Action: Deny.',
        { DvcAction: 'Deny', EventResult: 'Failure' },
      ],
      [
        'an Allow',
        'UDP request from 1.2.3.4:5 to 6.7.8.9:53. Action: Allow. Rule: dns',
        { DvcAction: 'Allow', EventResult: 'Success', NetworkProtocol: 'UDP' },
      ],
      [
        'an action outside the ASIM list',
        'TCP request from 1.2.3.4:5 to 6.7.8.9:80. Action: Alert. ThreatIntel: x',
        { EventResult: 'Failure' },
      ],
      [
        'an empty action',
        'TCP request from 1.2.3.4:5 to 6.7.8.9:80. Action: . x',
        { EventResult: 'Failure' },
      ],
      [
        'a lower-case protocol',
        'tcp request from 1.2.3.4:5 to 6.7.8.9:80. Action: Deny.',
        { NetworkProtocol: 'TCP', DvcAction: 'Deny' },
      ],
      [
        'an ICMP type',
        'ICMP Type=8 request from 1.2.3.4:0 to 6.7.8.9:0. Action: Deny.',
        { NetworkProtocol: 'ICMP', DstPortNumber: 0, DvcAction: 'Deny' },
      ],
      [
        'leading zeros in a port',
        'TCP request from 1.2.3.4:0005 to 6.7.8.9:080. Action: Deny.',
        { SrcPortNumber: 5, DstPortNumber: 80, DvcAction: 'Deny' },
      ],
      [
        'the phrase repeated after the action',
        'TCP request from 1.2.3.4:5 to 6.7.8.9:80. Action: Deny. TCP request from 9.9.9.9:1 to 8.8.8.8:2',
        { SrcIpAddr: '1.2.3.4', DstPortNumber: 80, DvcAction: 'Deny' },
      ],
    ])('accepts %s', (_label, msg, expected) => {
      const result = normalizeRows([legacyRecord(msg)]);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]).toMatchObject(expected);
      if (!('DvcAction' in expected)) expect(result.records[0]).not.toHaveProperty('DvcAction');
    });

    it.each([
      [
        'no "." after the action (2018 documentation example)',
        'TCP request from 111.35.136.173:12518 to 13.78.143.217:2323. Action: Deny',
      ],
      ['an IPv6 source', 'TCP request from 2001:db8::7:51000 to 2001:db8::1:443. Action: Deny. '],
      ['a non-numeric port', 'TCP request from 1.2.3.4:abc to 6.7.8.9:80. Action: Deny. '],
      ['no " to "', 'TCP request from 1.2.3.4:5 towards 6.7.8.9:80. Action: Deny. '],
      ['no " request from "', 'TCP from 1.2.3.4:5 to 6.7.8.9:80. Action: Deny. '],
      ['no ". Action: "', 'TCP request from 1.2.3.4:5 to 6.7.8.9:80 Action: Deny. '],
      ['no colon after the destination', 'TCP request from 1.2.3.4:5 to 6.7.8.9. Action: Deny. '],
      [
        'a NAT message in a network-rule log',
        "TCP request from 1.2.3.4:5 to 6.7.8.9:80 was DNAT'ed to 10.0.0.4:80",
      ],
      ['free text', 'x'.repeat(10_000)],
    ])('skips a message with %s', (_label, msg) => {
      const result = normalizeRows([legacyRecord(msg)]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: msg does not match the rule log grammar`]: 1 });
    });

    it.each([
      [
        'a plain NAT message',
        "TCP request from 203.0.113.45:50912 to 20.10.30.40:3389 was DNAT'ed to 10.0.2.4:3389",
      ],
      [
        'a NAT message with trailing rule text',
        "TCP request from 203.0.113.45:50912 to 20.10.30.40:3389 was DNAT'ed to 10.0.2.4:3389. Policy: p. Rule: r",
      ],
    ])('maps %s to Allow/Success', (_label, msg) => {
      const result = normalizeRows([legacyRecord(msg, { operationName: 'AzureFirewallNatRuleLog' })]);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]).toMatchObject({
        SrcIpAddr: '203.0.113.45',
        SrcPortNumber: 50912,
        DstIpAddr: '20.10.30.40',
        DstPortNumber: 3389,
        DvcAction: 'Allow',
        EventResult: 'Success',
      });
    });

    it.each([
      ['no DNAT port', "TCP request from 1.2.3.4:5 to 6.7.8.9:3389 was DNAT'ed to 10.0.2.4"],
      ['a network-rule message', MSG],
    ])('skips a NAT log with %s', (_label, msg) => {
      const result = normalizeRows([legacyRecord(msg, { operationName: 'AzureFirewallNatRuleLog' })]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: msg does not match the rule log grammar`]: 1 });
    });

    it('reads threat-intelligence logs with the network-rule grammar', () => {
      const result = normalizeRows([legacyRecord(MSG, { operationName: 'AzureFirewallThreatIntelLog' })]);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]).toMatchObject({ DstPortNumber: 8443, DvcAction: 'Deny' });
    });

    it.each([
      [
        'an IDS log',
        legacyRecord(MSG, { operationName: 'AzureFirewallIDSLog' }),
        'not a network, NAT or threat-intelligence rule log',
      ],
      [
        'an operation name of another case',
        legacyRecord(MSG, { operationName: 'azurefirewallnetworkrulelog' }),
        'not a network, NAT or threat-intelligence rule log',
      ],
      [
        'an application-rule category',
        legacyRecord(MSG, { category: 'AzureFirewallApplicationRule' }),
        'not a network rule category',
      ],
      [
        'an AzureDiagnostics DNS proxy row',
        diagnosticsRow(MSG, { Category: 'AzureFirewallDnsProxy' }),
        'not a network rule category',
      ],
    ])('skips %s', (_label, record, reason) => {
      const result = normalizeRows([record]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: ${reason}`]: 1 });
    });

    it('reads the AzureDiagnostics column shape like the diagnostic record', () => {
      const [fromRecord] = normalizeRows([legacyRecord(MSG, { time: '2025-11-20T10:21:00.000Z' })]).records;
      const [fromRow] = normalizeRows([diagnosticsRow(MSG)]).records;
      expect(fromRow).toEqual(fromRecord);
    });

    it('takes _ResourceId when an AzureDiagnostics row has no ResourceId', () => {
      const { ResourceId: _, ...row } = diagnosticsRow(MSG);
      const [record] = normalizeRows([{ ...row, _ResourceId: '/subscriptions/s/fw' }]).records;
      expect(record).toMatchObject({ Dvc: '/subscriptions/s/fw', DvcId: '/subscriptions/s/fw' });
    });
  });

  describe('resource-specific categories', () => {
    it('maps an AZFWNetworkRule record to a full row', () => {
      const result = normalizeRows([structuredRecord(structuredProperties({ Rule: 'block-vnc' }))]);
      expect(result.records).toEqual([
        {
          TimeGenerated: '2025-11-20T10:18:13.912Z',
          EventStartTime: '2025-11-20T10:18:13.912Z',
          EventEndTime: '2025-11-20T10:18:13.912Z',
          EventCount: 1,
          EventVendor: 'Microsoft',
          EventProduct: 'Azure Firewall',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.6',
          EventType: 'NetworkSession',
          EventResult: 'Failure',
          SrcIpAddr: '203.0.113.45',
          SrcPortNumber: 50913,
          DstIpAddr: '20.10.30.40',
          DstPortNumber: 5900,
          NetworkProtocol: 'TCP',
          NetworkRuleName: 'block-vnc',
          DvcAction: 'Deny',
          Dvc: FW,
          DvcId: FW,
        },
      ]);
    });

    it.each([
      ['Allow', 'Allow', 'Success'],
      ['ALLOW', 'Allow', 'Success'],
      ['allow', 'Allow', 'Success'],
      ['Deny', 'Deny', 'Failure'],
      ['Drop', 'Drop', 'Failure'],
      ['DROP', 'Drop', 'Failure'],
    ])('maps Action %s to %s/%s', (action, dvcAction, result) => {
      const [record] = normalizeRows([structuredRecord(structuredProperties({ Action: action }))]).records;
      expect(record).toMatchObject({ DvcAction: dvcAction, EventResult: result });
    });

    it.each([
      ['absent', undefined],
      ['empty', ''],
    ])('treats an %s Action as Allow/Success, like AZFWNatRule rows', (_label, action) => {
      const properties = structuredProperties({ Action: action });
      if (action === undefined) delete properties.Action;
      const [record] = normalizeRows([structuredRecord(properties, { category: 'AZFWNatRule' })]).records;
      expect(record).toMatchObject({ DvcAction: 'Allow', EventResult: 'Success' });
    });

    it('keeps a row whose Action the parser does not know, without DvcAction and EventResult', () => {
      const [record] = normalizeRows([structuredRecord(structuredProperties({ Action: 'Reject' }))]).records;
      expect(record).toBeDefined();
      expect(record).not.toHaveProperty('DvcAction');
      expect(record).not.toHaveProperty('EventResult');
    });

    it.each(['alert', 'Alert', 'ALERT'])('skips alert-only rows (Action %s)', (action) => {
      const result = normalizeRows([
        structuredRecord(structuredProperties({ Action: action }), { category: 'AZFWIdpsSignature' }),
      ]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: alert-only row`]: 1 });
    });

    it.each([
      ['ICMP', 'ICMP'],
      ['ICMP Type=8', 'ICMP'],
      ['icmp', 'ICMP'],
      ['udp', 'UDP'],
      ['HTTPS/1.1', 'HTTPS/1.1'],
    ])('maps Protocol %s to %s', (protocol, expected) => {
      const [record] = normalizeRows([
        structuredRecord(structuredProperties({ Protocol: protocol })),
      ]).records;
      expect(record?.NetworkProtocol).toBe(expected);
    });

    it('reads ports given as strings and as numbers alike', () => {
      const [asStrings] = normalizeRows([
        structuredRecord(structuredProperties({ SourcePort: '50913', DestinationPort: '5900' })),
      ]).records;
      const [asNumbers] = normalizeRows([structuredRecord(structuredProperties())]).records;
      expect(asStrings).toEqual(asNumbers);
    });

    it('leaves out absent ports and an empty destination address', () => {
      const properties = structuredProperties({ DestinationIp: '' });
      delete properties.SourcePort;
      delete properties.DestinationPort;
      const [record] = normalizeRows([structuredRecord(properties)]).records;
      expect(record).toBeDefined();
      expect(record).not.toHaveProperty('SrcPortNumber');
      expect(record).not.toHaveProperty('DstPortNumber');
      expect(record).not.toHaveProperty('DstIpAddr');
    });

    it('reads properties whatever the letter case of their keys', () => {
      const [record] = normalizeRows([
        structuredRecord({
          protocol: 'tcp',
          sourceIp: '203.0.113.45',
          sourcePort: 50913,
          destinationIP: '20.10.30.40',
          destinationport: 5900,
          action: 'deny',
        }),
      ]).records;
      expect(record).toMatchObject({
        SrcIpAddr: '203.0.113.45',
        SrcPortNumber: 50913,
        DstIpAddr: '20.10.30.40',
        DstPortNumber: 5900,
        NetworkProtocol: 'TCP',
        DvcAction: 'Deny',
      });
    });

    it('maps an export row with TimeGenerated, _ResourceId and _ItemId', () => {
      const [record] = normalizeRows([
        exportRow({
          Type: 'AZFWNatRule',
          _ItemId: 'f70316d9-9f59-11f0-8705-000d3a5a4e7c',
          Action: undefined,
        }),
      ]).records;
      expect(record).toMatchObject({
        TimeGenerated: '2025-11-21T20:15:39.826Z',
        EventOriginalUid: 'f70316d9-9f59-11f0-8705-000d3a5a4e7c',
        Dvc: '/subscriptions/x/resourcegroups/rg/providers/microsoft.network/azurefirewalls/fw',
        DvcAction: 'Allow',
      });
    });

    it.each([
      [
        'AZFWApplicationRule record',
        structuredRecord(structuredProperties(), { category: 'AZFWApplicationRule' }),
      ],
      ['AZFWDnsQuery export row', exportRow({ Type: 'AZFWDnsQuery' })],
      ['AZFWFlowTrace record', structuredRecord(structuredProperties(), { category: 'AZFWFlowTrace' })],
    ])('skips an %s', (_label, record) => {
      const result = normalizeRows([record]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: not a network session table`]: 1 });
    });
  });

  describe('time', () => {
    it('uses the enqueued time when a record has no time', () => {
      const { time: _, ...record } = legacyRecord(MSG);
      const [row] = normalizeRows([record], { fallbackTime: '2025-11-20T10:30:00.000Z' }).records;
      expect(row).toMatchObject({
        TimeGenerated: '2025-11-20T10:30:00.000Z',
        EventStartTime: '2025-11-20T10:30:00.000Z',
      });
    });

    it('reports a record without any time', () => {
      const { time: _, ...record } = structuredRecord(structuredProperties());
      const result = normalizeRows([record]);
      expect(result.records).toEqual([]);
      expect(result.invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('reports an unreadable time rather than replacing it', () => {
      const result = normalizeRows([legacyRecord(MSG, { time: 'yesterday' })], {
        fallbackTime: '2025-11-20T10:30:00.000Z',
      });
      expect(result.records).toEqual([]);
      expect(result.invalid).toEqual({ [`${NAME}: invalid time`]: 1 });
      expect(result.normalizer.deadLetters[0]?.detail).toBe('time: yesterday');
    });
  });

  describe('bad input', () => {
    it.each([
      ['a msg that is not a string', legacyRecord(42), 'missing msg'],
      ['an empty msg', legacyRecord(''), 'missing msg'],
      ['no properties', (({ properties: _, ...rest }) => rest)(legacyRecord(MSG)), 'missing msg'],
      [
        'a source port above 65535',
        legacyRecord('TCP request from 1.2.3.4:70000 to 6.7.8.9:80. Action: Deny.'),
        'invalid port',
      ],
      [
        'a negative destination port',
        legacyRecord('TCP request from 1.2.3.4:5 to 6.7.8.9:-80. Action: Deny.'),
        'invalid port',
      ],
      [
        'a huge destination port',
        legacyRecord(`TCP request from 1.2.3.4:5 to 6.7.8.9:${'9'.repeat(400)}. Action: Deny.`),
        'invalid port',
      ],
      [
        'a host name as source',
        legacyRecord('TCP request from evil.example:5 to 6.7.8.9:80. Action: Deny.'),
        'invalid address',
      ],
      ['a resourceId that is an object', legacyRecord(MSG, { resourceId: { a: 1 } }), 'invalid field type'],
      [
        'structured properties that are a string',
        structuredRecord(structuredProperties(), { properties: 'x' }),
        'missing properties',
      ],
      [
        'a structured record without properties',
        (({ properties: _, ...rest }) => rest)(structuredRecord({})),
        'missing properties',
      ],
      [
        'a SourceIp that is a number',
        structuredRecord(structuredProperties({ SourceIp: 3405803821 })),
        'invalid address',
      ],
      [
        'a SourceIp with control characters',
        structuredRecord(structuredProperties({ SourceIp: '203.0.113.45\u0000<script>' })),
        'invalid address',
      ],
      [
        'a DestinationPort that is an object',
        structuredRecord(structuredProperties({ DestinationPort: { port: 22 } })),
        'invalid port',
      ],
      [
        'a DestinationPort of 65536',
        structuredRecord(structuredProperties({ DestinationPort: 65536 })),
        'invalid port',
      ],
      [
        'a DestinationPort of 1e300',
        structuredRecord(structuredProperties({ DestinationPort: 1e300 })),
        'invalid port',
      ],
      [
        'a fractional DestinationPort',
        structuredRecord(structuredProperties({ DestinationPort: '22.5' })),
        'invalid port',
      ],
      [
        'a Rule of 100 000 characters',
        structuredRecord(structuredProperties({ Rule: 'r'.repeat(100_000) })),
        'oversized field',
      ],
      [
        'an Action that is an array',
        structuredRecord(structuredProperties({ Action: ['Deny'] })),
        'invalid field type',
      ],
    ])('reports %s and keeps the good records beside it', (_label, bad, reason) => {
      const good = structuredRecord(structuredProperties());
      const result = normalizeRows([good, bad as JsonObject, good]);
      expect(result.records).toHaveLength(2);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.normalizer.deadLetters[0]?.detail?.length ?? 0).toBeLessThanOrEqual(120);
    });

    it('escapes control characters and bounds the value in a dead-letter detail', () => {
      const result = normalizeRows([
        structuredRecord(structuredProperties({ SourceIp: `\u001b[31m${'x'.repeat(5000)}` })),
      ]);
      const detail = result.normalizer.deadLetters[0]?.detail ?? '';
      expect(detail.startsWith('SourceIp: \\x1b[31m')).toBe(true);
      expect(detail.length).toBeLessThan(100);
    });

    it('ignores fields hidden under a __proto__ key', () => {
      const text =
        '{"records":[{"category":"AZFWNetworkRule","time":"2025-11-20T10:18:13.912Z",' +
        '"properties":{"__proto__":{"SourceIp":"198.51.100.66","Action":"Alert"},"DestinationPort":22}}]}';
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]).not.toHaveProperty('SrcIpAddr');
      expect(result.records[0]).toMatchObject({ DstPortNumber: 22, DvcAction: 'Allow' });
    });

    it('reads records of a {"records":[…]} envelope one by one, a bad one among them', () => {
      const text = JSON.stringify({
        records: [legacyRecord(MSG), legacyRecord(7), structuredRecord(structuredProperties())],
      });
      const result = normalizeText(text);
      expect(result.records).toHaveLength(2);
      expect(result.invalid).toEqual({ [`${NAME}: missing msg`]: 1 });
      expect(result.normalizer.deadLetters[0]?.location.record).toBe(1);
    });
  });
});
