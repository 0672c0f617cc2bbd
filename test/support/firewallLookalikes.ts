import type { JsonObject } from '../../lib/sources/pipeline/types.js';

/**
 * Records of sources other groups decode, shaped after the normalization specs and the shared
 * samples, chosen because they share something with the firewall sources: address and port
 * columns (`SourceIp`, `DestinationPort`, `FlowDirection`), a `Protocol`, a `Computer`, a
 * `Message`, epochs and flow tuples. The firewall decoders (AWS VPC, CEF vendors, Cisco ASA) must
 * claim none of them.
 */
export const FOREIGN_RECORDS: ReadonlyArray<readonly [label: string, record: JsonObject]> = [
  [
    'an ASimNetworkSessionLogs row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      EventVendor: 'Cisco',
      EventProduct: 'ASA',
      SrcIpAddr: '203.0.113.1',
      DstPortNumber: 22,
      Type: 'ASimNetworkSessionLogs',
    },
  ],
  [
    'a DeviceNetworkEvents row',
    {
      Timestamp: '2025-03-01T10:00:00Z',
      DeviceName: 'ws-01',
      ActionType: 'InboundConnectionAccepted',
      RemoteIP: '203.0.113.1',
      RemotePort: 51000,
      LocalIP: '10.0.0.5',
      LocalPort: 3389,
      Protocol: 'Tcp',
      Type: 'DeviceNetworkEvents',
    },
  ],
  [
    'a SecurityEvent 5156 row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Computer: 'srv-01',
      EventID: 5156,
      EventData: '<EventData><Data Name="SourceAddress">203.0.113.1</Data></EventData>',
      Type: 'SecurityEvent',
    },
  ],
  [
    'a VMConnection row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Computer: 'vm-01',
      Direction: 'inbound',
      SourceIp: '203.0.113.1',
      DestinationIp: '10.0.0.5',
      DestinationPort: 22,
      Protocol: 'tcp',
      LinksEstablished: 1,
      Type: 'VMConnection',
    },
  ],
  [
    'an AZFWNetworkRule row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Protocol: 'TCP',
      SourceIp: '203.0.113.1',
      SourcePort: 51000,
      DestinationIp: '10.0.0.5',
      DestinationPort: 22,
      Action: 'Deny',
      Type: 'AZFWNetworkRule',
    },
  ],
  [
    'an NTANetAnalytics row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      SrcIp: '203.0.113.1',
      DestIp: '10.0.0.5',
      DestPort: 22,
      L4Protocol: 'T',
      FlowDirection: 'I',
      FlowStatus: 'D',
      Type: 'NTANetAnalytics',
    },
  ],
  [
    'an NSG flow-log record',
    {
      time: '2025-03-01T10:00:00Z',
      systemId: '00000000-0000-0000-0000-000000000000',
      category: 'NetworkSecurityGroupFlowEvent',
      operationName: 'NetworkSecurityGroupFlowEvents',
      properties: { Version: 2, flows: [] },
    },
  ],
  [
    'a Syslog row of a Meraki appliance',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Computer: 'MX84',
      SyslogMessage:
        '1740823200.123456789 MX84 flows src=203.0.113.1 dst=10.0.0.5 protocol=tcp sport=51000 dport=22 pattern: deny all',
      Type: 'Syslog',
    },
  ],
  [
    'a Syslog row carrying an ASA message',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Computer: 'asa-fw01',
      SyslogMessage:
        '%ASA-4-106023: Deny tcp src outside:198.51.100.23/51234 dst inside:10.0.20.15/8443 by access-group "x"',
      ProcessName: '%ASA-4-106023',
      Type: 'Syslog',
    },
  ],
  [
    'a Corelight_CL row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      Message: '{"_path":"conn","id.orig_h":"203.0.113.1"}',
      Type: 'Corelight_CL',
    },
  ],
  [
    'a Zeek conn JSON record',
    {
      ts: 1740823200.5,
      uid: 'C1',
      'id.orig_h': '203.0.113.1',
      'id.orig_p': 51000,
      'id.resp_h': '10.0.0.5',
      'id.resp_p': 22,
      proto: 'tcp',
    },
  ],
  [
    'a VectraStream_CL row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      metadata_type_s: 'metadata_isession',
      id_orig_h_s: '203.0.113.1',
      id_resp_p_d: 22,
      Type: 'VectraStream_CL',
    },
  ],
  [
    'a CiscoMerakiNativePoller_CL row',
    {
      TimeGenerated: '2025-03-01T10:00:00Z',
      srcIp: '203.0.113.1',
      destPort: 22,
      protocol: 'tcp',
      Type: 'CiscoMerakiNativePoller_CL',
    },
  ],
];

/** Text lines of other groups' sources. */
export const FOREIGN_LINES: ReadonlyArray<readonly [label: string, line: string]> = [
  [
    'a Meraki flows line',
    '<134>1 1740823200.123456789 MX84 flows src=203.0.113.1 dst=10.0.0.5 protocol=tcp sport=51000 dport=22 pattern: deny all',
  ],
  [
    'a Meraki firewall line over RFC 3164',
    '<134>Mar  1 10:00:00 MX84 1740823200.123456789 MX84 firewall src=203.0.113.1 dst=10.0.0.5 mac=00:11:22:33:44:55 protocol=tcp sport=51000 dport=22 pattern: 1 all',
  ],
  ['a Zeek TSV header', '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto'],
  [
    'a Zeek TSV record',
    '1300475167.096535\tCRJuHdVW0XPVINV8a\t141.142.220.202\t5353\t224.0.0.251\t5353\tudp',
  ],
  [
    'a Sysmon for Linux syslog line',
    '<14>Mar  1 10:00:00 lnx-web-02 sysmon: <Event><System><EventID>3</EventID></System></Event>',
  ],
  [
    'an sshd syslog line',
    '<38>Mar  1 10:00:00 lnx-web-02 sshd[1234]: Accepted publickey for admin from 198.51.100.40',
  ],
  [
    'a percent sign that is not an ASA tag',
    '<134>Mar  1 10:00:00 web01 app: load at 95%ASA-ish text 6-302013:',
  ],
  ['a CEF mention that is not a CEF event', 'collector: forwarding CEF:events to the SIEM'],
];
