import type { NetworkDirection } from '../../schema/NetworkSession.js';
import { equalsCi, startsWithCi } from '../formats/kql.js';
import { FieldReader, isJsonObject, ownValue } from '../pipeline/FieldReader.js';
import { makeSession } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { HOST_FIELDS, pickEventTime, reportProblems, toHostname } from './microsoftHostFields.js';

const STREAM_CATEGORY = 'AdvancedHunting-DeviceNetworkEvents';
const STREAM_CATEGORY_PREFIX = 'AdvancedHunting-';

/**
 * The parser's `DirectionLookup`: ActionType (exact, case-sensitive) → direction and branch.
 * ActionTypes outside it produce no row (the lookup is left-outer and both branches test
 * `Outbound == true/false`, which null never is).
 */
const ACTION_TYPES: ReadonlyMap<
  string,
  { readonly direction: NetworkDirection; readonly outbound: boolean }
> = new Map([
  ['ConnectionSuccess', { direction: 'Outbound', outbound: true }],
  ['ConnectionFailed', { direction: 'Outbound', outbound: true }],
  ['ConnectionRequest', { direction: 'Outbound', outbound: true }],
  ['InboundConnectionAccepted', { direction: 'Inbound', outbound: false }],
  ['ConnectionFound', { direction: 'Unknown', outbound: false }],
  ['ListeningConnectionCreated', { direction: 'Listen', outbound: false }],
]);

/**
 * Microsoft Defender XDR `DeviceNetworkEvents` (Advanced Hunting schema). Implements ASIM
 * `vimNetworkSessionMicrosoft365Defender` v0.4
 * (docs/sources/microsoft-host.md#mapping-defender-xdr-devicenetworkevents):
 *
 * - outbound ActionTypes (ConnectionSuccess, ConnectionFailed, ConnectionRequest):
 *   LocalIP:LocalPort → RemoteIP:RemotePort;
 * - InboundConnectionAccepted, ConnectionFound, ListeningConnectionCreated:
 *   RemoteIP:RemotePort → LocalIP:LocalPort (the remote peer is the source);
 * - other ActionTypes are skipped; NetworkProtocol: `Tcp…` (any case) → TCP, `Unknown` → none,
 *   else upper case; EventResult Failure for ConnectionFailed, else Success; Microsoft /
 *   M365 Defender for Endpoint, EventSchemaVersion 0.2.3; DvcId = DeviceId, Dvc = DvcHostname =
 *   first label of DeviceName, DvcIpAddr = LocalIP, EventOriginalUid = ReportId.
 *
 * Shapes: the **Defender XDR streaming API** record `{time, tenantId, category:
 * "AdvancedHunting-DeviceNetworkEvents", properties:{<row>}}` (other `AdvancedHunting-*`
 * categories of a shared hub are skipped), a **Log Analytics export** row
 * (`Type: "DeviceNetworkEvents"`), and the bare Advanced Hunting row without `Type`.
 * Time (decision D3): the row's `Timestamp` (device time), else `TimeGenerated`, else the stream's `time`.
 */
export const defenderDeviceNetworkEvents: SourceDecoder = {
  name: 'defender-devicenetworkevents',
  title: 'Microsoft Defender XDR DeviceNetworkEvents (streaming API, Log Analytics export)',

  matchJson(record: JsonObject): boolean {
    const category = ownValue(record, 'category');
    if (category !== undefined)
      return (
        typeof category === 'string' &&
        startsWithCi(category, STREAM_CATEGORY_PREFIX) &&
        isJsonObject(ownValue(record, 'properties'))
      );
    const type = ownValue(record, 'Type');
    if (type !== undefined) return type === 'DeviceNetworkEvents';
    return (
      Object.hasOwn(record, 'ActionType') &&
      Object.hasOwn(record, 'DeviceId') &&
      (Object.hasOwn(record, 'LocalIP') || Object.hasOwn(record, 'RemoteIP')) &&
      (Object.hasOwn(record, 'LocalPort') || Object.hasOwn(record, 'RemotePort'))
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    let row = record;
    let streamTime: unknown;
    const category = ownValue(record, 'category');
    if (typeof category === 'string') {
      if (!equalsCi(category, STREAM_CATEGORY)) {
        out.skip('not DeviceNetworkEvents');
        return;
      }
      const properties = ownValue(record, 'properties');
      if (!isJsonObject(properties)) {
        out.invalid('missing properties', 'properties is not an object');
        return;
      }
      row = properties;
      streamTime = ownValue(record, 'time');
    }

    const reader = new FieldReader(HOST_FIELDS);
    const actionType = reader.text(ownValue(row, 'ActionType'), 'ActionType', {
      required: true,
      maxChars: 128,
    });
    const problem = reader.problem;
    if (problem !== undefined || actionType === undefined) {
      if (problem !== undefined) out.invalid(problem.reason, problem.detail);
      return;
    }
    const action = ACTION_TYPES.get(actionType);
    if (action === undefined) {
      out.skip('unmapped ActionType');
      return;
    }

    const { outbound, direction } = action;
    const isListen = direction === 'Listen';
    // The remote side of a listening socket is empty or unspecified; every other row names both ends.
    const localIp = reader.address(ownValue(row, 'LocalIP'), 'LocalIP', { required: outbound });
    const remoteIp = reader.address(ownValue(row, 'RemoteIP'), 'RemoteIP', {
      required: !outbound && !isListen,
    });
    const localPort = reader.port(ownValue(row, 'LocalPort'), 'LocalPort', { required: !outbound });
    const remotePort = reader.port(ownValue(row, 'RemotePort'), 'RemotePort', { required: outbound });
    const protocol = reader.text(ownValue(row, 'Protocol'), 'Protocol', { maxChars: 32 });
    const deviceName = reader.text(ownValue(row, 'DeviceName'), 'DeviceName', { maxChars: 255 });
    const deviceId = reader.text(ownValue(row, 'DeviceId'), 'DeviceId', { maxChars: 128 });
    const reportId = reader.text(ownValue(row, 'ReportId'), 'ReportId', { maxChars: 64 });
    const time = pickEventTime(
      reader,
      [
        [ownValue(row, 'Timestamp'), 'Timestamp'],
        [ownValue(row, 'TimeGenerated'), 'TimeGenerated'],
        [streamTime, 'time'],
      ],
      ctx,
    );
    if (!reportProblems(reader, time, out)) return;

    const hostname = toHostname(deviceName);
    out.record(
      makeSession({
        TimeGenerated: time,
        EventStartTime: time,
        EventEndTime: time,
        EventCount: 1,
        EventVendor: 'Microsoft',
        EventProduct: 'M365 Defender for Endpoint',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventResult: actionType === 'ConnectionFailed' ? 'Failure' : 'Success',
        EventOriginalUid: reportId,
        SrcIpAddr: outbound ? localIp : remoteIp,
        SrcPortNumber: outbound ? localPort : remotePort,
        DstIpAddr: outbound ? remoteIp : localIp,
        DstPortNumber: outbound ? remotePort : localPort,
        NetworkProtocol: toNetworkProtocol(protocol),
        NetworkDirection: direction,
        Dvc: hostname,
        DvcHostname: hostname,
        DvcIpAddr: localIp,
        DvcId: deviceId,
      }),
    );
  },
};

/** `case(Protocol startswith "Tcp", "TCP", Protocol == "Unknown", "", toupper(Protocol))`. */
function toNetworkProtocol(protocol: string | undefined): string | undefined {
  if (protocol === undefined || protocol === 'Unknown') return undefined;
  return startsWithCi(protocol, 'Tcp') ? 'TCP' : protocol.toUpperCase();
}
