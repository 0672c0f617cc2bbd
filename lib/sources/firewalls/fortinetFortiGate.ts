import type { DvcAction, EventResult } from '../../schema/NetworkSession.js';
import { parseAdditionalExtensions } from '../formats/cef.js';
import { resolveNetworkProtocolNames } from '../formats/ianaProtocols.js';
import { hasTerm, startsWithCi } from '../formats/kql.js';
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

/** DeviceAction → DvcAction and EventResult: the parser's `EventLookup` (case-sensitive). */
const ACTIONS: ReadonlyMap<string, readonly [DvcAction | undefined, EventResult]> = new Map<
  string,
  readonly [DvcAction | undefined, EventResult]
>([
  ['accept', ['Allow', 'Success']],
  ['client-rst', ['Reset Source', 'Failure']],
  ['close', [undefined, 'Success']],
  ['deny', ['Deny', 'Failure']],
  ['ip-conn', [undefined, 'Failure']],
  ['server-rst', ['Reset Destination', 'Failure']],
  ['timeout', [undefined, 'Failure']],
]);

const FORWARD_PREFIX = 'traffic:forward ';

/**
 * Fortinet FortiGate traffic logs in FortiOS CEF, raw or as CommonSecurityLog rows
 * (docs/sources/firewalls.md#mapping-fortinet-fortigate):
 * `CEF:0|Fortinet|Fortigate|<ver>|<logid>|traffic:forward <action>|<sev>|deviceExternalId=
 * FTNTFGTlogid= cat=traffic:forward … FTNTFGTeventtime= src= spt= … dst= dpt= … externalId= proto=
 * act= …` (`CEF: 0|` with a space in FortiOS 6.0; FortiAnalyzer writes the same keys without the
 * `FTNTFGT` prefix).
 *
 * Follows ASIM `vimNetworkSessionFortinetFortiGate.yaml` v0.6.0: DeviceVendor `Fortinet`,
 * DeviceProduct starting with `FortiGate` (any case); then only traffic logs (DeviceEventCategory has
 * `traffic`, or AdditionalExtensions has `cat=traffic`) that are not DNS (DeviceAction `dns`,
 * Activity has `dns`). NetworkProtocol through `_ASIM_ResolveNetworkProtocol` (a protocol name gives
 * `Unassigned`); EventResult `Success` whenever `utmaction` is `allow`; EventStartTime =
 * `FTNTFGTstart`/`start`; Dvc = Computer, DvcId = DeviceExternalID.
 */
export const fortinetFortiGateMapping: CommonSecurityLogMapping = {
  name: 'fortinet-fortigate',
  title: 'Fortinet FortiGate traffic CEF lines and CommonSecurityLog rows',
  isVendorRow: (vendor, product) => vendor === 'Fortinet' && startsWithCi(product, 'FortiGate'),
  otherVendorReason: 'not a Fortinet FortiGate row',

  decodeRow(row, out, ctx) {
    const additional = typeof row.AdditionalExtensions === 'string' ? row.AdditionalExtensions : '';
    const category = columnText(row, 'DeviceEventCategory') ?? '';
    if (!hasTerm(category, 'traffic') && !hasTerm(additional, 'cat=traffic')) {
      out.skip('not a traffic log');
      return;
    }
    const activity = columnText(row, 'Activity') ?? '';
    const deviceAction = columnText(row, 'DeviceAction');
    if (deviceAction === 'dns' || hasTerm(activity, 'dns')) {
      out.skip('DNS event');
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
    const extensions = parseAdditionalExtensions(additional);
    // Decision D3: FortiOS has no `rt`; its `eventtime` (epoch s or ns) is the device's event time.
    const time = cslTimeGenerated(row, ctx, [
      row.ReceiptTime,
      extensions.get('FTNTFGTeventtime'),
      extensions.get('eventtime'),
    ]);
    if (time === undefined) {
      out.invalid('no event time', describeMissingTime(row));
      return;
    }
    const start =
      isoFromDeviceTime(extensions.get('FTNTFGTstart')) ??
      isoFromDeviceTime(extensions.get('start')) ??
      isoFromDeviceTime(row.StartTime) ??
      time;
    const action =
      deviceAction ??
      (activity.startsWith(FORWARD_PREFIX) ? activity.slice(FORWARD_PREFIX.length) : undefined);
    const [dvcAction, lookedUpResult] = (action === undefined ? undefined : ACTIONS.get(action)) ?? [
      undefined,
      undefined,
    ];
    const utmAction = extensions.get('FTNTFGTutmaction') || extensions.get('utmaction');
    const host = columnText(row, 'Computer');
    for (const name of resolveNetworkProtocolNames(protocol)) {
      out.record(
        makeSession({
          TimeGenerated: time,
          EventStartTime: start,
          EventEndTime: time,
          EventCount: 1,
          EventVendor: 'Fortinet',
          EventProduct: 'Fortigate',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.3',
          EventType: 'NetworkSession',
          EventResult: utmAction === 'allow' ? 'Success' : lookedUpResult,
          SrcIpAddr: srcIp,
          SrcPortNumber: srcPort,
          DstIpAddr: dstIp,
          DstPortNumber: dstPort,
          NetworkProtocol: name,
          DvcAction: dvcAction,
          Dvc: host,
          DvcId: columnText(row, 'DeviceExternalID'),
        }),
      );
    }
  },
};

export const fortinetFortiGate: SourceDecoder = commonSecurityLogDecoder(fortinetFortiGateMapping);
