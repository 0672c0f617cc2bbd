import { FieldReader, ownValue } from '../pipeline/FieldReader.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import type { EventDataLookup } from './microsoftHostFields.js';
import { HOST_FIELDS, pickEventTime, readEventData } from './microsoftHostFields.js';
import { decodeWfpEvent } from './windowsFirewall.js';

const SECURITY_AUDITING = 'Microsoft-Windows-Security-Auditing';

/** The WFP ids the ASIM SecurityEvent parser reads (three code paths); 5150, 5151 and 5153 it never reads. */
const PARSED_EVENT_IDS: ReadonlySet<number> = new Set([5152, 5154, 5155, 5156, 5157, 5158, 5159]);
const UNPARSED_WFP_EVENT_IDS: ReadonlySet<number> = new Set([5150, 5151, 5153]);

/**
 * Windows Filtering Platform events of the `SecurityEvent` table (Windows Security Events via AMA
 * or the legacy agent), as Log Analytics workspace data export (`am-SecurityEvent`) delivers its
 * rows: `{TimeGenerated, Computer, EventID, EventData, Type:"SecurityEvent", …}`.
 * Implements ASIM `vimNetworkSessionMicrosoftSecurityEventFirewall` v0.5.0
 * (docs/sources/microsoft-host.md#mapping-securityevent-wfp) through the shared WFP mapping
 * (`windowsFirewall.ts`).
 *
 * Two shapes: the **EventData XML form** (the table's `EventData` string,
 * `<EventData …>\r\n  <Data Name="ProcessID">…</Data>…`) and the **column form**, where the WFP
 * fields (`SourceAddress`, `SourcePort`, `DestAddress`, `DestPort`, `Protocol`, `Direction`) are
 * columns of the row itself, or `EventData` is a JSON object of them. Fields are read by name,
 * not by ASIM's positional `parse`, so element order and whitespace do not matter.
 *
 * Rows kept: EventID 5152 and 5154–5159. Other event ids of the table are skipped, as the parser
 * reads none of them. Time (decision D3): `TimeCreated` when a row carries it, else `TimeGenerated`.
 */
export const securityEventWfp: SourceDecoder = {
  name: 'securityevent-wfp',
  title: 'SecurityEvent rows of Windows Filtering Platform events 5152, 5154–5159 (Log Analytics export)',

  matchJson(record: JsonObject): boolean {
    const type = ownValue(record, 'Type');
    if (type !== undefined) return type === 'SecurityEvent';
    // Without Type: a Security-log event row that is not a WindowsEvent row (those carry Provider).
    if (!Object.hasOwn(record, 'EventID') || Object.hasOwn(record, 'Provider')) return false;
    const isSecurityLog =
      ownValue(record, 'EventSourceName') === SECURITY_AUDITING || ownValue(record, 'Channel') === 'Security';
    return (
      isSecurityLog &&
      (typeof ownValue(record, 'EventData') === 'string' || Object.hasOwn(record, 'SourceAddress'))
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const reader = new FieldReader(HOST_FIELDS);
    const eventId = reader.integer(ownValue(record, 'EventID'), 'EventID', { required: true });
    if (eventId === undefined) {
      const problem = reader.problem;
      if (problem !== undefined) out.invalid(problem.reason, problem.detail);
      return;
    }
    if (UNPARSED_WFP_EVENT_IDS.has(eventId)) {
      out.skip('WFP event id not read by ASIM');
      return;
    }
    if (!PARSED_EVENT_IDS.has(eventId)) {
      out.skip('not a WFP network event');
      return;
    }
    const eventData = readEventData(ownValue(record, 'EventData'));
    if (eventData === 'malformed') {
      out.invalid('malformed EventData', 'EventData holds no <Data Name=…> element and no JSON object');
      return;
    }
    // The column form: no EventData, the WFP fields are columns of the row.
    const data: EventDataLookup = eventData === 'absent' ? (name) => ownValue(record, name) : eventData;
    const timeGenerated = pickEventTime(
      reader,
      [
        [ownValue(record, 'TimeCreated'), 'TimeCreated'],
        [ownValue(record, 'TimeGenerated'), 'TimeGenerated'],
      ],
      ctx,
    );
    decodeWfpEvent({ eventId, data, computer: ownValue(record, 'Computer'), timeGenerated, reader }, out);
  },
};
