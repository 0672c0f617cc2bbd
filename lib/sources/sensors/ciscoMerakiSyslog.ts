import type { DvcAction, EventResult, NetworkDirection } from '../../schema/NetworkSession.js';
import { resolveNetworkProtocolNames } from '../formats/ianaProtocols.js';
import { parseSyslog } from '../formats/syslog.js';
import { ownValue } from '../pipeline/FieldReader.js';
import {
  excerpt,
  fallbackTime,
  isoFromDateString,
  isoFromEpochSeconds,
  makeSession,
  toPort,
} from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { checkIp, SensorFieldReader, splitHostPort, trimChar } from './sensorFields.js';

/** Log types the parser maps as flows (EventType `Flow`). */
const FLOW_LOG_TYPES = new Set([
  'flows',
  'firewall',
  'cellular_firewall',
  'vpn_firewall',
  'ip_flow_start',
  'ip_flow_end',
]);

/**
 * Every Meraki syslog log type we recognize (Meraki "Syslog Event Types and Log Samples"); the ones
 * that are neither flows nor IDS alerts are claimed and skipped, so they are counted, not unknown.
 */
const MERAKI_LOG_TYPES = new Set([
  ...FLOW_LOG_TYPES,
  'ids-alerts',
  'security_event',
  'events',
  'urls',
  'airmarshal_events',
  'bridge_anyconnect_client_vpn_firewall',
]);

/** `protocol=` values of the parser's NetworkProtocolLookup (exact, case-sensitive). */
const PROTOCOL_BY_NAME: ReadonlyMap<string, string> = new Map([
  ['tcp', 'TCP'],
  ['tcp/ip', 'TCP'],
  ['udp', 'UDP'],
  ['udp/ip', 'UDP'],
  ['icmp', 'ICMP'],
  ['icmp6', 'ICMP'],
]);

/** The parser's DvcActionLookup on the rule pattern (exact, case-sensitive). */
const ACTION_BY_PATTERN: ReadonlyMap<string, { action: DvcAction; result: EventResult }> = new Map([
  ['allow', { action: 'Allow', result: 'Success' }],
  ['deny', { action: 'Deny', result: 'Failure' }],
  ['Blocked', { action: 'Deny', result: 'Failure' }],
] as const);

const DIRECTION_BY_NAME: ReadonlyMap<string, NetworkDirection> = new Map([
  ['ingress', 'Inbound'],
  ['egress', 'Outbound'],
  ['Unknown', 'NA'],
] as const);

/** How far into a line the Meraki header (`<epoch> <device> <type>`) may start, in space-separated tokens. */
const MAX_HEADER_TOKENS = 12;
const EPOCH = /^\d{9,10}\.\d{1,9}$/;
const WORD = /^[A-Za-z0-9_-]{1,128}$/;

/** The parts of a Meraki syslog message. */
export interface MerakiMessage {
  /** Leading `<seconds>.<nanoseconds>` of the device. */
  readonly epoch: string;
  /** Device name as configured in the dashboard. */
  readonly device: string;
  /** `flows`, `firewall`, `security_event`, … */
  readonly logType: string;
  /** Everything after the log type. */
  readonly body: string;
}

/**
 * Cisco Meraki MX/MR syslog messages (`<epoch> <device> <logtype> <body>`), as the ASIM parser
 * `vimNetworkSessionCiscoMerakiSyslog` v1.2.2 (Azure-Sentinel @ 01387784) maps them
 * (docs/sources/sensors.md#mapping-cisco-meraki-syslog).
 *
 * Shapes: raw syslog lines as Meraki sends them (`<134>1 1647478988.289402144 MX84 flows allow
 * src=… dst=… protocol=udp sport=… dport=…`), also behind one or two relays' RFC 3164 headers; and `Syslog`
 * table rows (Log Analytics export) whose `SyslogMessage` holds the same text, with or without the
 * `<PRI>1 ` prefix. The header is found like the parser's regex `(\d+.\d+)\s([\w-]+)\s([\w-]+)\s(.+)`,
 * not with the shared RFC 5424 reader: Meraki's `1 <epoch>` is not an RFC 5424 timestamp.
 *
 * Recognition is by content: an epoch `<9–10 digits>.<fraction>` at the start of the message or
 * right after the syslog version `1`, a device name, then a known Meraki log type. Sentinel's row
 * filter, the `ASimSourceType` watchlist of Meraki sender hosts, has no equivalent here.
 *
 * Rows kept: `flows`, `firewall`, `cellular_firewall`, `vpn_firewall`, `ip_flow_start`,
 * `ip_flow_end` (EventType Flow; DvcAction/EventResult from the word before ` src=` or after
 * `pattern: `: allow, deny, Blocked), `ids-alerts` and `security_event ids_alerted`/`ids-alerted`
 * (EventType NetworkSession, EventResult Success, `direction` → NetworkDirection). Every other
 * Meraki message is skipped, including the wireless `events` and `airmarshal_events` the parser
 * also maps (they carry no destination port): a deviation.
 *
 * Fields: `src=`/`dst=` (`a.b.c.d:port` or `[v6]:port`), `sport=`/`dport=` first, then the port in
 * the address, `translated_dst_ip=`/`translated_port=` as fallbacks; `protocol=` through the lookup
 * (tcp, tcp/ip, udp, udp/ip, icmp, icmp6) or, when numeric, the IANA table; Dvc = DvcHostname =
 * the device name; EventOriginalType = the log type.
 *
 * Time: EventStartTime = EventEndTime = `timestamp=` if present, else the leading epoch, in whole
 * seconds as the parser computes them; TimeGenerated = EventStartTime (device time, decision D3),
 * else the leading epoch, else the row's TimeGenerated, else the enqueued time.
 */
export const ciscoMerakiSyslog: SourceDecoder = {
  name: 'cisco-meraki-syslog',
  title: 'Cisco Meraki syslog (flows, firewall, IDS alerts): raw lines and Syslog rows',

  matchJson(record: JsonObject): boolean {
    const message = record.SyslogMessage;
    return (
      (record.Type === undefined || record.Type === 'Syslog') &&
      typeof message === 'string' &&
      isMerakiLogType(findMessage(message))
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const message = record.SyslogMessage;
    if (typeof message !== 'string') {
      out.invalid('missing SyslogMessage', `SyslogMessage: ${excerpt(message)}`);
      return;
    }
    decodeMessage(message, record.TimeGenerated, out, ctx);
  },

  matchText(line: string): boolean {
    return isMerakiLogType(findMessage(line));
  },

  resemblesText: (line) =>
    findMessage(line) === undefined ? undefined : 'Meraki message of an unknown log type',
  resemblesJson(record) {
    const message = ownValue(record, 'SyslogMessage');
    return typeof message === 'string' && findMessage(message) !== undefined
      ? 'Meraki message of an unknown log type'
      : undefined;
  },

  decodeText(line: string, out: DecodeSink, ctx: DecodeContext): void {
    decodeMessage(line, undefined, out, ctx);
  },
};

/**
 * The Meraki message of a text, also behind relay headers: the parser's regex finds the epoch
 * anywhere, so a relay's `Oct 13 06:54:17 10.100.10.100  1602571975.232247147 fw flows …` (the
 * Sentinel sample `Cisco_Meraki_ASimNetworkSession_IngestedLogs.csv`) or two stacked RFC 3164
 * headers before the device's message are read too. The headers are stripped by the shared
 * `parseSyslog`; the Meraki header must then start the message.
 */
function findMessage(text: string): MerakiMessage | undefined {
  const direct = findMerakiMessage(text);
  if (direct !== undefined) return direct;
  const header = parseSyslog(text, 0);
  return header.format === 'rfc3164' ? findMerakiMessage(header.message.trimStart()) : undefined;
}

function isMerakiLogType(message: MerakiMessage | undefined): boolean {
  return message !== undefined && MERAKI_LOG_TYPES.has(message.logType);
}

/**
 * The first `<epoch> <device> <logtype> <body>` sequence among the first tokens of a line, as the
 * parser's `extract_all(@"(\d+.\d+)\s([\w\-\_]+)\s([\w\-\_]+)\s([\S\s]+)$")[0]` finds it, made
 * precise for recognition: the epoch is `<9–10 digits>.<1–9 digits>` and starts the text or follows
 * Meraki's syslog version `1` (`<134>1 <epoch>`, `1 <epoch>`, a relay's `… 192.0.2.1 1 <epoch>`).
 * A single left-to-right scan.
 */
export function findMerakiMessage(text: string): MerakiMessage | undefined {
  const starts: number[] = [];
  const ends: number[] = [];
  let pos = 0;
  while (starts.length < MAX_HEADER_TOKENS + 2) {
    const space = text.indexOf(' ', pos);
    starts.push(pos);
    if (space < 0) {
      ends.push(text.length);
      break;
    }
    ends.push(space);
    pos = space + 1;
  }
  const token = (i: number): string => text.slice(starts[i] ?? 0, ends[i] ?? 0);
  for (let i = 0; i + 2 < starts.length && i < MAX_HEADER_TOKENS; i++) {
    const typeEnd = ends[i + 2] ?? text.length;
    if (typeEnd + 1 >= text.length) continue;
    if (i > 0 && token(i - 1) !== '1' && !token(i - 1).endsWith('>1')) continue;
    if (!EPOCH.test(token(i)) || !WORD.test(token(i + 1)) || !WORD.test(token(i + 2))) continue;
    return { epoch: token(i), device: token(i + 1), logType: token(i + 2), body: text.slice(typeEnd + 1) };
  }
  return undefined;
}

/**
 * KQL `parse-kv … with (pair_delimiter=' ', kv_delimiter='=', quote="'")` for the keys the parser
 * asks for: `key=value` pairs separated by spaces, a value quoted with `'` may hold spaces. The
 * first occurrence of a key wins; words without `=` (`allow`, `pattern:`, `message:`) are passed over.
 */
export function readMerakiPairs(body: string): Map<string, string> {
  const pairs = new Map<string, string>();
  let i = 0;
  // The next `=` at or after i, found once and reused, so that words without `=` cost no rescans.
  let nextEq = -1;
  while (i < body.length) {
    if (body[i] === ' ') {
      i++;
      continue;
    }
    const space = body.indexOf(' ', i);
    const tokenEnd = space < 0 ? body.length : space;
    if (nextEq < i) {
      const found = body.indexOf('=', i);
      nextEq = found < 0 ? Number.POSITIVE_INFINITY : found;
    }
    const eq = nextEq === Number.POSITIVE_INFINITY ? -1 : nextEq;
    if (eq < 0 || eq > tokenEnd || eq === i) {
      i = tokenEnd;
      continue;
    }
    const key = body.slice(i, eq);
    let value: string;
    if (body[eq + 1] === "'") {
      const close = body.indexOf("'", eq + 2);
      const end = close < 0 ? tokenEnd : close;
      value = body.slice(eq + 2, end);
      i = close < 0 ? tokenEnd : close + 1;
    } else {
      value = body.slice(eq + 1, tokenEnd);
      i = tokenEnd;
    }
    if (!pairs.has(key)) pairs.set(key, value);
  }
  return pairs;
}

function decodeMessage(text: string, rowTime: unknown, out: DecodeSink, ctx: DecodeContext): void {
  const message = findMessage(text);
  if (message === undefined) {
    out.invalid('no Meraki header', 'expected "<epoch> <device> <logtype> …"');
    return;
  }
  const { logType, body } = message;
  if (FLOW_LOG_TYPES.has(logType)) {
    decodeSession(message, 'flow', rowTime, out, ctx);
    return;
  }
  if (logType === 'ids-alerts') {
    decodeSession(message, 'ids', rowTime, out, ctx);
    return;
  }
  if (logType === 'security_event') {
    const subtypeEnd = body.indexOf(' ');
    const subtype = subtypeEnd < 0 ? body : body.slice(0, subtypeEnd);
    if (subtype === 'ids_alerted' || subtype === 'ids-alerted')
      decodeSession(message, 'ids', rowTime, out, ctx);
    else out.skip('not an IDS alert');
    return;
  }
  out.skip('not a flow or IDS message');
}

function decodeSession(
  message: MerakiMessage,
  kind: 'flow' | 'ids',
  rowTime: unknown,
  out: DecodeSink,
  ctx: DecodeContext,
): void {
  const { body } = message;
  const pairs = readMerakiPairs(body);
  // The parser trims `"` from every value it maps.
  const f = new SensorFieldReader((key) => {
    const value = pairs.get(key);
    return value === undefined ? undefined : trimChar(value, '"');
  });
  const srcMac = f.text(kind === 'flow' ? 'mac' : 'shost');
  const dstMac = kind === 'ids' ? f.text('dhost') : undefined;
  const src = readEndpoint(f, 'src', undefined, srcMac);
  const dst = readEndpoint(f, 'dst', kind === 'flow' ? 'translated_dst_ip' : undefined, dstMac);
  const srcPort = f.port('sport') ?? portFrom(f, src, 'src', undefined);
  const dstPort =
    f.port('dport') ?? portFrom(f, dst, 'dst', kind === 'flow' ? f.port('translated_port') : undefined);
  const protocol = f.token('protocol');
  const direction = kind === 'ids' ? f.token('direction') : undefined;
  const problem = f.problem;
  if (problem !== undefined) {
    out.invalid(problem.reason, problem.detail);
    return;
  }
  const verdict = kind === 'flow' ? ACTION_BY_PATTERN.get(rulePattern(body)) : undefined;
  const headerTime = secondsOf(message.epoch);
  const startTime = secondsOf(timestampValue(body) ?? message.epoch);
  const timeGenerated = startTime ?? headerTime ?? isoFromDateString(rowTime) ?? fallbackTime(ctx);
  if (timeGenerated === undefined) {
    out.invalid('no event time', `epoch: ${excerpt(message.epoch, 30)}`);
    return;
  }
  // `_ASIM_ResolveNetworkProtocol` gives two rows for protocol 84, as Sentinel shows them.
  for (const networkProtocol of protocol === undefined ? [undefined] : toNetworkProtocols(protocol)) {
    out.record(
      makeSession({
        TimeGenerated: timeGenerated,
        EventStartTime: startTime,
        EventEndTime: startTime,
        EventCount: 1,
        EventVendor: 'Cisco',
        EventProduct: 'Meraki',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.6',
        EventType: kind === 'flow' ? 'Flow' : 'NetworkSession',
        EventResult: kind === 'flow' ? verdict?.result : 'Success',
        EventOriginalType: message.logType,
        SrcIpAddr: src?.ip,
        SrcPortNumber: srcPort,
        DstIpAddr: dst?.ip,
        DstPortNumber: dstPort,
        NetworkProtocol: networkProtocol,
        NetworkDirection: direction === undefined ? undefined : DIRECTION_BY_NAME.get(direction),
        DvcAction: verdict?.action,
        Dvc: message.device,
        DvcHostname: message.device,
      }),
    );
  }
}

/** An endpoint read from `key` (else `fallbackKey`): its address (absent when it is the MAC) and its split form. */
interface Endpoint {
  readonly ip: string | undefined;
  readonly split: ReturnType<typeof splitHostPort>;
}

function readEndpoint(
  f: SensorFieldReader,
  key: string,
  fallbackKey: string | undefined,
  mac: string | undefined,
): Endpoint | undefined {
  const fromKey = f.text(key);
  const usedKey = fromKey === undefined && fallbackKey !== undefined ? fallbackKey : key;
  const value = fromKey ?? (fallbackKey === undefined ? undefined : f.text(fallbackKey));
  if (value === undefined) return undefined;
  const split = splitHostPort(value);
  // The parser blanks an address equal to the MAC it read (airmarshal-style src=<mac>).
  if (split.host === '' || split.host === mac) return { ip: undefined, split };
  if (checkIp(split.host) === undefined) {
    f.fail(`invalid ${usedKey}`, `${usedKey}: ${excerpt(value)}`);
    return undefined;
  }
  return { ip: split.host, split };
}

/**
 * The port written inside the address. The parser's order: `sport`/`dport`, then the `[v6]:port`
 * port, then `translated_port`, then the `a.b.c.d:port` port.
 */
function portFrom(
  f: SensorFieldReader,
  endpoint: Endpoint | undefined,
  key: string,
  translatedPort: number | undefined,
): number | undefined {
  const port = endpoint?.split.port;
  if (endpoint?.split.bracketed !== true && translatedPort !== undefined) return translatedPort;
  if (port === undefined || port === '') return translatedPort;
  return toPort(port) ?? f.fail(`invalid ${key}`, `${key} port: ${excerpt(port)}`);
}

/**
 * The rule verdict: the text before the first ` src=` (`flows allow src=…`), else the word after
 * `pattern: ` when a space follows it (`… pattern: deny all`), quotes trimmed.
 */
function rulePattern(body: string): string {
  const beforeSrc = body.indexOf(' src=');
  const first = beforeSrc > 0 ? trimChar(body.slice(0, beforeSrc), "'") : '';
  if (first !== '') return trimChar(first, '"');
  const at = body.indexOf('pattern: ');
  if (at < 0) return '';
  const start = at + 'pattern: '.length;
  const end = body.indexOf(' ', start);
  return end < 0 ? '' : trimChar(trimChar(body.slice(start, end), "'"), '"');
}

/** The value of the first `timestamp=` up to the next space (`parse … "timestamp=" timestamp " "`). */
function timestampValue(body: string): string | undefined {
  const at = body.indexOf('timestamp=');
  if (at < 0) return undefined;
  const start = at + 'timestamp='.length;
  const end = body.indexOf(' ', start);
  return end < 0 || end === start ? undefined : body.slice(start, end);
}

/** `unixtime_seconds_todatetime(tolong(split(epoch, ".")[0]))`: whole seconds, fraction dropped. */
function secondsOf(epoch: string): string | undefined {
  const dot = epoch.indexOf('.');
  const seconds = dot < 0 ? epoch : epoch.slice(0, dot);
  return /^\d{1,12}$/.test(seconds) ? isoFromEpochSeconds(Number(seconds)) : undefined;
}

/** Numeric protocols through `_ASIM_ResolveNetworkProtocol`, names through the parser's lookup. */
function toNetworkProtocols(protocol: string): readonly (string | undefined)[] {
  if (/^\d+$/.test(protocol)) return resolveNetworkProtocolNames(protocol);
  return [PROTOCOL_BY_NAME.get(protocol)];
}
