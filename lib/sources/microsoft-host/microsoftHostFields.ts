import { parseEventXml } from '../formats/eventXml.js';
import {
  type FieldReader,
  type FieldReaderPolicy,
  isAbsent,
  isJsonObject,
  ownValue,
} from '../pipeline/FieldReader.js';
import { fallbackTime } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject } from '../pipeline/types.js';

/**
 * Field reading specific to the Microsoft host decoders (Defender XDR DeviceNetworkEvents,
 * SecurityEvent, WindowsEvent, VMConnection), on the shared {@link FieldReader}: the group's reading
 * rules ({@link HOST_FIELDS}), the `EventData` of Windows events in its three shapes, and the
 * decision D3 choice of event time.
 *
 * The rule for every decoder of the group: an absent value leaves its field out, as the ASIM
 * parsers leave it null; a value that is present but malformed (wrong type, out of range, control
 * characters, over a length bound) makes the whole row invalid, because it shows the record is not
 * what it claims to be. Required fields are the ones without which the row means nothing.
 */

// An address as the sources write it: IPv4, IPv6 (mapped, zoned); a bounded token of these characters.
const ADDRESS_TOKEN = /^[0-9A-Za-z.:%_-]{1,64}$/;

/**
 * The reading rules of the group for the shared {@link FieldReader}: text at most 256 characters
 * unless a call says otherwise, no control characters, an address is a bounded token of address
 * characters, and Windows' `-` ("none") is an absent address.
 */
export const HOST_FIELDS: FieldReaderPolicy = {
  maxTextChars: 256,
  rejectControlCharacters: true,
  isAddress: (text) => ADDRESS_TOKEN.test(text),
  noAddressText: '-',
};

/**
 * decision D3 for a record: the first present candidate (device event time first, then the
 * record's TimeGenerated), else the Event Hub enqueued time. A present but unreadable candidate is a
 * problem of the reader, not a reason to fall through to a later one. `undefined` means no time at
 * all (or a problem): the caller reports `no event time` unless the reader has a problem.
 */
export function pickEventTime(
  reader: FieldReader,
  candidates: ReadonlyArray<readonly [value: unknown, field: string]>,
  ctx: DecodeContext,
): string | undefined {
  for (const [value, field] of candidates) {
    if (isAbsent(value)) continue;
    return reader.time(value, field);
  }
  return fallbackTime(ctx);
}

/**
 * Reports the reader's problem, or `no event time` when `time` is undefined. Returns whether the
 * row can be built.
 */
export function reportProblems(
  reader: FieldReader,
  time: string | undefined,
  out: DecodeSink,
): time is string {
  if (reader.reportTo(out)) return false;
  if (time === undefined) {
    out.invalid('no event time', 'no device time, no TimeGenerated and no enqueued time');
    return false;
  }
  return true;
}

/** Looks up one `EventData` field by its name (case-sensitive, as the ASIM parsers read it). */
export type EventDataLookup = (name: string) => unknown;

/**
 * The `EventData` of a Windows event in any of the shapes it reaches us in: a JSON object (the
 * WindowsEvent `dynamic` column), a string holding that JSON object (CSV exports), or the event
 * XML string of SecurityEvent (`<EventData><Data Name="…">…</Data>…`), read by name.
 * `absent` when there is no EventData; `malformed` when it is there but none of these.
 */
export function readEventData(value: unknown): EventDataLookup | 'absent' | 'malformed' {
  if (isAbsent(value)) return 'absent';
  if (isJsonObject(value)) return (name) => ownValue(value, name);
  if (typeof value !== 'string') return 'malformed';
  const text = value.trim();
  if (text.startsWith('{')) {
    const parsed = parseJsonObject(text);
    return parsed === undefined ? 'malformed' : (name) => ownValue(parsed, name);
  }
  if (text.startsWith('<')) {
    const xml = parseEventXml(text);
    if (xml === undefined || xml.data.size === 0) return 'malformed';
    return (name) => xml.data.get(name);
  }
  return 'malformed';
}

function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host name of a device name, as ASIM's `_ASIM_ResolveFQDN` and `split(DeviceName, ".")[0]`
 * give it: the first label of an FQDN (`web01.contoso.com` → `web01`), the name itself otherwise.
 */
export function toHostname(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/** KQL `tobool`: `true`, `"true"` (any case) and `1` are true; everything else is false. */
export function isTrue(value: unknown): boolean {
  if (value === true) return true;
  if (typeof value === 'number') return value === 1;
  if (typeof value !== 'string') return false;
  const text = value.trim().toLowerCase();
  return text === 'true' || text === '1';
}
