import type { JsonObject } from '../../lib/sources/pipeline/types.js';

/**
 * Records and lines of sources other groups decode, shaped after the formats in the normalization
 * specs and the shared samples, chosen because they share something with the Azure platform
 * sources: a resource-log `category`, a table `Type`, `SourceIp`/`DestinationPort` columns, a
 * `SyslogMessage`, an event XML. The Azure platform decoders must claim none of them.
 */
export const FOREIGN_RECORDS: ReadonlyArray<readonly [label: string, record: JsonObject]> = [
  [
    'an ASimNetworkSessionLogs row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      EventVendor: 'Microsoft',
      EventProduct: 'Azure Firewall',
      SrcIpAddr: '203.0.113.1',
      DstPortNumber: 22,
      Type: 'ASimNetworkSessionLogs',
    },
  ],
  [
    'a Defender XDR streaming record',
    {
      time: '2025-11-20T10:15:32.1234567Z',
      tenantId: 't',
      operationName: 'Publish',
      category: 'AdvancedHunting-DeviceNetworkEvents',
      properties: { RemoteIP: '203.0.113.45', LocalPort: 3389, ActionType: 'InboundConnectionAccepted' },
    },
  ],
  [
    'a SecurityEvent 5156 row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      EventID: 5156,
      Computer: 'web01',
      EventData:
        '<EventData><Data Name="SourceAddress">10.0.0.4</Data><Data Name="DestPort">443</Data></EventData>',
      Type: 'SecurityEvent',
    },
  ],
  [
    'a WindowsEvent Sysmon 3 row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Provider: 'Microsoft-Windows-Sysmon',
      EventID: 3,
      EventData: { SourceIp: '203.0.113.1', DestinationPort: '22', Protocol: 'tcp' },
      Type: 'WindowsEvent',
    },
  ],
  [
    'a VMConnection row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Direction: 'inbound',
      SourceIp: '203.0.113.1',
      DestinationIp: '10.0.0.4',
      DestinationPort: 22,
      Protocol: 'tcp',
      Type: 'VMConnection',
    },
  ],
  [
    'a CommonSecurityLog row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      DeviceVendor: 'Fortinet',
      DeviceProduct: 'Fortigate',
      SourceIP: '203.0.113.1',
      DestinationPort: 22,
      Type: 'CommonSecurityLog',
    },
  ],
  [
    'a Cisco Meraki Syslog row',
    {
      TimeGenerated: '2025-01-15T12:00:00Z',
      Computer: '10.0.0.1',
      HostName: 'meraki-device',
      SyslogMessage:
        '<134>1 1736917275.649842796 datastream flows allow src=203.0.113.1 dst=10.0.0.4 protocol=tcp sport=5000 dport=22',
      HostIP: '10.0.0.1',
      Type: 'Syslog',
    },
  ],
  [
    'a Syslog row whose XML comes from another provider',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      SyslogMessage:
        '<Event><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>3</EventID></System></Event>',
      HostIP: '10.2.0.5',
      Type: 'Syslog',
    },
  ],
  [
    'a Corelight/Zeek conn record',
    {
      ts: 1591367999.305988,
      uid: 'CMdzit1AMNsmfAIiQc',
      'id.orig_h': '192.168.4.76',
      'id.orig_p': 36844,
      'id.resp_h': '192.168.4.1',
      'id.resp_p': 53,
      proto: 'udp',
    },
  ],
  [
    'a Vectra isession record',
    {
      timestamp: '2025-11-20T10:00:00Z',
      metadata_type: 'isession',
      'id.orig_h': '203.0.113.1',
      'id.resp_h': '10.0.0.4',
      'id.resp_p': 22,
    },
  ],
  [
    'an Azure resource-log record of another service',
    {
      time: '2025-11-20T10:00:00Z',
      resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/APPLICATIONGATEWAYS/AGW',
      category: 'ApplicationGatewayFirewallLog',
      operationName: 'ApplicationGatewayFirewall',
      properties: { clientIp: '203.0.113.1', requestUri: '/' },
    },
  ],
  [
    'an AzureDiagnostics row of another resource',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Category: 'ApplicationGatewayAccessLog',
      OperationName: 'ApplicationGatewayAccess',
      clientIP_s: '203.0.113.1',
      Type: 'AzureDiagnostics',
    },
  ],
  [
    'an AzureNetworkAnalytics_CL row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      FlowType_s: 'ExternalPublic',
      FASchemaVersion_s: '2',
      SrcPublicIPs_s: '203.0.113.1|1|0|0|0|0|0',
      DestPort_d: 22,
      Type: 'AzureNetworkAnalytics_CL',
    },
  ],
  [
    'a record whose fields are only inherited through __proto__',
    JSON.parse(
      '{"__proto__":{"category":"FlowLogFlowEvent","Type":"NTANetAnalytics","SyslogMessage":"<Provider Name=\\"Linux-Sysmon\\"/>"},"x":1}',
    ) as JsonObject,
  ],
];

/** Text lines of other sources; none names the Linux-Sysmon provider. */
export const FOREIGN_LINES: ReadonlyArray<readonly [label: string, line: string]> = [
  [
    'a CEF line',
    '<134>Nov 20 10:00:00 fw01 CEF:0|Fortinet|Fortigate|7.0|13|traffic|3|src=203.0.113.1 dst=10.0.0.4 spt=5000 dpt=22',
  ],
  [
    'a Cisco ASA line',
    '<166>Nov 20 2025 10:00:00 asa01 : %ASA-6-302013: Built inbound TCP connection 1 for outside:203.0.113.1/5000 (203.0.113.1/5000) to inside:10.0.0.4/22 (10.0.0.4/22)',
  ],
  [
    'a Cisco Meraki flows line',
    '<134>1 1736917275.649842796 mx01 flows allow src=203.0.113.1 dst=10.0.0.4 protocol=tcp sport=5000 dport=22',
  ],
  [
    'an AWS VPC flow-log line',
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  ],
  [
    'a Zeek TSV line',
    '1591367999.305988\tCMdzit1AMNsmfAIiQc\t192.168.4.76\t36844\t192.168.4.1\t53\tudp\tdns',
  ],
  [
    'an sshd syslog line',
    'Nov 20 10:30:05 lnx-web-02 sshd[2222]: Accepted publickey for admin from 198.51.100.40 port 52600 ssh2',
  ],
  [
    'a Windows event XML line',
    '<Event><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>3</EventID></System><EventData><Data Name="SourceIp">203.0.113.1</Data></EventData></Event>',
  ],
];
