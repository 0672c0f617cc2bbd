import { parseEventXml } from '../formats/eventXml.js';
import { FieldReader, isAbsent, ownValue } from '../pipeline/FieldReader.js';
import { excerpt } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { HOST_FIELDS, pickEventTime } from './microsoftHostFields.js';
import { decodeSysmonNetworkConnection, SYSMON_PROVIDER } from './windowsEvent.js';
import { decodeWfpEvent, isWfpEventId } from './windowsFirewall.js';

/**
 * Windows event log records of the Windows Azure Diagnostics extension (WAD, "Send data from
 * Windows Azure diagnostics extension to Azure Event Hubs",
 * https://learn.microsoft.com/azure/azure-monitor/agents/diagnostics-extension-stream-event-hubs)
 * with an Event Hubs sink on its `WindowsEventLog` data sources. Each record carries the columns of
 * the extension's `WADWindowsEventLogsTable` ("Store and view diagnostic data in Azure Storage"):
 * `PreciseTimeStamp`, `ProviderName`, `EventId`, `Channel`, `Level`, `Description`,
 * `DeploymentId`, `Role`, `RoleInstance`, and `RawXml`, the whole event as Windows renders it
 * (`<Event xmlns=…><System><Provider Name=…/><EventID>5156</EventID><TimeCreated SystemTime=…/>
 * <Computer>…</Computer></System><EventData><Data Name="SourceAddress">…</Data>…`).
 *
 * Everything is read from `RawXml`, which is the event itself: WFP 5150–5159 (any provider) and
 * Sysmon event 3 as the WindowsEvent parsers map them (docs/sources/microsoft-host.md), Dvc the
 * event's `<Computer>`. Time (decision D3): the event's `TimeCreated SystemTime` (UTC), else
 * `PreciseTimeStamp`, else the enqueued time. Other events are skipped.
 */
export const wadWindowsEvent: SourceDecoder = {
  name: 'wad-windows-event',
  title: 'Windows events from the Azure Diagnostics (WAD) extension Event Hubs sink: WFP 5150–5159, Sysmon 3',

  matchJson(record: JsonObject): boolean {
    const rawXml = ownValue(record, 'RawXml');
    return (
      ownValue(record, 'Type') === undefined &&
      typeof rawXml === 'string' &&
      rawXml.trimStart().startsWith('<Event') &&
      (Object.hasOwn(record, 'EventId') || Object.hasOwn(record, 'ProviderName'))
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const rawXml = ownValue(record, 'RawXml');
    const xml = typeof rawXml === 'string' ? parseEventXml(rawXml) : undefined;
    if (xml === undefined || xml.eventId === undefined) {
      out.invalid('malformed RawXml', `RawXml: ${excerpt(rawXml, 60)}`);
      return;
    }
    const reader = new FieldReader(HOST_FIELDS);
    const eventId = reader.integer(xml.eventId, 'EventID', { required: true });
    if (eventId === undefined || reader.problem !== undefined) {
      if (reader.problem !== undefined) out.invalid(reader.problem.reason, reader.problem.detail);
      return;
    }
    const isWfp = isWfpEventId(eventId);
    const isSysmonNetwork = xml.provider === SYSMON_PROVIDER && eventId === 3;
    if (!isWfp && !isSysmonNetwork) {
      out.skip('not a network event');
      return;
    }
    const data = (name: string) => xml.data.get(name);
    const timeGenerated = pickEventTime(
      reader,
      [
        [xml.timeCreated, 'TimeCreated'],
        [ownValue(record, 'PreciseTimeStamp'), 'PreciseTimeStamp'],
      ],
      ctx,
    );
    const computer = isAbsent(xml.computer) ? ownValue(record, 'RoleInstance') : xml.computer;
    if (isWfp) decodeWfpEvent({ eventId, data, computer, timeGenerated, reader }, out);
    else decodeSysmonNetworkConnection(data, computer, timeGenerated, reader, out);
  },
};
