import type { DvcAction, EventResult, NetworkDirection } from '../../schema/NetworkSession.js';
import { isAddressText, ownValue } from '../pipeline/FieldReader.js';
import type { SessionFields } from '../pipeline/fields.js';
import { excerpt, fallbackTime, makeSession, toEventCount, toPort } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { azureFields } from './azurePlatform.js';

const TABLE = 'NTANetAnalytics';
/** `ProtocolLookup` of the parser (exact, case-sensitive values). */
const PROTOCOLS: ReadonlyMap<string, string> = new Map([
  ['T', 'TCP'],
  ['U', 'UDP'],
  ['TCP', 'TCP'],
  ['UDP', 'UDP'],
  ['ICMP', 'ICMP'],
]);
/** `DvcActionLookup` of the parser. */
const STATUSES: ReadonlyMap<string, { action: DvcAction; result: EventResult }> = new Map([
  ['Allowed', { action: 'Allow', result: 'Success' }],
  ['Denied', { action: 'Deny', result: 'Failure' }],
]);
const DIRECTIONS: ReadonlySet<string> = new Set<NetworkDirection>(['Inbound', 'Outbound']);
/** Traffic Analytics may list many public peers in one row. */
const MAX_PUBLIC_IPS_CHARS = 65_536;

/**
 * Traffic Analytics rows over VNet flow logs, table NTANetAnalytics (FaSchemaVersion 3), as a Log
 * Analytics export delivers them (`Type:"NTANetAnalytics"`), mapped like
 * `vimNetworkSessionNTANetAnalytics` v0.1.0
 * (docs/sources/microsoft-azure.md#mapping-ntanetanalytics): rows with `SubType == "FlowLog"`;
 * SrcIpAddr `SrcIp`, DstIpAddr `DestIp`, DstPortNumber `DestPort`, SrcPortNumber the first
 * `|`-separated part of `SrcPorts`; L4Protocol T/U/TCP/UDP/ICMP; FlowStatus Allowed/Denied;
 * EventCount `CompletedFlows`, or 1 when it is 0; Microsoft/Azure NSG flows.
 *
 * Deviations (decisions D3, D4): an empty `SrcIp` (Internet and Azure public peers) is replaced
 * by the addresses of `SrcPublicIps` (`ip|flowsStarted|flowsEnded|…`, space-separated), one row
 * per address with EventCount its flowsEnded (or 1); rows are timed by `FlowStartTime`, not by
 * Traffic Analytics' processing time.
 */
export const ntaNetAnalytics: SourceDecoder = {
  name: 'nta-net-analytics',
  title: 'Traffic Analytics VNet flow rows (NTANetAnalytics table export)',

  resemblesJson(record: JsonObject): string | undefined {
    return ownValue(record, 'Type') === 'AzureNetworkAnalytics_CL'
      ? 'Traffic Analytics v1 table, not NTANetAnalytics'
      : undefined;
  },

  matchJson(record: JsonObject): boolean {
    const type = ownValue(record, 'Type');
    if (type !== undefined) return type === TABLE;
    return Object.hasOwn(record, 'FaSchemaVersion') && Object.hasOwn(record, 'SubType');
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    if (ownValue(record, 'SubType') !== 'FlowLog') {
      out.skip('not a FlowLog row');
      return;
    }
    const check = azureFields();
    const srcIp = check.address(ownValue(record, 'SrcIp'), 'SrcIp');
    const dstIp = check.address(ownValue(record, 'DestIp'), 'DestIp');
    const dstPort = check.port(ownValue(record, 'DestPort'), 'DestPort');
    const srcPorts = check.text(ownValue(record, 'SrcPorts'), 'SrcPorts');
    const protocol = check.text(ownValue(record, 'L4Protocol'), 'L4Protocol', { maxChars: 64 });
    const direction = check.text(ownValue(record, 'FlowDirection'), 'FlowDirection', { maxChars: 64 });
    const status = check.text(ownValue(record, 'FlowStatus'), 'FlowStatus', { maxChars: 64 });
    const rule = check.text(ownValue(record, 'AclRule'), 'AclRule');
    const publicIps = check.text(ownValue(record, 'SrcPublicIps'), 'SrcPublicIps', {
      maxChars: MAX_PUBLIC_IPS_CHARS,
    });
    const start = check.time(ownValue(record, 'FlowStartTime'), 'FlowStartTime');
    const end = check.time(ownValue(record, 'FlowEndTime'), 'FlowEndTime');
    const recordTime = check.time(ownValue(record, 'TimeGenerated'), 'TimeGenerated');
    if (check.problem !== undefined) {
      out.invalid(check.problem.reason, check.problem.detail);
      return;
    }
    const time = start ?? recordTime ?? fallbackTime(ctx);
    if (time === undefined) {
      out.invalid('no event time');
      return;
    }
    const verdict = status === undefined ? undefined : STATUSES.get(status);
    const row = {
      TimeGenerated: time,
      EventStartTime: start,
      EventEndTime: end,
      EventVendor: 'Microsoft',
      EventProduct: 'Azure NSG flows',
      EventSchema: 'NetworkSession',
      EventSchemaVersion: '0.2.6',
      EventType: 'Flow',
      EventResult: verdict?.result,
      DstIpAddr: dstIp,
      // toint(split(SrcPorts, "|")[0]): anything that is not a number is null, as in the parser.
      SrcPortNumber: srcPorts === undefined ? undefined : toPort(srcPorts.split('|', 1)[0]),
      DstPortNumber: dstPort,
      NetworkProtocol: protocol === undefined ? undefined : PROTOCOLS.get(protocol),
      NetworkDirection:
        direction !== undefined && DIRECTIONS.has(direction) ? (direction as NetworkDirection) : undefined,
      NetworkRuleName: rule,
      DvcAction: verdict?.action,
      Dvc: 'Azure NSG flows',
    } as const satisfies SessionFields;

    if (srcIp !== undefined || publicIps === undefined) {
      out.record(
        makeSession({
          ...row,
          SrcIpAddr: srcIp,
          EventCount: toEventCount(ownValue(record, 'CompletedFlows')),
        }),
      );
      return;
    }
    // Decision D4: the parser leaves SrcIpAddr empty here; the real sources are the public peers.
    let entryIndex = 0;
    for (const entry of publicIps.split(' ')) {
      if (entry === '') continue;
      const parts = entry.split('|', 3);
      const address = parts[0] ?? '';
      if (!isAddressText(address)) {
        out.invalid('invalid address', `SrcPublicIps[${entryIndex}]: ${excerpt(entry, 60)}`);
      } else {
        out.record(makeSession({ ...row, SrcIpAddr: address, EventCount: toEventCount(parts[2]) }));
      }
      entryIndex++;
    }
  },
};
