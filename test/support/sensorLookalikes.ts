import type { JsonObject } from '../../lib/sources/pipeline/types.js';

/**
 * Records of sources other groups decode, shaped after the normalization specs and the shared
 * samples, chosen because they share something with the network-sensor sources: a `Type` column,
 * a `SyslogMessage`, a `Message`, `EventVendor`/`EventProduct` columns, Zeek-style `id.orig_h` keys,
 * a `ts` or an epoch. The sensor decoders (Corelight/Zeek, Vectra, Cisco Meraki) must claim none.
 */
export const FOREIGN_RECORDS: ReadonlyArray<readonly [label: string, record: JsonObject]> = [
  [
    'an ASimNetworkSessionLogs row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      EventVendor: 'Palo Alto',
      EventProduct: 'PanOS',
      SrcIpAddr: '203.0.113.1',
      DstPortNumber: 22,
      Type: 'ASimNetworkSessionLogs',
    },
  ],
  [
    'a Sysmon for Linux Syslog row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Computer: 'lnx-web-02',
      SyslogMessage:
        '<Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>3</EventID></System><EventData><Data Name="SourceIp">203.0.113.1</Data><Data Name="DestinationPort">22</Data></EventData></Event>',
      Type: 'Syslog',
    },
  ],
  [
    'an sshd Syslog row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Computer: 'lnx-web-02',
      SyslogMessage: 'Accepted publickey for admin from 198.51.100.40 port 52600 ssh2',
      ProcessName: 'sshd',
      Type: 'Syslog',
    },
  ],
  [
    'a CommonSecurityLog row with a Message',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      DeviceVendor: 'Cisco',
      DeviceProduct: 'ASA',
      Message:
        '%ASA-6-302013: Built inbound TCP connection 1 for outside:203.0.113.1/5000 to inside:10.0.0.4/22',
      SourceIP: '203.0.113.1',
      DestinationPort: 22,
      Type: 'CommonSecurityLog',
    },
  ],
  [
    'a VMConnection row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Direction: 'inbound',
      SourceIp: '203.0.113.1',
      DestinationIp: '10.0.0.4',
      DestinationPort: 22,
      Protocol: 'tcp',
      Type: 'VMConnection',
    },
  ],
  [
    'a Defender DeviceNetworkEvents row',
    {
      Timestamp: '2025-03-01T10:00:00Z',
      ActionType: 'InboundConnectionAccepted',
      RemoteIP: '203.0.113.1',
      LocalPort: 3389,
      Type: 'DeviceNetworkEvents',
    },
  ],
  [
    'an NSG flow-log record',
    {
      time: '2025-03-01T10:00:00Z',
      category: 'NetworkSecurityGroupFlowEvent',
      operationName: 'NetworkSecurityGroupFlowEvents',
      properties: { Version: 1, flows: [] },
    },
  ],
  [
    'a Zeek-keyed record of another table (Type set)',
    {
      ts: 1591367999.305988,
      'id.orig_h': '203.0.113.1',
      'id.resp_h': '10.0.0.4',
      conn_state: 'S0',
      Type: 'SomeOther_CL',
    },
  ],
  [
    'a Zeek dns record without _path (no conn_state)',
    {
      ts: 1591367999.305988,
      uid: 'CMdzit1AMNsmfAIiQc',
      'id.orig_h': '192.168.4.76',
      'id.orig_p': 36844,
      'id.resp_h': '192.168.4.1',
      'id.resp_p': 53,
      proto: 'udp',
      query: 'example.com',
    },
  ],
  [
    'an Azure Firewall structured record with a ts-like time',
    {
      time: '2025-03-01T10:00:00Z',
      category: 'AZFWNetworkRule',
      properties: { Protocol: 'TCP', SourceIp: '203.0.113.1', DestinationPort: 22 },
    },
  ],
  [
    'a record whose fields are only inherited through __proto__',
    JSON.parse(
      '{"__proto__":{"_path":"conn","ts":1,"uid":"C","metadata_type":"metadata_isession","eventType":"IDS Alert","srcIp":"203.0.113.1","SyslogMessage":"1 1740823205.1 mx flows allow src=203.0.113.1","Type":"Corelight_CL"},"x":1}',
    ) as JsonObject,
  ],
];

/** Text lines of other sources. */
export const FOREIGN_LINES: ReadonlyArray<readonly [label: string, line: string]> = [
  [
    'a CEF line',
    '<134>Mar  1 10:00:00 fw01 CEF:0|Fortinet|Fortigate|7.0|13|traffic|3|src=203.0.113.1 dst=10.0.0.4 spt=5000 dpt=22',
  ],
  [
    'a Cisco ASA line',
    '<166>Mar 01 2025 10:00:00 asa01 : %ASA-6-302013: Built inbound TCP connection 1 for outside:203.0.113.1/5000 (203.0.113.1/5000) to inside:10.0.0.4/22 (10.0.0.4/22)',
  ],
  [
    'an AWS VPC flow-log line',
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  ],
  [
    'an AWS VPC flow-log header line',
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  ],
  [
    'an sshd syslog line',
    'Mar  1 10:30:05 lnx-web-02 sshd[2222]: Accepted publickey for admin from 198.51.100.40 port 52600 ssh2',
  ],
  [
    'a Sysmon for Linux syslog line',
    '<14>1 2025-03-01T10:00:00.000000+00:00 lnx-web-02 sysmon - - - <Event><System><Provider Name="Linux-Sysmon"/><EventID>3</EventID></System></Event>',
  ],
  ['a W3C extended log header', '#Fields: date time s-ip cs-method cs-uri-stem'],
  ['a btest banner line', '### BTest baseline data generated by btest-diff. Do not edit.'],
  [
    'an RFC 5424 line with a fractional epoch in the message',
    '<13>1 2025-03-01T10:00:00Z host app - - - uptime 1740823205.12 seconds flows fine',
  ],
];
