import type { DvcAction } from '../../schema/NetworkSession.js';
import { parseAdditionalExtensions } from '../formats/cef.js';
import { FieldReader, isAddressText } from '../pipeline/FieldReader.js';
import { makeSession } from '../pipeline/fields.js';
import type { SourceDecoder } from '../pipeline/types.js';
import {
  type CommonSecurityLogMapping,
  columnText,
  commonSecurityLogDecoder,
  cslTimeGenerated,
  describeMissingTime,
  isoFromDeviceTime,
} from './commonSecurityLog.js';
import { FIREWALL_FIELDS } from './firewallFields.js';

/** DeviceAction → DvcAction, the parser's `Actions` table (both spellings PAN-OS versions use). */
const ACTIONS: ReadonlyMap<string, DvcAction> = new Map<string, DvcAction>([
  ['reset client', 'Reset Source'],
  ['reset server', 'Reset Destination'],
  ['reset both', 'Reset'],
  ['allow', 'Allow'],
  ['deny', 'Deny'],
  ['drop', 'Drop'],
  ['drop ICMP', 'Drop ICMP'],
  ['reset-client', 'Reset Source'],
  ['reset-server', 'Reset Destination'],
  ['reset-both', 'Reset'],
  ['drop-icmp', 'Drop ICMP'],
]);

/**
 * Palo Alto Networks PAN-OS TRAFFIC logs in the PAN-OS CEF template, raw or as CommonSecurityLog
 * rows (docs/sources/firewalls.md#mapping-palo-alto-pan-os): `CEF:0|Palo Alto
 * Networks|PAN-OS|$sender_sw_version|$subtype|$type|1|
 * rt= … src= dst= … cs1=<rule> … spt= dpt= … proto= act= … start=$cef-formatted-time_generated …`.
 * The header Name is the log type (`TRAFFIC`), the Signature ID the subtype (`start`, `end`, `drop`, `deny`).
 *
 * Follows ASIM `vimNetworkSessionPaloAltoCEF.yaml` v0.7.2: DeviceVendor `Palo Alto Networks`,
 * DeviceProduct `PAN-OS` and Activity `TRAFFIC` (other log types are skipped); EventStartTime =
 * EventEndTime = StartTime (or `start=` in AdditionalExtensions); NetworkProtocol = upper-cased
 * Protocol; EventResult `Success` only for DeviceAction `allow`; Dvc = DeviceName (`dvchost`).
 */
export const paloAltoPanOsMapping: CommonSecurityLogMapping = {
  name: 'paloalto-panos',
  title: 'Palo Alto Networks PAN-OS TRAFFIC CEF lines and CommonSecurityLog rows',
  isVendorRow: (vendor, product) => vendor === 'Palo Alto Networks' && product === 'PAN-OS',
  otherVendorReason: 'not a Palo Alto Networks PAN-OS row',

  decodeRow(row, out, ctx) {
    if (row.Activity !== 'TRAFFIC') {
      out.skip('not a TRAFFIC log');
      return;
    }
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
    const start =
      isoFromDeviceTime(row.StartTime) ??
      isoFromDeviceTime(parseAdditionalExtensions(row.AdditionalExtensions).get('start'));
    const action = columnText(row, 'DeviceAction');
    const deviceName = columnText(row, 'DeviceName');
    out.record(
      makeSession({
        TimeGenerated: time,
        EventStartTime: start,
        EventEndTime: start,
        EventCount: 1,
        EventVendor: 'Palo Alto',
        EventProduct: 'PanOS',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventResult: action === 'allow' ? 'Success' : 'Failure',
        SrcIpAddr: srcIp,
        SrcPortNumber: srcPort,
        DstIpAddr: dstIp,
        DstPortNumber: dstPort,
        NetworkProtocol: protocol?.toUpperCase(),
        NetworkRuleName: columnText(row, 'DeviceCustomString1'),
        DvcAction: action === undefined ? undefined : ACTIONS.get(action),
        Dvc: deviceName,
        DvcHostname: hostLabel(deviceName),
      }),
    );
  },
};

/**
 * The first label of a device name (`pa-3220.contoso.com` → `pa-3220`), as the parser splits
 * DeviceName on dots; an address is not a host name, so it gives none.
 */
function hostLabel(deviceName: string | undefined): string | undefined {
  if (deviceName === undefined || isAddressText(deviceName)) return undefined;
  const dot = deviceName.indexOf('.');
  return dot < 0 ? deviceName : deviceName.slice(0, dot);
}

export const paloAltoPanOs: SourceDecoder = commonSecurityLogDecoder(paloAltoPanOsMapping);
