import { utcMillisOf } from '../pipeline/fields.js';

/**
 * The syslog envelope shared by every text source that travels over syslog (CEF, Cisco ASA,
 * Cisco Meraki, Sysmon for Linux): strips and reads the header of RFC 5424
 * (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`), of RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG: MSG`,
 * PRI optional, as relays often drop it) and the octet-counting frame of RFC 6587 (`1273 <14>1 …`).
 *
 * The parser is a single left-to-right scan with no backtracking: linear in the line length.
 */

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
  /** Which header was recognized. */
  readonly format: 'rfc5424' | 'rfc3164' | 'none';
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
// id end the timestamp with a colon: `Mar 01 2025 10:00:05: %ASA-…`.
const RFC3164_TIME =
  /^([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?:? /;
const RFC5424_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads the syslog header of a line, if any. `referenceTimeMs` completes RFC 3164 timestamps,
 * which carry no year: the year chosen is the one that puts the time closest to the reference
 * (a December line read in January belongs to the year before).
 */
export function parseSyslog(line: string, referenceTimeMs: number): SyslogHeader {
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
    const parsed = parseRfc5424Body(rest.slice(2));
    if (parsed !== undefined) return withPriority({ ...parsed, format: 'rfc5424' }, priority);
  }

  const t = RFC3164_TIME.exec(rest);
  if (t !== null) {
    const [, mon, day, year, hh, mm, ss, frac] = t;
    const month = MONTHS[mon ?? ''];
    if (month !== undefined) {
      const timestampMs = completeYear(
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
      // HOSTNAME then TAG: "host tag[pid]: msg". A message may also start right after the host.
      const hostEnd = rest.indexOf(' ');
      const hostname = hostEnd > 0 ? rest.slice(0, hostEnd) : undefined;
      let message = hostEnd > 0 ? rest.slice(hostEnd + 1) : rest;
      let appName: string | undefined;
      let procId: string | undefined;
      const tag = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,32})\])?: ?/.exec(message);
      if (tag !== null && !message.startsWith('%') && !/^CEF: ?\d/.test(message)) {
        appName = tag[1];
        procId = tag[2];
        message = message.slice(tag[0].length);
      }
      return withPriority(
        {
          format: 'rfc3164',
          message,
          ...(timestampMs === undefined ? {} : { timestampMs }),
          ...(hostname === undefined ? {} : { hostname }),
          ...(appName === undefined ? {} : { appName }),
          ...(procId === undefined ? {} : { procId }),
        },
        priority,
      );
    }
  }
  return withPriority({ format: 'none', message: rest }, priority);
}

function withPriority(header: SyslogHeader, priority: number | undefined): SyslogHeader {
  return priority === undefined ? header : { ...header, priority };
}

function parseRfc5424Body(body: string): Omit<SyslogHeader, 'format'> | undefined {
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
  return {
    message,
    ...(timestampMs === undefined ? {} : { timestampMs }),
    ...(host === undefined || host === '-' ? {} : { hostname: host }),
    ...(app === undefined || app === '-' ? {} : { appName: app }),
    ...(proc === undefined || proc === '-' ? {} : { procId: proc }),
  };
}

function parseRfc5424Time(ts: string): number | undefined {
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
