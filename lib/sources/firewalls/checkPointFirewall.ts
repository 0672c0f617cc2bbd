import type { DvcAction, EventResult, NetworkDirection } from '../../schema/NetworkSession.js';
import { parseAdditionalExtensions } from '../formats/cef.js';
import { lookupProtocolNames } from '../formats/ianaProtocols.js';
import { FieldReader } from '../pipeline/FieldReader.js';
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

/** DeviceAction → DvcAction and EventResult: the parser's `ActionLookup` (an empty action gives `NA`). */
const ACTIONS: ReadonlyMap<string, readonly [DvcAction | undefined, EventResult]> = new Map<
  string,
  readonly [DvcAction | undefined, EventResult]
>([
  ['Accept', ['Allow', 'Success']],
  ['Allow', ['Allow', 'Success']],
  ['Drop', ['Drop', 'Failure']],
  ['Reject', ['Deny', 'Failure']],
  ['Encrypt', ['Encrypt', 'Success']],
  ['Decrypt', ['Decrypt', 'Success']],
  ['Bypass', ['Allow', 'Success']],
  ['Block', ['Deny', 'Failure']],
  ['', [undefined, 'NA']],
]);

/** `conn_direction` → NetworkDirection: the parser's `DirectionLookup`. */
const CONNECTION_DIRECTIONS: ReadonlyMap<string, NetworkDirection> = new Map<string, NetworkDirection>([
  ['Incoming', 'Inbound'],
  ['Outgoing', 'Outbound'],
  ['Internal', 'Local'],
]);

/**
 * Check Point firewall logs from Log Exporter in CEF, raw or as CommonSecurityLog rows
 * (docs/sources/firewalls.md#mapping-check-point): `CEF:0|Check Point|VPN-1 & FireWall-1|Check
 * Point|Log|<service>|<sev>|act=
 * deviceDirection= rt= spt= dpt= src= dst= proto= cs2=<rule> loguid= origin= originsicname= rule_uid=
 * conn_direction= inzone= outzone=` (the last seven land in AdditionalExtensions).
 *
 * Follows ASIM `vimNetworkSessionCheckPointFirewall.yaml` v1.2.0 with the v1.2.1 vendor filter
 * (DeviceVendor `CheckPoint` or `Check Point`, DeviceProduct `VPN-1 & FireWall-1`): NetworkProtocol
 * from a numeric Protocol through the IANA table; direction from `conn_direction`, else from the
 * zones; NetworkRuleName = coalesce(DeviceCustomString2, `rule_uid`, Activity); Dvc = `origin`,
 * DvcHostname = the CN of `originsicname`; EventOriginalUid = `loguid`.
 */
export const checkPointFirewallMapping: CommonSecurityLogMapping = {
  name: 'checkpoint-firewall',
  title: 'Check Point firewall (Log Exporter) CEF lines and CommonSecurityLog rows',
  isVendorRow: (vendor, product) =>
    (vendor === 'CheckPoint' || vendor === 'Check Point') && product === 'VPN-1 & FireWall-1',
  otherVendorReason: 'not a Check Point VPN-1 & FireWall-1 row',

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
    const extensions = parseAdditionalExtensions(row.AdditionalExtensions);
    // Decision D3: the connection's own start and end when the log carries them.
    const start = isoFromDeviceTime(row.StartTime) ?? isoFromDeviceTime(extensions.get('start')) ?? time;
    const end = isoFromDeviceTime(row.EndTime) ?? isoFromDeviceTime(extensions.get('end')) ?? start;
    const [action, result] = ACTIONS.get(columnText(row, 'DeviceAction') ?? '') ?? [undefined, undefined];
    const names = lookupProtocolNames(protocol);
    for (const name of names.length > 0 ? names : [undefined]) {
      out.record(
        makeSession({
          TimeGenerated: time,
          EventStartTime: start,
          EventEndTime: end,
          EventCount: 1,
          EventVendor: 'Check Point',
          EventProduct: 'Firewall',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.4',
          EventType: 'NetworkSession',
          EventResult: result,
          EventOriginalUid: nonEmpty(extensions.get('loguid')),
          SrcIpAddr: srcIp,
          SrcPortNumber: srcPort,
          DstIpAddr: dstIp,
          DstPortNumber: dstPort,
          NetworkProtocol: name,
          NetworkDirection: direction(extensions),
          NetworkRuleName:
            columnText(row, 'DeviceCustomString2') ??
            nonEmpty(extensions.get('rule_uid')) ??
            columnText(row, 'Activity'),
          DvcAction: action,
          Dvc: nonEmpty(extensions.get('origin')),
          DvcHostname: commonName(extensions.get('originsicname')),
        }),
      );
    }
  },
};

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `conn_direction`, else the zones: Internal→Internal/Local is Local, Internal/Local→External Outbound, External→Internal/Local Inbound. */
function direction(extensions: ReadonlyMap<string, string>): NetworkDirection | undefined {
  const fromConnection = CONNECTION_DIRECTIONS.get(extensions.get('conn_direction') ?? '');
  if (fromConnection !== undefined) return fromConnection;
  const inzone = extensions.get('inzone');
  const outzone = extensions.get('outzone');
  const isInner = (zone: string | undefined): boolean => zone === 'Internal' || zone === 'Local';
  if (inzone === 'Internal' && isInner(outzone)) return 'Local';
  if (isInner(inzone) && outzone === 'External') return 'Outbound';
  if (inzone === 'External' && isInner(outzone)) return 'Inbound';
  return undefined;
}

/**
 * The gateway name in `originsicname` (`CN\=gw01,O\=mgmt01..k2rtgh` → `gw01`): the parser's
 * `parse originsicname with "CN\\=" DvcHostname "," *`. An unescaped `CN=` is read the same way.
 */
function commonName(sicName: string | undefined): string | undefined {
  if (sicName === undefined) return undefined;
  const prefix = sicName.startsWith('CN\\=') ? 4 : sicName.startsWith('CN=') ? 3 : -1;
  const comma = prefix < 0 ? -1 : sicName.indexOf(',', prefix);
  return comma > prefix ? sicName.slice(prefix, comma) : undefined;
}

export const checkPointFirewall: SourceDecoder = commonSecurityLogDecoder(checkPointFirewallMapping);
