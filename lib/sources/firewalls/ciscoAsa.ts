import type { DvcAction, EventResult, NetworkDirection } from '../../schema/NetworkSession.js';
import { NetworkDirectionSchema } from '../../schema/NetworkSession.js';
import { findCefMarker, peekCefVendorProduct } from '../formats/cef.js';
import { lookupProtocolNames } from '../formats/ianaProtocols.js';
import { hasTerm } from '../formats/kql.js';
import { parseSyslog, type SyslogHeader, sinkForHeaderTime } from '../formats/syslog.js';
import { FieldReader, isAbsent, ownValue } from '../pipeline/FieldReader.js';
import { excerpt, isoFromMillis, makeSession, toEventCount } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import {
  ASA_SESSION_MESSAGE_IDS,
  type AsaEndpoint,
  type AsaMessage,
  asaMessageText,
  findAsaTag,
  parseAsaMessage,
} from './ciscoAsaMessage.js';
import {
  type CommonSecurityLogMapping,
  columnText,
  cslTimeGenerated,
  decodeCefText,
  describeMissingTime,
  isCommonSecurityLogRow,
  isRowOfVendor,
} from './commonSecurityLog.js';
import { FIREWALL_FIELDS } from './firewallFields.js';

type ActionResult = readonly [DvcAction | undefined, EventResult | undefined];

/** DvcAction and EventResult by message id: the parser's `ActionResultLookup`. */
const ACTION_BY_ID: ReadonlyMap<string, ActionResult> = new Map<string, ActionResult>([
  ...['106001', '106002', '106006', '106007', '106010', '106012', '106014', '106015', '106016'].map(
    (id) => [id, ['Deny', 'Failure']] as const,
  ),
  ...['106017', '106018', '106020', '106021', '106022', '106023', '710003'].map(
    (id) => [id, ['Deny', 'Failure']] as const,
  ),
  ['106013', ['Drop', 'Failure']],
  ...['302013', '302015', '302016', '302020', '302021', '710002'].map(
    (id) => [id, ['Allow', 'Success']] as const,
  ),
  ['710004', ['Drop', 'Failure']],
  ['710005', ['Drop', 'Failure']],
]);

/**
 * 302014 teardown reasons: the parser's `EventResultMapping` (DvcAction, EventResult). `TCP
 * Intercept` is not an ASIM DvcAction value and is left out, as are empty actions.
 */
const TEARDOWN_RESULTS: ReadonlyMap<string, ActionResult> = new Map<string, ActionResult>([
  ['Conn-timeout', [undefined, 'Success']],
  ['Deny Terminate', ['Deny', 'Failure']],
  ['Failover primary closed', [undefined, 'Success']],
  ['FIN Timeout', [undefined, 'Success']],
  ['Flow closed by inspection', ['Deny', 'Failure']],
  ['Flow terminated by IPS', ['Deny', 'Failure']],
  ['Flow reset by IPS', ['Reset', 'Failure']],
  ['Flow terminated by TCP Intercept', [undefined, 'Failure']],
  ['Flow timed out', [undefined, 'Success']],
  ['Flow timed out with reset', ['Reset', 'Failure']],
  ['Free the flow created as result of packet injection', [undefined, 'Success']],
  ['Invalid SYN', [undefined, 'Failure']],
  ['IPS fail-close', ['Deny', 'Failure']],
  ['No interfaces associated with zone', [undefined, 'Failure']],
  ['No valid adjacency', ['Drop', 'Failure']],
  ['Pinhole Timeout', [undefined, 'Failure']],
  ['Probe maximum retries of retransmission exceeded', [undefined, 'Failure']],
  ['Probe maximum retransmission time elapsed', [undefined, 'Failure']],
  ['Probe received RST', [undefined, 'Failure']],
  ['Probe received FIN', [undefined, 'Success']],
  ['Probe completed', [undefined, 'Success']],
  ['Route change', [undefined, 'Success']],
  ['SYN Control', [undefined, 'Failure']],
  ['SYN Timeout', [undefined, 'Failure']],
  ['TCP bad retransmission', [undefined, 'Success']],
  ['TCP FINs', [undefined, 'Success']],
  ['TCP Invalid SYN', [undefined, 'Failure']],
  ['TCP Reset-APPLIANCE', [undefined, 'Failure']],
  ['TCP Reset-I', [undefined, 'Failure']],
  ['TCP Reset-O', [undefined, 'Failure']],
  ['TCP segment partial overlap', [undefined, 'Failure']],
  ['TCP unexpected window size variation', [undefined, 'Failure']],
  ['Tunnel has been torn down', [undefined, 'Failure']],
  ['Unknown', ['Deny', 'Failure']],
  ['Unauth Deny', [undefined, 'Failure']],
  ['Xlate Clear', [undefined, undefined]],
]);

const DIRECTIONS = new Set<string>(NetworkDirectionSchema.options);

/** `%ASA-` or `%FTD-`: an ASA message's tag, readable or not (`%ASA-6-302016 Teardown` lacks its colon). */
const ASA_TAG_HINT = /%(?:ASA|FTD)-/;

/** The Built messages whose `outbound` keyword makes the `to` endpoint the initiator (decision D4). */
const BUILT_CONNECTION_IDS = new Set(['302013', '302015']);

interface Connection {
  readonly srcAddress: string | undefined;
  readonly srcPort: number | undefined;
  readonly dstAddress: string | undefined;
  readonly dstPort: number | undefined;
  readonly protocol: string | undefined;
}

function connectionOf(src: AsaEndpoint, dst: AsaEndpoint, protocol: string | undefined): Connection {
  return { srcAddress: src.address, srcPort: src.port, dstAddress: dst.address, dstPort: dst.port, protocol };
}

/**
 * Cisco ASA rows of CommonSecurityLog (CiscoASA / CiscoAsaAma connectors), with or without the
 * address columns filled, following ASIM `vimNetworkSessionCiscoASA.yaml` v1.1.5
 * (docs/sources/firewalls.md#mapping-cisco-asa).
 *
 * - Rows kept: DeviceVendor `Cisco`, DeviceProduct `ASA`, DeviceEventClassID in the 27 session ids;
 *   other ids are skipped.
 * - SourceIP filled: addresses, ports and Protocol from the columns; the message only adds the rule
 *   name, the 106100 hit count and the 302014 teardown reason.
 * - SourceIP empty: the 4-tuple and protocol are read from the message text, for every kept id
 *   (the ASIM parser reads only 106023, 106100 and 302013–302016 and drops the rest).
 * - Decision D4: a `Built outbound` 302013/302015 names the responder first (`for`); the row is
 *   turned so that the inside initiator is the source.
 */
export const ciscoAsaMapping: CommonSecurityLogMapping = {
  name: 'cisco-asa',
  title: 'Cisco ASA / FTD syslog lines and CommonSecurityLog rows',
  isVendorRow: (vendor, product) => vendor === 'Cisco' && product === 'ASA',
  otherVendorReason: 'not a Cisco ASA row',

  decodeRow(row, out, ctx) {
    const id = columnText(row, 'DeviceEventClassID');
    if (id === undefined || !ASA_SESSION_MESSAGE_IDS.has(id)) {
      out.skip('unhandled ASA message id');
      return;
    }
    const message = typeof row.Message === 'string' ? row.Message : '';
    const parsed = parseAsaMessage(id, asaMessageText(message));
    const details: AsaMessage | undefined = parsed.ok ? parsed.message : undefined;

    let connection: Connection;
    if (isAbsent(row.SourceIP)) {
      if (!parsed.ok) {
        out.invalid('unparseable ASA message', `message ${id}: ${parsed.detail}`);
        return;
      }
      connection = connectionOf(parsed.message.first, parsed.message.second, parsed.message.protocol);
    } else {
      const f = new FieldReader(FIREWALL_FIELDS);
      connection = {
        srcAddress: f.address(row.SourceIP, 'SourceIP'),
        srcPort: f.port(row.SourcePort, 'SourcePort'),
        dstAddress: f.address(row.DestinationIP, 'DestinationIP'),
        dstPort: f.port(row.DestinationPort, 'DestinationPort'),
        protocol: f.text(row.Protocol, 'Protocol'),
      };
      if (f.problem !== undefined) {
        out.invalid(f.problem.reason, f.problem.detail);
        return;
      }
    }
    // Decision D4, only while the row still has the message's literal order (`for` side as source).
    if (
      BUILT_CONNECTION_IDS.has(id) &&
      details?.direction === 'outbound' &&
      connection.srcAddress === details.first.address
    ) {
      connection = {
        srcAddress: connection.dstAddress,
        srcPort: connection.dstPort,
        dstAddress: connection.srcAddress,
        dstPort: connection.srcPort,
        protocol: connection.protocol,
      };
    }

    const time = cslTimeGenerated(row, ctx);
    if (time === undefined) {
      out.invalid('no event time', describeMissingTime(row));
      return;
    }
    const [action, result] = actionResult(id, message, details);
    const host = columnText(row, 'Computer');
    for (const protocol of protocolNames(connection.protocol)) {
      out.record(
        makeSession({
          TimeGenerated: time,
          EventStartTime: time,
          EventEndTime: time,
          EventCount: id === '106100' ? toEventCount(details?.hitCount) : 1,
          EventVendor: 'Cisco',
          EventProduct: 'ASA',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.4',
          EventType: 'NetworkSession',
          EventResult: result,
          EventOriginalType: id,
          SrcIpAddr: connection.srcAddress,
          SrcPortNumber: connection.srcPort,
          DstIpAddr: connection.dstAddress,
          DstPortNumber: connection.dstPort,
          NetworkProtocol: protocol,
          NetworkDirection: direction(row, id, details),
          NetworkRuleName: columnText(row, 'DeviceCustomString2') ?? details?.ruleName,
          DvcAction: action,
          Dvc: host,
        }),
      );
    }
  },
};

function actionResult(id: string, message: string, details: AsaMessage | undefined): ActionResult {
  if (id === '106100') return hasTerm(message, 'denied') ? ['Deny', 'Failure'] : ['Allow', 'Success'];
  if (id === '302014') {
    const reason = details?.teardownReason;
    return (reason === undefined ? undefined : TEARDOWN_RESULTS.get(reason)) ?? [undefined, undefined];
  }
  return ACTION_BY_ID.get(id) ?? [undefined, undefined];
}

/**
 * CommunicationDirection when it holds an ASIM direction; else the `inbound`/`outbound` word of a
 * Built TCP/UDP message (the ASIM parser reads it only when SourceIP is empty; its interface
 * watchlist is not reproduced).
 */
function direction(
  row: JsonObject,
  id: string,
  details: AsaMessage | undefined,
): NetworkDirection | undefined {
  const column = columnText(row, 'CommunicationDirection');
  if (column !== undefined) return DIRECTIONS.has(column) ? (column as NetworkDirection) : undefined;
  if (!BUILT_CONNECTION_IDS.has(id) || details?.direction === undefined) return undefined;
  return details.direction === 'inbound' ? 'Inbound' : 'Outbound';
}

/**
 * NetworkProtocol the parser's way: a decimal Protocol is looked up in the IANA table (84 gives two
 * rows), and when that leaves it empty a non-empty Protocol is upper-cased (`tcp` → `TCP`, `150` → `150`).
 */
function protocolNames(protocol: string | undefined): readonly (string | undefined)[] {
  if (protocol === undefined) return [undefined];
  const found = lookupProtocolNames(protocol).filter((name) => name !== '');
  return found.length > 0 ? found : [protocol.toUpperCase()];
}

/**
 * Reads a raw ASA syslog line (`<166>Mar 01 2025 10:00:06 asa-fw01 : %ASA-6-302013: Built …`) into
 * the CommonSecurityLog row the Sentinel ingestion service writes: Cisco/ASA, the message id in
 * DeviceEventClassID, the `%ASA-…` text in Message, the syslog host in Computer and its time in
 * TimeGenerated. The address columns stay empty, so the mapping reads them from the message.
 * Behind relays the device's own header counts (`parseSyslog`); a time written with a zone is
 * converted to UTC, and one with an ambiguous zone is not used (`sinkForHeaderTime`).
 */
function rowFromSyslogLine(
  line: string,
  ctx: DecodeContext,
): { readonly row: JsonObject; readonly syslog: SyslogHeader | undefined } | undefined {
  const tag = findAsaTag(line);
  if (tag === undefined) return undefined;
  const prefix = line.slice(0, tag.index);
  const syslog = prefix.trim() === '' ? undefined : parseSyslog(prefix, ctx.referenceTimeMs);
  const time = syslog?.timestampMs === undefined ? undefined : isoFromMillis(syslog.timestampMs);
  const row: JsonObject = Object.create(null) as JsonObject;
  row.Type = 'CommonSecurityLog';
  if (time !== undefined) row.TimeGenerated = time;
  if (syslog?.hostname !== undefined) row.Computer = syslog.hostname;
  row.DeviceVendor = 'Cisco';
  row.DeviceProduct = 'ASA';
  row.DeviceEventClassID = tag.id;
  row.OriginalLogSeverity = tag.severity;
  row.Message = line.slice(tag.index);
  return { row, syslog };
}

function decodeRow(row: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
  if (!isRowOfVendor(ciscoAsaMapping, row)) out.skip(ciscoAsaMapping.otherVendorReason);
  else ciscoAsaMapping.decodeRow(row, out, ctx);
}

/**
 * Cisco ASA (and FTD, which writes the same catalogue) in three shapes: raw syslog lines with a
 * `%ASA-<sev>-<id>:` or `%FTD-…` tag (RFC 3164 with or without the year, RFC 5424, or none), CEF
 * lines with vendor Cisco and product ASA, and CommonSecurityLog rows. See `ciscoAsaMapping`.
 */
export const ciscoAsa: SourceDecoder = {
  name: ciscoAsaMapping.name,
  title: ciscoAsaMapping.title,
  matchJson: (record) => isCommonSecurityLogRow(record) && isRowOfVendor(ciscoAsaMapping, record),
  decodeJson(record, out, ctx) {
    if (!isCommonSecurityLogRow(record)) {
      out.invalid('not a CommonSecurityLog row', `Type: ${excerpt(record.Type, 40)}`);
      return;
    }
    decodeRow(record, out, ctx);
  },
  matchText(line) {
    const header = peekCefVendorProduct(line);
    if (header !== undefined) return ciscoAsaMapping.isVendorRow(header.vendor, header.product);
    return findCefMarker(line) < 0 && findAsaTag(line) !== undefined;
  },
  resemblesText: (line) => (ASA_TAG_HINT.test(line) ? 'ASA message tag not readable' : undefined),
  resemblesJson(record) {
    const message = ownValue(record, 'SyslogMessage');
    return typeof message === 'string' && ASA_TAG_HINT.test(message)
      ? 'ASA message in a Syslog row, not CommonSecurityLog'
      : undefined;
  },
  decodeText(line, out, ctx) {
    if (findCefMarker(line) >= 0) {
      decodeCefText(line, out, ctx, (row, sink) => decodeRow(row, sink, ctx));
      return;
    }
    const read = rowFromSyslogLine(line, ctx);
    if (read === undefined) {
      out.invalid('no ASA message tag', `line of ${line.length} characters`);
      return;
    }
    const sink = sinkForHeaderTime(read.syslog, out, ctx);
    if (sink !== undefined) ciscoAsaMapping.decodeRow(read.row, sink, ctx);
  },
};
