import { FieldReader, isJsonObject, ownValue } from '../pipeline/FieldReader.js';
import { makeSession } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import type { EventDataLookup } from './microsoftHostFields.js';
import { HOST_FIELDS, isTrue, pickEventTime, readEventData, reportProblems } from './microsoftHostFields.js';
import { decodeWfpEvent, isWfpEventId } from './windowsFirewall.js';

/** The provider of Sysmon for Windows events. */
export const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';

/**
 * Rows of the `WindowsEvent` table (Windows Forwarded Events via AMA/WEF), as Log Analytics
 * workspace data export (`am-WindowsEvent`) delivers them: `{TimeGenerated, TimeCreated, Computer,
 * Provider, EventID, EventData:{…}, Type:"WindowsEvent", …}` with `EventData` a JSON object (or a
 * string holding one, as CSV exports write it). One decoder claims the whole table and keeps the
 * network events of two ASIM parsers:
 *
 * - **WFP, EventID 5150–5159, any provider** — `vimNetworkSessionMicrosoftWindowsEventFirewall` v0.4
 *   (docs/sources/microsoft-host.md#mapping-windowsevent-wfp), the shared mapping of
 *   `windowsFirewall.ts`: Microsoft / Windows Firewall.
 * - **Sysmon event 3** (`Provider == "Microsoft-Windows-Sysmon"`, `EventID == 3`) —
 *   `vimNetworkSessionMicrosoftSysmonWindowsEvent` v0.1.1
 *   (docs/sources/microsoft-host.md#mapping-windowsevent-sysmon-event-3): SourceIp:SourcePort →
 *   DestinationIp:DestinationPort as Sysmon writes them (the initiator is the source), protocol
 *   upper-cased, EventStartTime = EventEndTime = `UtcTime`, Microsoft / Sysmon,
 *   EventType `EndpointNetworkSession`, EventSchemaVersion 0.2.5, EventOriginalType `3`,
 *   Dvc = `Computer`, DvcIpAddr = the local side (`Initiated` ? SourceIp : DestinationIp).
 *
 * Every other row of the table is skipped. Time (decision D3): TimeGenerated = `TimeCreated` (the event's
 * time on the device), else the row's `TimeGenerated`, else the enqueued time.
 */
export const windowsEvent: SourceDecoder = {
  name: 'windowsevent',
  title: 'WindowsEvent rows: WFP events 5150–5159 and Sysmon event 3 (Log Analytics export)',

  matchJson(record: JsonObject): boolean {
    const type = ownValue(record, 'Type');
    if (type !== undefined) return type === 'WindowsEvent';
    // Without Type: an event row with a Provider column and an EventData object (or its JSON text).
    const eventData = ownValue(record, 'EventData');
    return (
      typeof ownValue(record, 'Provider') === 'string' &&
      Object.hasOwn(record, 'EventID') &&
      (isJsonObject(eventData) || (typeof eventData === 'string' && eventData.trimStart().startsWith('{')))
    );
  },

  resemblesJson(record: JsonObject): string | undefined {
    for (const key of ['EventID', 'EventId', 'event_id', 'eventId']) {
      const id = Number(ownValue(record, key));
      if (id === 3 || (id >= 5150 && id <= 5159)) return 'Windows network event in a layout no decoder reads';
    }
    return undefined;
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const reader = new FieldReader(HOST_FIELDS);
    const eventId = reader.integer(ownValue(record, 'EventID'), 'EventID', { required: true });
    const provider = reader.text(ownValue(record, 'Provider'), 'Provider', { maxChars: 256 });
    const problem = reader.problem;
    if (problem !== undefined || eventId === undefined) {
      if (problem !== undefined) out.invalid(problem.reason, problem.detail);
      return;
    }
    const isWfp = isWfpEventId(eventId);
    const isSysmonNetwork = provider === SYSMON_PROVIDER && eventId === 3;
    if (!isWfp && !isSysmonNetwork) {
      out.skip('not a network event');
      return;
    }
    const eventData = readEventData(ownValue(record, 'EventData'));
    if (eventData === 'absent') {
      out.invalid('missing EventData', 'EventData is absent or empty');
      return;
    }
    if (eventData === 'malformed') {
      out.invalid('malformed EventData', 'EventData is neither a JSON object nor event XML');
      return;
    }
    const timeGenerated = pickEventTime(
      reader,
      [
        [ownValue(record, 'TimeCreated'), 'TimeCreated'],
        [ownValue(record, 'TimeGenerated'), 'TimeGenerated'],
      ],
      ctx,
    );
    const computer = ownValue(record, 'Computer');
    if (isWfp) decodeWfpEvent({ eventId, data: eventData, computer, timeGenerated, reader }, out);
    else decodeSysmonNetworkConnection(eventData, computer, timeGenerated, reader, out);
  },
};

/**
 * Sysmon event 3 "Network connection detected"
 * (docs/sources/microsoft-host.md#mapping-windowsevent-sysmon-event-3),
 * from its EventData fields by name, whichever collector carried them (WindowsEvent, NXLog, the WAD extension).
 */
export function decodeSysmonNetworkConnection(
  data: EventDataLookup,
  computerValue: unknown,
  timeGenerated: string | undefined,
  reader: FieldReader,
  out: DecodeSink,
): void {
  const srcIp = reader.address(data('SourceIp'), 'SourceIp', { required: true });
  const srcPort = reader.port(data('SourcePort'), 'SourcePort', { required: true });
  const dstIp = reader.address(data('DestinationIp'), 'DestinationIp', { required: true });
  const dstPort = reader.port(data('DestinationPort'), 'DestinationPort', { required: true });
  const protocol = reader.text(data('Protocol'), 'Protocol', { maxChars: 32 });
  const utcTime = reader.time(data('UtcTime'), 'UtcTime');
  const ruleName = reader.text(data('RuleName'), 'RuleName', { maxChars: 256 });
  const computer = reader.text(computerValue, 'Computer', { maxChars: 255 });
  if (!reportProblems(reader, timeGenerated, out)) return;
  out.record(
    makeSession({
      TimeGenerated: timeGenerated,
      EventStartTime: utcTime,
      EventEndTime: utcTime,
      EventCount: 1,
      EventVendor: 'Microsoft',
      EventProduct: 'Sysmon',
      EventSchema: 'NetworkSession',
      EventSchemaVersion: '0.2.5',
      EventType: 'EndpointNetworkSession',
      EventResult: 'Success',
      EventOriginalType: '3',
      SrcIpAddr: srcIp,
      SrcPortNumber: srcPort,
      DstIpAddr: dstIp,
      DstPortNumber: dstPort,
      NetworkProtocol: protocol?.toUpperCase(),
      NetworkRuleName: ruleName,
      Dvc: computer,
      DvcIpAddr: isTrue(data('Initiated')) ? srcIp : dstIp,
      DvcOs: 'Windows',
    }),
  );
}
