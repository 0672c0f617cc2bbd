import { isCanonicalIso, millisOfIso, utcMillisOf } from '../pipeline/fields.js';
import { notingFirstRecord } from '../pipeline/notingSink.js';
import type { DecodeContext, DecodeSink } from '../pipeline/types.js';

/**
 * The syslog envelope shared by every text source that travels over syslog (CEF, Cisco ASA,
 * Cisco Meraki, Sysmon for Linux): strips and reads the header of RFC 5424
 * (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`), of RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG: MSG`,
 * PRI optional, as relays often drop it) and the octet-counting frame of RFC 6587 (`1273 <14>1 …`).
 *
 * Relays: a relay that forwards a device's line as it came often writes its own header before the
 * device's (`Oct 13 06:54:17 10.100.10.100  <device header> …`, or `Nov 03 02:08:12 :Nov 03 01:55:39
 * EDT: %ASA-…` where the relay dropped the device's PRI). Up to {@link MAX_STACKED_HEADERS}
 * headers are read, outermost first, and the device's (innermost) header speaks for the line: its
 * host is the device and its time the event's. A relay's header time is when the relay received
 * the line, never the event's time; a relay's host is used only when the device wrote none.
 *
 * Time zones: RFC 3164 times carry none and are read as UTC. Cisco devices with `clock timezone`
 * write one after the time (`Apr 15 2014 09:34:34 EDT: %ASA-…`); a known abbreviation or a numeric
 * offset is applied, while an abbreviation that names several zones (`CST`: US Central or China;
 * `IST`: India, Ireland or Israel) leaves the header without a usable time and says why in
 * `timeProblem`, so that the decoder falls back as decision D3 says and counts it.
 *
 * The parser is a left-to-right scan with no backtracking: linear in the line length.
 */

/** How many headers, the device's and its relays', are read before the message. */
export const MAX_STACKED_HEADERS = 3;

export interface SyslogHeader {
  /** PRI value (facility × 8 + severity) when present. */
  readonly priority?: number;
  /** The header timestamp in ms since the epoch, when present and valid. */
  readonly timestampMs?: number;
  /** HOSTNAME field (`-` is reported as absent). */
  readonly hostname?: string;
  /** APP-NAME (RFC 5424) or TAG without `[pid]` (RFC 3164). */
  readonly appName?: string;
  /** PROCID (RFC 5424) or the `[pid]` of an RFC 3164 TAG. */
  readonly procId?: string;
  /** The MSG part, after the header and (RFC 5424) the structured data. */
  readonly message: string;
  /** Which header was recognized (the device's, when relays added theirs). */
  readonly format: 'rfc5424' | 'rfc3164' | 'none';
  /** The zone written after an RFC 3164 time (`EDT`, `+02:00`), when there was one. */
  readonly timeZone?: string;
  /** Why the header's time is not usable although it has one (an ambiguous zone). */
  readonly timeProblem?: string;
  /** How many relay headers came before the device's (0 when the line came straight from it). */
  readonly relayHeaders: number;
}

/**
 * UTC offsets, in minutes, of the zone abbreviations that name one zone. Sources: the IANA tz
 * database abbreviations, and Cisco's `clock timezone` examples (which write `PST -8`: PST is read
 * as US Pacific, as on the devices that write it).
 */
const ZONE_OFFSETS: ReadonlyMap<string, number> = new Map([
  ['UTC', 0],
  ['GMT', 0],
  ['UT', 0],
  ['Z', 0],
  ['WET', 0],
  ['WEST', 60],
  ['CET', 60],
  ['CEST', 120],
  ['MET', 60],
  ['MEST', 120],
  ['EET', 120],
  ['EEST', 180],
  ['MSK', 180],
  ['EST', -300],
  ['EDT', -240],
  ['MST', -420],
  ['MDT', -360],
  ['PST', -480],
  ['PDT', -420],
  ['AKST', -540],
  ['AKDT', -480],
  ['HST', -600],
  ['JST', 540],
  ['KST', 540],
  ['HKT', 480],
  ['AWST', 480],
  ['ACST', 570],
  ['ACDT', 630],
  ['AEST', 600],
  ['AEDT', 660],
  ['NZST', 720],
  ['NZDT', 780],
  ['SAST', 120],
]);

/** Abbreviations in use for more than one zone: a time written with one of them is not read. */
const AMBIGUOUS_ZONES: ReadonlySet<string> = new Set([
  'CST',
  'CDT',
  'IST',
  'BST',
  'AST',
  'ADT',
  'SST',
  'GST',
  'NST',
]);

const NUMERIC_ZONE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** What a token after an RFC 3164 time says about its zone. */
type ZoneReading = { readonly offsetMinutes: number } | { readonly ambiguous: true } | undefined;

function readZone(token: string): ZoneReading {
  const offset = ZONE_OFFSETS.get(token);
  if (offset !== undefined) return { offsetMinutes: offset };
  if (AMBIGUOUS_ZONES.has(token)) return { ambiguous: true };
  const numeric = NUMERIC_ZONE.exec(token);
  if (numeric === null) return undefined;
  const [, sign, hours, minutes] = numeric;
  const total = Number(hours) * 60 + Number(minutes ?? '0');
  if (Number(hours) > 14 || Number(minutes ?? '0') > 59) return undefined;
  return { offsetMinutes: sign === '-' ? -total : total };
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

// Cisco devices (`logging timestamp`) write the year, `Mar 01 2025 10:00:05`, and without a device
// id end the timestamp with a colon: `Mar 01 2025 10:00:05: %ASA-…`; a zone may follow the time.
const RFC3164_TIME = /^([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;
// A zone token after the time: letters, or a numeric offset (`+02:00`, `UTC+2`).
const ZONE_TOKEN = /^ ([A-Z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}(?::?\d{2})?)(?=[: ]|$)/;
const RFC5424_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads the syslog header of a line, if any. `referenceTimeMs` completes RFC 3164 timestamps,
 * which carry no year: the year chosen is the one that puts the time closest to the reference
 * (a December line read in January belongs to the year before).
 */
export function parseSyslog(line: string, referenceTimeMs: number): SyslogHeader {
  let header = parseOneHeader(line, referenceTimeMs);
  let relayHost: string | undefined;
  let relayHeaders = 0;
  while (header.format !== 'none' && relayHeaders + 1 < MAX_STACKED_HEADERS) {
    const inner = startOfHeader(header.message);
    if (inner < 0) break;
    const next = parseOneHeader(header.message.slice(inner), referenceTimeMs);
    if (next.format === 'none') break;
    relayHost = header.hostname ?? relayHost;
    relayHeaders++;
    header = next;
  }
  if (relayHeaders === 0) return header;
  // The device's header speaks for the line; a relay's host only stands in for a missing one.
  const hostname = header.hostname ?? relayHost;
  return { ...header, relayHeaders, ...(hostname === undefined ? {} : { hostname }) };
}

/**
 * Where another syslog header starts in a message (after blanks and the `:` a relay leaves of an
 * ASA's `<PRI>:` prefix), or -1: a PRI, an RFC 6587 octet count, or an RFC 3164 time.
 */
function startOfHeader(message: string): number {
  let i = 0;
  while (message.charCodeAt(i) === 32) i++;
  if (message[i] === ':') i++;
  const rest = message.slice(i, i + 40);
  if (/^<\d{1,3}>/.test(rest) || /^\d{1,6} </.test(rest) || RFC3164_TIME.test(rest)) return i;
  return -1;
}

/** Reads one header at the start of `line` (no relay stacking). */
function parseOneHeader(line: string, referenceTimeMs: number): SyslogHeader {
  let rest = line;
  // RFC 6587 octet counting: "<digits> <" at the very start.
  const frame = /^\d{1,6} (?=<)/.exec(rest);
  if (frame !== null) rest = rest.slice(frame[0].length);

  let priority: number | undefined;
  if (rest.startsWith('<')) {
    const close = rest.indexOf('>');
    if (close > 1 && close <= 4) {
      const pri = rest.slice(1, close);
      if (/^\d{1,3}$/.test(pri) && Number(pri) <= 191) {
        priority = Number(pri);
        rest = rest.slice(close + 1);
      }
    }
  }

  if (/^1 /.test(rest)) {
    const parsed = parseRfc5424Body(rest.slice(2), priority);
    if (parsed !== undefined) return parsed;
  }
  // Cisco ASA writes `<166>:Mar 01 2025 10:00:05 …` (a colon between PRI and time).
  if (priority !== undefined && rest.startsWith(':') && RFC3164_TIME.test(rest.slice(1)))
    rest = rest.slice(1);

  const t = RFC3164_TIME.exec(rest);
  const month = t === null ? undefined : MONTHS[t[1] ?? ''];
  if (t === null || month === undefined)
    return withPriority({ format: 'none', message: rest, relayHeaders: 0 }, priority);
  const [, , day, year, hh, mm, ss, frac] = t;
  let timestampMs = completeYear(
    month,
    Number(day),
    Number(hh),
    Number(mm),
    Number(ss),
    frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0')),
    referenceTimeMs,
    year === undefined ? undefined : Number(year),
  );
  rest = rest.slice(t[0].length);
  let timeZone: string | undefined;
  let timeProblem: string | undefined;
  const zoneToken = ZONE_TOKEN.exec(rest);
  const zone = zoneToken === null ? undefined : readZone(zoneToken[1] ?? '');
  if (zoneToken !== null && zone !== undefined) {
    timeZone = zoneToken[1];
    rest = rest.slice(zoneToken[0].length);
    if ('ambiguous' in zone) {
      timeProblem = `time zone ${timeZone} is ambiguous`;
      timestampMs = undefined;
    } else if (timestampMs !== undefined) timestampMs -= zone.offsetMinutes * 60_000;
  }
  // `10:00:05: %ASA-…`: a colon after the time means no host follows.
  const noHost = rest.startsWith(':');
  if (noHost) rest = rest.slice(1);
  if (rest.startsWith(' ')) rest = rest.slice(1);
  let hostname: string | undefined;
  let message = rest;
  if (!noHost && startOfHeader(rest) < 0) {
    // HOSTNAME (Cisco writes `host :` or `host:`), then TAG: "host tag[pid]: msg".
    const hostEnd = rest.indexOf(' ');
    const token = hostEnd < 0 ? rest : rest.slice(0, hostEnd);
    const host = token.endsWith(':') ? token.slice(0, -1) : token;
    if (host !== '' && !host.startsWith('%') && !host.startsWith(':') && !/^CEF:/.test(token)) {
      hostname = host;
      message = hostEnd < 0 ? '' : rest.slice(hostEnd + 1);
      if (message.startsWith(': ')) message = message.slice(2);
    }
  }
  let appName: string | undefined;
  let procId: string | undefined;
  const tag = /^([^\s:[\]<]{1,48})(?:\[([^\]\s]{1,32})\])?: ?/.exec(message);
  if (tag !== null && hostname !== undefined && !message.startsWith('%') && !/^CEF: ?\d/.test(message)) {
    appName = tag[1];
    procId = tag[2];
    message = message.slice(tag[0].length);
  }
  return withPriority(
    {
      format: 'rfc3164',
      message,
      relayHeaders: 0,
      ...(timestampMs === undefined ? {} : { timestampMs }),
      ...(timeZone === undefined ? {} : { timeZone }),
      ...(timeProblem === undefined ? {} : { timeProblem }),
      ...(hostname === undefined ? {} : { hostname }),
      ...(appName === undefined ? {} : { appName }),
      ...(procId === undefined ? {} : { procId }),
    },
    priority,
  );
}

function withPriority(header: SyslogHeader, priority: number | undefined): SyslogHeader {
  return priority === undefined ? header : { ...header, priority };
}

/** An RFC 5424 header after its `1 `, with `priority` read before it. */
function parseRfc5424Body(body: string, priority: number | undefined): SyslogHeader | undefined {
  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each a token or "-".
  const tokens: string[] = [];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const end = body.indexOf(' ', pos);
    if (end < 0) return undefined;
    tokens.push(body.slice(pos, end));
    pos = end + 1;
  }
  const [ts, host, app, proc] = tokens;
  // STRUCTURED-DATA: "-" or one or more [id param="value"...] with \] escapes inside values.
  let sdEnd = pos;
  if (body.startsWith('-', pos)) {
    sdEnd = pos + 1;
  } else if (body.startsWith('[', pos)) {
    let inQuotes = false;
    let i = pos;
    for (; i < body.length; i++) {
      const c = body[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '"') inQuotes = !inQuotes;
      else if (c === ']' && !inQuotes && body[i + 1] !== '[') {
        i++;
        break;
      }
    }
    sdEnd = i;
  } else {
    // Some senders omit STRUCTURED-DATA altogether: the message starts here.
    sdEnd = pos - 1;
  }
  let message = body.slice(sdEnd);
  if (message.startsWith(' ')) message = message.slice(1);
  if (message.startsWith('\ufeff')) message = message.slice(1);
  const timestampMs = ts === undefined || ts === '-' ? undefined : parseRfc5424Time(ts);
  // Every line has one: built field by field (in the order of the fields spread before), not
  // spread from partial objects.
  const header: { -readonly [K in keyof SyslogHeader]?: SyslogHeader[K] } = { message };
  if (timestampMs !== undefined) header.timestampMs = timestampMs;
  if (host !== undefined && host !== '-') header.hostname = host;
  if (app !== undefined && app !== '-') header.appName = app;
  if (proc !== undefined && proc !== '-') header.procId = proc;
  header.format = 'rfc5424';
  header.relayHeaders = 0;
  if (priority !== undefined) header.priority = priority;
  return header as SyslogHeader;
}

function parseRfc5424Time(ts: string): number | undefined {
  // Most senders write the canonical UTC form (`2026-11-02T00:00:00.005Z`): read without the pattern.
  if (isCanonicalIso(ts)) return millisOfIso(ts);
  const m = RFC5424_TIME.exec(ts);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let t = utcMillisOf(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms);
  if (t === undefined) return undefined;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

function completeYear(
  month: number,
  day: number,
  hh: number,
  mm: number,
  ss: number,
  ms: number,
  referenceTimeMs: number,
  writtenYear: number | undefined,
): number | undefined {
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  if (writtenYear !== undefined) return utcMillisOf(writtenYear, month + 1, day, hh, mm, ss, ms);
  const refYear = new Date(referenceTimeMs).getUTCFullYear();
  let best: number | undefined;
  for (const year of [refYear - 1, refYear, refYear + 1]) {
    const t = Date.UTC(year, month, day, hh, mm, ss, ms);
    if (best === undefined || Math.abs(t - referenceTimeMs) < Math.abs(best - referenceTimeMs)) best = t;
  }
  return best;
}

/** The counted reason of an event time taken from the enqueued time because of an ambiguous zone. */
export const AMBIGUOUS_ZONE_FALLBACK = 'ambiguous time zone, enqueued time used';

/**
 * How a decoder goes on when a line's header time is not usable (`timeProblem`): decision D3 falls
 * back to the enqueued time, and the item's first row is counted as noted; without an enqueued time
 * (the CLI) the item is invalid, `no event time`. Returns the sink to decode with, or `undefined`
 * when the item was reported invalid.
 */
export function sinkForHeaderTime(
  header: SyslogHeader | undefined,
  out: DecodeSink,
  ctx: DecodeContext,
): DecodeSink | undefined {
  const problem = header?.timeProblem;
  if (problem === undefined) return out;
  if (ctx.fallbackTimeMs === undefined) {
    out.invalid('no event time', `${problem}; no enqueued time`);
    return undefined;
  }
  return notingFirstRecord(out, AMBIGUOUS_ZONE_FALLBACK);
}
