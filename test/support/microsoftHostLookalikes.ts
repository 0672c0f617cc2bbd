import type { JsonObject } from '../../lib/sources/pipeline/types.js';

/**
 * JSON records of sources other groups decode, shaped after the formats in the normalization specs,
 * that share column names with the Microsoft host tables (SourceIp, DestinationPort, EventID,
 * EventData, ActionType, category/properties…). The Microsoft host decoders must claim none of them.
 */
export const FOREIGN_RECORDS: ReadonlyArray<readonly [label: string, record: JsonObject]> = [
  [
    'an ASimNetworkSessionLogs row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      EventVendor: 'Microsoft',
      EventProduct: 'Sysmon',
      SrcIpAddr: '203.0.113.1',
      DstPortNumber: 22,
      Type: 'ASimNetworkSessionLogs',
    },
  ],
  [
    'a legacy Azure Firewall resource-log record',
    {
      time: '2025-11-20T10:00:00Z',
      resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/FW',
      category: 'AzureFirewallNetworkRule',
      operationName: 'AzureFirewallNetworkRuleLog',
      properties: { msg: 'TCP request from 203.0.113.1:5000 to 10.0.0.4:22. Action: Deny. ' },
    },
  ],
  [
    'a structured AZFWNetworkRule resource-log record',
    {
      time: '2025-11-20T10:00:00Z',
      category: 'AZFWNetworkRule',
      properties: {
        Protocol: 'TCP',
        SourceIp: '203.0.113.1',
        SourcePort: 5000,
        DestinationIp: '10.0.0.4',
        DestinationPort: 22,
        Action: 'Deny',
      },
    },
  ],
  [
    'an AZFWNetworkRule export row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Protocol: 'TCP',
      SourceIp: '203.0.113.1',
      SourcePort: 5000,
      DestinationIp: '10.0.0.4',
      DestinationPort: 22,
      Action: 'Deny',
      Type: 'AZFWNetworkRule',
    },
  ],
  [
    'an AZFW row without Type',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Protocol: 'TCP',
      SourceIp: '203.0.113.1',
      SourcePort: 5000,
      DestinationIp: '10.0.0.4',
      DestinationPort: 22,
      Action: 'Deny',
    },
  ],
  [
    'an NSG flow-log record',
    {
      time: '2025-11-20T10:00:00Z',
      systemId: 'a0fca5ce-022c-47b1-9735-89943b42f2fa',
      category: 'NetworkSecurityGroupFlowEvent',
      resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG',
      operationName: 'NetworkSecurityGroupFlowEvents',
      properties: { Version: 2, flows: [] },
    },
  ],
  [
    'a VNet flow-log record',
    {
      time: '2025-11-20T10:00:00Z',
      flowLogVersion: 4,
      flowLogGUID: '66aa66aa-bb77-cc88-dd99-00ee00ee00ee',
      macAddress: '112233445566',
      category: 'FlowLogFlowEvent',
      operationName: 'FlowLogFlowEvent',
      flowRecords: { flows: [] },
    },
  ],
  [
    'an NTANetAnalytics row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      SrcIp: '203.0.113.1',
      DestIp: '10.0.0.4',
      DestPort: 22,
      L4Protocol: 'T',
      FlowDirection: 'I',
      Type: 'NTANetAnalytics',
    },
  ],
  [
    'a Syslog row of Sysmon for Linux',
    {
      TimeGenerated: '2025-11-20T10:19:02.512Z',
      Computer: 'lnx-web-02',
      HostIP: '10.2.0.5',
      Facility: 'user',
      ProcessName: 'sysmon',
      SyslogMessage:
        '<Event><System><Provider Name="Linux-Sysmon"/><EventID>3</EventID></System><EventData><Data Name="SourceIp">203.0.113.45</Data></EventData></Event>',
      Type: 'Syslog',
    },
  ],
  [
    'a Syslog row without Type',
    {
      TimeGenerated: '2025-11-20T10:19:02.512Z',
      Computer: 'lnx-web-02',
      HostIP: '10.2.0.5',
      ProcessName: 'sysmon',
      SyslogMessage: '<Event><System><Provider Name="Linux-Sysmon"/><EventID>3</EventID></System></Event>',
    },
  ],
  [
    'a legacy Event-table Sysmon row',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Source: 'Microsoft-Windows-Sysmon',
      EventLog: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'web01',
      EventID: 3,
      EventData:
        '<DataItem type="System.XmlData"><EventData><Data Name="SourceIp">10.0.0.4</Data></EventData></DataItem>',
      Type: 'Event',
    },
  ],
  [
    'a legacy Event-table row without Type',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Source: 'Microsoft-Windows-Sysmon',
      EventLog: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'web01',
      EventID: 3,
      EventData:
        '<DataItem type="System.XmlData"><EventData><Data Name="SourceIp">10.0.0.4</Data></EventData></DataItem>',
    },
  ],
  [
    'a Zeek conn.log JSON line',
    {
      ts: 1700000000.5,
      uid: 'CHhAvVGS1DHFjwGM9',
      'id.orig_h': '203.0.113.1',
      'id.orig_p': 5000,
      'id.resp_h': '10.0.0.4',
      'id.resp_p': 22,
      proto: 'tcp',
      conn_state: 'S0',
    },
  ],
  [
    'a CloudWatch Logs subscription message of VPC flow logs',
    {
      messageType: 'DATA_MESSAGE',
      owner: '123456789010',
      logGroup: 'vpc-flow',
      logStream: 'eni-1235b8ca123456789-all',
      logEvents: [
        {
          id: '1',
          timestamp: 1700000000000,
          message: '2 123456789010 eni-1 203.0.113.1 10.0.0.4 5000 22 6 1 40 1700000000 1700000060 REJECT OK',
        },
      ],
    },
  ],
  [
    'a DeviceEvents export row (same columns as DeviceNetworkEvents)',
    {
      TimeGenerated: '2025-11-20T10:00:00Z',
      Timestamp: '2025-11-20T10:00:00Z',
      DeviceId: '4c1bd0b3e1f6a0d2e3f4a5b6c7d8e9f001234567',
      ActionType: 'FirewallInboundConnectionBlocked',
      RemoteIP: '203.0.113.1',
      RemotePort: 5000,
      LocalIP: '10.0.0.4',
      LocalPort: 22,
      Type: 'DeviceEvents',
    },
  ],
];
