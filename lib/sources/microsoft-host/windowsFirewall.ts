import type { DvcAction, EventResult, NetworkDirection } from '../../schema/NetworkSession.js';
import type { FieldReader } from '../pipeline/FieldReader.js';
import { makeSession } from '../pipeline/fields.js';
import type { DecodeSink } from '../pipeline/types.js';
import type { EventDataLookup } from './microsoftHostFields.js';
import { reportProblems } from './microsoftHostFields.js';

/**
 * The Windows Filtering Platform audit events 5150–5159 as the ASIM parsers
 * `vimNetworkSessionMicrosoftSecurityEventFirewall` (v0.5.0) and
 * `vimNetworkSessionMicrosoftWindowsEventFirewall` (v0.4, WindowsEvent branch) map them
 * (docs/sources/microsoft-host.md#mapping-securityevent-wfp), shared by the SecurityEvent and
 * WindowsEvent decoders.
 * The two parsers differ only in how they read `EventData` and in which event ids they keep; the
 * callers settle both and hand over a name lookup.
 *
 * Orientation (decision D4): at the ALE layers (5156/5157) WFP writes the *local* endpoint as
 * Source, so for an inbound connection the remote initiator is `DestAddress`; we swap it into
 * SrcIpAddr and the local port into DstPortNumber. The packet-drop events (5150–5153) write the
 * packet's own source (Microsoft's 5152 example: inbound, 10.0.0.100:49278 → 10.0.0.10:3333 for the
 * listener), which already is the initiator, so they are not swapped. Listen/bind events
 * (5154/5155/5158/5159) carry no remote endpoint.
 */

/** EventVendor / EventProduct of both WFP parsers. */
export const WFP_VENDOR = 'Microsoft';
export const WFP_PRODUCT = 'Windows Firewall';

/** The WFP event ids: 5150–5159 (the WindowsEvent parser keeps all ten). */
export function isWfpEventId(eventId: number): boolean {
  return eventId >= 5150 && eventId <= 5159;
}

type WfpKind = 'packet' | 'connection' | 'listen';

function kindOf(eventId: number): WfpKind {
  if (eventId === 5156 || eventId === 5157) return 'connection';
  if (eventId === 5154 || eventId === 5155 || eventId === 5158 || eventId === 5159) return 'listen';
  return 'packet';
}

/**
 * `Direction` codes of the parsers' `Directions` table. The rendered names (what a forwarder that
 * renders messages writes) are accepted too; ASIM would leave them empty. `Forward` and
 * `Bidirectional` are not NetworkDirection values of the schema, so they orient nothing and are
 * left out of the row.
 */
const DIRECTIONS: ReadonlyMap<string, string> = new Map([
  ['%%14592', 'Inbound'],
  ['%%14593', 'Outbound'],
  ['%%14594', 'Forward'],
  ['%%14595', 'Bidirectional'],
  ['%%14609', 'Listen'],
  ['Inbound', 'Inbound'],
  ['Outbound', 'Outbound'],
  ['Forward', 'Forward'],
  ['Bidirectional', 'Bidirectional'],
  ['Listen', 'Listen'],
]);

/** The parsers' own `ProtocolTable` (not the IANA table: 47 and 89 are named differently); other numbers map to nothing. */
const WFP_PROTOCOLS: ReadonlyMap<number, string> = new Map([
  [1, 'ICMP'],
  [3, 'GGP'],
  [6, 'TCP'],
  [8, 'EGP'],
  [12, 'PUP'],
  [17, 'UDP'],
  [20, 'HMP'],
  [27, 'RDP'],
  [46, 'RSVP'],
  [47, 'PPTP data over GRE'],
  [50, 'ESP'],
  [51, 'AH'],
  [66, 'RVD'],
  [88, 'IGMP'],
  [89, 'OSPF'],
]);

function isAllowed(eventId: number): boolean {
  return eventId === 5154 || eventId === 5156 || eventId === 5158;
}

/** What the caller knows besides the event's data fields. */
export interface WfpEvent {
  readonly eventId: number;
  readonly data: EventDataLookup;
  /** The `Computer` column, unread. */
  readonly computer: unknown;
  /** The event time chosen by the caller (decision D3), or `undefined` when there is none. */
  readonly timeGenerated: string | undefined;
  /** The caller's reader, holding any problem found so far (bad EventID, bad time). */
  readonly reader: FieldReader;
}

/** Turns one WFP event into one NetworkSession row, or one invalid outcome. */
export function decodeWfpEvent(event: WfpEvent, out: DecodeSink): void {
  const { eventId, data, reader } = event;
  const kind = kindOf(eventId);
  const hasRemote = kind !== 'listen';
  const sourceAddress = reader.address(data('SourceAddress'), 'SourceAddress', { required: true });
  const sourcePort = reader.port(data('SourcePort'), 'SourcePort', { required: true });
  const destAddress = hasRemote
    ? reader.address(data('DestAddress'), 'DestAddress', { required: true })
    : undefined;
  const destPort = hasRemote ? reader.port(data('DestPort'), 'DestPort', { required: true }) : undefined;
  const protocolNumber = reader.integer(data('Protocol'), 'Protocol');
  const directionText = hasRemote ? reader.text(data('Direction'), 'Direction', { maxChars: 32 }) : undefined;
  const computer = reader.text(event.computer, 'Computer', { maxChars: 255 });
  const time = event.timeGenerated;
  if (!reportProblems(reader, time, out)) return;

  const direction = kind === 'listen' ? 'Listen' : DIRECTIONS.get(directionText ?? '');
  const swap = kind === 'connection' && direction === 'Inbound';
  const allowed = isAllowed(eventId);
  out.record(
    makeSession({
      TimeGenerated: time,
      EventStartTime: time,
      EventEndTime: time,
      EventCount: 1,
      EventVendor: WFP_VENDOR,
      EventProduct: WFP_PRODUCT,
      EventSchema: 'NetworkSession',
      EventSchemaVersion: '0.2.3',
      EventType: 'NetworkSession',
      EventResult: (allowed ? 'Success' : 'Failure') satisfies EventResult,
      SrcIpAddr: swap ? destAddress : sourceAddress,
      SrcPortNumber: swap ? destPort : sourcePort,
      DstIpAddr: swap ? sourceAddress : destAddress,
      DstPortNumber: swap ? sourcePort : destPort,
      NetworkProtocol: protocolNumber === undefined ? undefined : WFP_PROTOCOLS.get(protocolNumber),
      NetworkDirection: toSchemaDirection(direction),
      DvcAction: (allowed ? 'Allow' : 'Deny') satisfies DvcAction,
      Dvc: computer,
      DvcHostname: computer,
      DvcOs: 'Windows',
    }),
  );
}

function toSchemaDirection(direction: string | undefined): NetworkDirection | undefined {
  return direction === 'Inbound' || direction === 'Outbound' || direction === 'Listen'
    ? direction
    : undefined;
}
