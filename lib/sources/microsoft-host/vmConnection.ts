import { FieldReader, ownValue } from '../pipeline/FieldReader.js';
import { makeSession } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { HOST_FIELDS, pickEventTime, reportProblems, toHostname } from './microsoftHostFields.js';

/**
 * Rows of the `VMConnection` table (Azure Monitor VM insights / Dependency agent), as Log
 * Analytics workspace data export (`am-VMConnection`) delivers them: one row per connection group
 * and reporting window, `{TimeGenerated, Computer, Machine, SourceIp, DestinationIp,
 * DestinationPort, Protocol, Direction, LinksEstablished, …, Type:"VMConnection"}`.
 * Implements ASIM `vimNetworkSessionVMConnection` v0.2.2
 * (docs/sources/microsoft-host.md#mapping-vmconnection):
 *
 * - rows kept: `Direction` exactly `outbound` or `inbound`; others are skipped;
 * - SourceIp → DestinationIp:DestinationPort unchanged (the remote peer is SourceIp for inbound
 *   rows); no source port exists; NetworkDirection Inbound/Outbound; NetworkProtocol upper-cased;
 * - EventResult Success; EventCount = LinksEstablished (0 becomes 1: the schema counts events);
 *   Microsoft / VMConnection, EventType EndpointNetworkSession, EventSchemaVersion 0.2.3;
 * - DvcId = Machine; Dvc = DvcHostname = first label of Computer; DvcIpAddr = the local side
 *   (SourceIp outbound, DestinationIp inbound).
 *
 * Time (decision D3): the row's `TimeGenerated` (end of the agent's reporting window; the table has no
 * per-connection start), else the enqueued time. Rows without `Type` are recognized by the table's
 * own columns (`Direction`, `SourceIp`, `DestinationIp`, `DestinationPort` and one of
 * `LinksEstablished`, `ConnectionId`, `Machine`).
 */
export const vmConnection: SourceDecoder = {
  name: 'vmconnection',
  title: 'VMConnection rows of VM insights (Log Analytics export)',

  matchJson(record: JsonObject): boolean {
    const type = ownValue(record, 'Type');
    if (type !== undefined) return type === 'VMConnection';
    return (
      Object.hasOwn(record, 'Direction') &&
      Object.hasOwn(record, 'SourceIp') &&
      Object.hasOwn(record, 'DestinationIp') &&
      Object.hasOwn(record, 'DestinationPort') &&
      (Object.hasOwn(record, 'LinksEstablished') ||
        Object.hasOwn(record, 'ConnectionId') ||
        Object.hasOwn(record, 'Machine'))
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const direction = ownValue(record, 'Direction');
    if (direction !== 'inbound' && direction !== 'outbound') {
      out.skip('Direction not inbound or outbound');
      return;
    }
    const inbound = direction === 'inbound';
    const reader = new FieldReader(HOST_FIELDS);
    const sourceIp = reader.address(ownValue(record, 'SourceIp'), 'SourceIp', { required: true });
    const destinationIp = reader.address(ownValue(record, 'DestinationIp'), 'DestinationIp', {
      required: true,
    });
    const destinationPort = reader.port(ownValue(record, 'DestinationPort'), 'DestinationPort', {
      required: true,
    });
    const protocol = reader.text(ownValue(record, 'Protocol'), 'Protocol', { maxChars: 32 });
    const linksEstablished = reader.integer(ownValue(record, 'LinksEstablished'), 'LinksEstablished');
    const computer = reader.text(ownValue(record, 'Computer'), 'Computer', { maxChars: 255 });
    const machine = reader.text(ownValue(record, 'Machine'), 'Machine', { maxChars: 128 });
    const time = pickEventTime(reader, [[ownValue(record, 'TimeGenerated'), 'TimeGenerated']], ctx);
    if (linksEstablished !== undefined && linksEstablished < 0)
      reader.fail('invalid LinksEstablished', `LinksEstablished: ${linksEstablished}`);
    if (!reportProblems(reader, time, out)) return;

    const hostname = toHostname(computer);
    out.record(
      makeSession({
        TimeGenerated: time,
        EventStartTime: time,
        EventEndTime: time,
        EventCount: linksEstablished !== undefined && linksEstablished >= 1 ? linksEstablished : 1,
        EventVendor: 'Microsoft',
        EventProduct: 'VMConnection',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'EndpointNetworkSession',
        EventResult: 'Success',
        SrcIpAddr: sourceIp,
        DstIpAddr: destinationIp,
        DstPortNumber: destinationPort,
        NetworkProtocol: protocol?.toUpperCase(),
        NetworkDirection: inbound ? 'Inbound' : 'Outbound',
        Dvc: hostname,
        DvcHostname: hostname,
        DvcIpAddr: inbound ? destinationIp : sourceIp,
        DvcId: machine,
      }),
    );
  },
};
