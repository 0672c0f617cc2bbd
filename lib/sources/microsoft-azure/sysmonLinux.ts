import { parseEventXml } from '../formats/eventXml.js';
import { hasAllTerms, hasTerm } from '../formats/kql.js';
import { parseSyslog } from '../formats/syslog.js';
import { isAddressText, ownValue } from '../pipeline/FieldReader.js';
import { fallbackTime, isoFromMillis, makeSession } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { azureFields } from './azurePlatform.js';

/** The two `has_all` terms of the parser (KQL `has`: case-insensitive). */
const PROVIDER_TERM = '<Provider Name="Linux-Sysmon"';
const NETWORK_EVENT_TERM = '<EventID>3</EventID>';
/** Cheap first look before the term test: a fixed string, no backtracking. */
const PROVIDER_HINT = /linux-sysmon/i;
const LINUX_SYSMON_WITHOUT_PROVIDER = 'Linux-Sysmon text without its Provider element';
/** Addresses the parser always treats as the local end of an outbound connection. */
const LOCAL_SOURCES = new Set(['127.0.0.1', '0.0.0.0']);

/** What the Syslog row (or the syslog header of a raw line) adds to the event XML. */
interface Carrier {
  /** The reporting host's address: Syslog `HostIP`; unknown for raw lines. */
  readonly hostIp: string | undefined;
  /** Syslog `TimeGenerated`, or the syslog header time of a raw line. */
  readonly time: string | undefined;
  /** The syslog header's host name, used when the XML has no `<Computer>`. */
  readonly hostname: string | undefined;
}

/**
 * Sysmon for Linux event 3 (NetworkConnect) in syslog, as `vimNetworkSessionLinuxSysmon` v0.4
 * reads it
 * (docs/sources/microsoft-azure.md#mapping-sysmon-for-linux): rows of the Syslog table (Log
 * Analytics export, `Type:"Syslog"`) whose
 * `SyslogMessage` holds the event XML, and raw syslog lines (`<PRI>Mmm dd hh:mm:ss host sysmon:
 * <Event>…</Event>`, RFC 3164 or RFC 5424) forwarded without Log Analytics.
 *
 * Kept: messages that `has_all` `<Provider Name="Linux-Sysmon"` and `<EventID>3</EventID>`; other
 * Sysmon for Linux events are recognized and skipped. Fields are read by `<Data Name>` rather than
 * by the parser's positional `parse` (which loses every field when one element is missing or
 * reordered). SrcIpAddr `SourceIp`, DstIpAddr `DestinationIp`, ports, `toupper(Protocol)`;
 * NetworkDirection Outbound when SourceIp equals HostIP or is 127.0.0.1/0.0.0.0, else Inbound,
 * addresses never swapped; when HostIP is unknown (raw lines) the event's own `Initiated` decides.
 * EventStartTime/EventEndTime `UtcTime`; TimeGenerated `UtcTime`, else the Syslog row's
 * TimeGenerated or the syslog header time, else the enqueued time (decision D3).
 * Microsoft/Sysmon for Linux.
 */
export const sysmonLinux: SourceDecoder = {
  name: 'sysmon-linux',
  title: 'Sysmon for Linux network connections (event 3) in Syslog rows and raw syslog lines',

  matchJson(record: JsonObject): boolean {
    const type = ownValue(record, 'Type');
    if (type !== undefined && type !== 'Syslog') return false;
    const message = ownValue(record, 'SyslogMessage');
    return typeof message === 'string' && isSysmonMessage(message);
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const message = ownValue(record, 'SyslogMessage');
    if (typeof message !== 'string') {
      out.invalid('missing SyslogMessage');
      return;
    }
    const rowFields = azureFields();
    const time = rowFields.time(ownValue(record, 'TimeGenerated'), 'TimeGenerated');
    if (rowFields.reportTo(out)) return;
    decodeEvent(
      message,
      { hostIp: toHostIp(ownValue(record, 'HostIP')), time, hostname: undefined },
      out,
      ctx,
    );
  },

  matchText(line: string): boolean {
    return isSysmonMessage(line);
  },

  resemblesText: (line) => (PROVIDER_HINT.test(line) ? LINUX_SYSMON_WITHOUT_PROVIDER : undefined),
  resemblesJson(record) {
    const message = ownValue(record, 'SyslogMessage');
    return typeof message === 'string' && PROVIDER_HINT.test(message)
      ? LINUX_SYSMON_WITHOUT_PROVIDER
      : undefined;
  },

  decodeText(line: string, out: DecodeSink, ctx: DecodeContext): void {
    const header = parseSyslog(line, ctx.referenceTimeMs);
    decodeEvent(
      header.message,
      {
        hostIp: undefined,
        time: header.timestampMs === undefined ? undefined : isoFromMillis(header.timestampMs),
        hostname: header.hostname,
      },
      out,
      ctx,
    );
  },
};

function isSysmonMessage(text: string): boolean {
  return PROVIDER_HINT.test(text) && hasTerm(text, PROVIDER_TERM);
}

/** Syslog's HostIP when it is an address; the column also holds values such as `Unknown IP`. */
function toHostIp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return isAddressText(trimmed) ? trimmed : undefined;
}

function decodeEvent(message: string, carrier: Carrier, out: DecodeSink, ctx: DecodeContext): void {
  if (!hasAllTerms(message, [PROVIDER_TERM, NETWORK_EVENT_TERM])) {
    out.skip('not a network connection event');
    return;
  }
  const xml = message.includes('</EventData>') ? parseEventXml(message) : undefined;
  if (xml === undefined) {
    out.invalid('truncated event XML', `SyslogMessage: ${message.length} characters without </EventData>`);
    return;
  }
  const data = xml.data;
  const check = azureFields();
  const srcIp = check.address(data.get('SourceIp'), 'SourceIp');
  const srcPort = check.port(data.get('SourcePort'), 'SourcePort');
  const dstIp = check.address(data.get('DestinationIp'), 'DestinationIp');
  const dstPort = check.port(data.get('DestinationPort'), 'DestinationPort');
  const protocol = check.text(data.get('Protocol'), 'Protocol', { maxChars: 64 });
  const utcTime = check.time(data.get('UtcTime'), 'UtcTime');
  const computer = check.text(xml.computer, 'Computer', { maxChars: 255 });
  const recordId = check.text(xml.eventRecordId, 'EventRecordID', { maxChars: 64 });
  if (check.problem !== undefined) {
    out.invalid(check.problem.reason, check.problem.detail);
    return;
  }
  const time = utcTime ?? carrier.time ?? fallbackTime(ctx);
  if (time === undefined) {
    out.invalid('no event time');
    return;
  }
  const isOutbound =
    (srcIp !== undefined && LOCAL_SOURCES.has(srcIp)) ||
    (carrier.hostIp === undefined
      ? data.get('Initiated')?.trim().toLowerCase() === 'true'
      : srcIp === carrier.hostIp);
  const hostname = computer ?? carrier.hostname;
  out.record(
    makeSession({
      TimeGenerated: time,
      EventStartTime: utcTime,
      EventEndTime: utcTime,
      EventCount: 1,
      EventVendor: 'Microsoft',
      EventProduct: 'Sysmon for Linux',
      EventSchema: 'NetworkSession',
      EventSchemaVersion: '0.2.3',
      EventType: 'NetworkSession',
      EventResult: 'Success',
      EventOriginalType: '3',
      EventOriginalUid: recordId,
      SrcIpAddr: srcIp,
      SrcPortNumber: srcPort,
      DstIpAddr: dstIp,
      DstPortNumber: dstPort,
      NetworkProtocol: protocol?.toUpperCase(),
      NetworkDirection: isOutbound ? 'Outbound' : 'Inbound',
      Dvc: hostname,
      DvcHostname: hostname,
      DvcIpAddr: carrier.hostIp,
      DvcOs: 'Linux',
    }),
  );
}
