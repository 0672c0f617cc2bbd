import { FieldReader, isAbsent, ownValue } from '../pipeline/FieldReader.js';
import { fallbackTime } from '../pipeline/fields.js';
import { notingFirstRecord } from '../pipeline/notingSink.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { HOST_FIELDS } from './microsoftHostFields.js';
import { decodeSysmonNetworkConnection, SYSMON_PROVIDER } from './windowsEvent.js';
import { decodeWfpEvent, isWfpEventId } from './windowsFirewall.js';

const NAME = 'nxlog-windows-event';

/** An ISO-8601 time that says its offset (`…Z`, `…+03:00`): NXLog Enterprise's JSON datetimes. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Counted when a record's time is the enqueued time because its `EventTime` has no zone. */
export const ZONELESS_EVENT_TIME = 'EventTime without zone, enqueued time used';

/**
 * Windows events as NXLog's `im_msvistalog` input writes them through `to_json()` (NXLog Agent
 * reference, "Event Log for Windows (im_msvistalog)", https://docs.nxlog.co/agent/current/im/msvistalog.html):
 * one flat JSON object per event with NXLog's own field names for the System part — `EventTime`,
 * `Hostname`, `SourceName` (the provider), `Channel`, `EventID`, `EventReceivedTime`,
 * `SourceModuleType: "im_msvistalog"` — and every `<Data Name>` of EventData as a field of its own
 * (`SourceAddress`, `DestPort`, `Direction: "%%14592"`; Sysmon's `SourceIp`, `UtcTime`).
 *
 * Kept, as the WindowsEvent parsers keep them (docs/sources/microsoft-host.md): WFP events
 * 5150–5159 of any provider, through the shared WFP mapping (Microsoft / Windows Firewall), and
 * Sysmon event 3 (`SourceName` `Microsoft-Windows-Sysmon`), through the shared Sysmon mapping
 * (Microsoft / Sysmon). Dvc = `Hostname`. Other events are skipped. ASIM has no NXLog parser.
 *
 * Time (decision D3): NXLog writes `EventTime` in the host's local time, with its offset in the
 * ISO form of NXLog Enterprise (`2021-03-31T12:03:33.169332+03:00`) and without any zone in the
 * default form of NXLog CE (`2017-12-19 17:45:02`). A zoned `EventTime` is the event time; a
 * zoneless one cannot be placed on the UTC axis, so a Sysmon event uses its `UtcTime`, and
 * anything else falls back to the enqueued time, counted as noted (the CLI, without an enqueued
 * time, reports `no event time`).
 */
export const nxlogWindowsEvent: SourceDecoder = {
  name: NAME,
  title: 'Windows events from NXLog im_msvistalog JSON: WFP 5150–5159 and Sysmon event 3',

  matchJson(record: JsonObject): boolean {
    return (
      ownValue(record, 'Type') === undefined &&
      typeof ownValue(record, 'SourceName') === 'string' &&
      typeof ownValue(record, 'Hostname') === 'string' &&
      Object.hasOwn(record, 'EventID') &&
      Object.hasOwn(record, 'EventTime')
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const reader = new FieldReader(HOST_FIELDS);
    const eventId = reader.integer(ownValue(record, 'EventID'), 'EventID', { required: true });
    const provider = reader.text(ownValue(record, 'SourceName'), 'SourceName', { maxChars: 256 });
    if (eventId === undefined || reader.problem !== undefined) {
      if (reader.problem !== undefined) out.invalid(reader.problem.reason, reader.problem.detail);
      return;
    }
    const isWfp = isWfpEventId(eventId);
    const isSysmonNetwork = provider === SYSMON_PROVIDER && eventId === 3;
    if (!isWfp && !isSysmonNetwork) {
      out.skip('not a network event');
      return;
    }
    const data = (name: string) => ownValue(record, name);
    const eventTime = ownValue(record, 'EventTime');
    let timeGenerated: string | undefined;
    let sink = out;
    if (typeof eventTime === 'string' && ZONED_TIME.test(eventTime.trim()))
      timeGenerated = reader.time(eventTime, 'EventTime');
    else if (isSysmonNetwork && !isAbsent(data('UtcTime')))
      timeGenerated = reader.time(data('UtcTime'), 'UtcTime');
    else {
      timeGenerated = fallbackTime(ctx);
      if (timeGenerated === undefined) {
        out.invalid('no event time', 'EventTime has no zone and there is no enqueued time');
        return;
      }
      sink = notingFirstRecord(out, ZONELESS_EVENT_TIME);
    }
    const computer = ownValue(record, 'Hostname');
    if (isWfp) decodeWfpEvent({ eventId, data, computer, timeGenerated, reader }, sink);
    else decodeSysmonNetworkConnection(data, computer, timeGenerated, reader, sink);
  },
};
