import type { DvcAction } from '../../schema/NetworkSession.js';
import { FieldReader } from '../pipeline/FieldReader.js';
import { makeSession, toEventCount } from '../pipeline/fields.js';
import type { SourceDecoder } from '../pipeline/types.js';
import {
  type CommonSecurityLogMapping,
  columnText,
  commonSecurityLogDecoder,
  cslTimeGenerated,
  describeMissingTime,
} from './commonSecurityLog.js';
import { coalesceInteger, FIREWALL_FIELDS } from './firewallFields.js';

/** DeviceAction → DvcAction, the parser's `ActionLookup` (Zscaler "Firewall Insights" filter values). */
const ACTIONS: ReadonlyMap<string, DvcAction> = new Map<string, DvcAction>([
  ['Allow', 'Allow'],
  ['Allow due to insufficient app data', 'Allow'],
  ['Block/Drop', 'Drop'],
  ['Block/ICMP', 'Drop ICMP'],
  ['Block/Reset', 'Reset'],
  ['IPS Drop', 'Drop'],
  ['IPS Reset', 'Reset'],
  ['Block ICMP', 'Drop ICMP'],
  ['Drop', 'Drop'],
]);

/**
 * Zscaler ZIA firewall logs (NSS feed "NSSFWlog") as CEF, raw or as CommonSecurityLog rows
 * (docs/sources/firewalls.md#mapping-zscaler-zia-firewall):
 * `CEF:0|Zscaler|NSSFWlog|<ver>|<action>|<rule label>|<sev>|act= src= spt=
 * dst= dpt= proto= … cn1=<duration> cn2=<aggregated sessions>`.
 *
 * Follows ASIM `vimNetworkSessionzScalerZIA.yaml` v0.4: rows with DeviceVendor `Zscaler` and
 * DeviceProduct `NSSFWlog` (web-proxy `NSSWeblog` rows are not network sessions); NetworkProtocol is
 * Protocol as sent; EventResult is `Success` only for DeviceAction `Allow`; EventCount is `cn2`.
 */
export const zscalerZiaFirewallMapping: CommonSecurityLogMapping = {
  name: 'zscaler-zia-firewall',
  title: 'Zscaler ZIA firewall (NSSFWlog) CEF lines and CommonSecurityLog rows',
  isVendorRow: (vendor, product) => vendor === 'Zscaler' && product === 'NSSFWlog',
  otherVendorReason: 'not a Zscaler NSSFWlog row',

  decodeRow(row, out, ctx) {
    const f = new FieldReader(FIREWALL_FIELDS);
    const srcIp = f.address(row.SourceIP, 'SourceIP');
    const srcPort = f.port(row.SourcePort, 'SourcePort');
    const dstIp = f.address(row.DestinationIP, 'DestinationIP');
    const dstPort = f.port(row.DestinationPort, 'DestinationPort');
    const protocol = f.text(row.Protocol, 'Protocol');
    if (f.problem !== undefined) {
      out.invalid(f.problem.reason, f.problem.detail);
      return;
    }
    const time = cslTimeGenerated(row, ctx);
    if (time === undefined) {
      out.invalid('no event time', describeMissingTime(row));
      return;
    }
    const action = columnText(row, 'DeviceAction');
    const host = columnText(row, 'Computer');
    out.record(
      makeSession({
        TimeGenerated: time,
        EventStartTime: time,
        EventEndTime: time,
        // Allowed sessions are aggregated by NSS; cn2 counts them (an absent count reads as 1).
        EventCount: toEventCount(coalesceInteger(row.FieldDeviceCustomNumber2, row.DeviceCustomNumber2)),
        EventVendor: 'Zscaler',
        EventProduct: 'ZIA Firewall',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventResult: action === 'Allow' ? 'Success' : 'Failure',
        SrcIpAddr: srcIp,
        SrcPortNumber: srcPort,
        DstIpAddr: dstIp,
        DstPortNumber: dstPort,
        NetworkProtocol: protocol,
        NetworkRuleName: columnText(row, 'Activity'),
        DvcAction: action === undefined ? undefined : ACTIONS.get(action),
        Dvc: host,
        DvcHostname: host,
      }),
    );
  },
};

export const zscalerZiaFirewall: SourceDecoder = commonSecurityLogDecoder(zscalerZiaFirewallMapping);
