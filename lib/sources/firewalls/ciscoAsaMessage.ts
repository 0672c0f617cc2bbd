import { isAddressText } from '../pipeline/FieldReader.js';

/**
 * Reads the Cisco ASA (and Firepower Threat Defense, same catalogue) syslog messages the ASIM
 * parser `vimNetworkSessionCiscoASA.yaml` handles, the way the Sentinel ingestion service fills
 * SourceIP/SourcePort/DestinationIP/DestinationPort/Protocol
 * (docs/sources/firewalls.md#cisco-asa-message-formats).
 * Formats per the "Cisco Secure Firewall ASA Series Syslog Messages" guide.
 *
 * Every reader splits the text on spaces and looks tokens up by keyword: linear, no regex.
 */

/** One side of a connection as the message writes it. */
export interface AsaEndpoint {
  readonly address: string;
  readonly port?: number;
}

/** What a message says about its connection. Fields a message id does not carry are absent. */
export interface AsaMessage {
  /** The protocol word as written (`tcp`, `UDP`, `icmp`, `41` for `protocol 41`). */
  readonly protocol?: string;
  /** The endpoints in the message's own order (`for` before `to`, `src` before `dst`). */
  readonly first: AsaEndpoint;
  readonly second: AsaEndpoint;
  /** `inbound` / `outbound` of a Built message (302013, 302015, 302020). */
  readonly direction?: 'inbound' | 'outbound';
  /** ACL name: `access-group "L"` (106023), `access-list L` (106100), `outbound list L` (106018). */
  readonly ruleName?: string;
  /** 106100 `hit-cnt N`. */
  readonly hitCount?: number;
  /** 302014 teardown reason (`TCP FINs`, `SYN Timeout`). */
  readonly teardownReason?: string;
}

export type AsaParseResult =
  | { readonly ok: true; readonly message: AsaMessage }
  | { readonly ok: false; readonly detail: string };

/** The `%ASA-<severity>-<id>:` tag of a line. */
export interface AsaTag {
  /** Index of the `%`. */
  readonly index: number;
  readonly severity: string;
  readonly id: string;
  /** Index of the first character after the tag's colon. */
  readonly textStart: number;
}

/**
 * The message ids the ASIM parser keeps (docs/sources/firewalls.md#mapping-cisco-asa). Other ids
 * (translations, VPN, AAA) are not
 * network sessions for the parser and are skipped.
 */
export const ASA_SESSION_MESSAGE_IDS: ReadonlySet<string> = new Set([
  '106001',
  '106002',
  '106006',
  '106007',
  '106010',
  '106012',
  '106013',
  '106014',
  '106015',
  '106016',
  '106017',
  '106018',
  '106020',
  '106021',
  '106022',
  '106023',
  '106100',
  '302013',
  '302014',
  '302015',
  '302016',
  '302020',
  '302021',
  '710002',
  '710003',
  '710004',
  '710005',
]);

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

/**
 * Finds the `%ASA-6-302013:` (or `%FTD-…`, or `%ASA-session-6-…` with a message class) tag of a line.
 * Linear: each candidate `%` is checked over a bounded window.
 */
export function findAsaTag(line: string): AsaTag | undefined {
  let from = 0;
  for (;;) {
    const at = line.indexOf('%', from);
    if (at < 0) return undefined;
    from = at + 1;
    const product = line.slice(at + 1, at + 5);
    if (product !== 'ASA-' && product !== 'FTD-') continue;
    let i = at + 5;
    // Optional message class: `%ASA-session-6-…`.
    if (isLower(line.charCodeAt(i))) {
      const classStart = i;
      while (i < line.length && i < classStart + 24 && (isLower(line.charCodeAt(i)) || line[i] === '_')) i++;
      if (line[i] !== '-') continue;
      i++;
    }
    if (!isDigit(line.charCodeAt(i)) || line[i + 1] !== '-') continue;
    const severity = line[i] ?? '';
    const idStart = i + 2;
    let j = idStart;
    while (j < line.length && j < idStart + 6 && isDigit(line.charCodeAt(j))) j++;
    if (j - idStart !== 6 || line[j] !== ':') continue;
    return { index: at, severity, id: line.slice(idStart, j), textStart: j + 1 };
  }
}

/** The text of a Message column after its `%ASA-…:` tag (the whole message when it has none). */
export function asaMessageText(message: string): string {
  const tag = findAsaTag(message);
  return (tag === undefined ? message : message.slice(tag.textStart)).trim();
}

class AsaParseError {
  readonly detail: string;
  constructor(detail: string) {
    this.detail = detail;
  }
}

/** Token list of a message with keyword lookups that fail with a named detail. */
class Tokens {
  readonly #tokens: readonly string[];

  constructor(text: string) {
    this.#tokens = text.split(' ').filter((t) => t !== '');
  }

  at(index: number, what: string): string {
    const token = this.#tokens[index];
    if (token === undefined) throw new AsaParseError(`missing ${what}`);
    return token;
  }

  /** Index of the first `keyword` token at or after `from`, or -1. */
  find(keyword: string, from = 0): number {
    for (let i = from; i < this.#tokens.length; i++) if (this.#tokens[i] === keyword) return i;
    return -1;
  }

  /** The token after the first `keyword` at or after `from`. */
  after(keyword: string, from = 0): { token: string; index: number } {
    const i = this.find(keyword, from);
    if (i < 0) throw new AsaParseError(`missing "${keyword}"`);
    return { token: this.at(i + 1, `value after "${keyword}"`), index: i + 1 };
  }

  /** Tokens from `from` to the end, joined by single spaces. */
  rest(from: number): string {
    return this.#tokens.slice(from).join(' ');
  }
}

function checkedAddress(text: string): string {
  if (!isAddressText(text)) throw new AsaParseError(`not an address: ${text.slice(0, 48)}`);
  return text;
}

function checkedPort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new AsaParseError(`not a port: ${text.slice(0, 16)}`);
  return port;
}

/** Cuts an `(user)` suffix and a trailing comma: `10.0.0.5/443(LOCAL\alice),` → `10.0.0.5/443`. */
function stripDecorations(token: string): string {
  const paren = token.indexOf('(');
  const cut = paren > 0 ? token.slice(0, paren) : token;
  return cut.endsWith(',') ? cut.slice(0, -1) : cut;
}

/** `A/p` (also `A/p(user)`), or `A` alone: ICMP variants of the messages carry no port. */
function addressSlashPort(token: string): AsaEndpoint {
  const text = stripDecorations(token);
  const slash = text.lastIndexOf('/');
  if (slash < 0) return { address: checkedAddress(text) };
  return { address: checkedAddress(text.slice(0, slash)), port: checkedPort(text.slice(slash + 1)) };
}

/** `iface:A/p` or `iface:A`. Interface names never contain `:`. */
function interfaceEndpoint(token: string): AsaEndpoint {
  const colon = token.indexOf(':');
  if (colon < 0) throw new AsaParseError(`missing interface in ${token.slice(0, 48)}`);
  return addressSlashPort(token.slice(colon + 1));
}

/** A bare address: `A`, `(A)`, `A,` or `A/seq` (302020 `faddr`), no port. */
function bareAddress(token: string): AsaEndpoint {
  let text = token.startsWith('(') && token.endsWith(')') ? token.slice(1, -1) : token;
  if (text.endsWith(',')) text = text.slice(0, -1);
  const slash = text.indexOf('/');
  return { address: checkedAddress(slash < 0 ? text : text.slice(0, slash)) };
}

/** 106100 `iface/A(p)`. */
function aclEndpoint(token: string): AsaEndpoint {
  const slash = token.indexOf('/');
  const open = token.indexOf('(', slash + 1);
  const close = token.indexOf(')', open + 1);
  if (slash < 0 || open < 0 || close < 0)
    throw new AsaParseError(`not iface/address(port): ${token.slice(0, 48)}`);
  return {
    address: checkedAddress(token.slice(slash + 1, open)),
    port: checkedPort(token.slice(open + 1, close)),
  };
}

function unquote(token: string): string {
  return token.length >= 2 && token.startsWith('"') && token.endsWith('"') ? token.slice(1, -1) : token;
}

function directionWord(token: string): 'inbound' | 'outbound' {
  if (token === 'inbound' || token === 'outbound') return token;
  throw new AsaParseError(`expected inbound or outbound, found ${token.slice(0, 16)}`);
}

/** Teardown reason after `bytes N`: up to ` from <iface>` or an `(user)` part. */
function teardownReason(t: Tokens): string | undefined {
  const bytes = t.after('bytes');
  const rest = t.rest(bytes.index + 1);
  let end = rest.length;
  const from = rest.indexOf(' from ');
  if (from >= 0) end = from;
  const paren = rest.indexOf('(');
  if (paren >= 0 && paren < end) end = paren;
  const reason = rest.slice(0, end).trim();
  return reason === '' ? undefined : reason;
}

/** `from A/p to B/q`, both plain. */
function fromTo(t: Tokens): { first: AsaEndpoint; second: AsaEndpoint } {
  const from = t.after('from');
  return {
    first: addressSlashPort(from.token),
    second: addressSlashPort(t.after('to', from.index + 1).token),
  };
}

/** `from A to B`, both bare addresses. */
function fromToBare(t: Tokens): { first: AsaEndpoint; second: AsaEndpoint } {
  const from = t.after('from');
  return { first: bareAddress(from.token), second: bareAddress(t.after('to', from.index + 1).token) };
}

/** `src I1:A[/p] dst I2:B[/q]`. */
function srcDst(t: Tokens): { first: AsaEndpoint; second: AsaEndpoint } {
  const src = t.after('src');
  return {
    first: interfaceEndpoint(src.token),
    second: interfaceEndpoint(t.after('dst', src.index + 1).token),
  };
}

/** `for I1:A/p … to I2:B/q` of 302013–302016. */
function forTo(t: Tokens): { first: AsaEndpoint; second: AsaEndpoint } {
  const forIndex = t.after('for');
  return {
    first: interfaceEndpoint(forIndex.token),
    second: interfaceEndpoint(t.after('to', forIndex.index + 1).token),
  };
}

function readMessage(id: string, t: Tokens): AsaMessage {
  switch (id) {
    case '106001': // Inbound TCP connection denied from A/p to B/q flags F on interface I
    case '106015': // Deny TCP (no connection) from A/p to B/q flags F on interface I
      return { protocol: t.at(1, 'protocol'), ...fromTo(t) };
    case '106002': // <proto> Connection denied by outbound list L src A dest B
      return {
        protocol: t.at(0, 'protocol'),
        first: bareAddress(t.after('src').token),
        second: bareAddress(t.after('dest').token),
      };
    case '106006': // Deny inbound UDP from A/p to B/q on interface I
    case '106007': // Deny inbound UDP from A/p to B/q due to DNS {Query|Response}
      return { protocol: t.at(2, 'protocol'), ...fromTo(t) };
    case '106010': // Deny inbound <proto> src I1:A/p dst I2:B/q
      return { protocol: t.at(2, 'protocol'), ...srcDst(t) };
    case '106012': // Deny IP from A to B, IP options: "…"
    case '106016': // Deny IP spoof from (A) to B on interface I
    case '106017': // Deny IP due to Land Attack from A to B
    case '106020': // Deny IP teardrop fragment (size = N, offset = M) from A to B
    case '106021': // Deny <proto> reverse path check from A to B on interface I
    case '106022': // Deny <proto> connection spoof from A to B on interface I
      return { protocol: t.at(1, 'protocol'), ...fromToBare(t) };
    case '106013': {
      // Dropping echo request from A to PAT address B
      const from = t.after('from');
      return {
        first: bareAddress(from.token),
        second: bareAddress(t.after('address', from.index + 1).token),
      };
    }
    case '106014': // Deny inbound icmp src I1:A dst I2:B (type t, code c)
      return { protocol: t.at(2, 'protocol'), ...srcDst(t) };
    case '106018': // ICMP packet type T denied by outbound list L src A dest B
      return {
        protocol: t.at(0, 'protocol'),
        ruleName: t.after('list').token,
        first: bareAddress(t.after('src').token),
        second: bareAddress(t.after('dest').token),
      };
    case '106023': {
      // Deny <proto> src I1:A/p[(user)] dst I2:B/q[(user)] [(type t, code c)] by access-group "L" […]
      // or Deny protocol 41 src I1:A dst I2:B by access-group "L" […]
      const isNumbered = t.at(1, 'protocol') === 'protocol';
      return {
        protocol: isNumbered ? t.at(2, 'protocol number') : t.at(1, 'protocol'),
        ...srcDst(t),
        ruleName: unquote(t.after('access-group').token),
      };
    }
    case '106100': {
      // access-list L {permitted|denied|est-allowed} <proto> I1/A(p) [(user)] -> I2/B(q) [(user)] hit-cnt N …
      const hit = t.after('hit-cnt').token;
      return {
        ruleName: t.at(1, 'access-list name'),
        protocol: t.at(3, 'protocol'),
        first: aclEndpoint(t.at(4, 'source')),
        second: aclEndpoint(t.after('->').token),
        ...(/^\d{1,9}$/.test(hit) ? { hitCount: Number(hit) } : {}),
      };
    }
    case '302013': // Built {inbound|outbound} TCP connection ID for I1:A/p (mA/mp) [(user)] to I2:B/q (mB/mq) [(user)]
    case '302015': // Built {inbound|outbound} UDP connection ID for …
      return { direction: directionWord(t.at(1, 'direction')), protocol: t.at(2, 'protocol'), ...forTo(t) };
    case '302014': // Teardown TCP connection ID for I1:A/p [(user)] to I2:B/q [(user)] duration h:mm:ss bytes N [reason]
      return {
        protocol: t.at(1, 'protocol'),
        ...forTo(t),
        ...optional('teardownReason', teardownReason(t)),
      };
    case '302016': // Teardown UDP connection ID for I1:A/p [(user)] to I2:B/q [(user)] duration h:mm:ss bytes N
      return { protocol: t.at(1, 'protocol'), ...forTo(t) };
    case '302020': // Built {inbound|outbound} ICMP connection for faddr F/seq gaddr G/type laddr L/id …
    case '302021': {
      // Teardown ICMP connection for faddr F/seq gaddr G/type laddr L/id …
      const isBuilt = t.at(0, 'verb') === 'Built';
      return {
        ...(isBuilt ? { direction: directionWord(t.at(1, 'direction')) } : {}),
        protocol: t.at(isBuilt ? 2 : 1, 'protocol'),
        first: bareAddress(t.after('faddr').token),
        second: bareAddress(t.after('laddr').token),
      };
    }
    case '710002': // {TCP|UDP} access permitted from A/p to I:B/svc
    case '710003': // {TCP|UDP} access denied by ACL from A/p to I:B/svc
    case '710004': // TCP connection limit exceeded from A/p to I:B/q (…)
    case '710005': {
      // {TCP|UDP} request discarded from A/p to I:B/svc
      const from = t.after('from');
      return {
        protocol: t.at(0, 'protocol'),
        first: addressSlashPort(from.token),
        second: interfaceEndpoint(t.after('to', from.index + 1).token),
      };
    }
    default:
      throw new AsaParseError(`message id ${id.slice(0, 8)} is not a session message`);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Reads the text after the `%ASA-…:` tag of message `id`. Returns the connection it describes, or
 * a detail naming what is missing or malformed (never the whole message).
 */
export function parseAsaMessage(id: string, text: string): AsaParseResult {
  try {
    return { ok: true, message: readMessage(id, new Tokens(text)) };
  } catch (error) {
    if (error instanceof AsaParseError) return { ok: false, detail: error.detail };
    throw error;
  }
}
