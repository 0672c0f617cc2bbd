import ipaddr from 'ipaddr.js';

/** The two source filters of decision D1. */
export const DETECTION_MODES = ['default', 'sentinel-parity'] as const;
export type DetectionMode = (typeof DETECTION_MODES)[number];

/** Why a row's source does not count. Stable strings: they appear in summaries and metrics. */
export const DROP_REASONS = {
  missingSource: 'missing source address',
  invalidSource: 'invalid source address',
  privateSource: 'private, loopback or link-local source',
  ipv6Source: 'IPv6 source (sentinel-parity)',
  excludedSource: 'source in an excluded CIDR',
} as const;
export type DropReason = (typeof DROP_REASONS)[keyof typeof DROP_REASONS];

/** The verdict on one SrcIpAddr: the canonical source to count under, or why it is dropped. */
export type SourceVerdict =
  | { readonly counts: true; readonly source: string }
  | { readonly counts: false; readonly reason: DropReason };

type Range = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Excluded in both modes' literal KQL: `ipv4_is_private` (10/8, 172.16/12, 192.168/16). */
const KQL_PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** decision D1 default mode: the seed's exclusion table plus the IPv6 private and link-local ranges. */
const DEFAULT_EXCLUDED = [
  ...KQL_PRIVATE_V4,
  '169.254.0.0/16',
  '127.0.0.0/8',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

const CACHE_LIMIT = 200_000;

/**
 * Decides which rows count and under which source address (decision D1).
 *
 * - `default`: valid IPv4 (strict dotted quad) or IPv6; IPv4-mapped IPv6 is judged and reported as
 *   its IPv4 address; sources in 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8, ::1, fc00::/7,
 *   fe80::/10 or a user CIDR are dropped; the source is reported in canonical form (dotted quad,
 *   RFC 5952), so two spellings of one address are one source.
 * - `sentinel-parity`: the KQL literally. Only a valid dotted IPv4 string outside 10/8, 172.16/12
 *   and 192.168/16 that is not the string "127.0.0.1" counts, under that exact string; IPv6,
 *   IPv4-mapped and empty sources never count. User CIDRs apply in both modes.
 *
 * Verdicts are cached per input string (bounded), because a scanner repeats its address on every row.
 */
export class SourceFilter {
  readonly mode: DetectionMode;
  readonly #excluded: readonly Range[];
  readonly #userExcluded: readonly Range[];
  readonly #cache = new Map<string, SourceVerdict>();

  /**
   * @param extraExcludedCidrs user exclusions (known scanners, own public ranges), IPv4 or IPv6 CIDR
   * @throws {RangeError} when a CIDR is not valid; configuration validates them first
   */
  constructor(mode: DetectionMode, extraExcludedCidrs: readonly string[] = []) {
    this.mode = mode;
    this.#excluded = (mode === 'default' ? DEFAULT_EXCLUDED : KQL_PRIVATE_V4).map(parseRange);
    this.#userExcluded = extraExcludedCidrs.map(parseRange);
  }

  /** The verdict on a row's SrcIpAddr as the normalizer left it. */
  judge(srcIpAddr: string | undefined): SourceVerdict {
    if (srcIpAddr === undefined || srcIpAddr === '') return MISSING;
    const cached = this.#cache.get(srcIpAddr);
    if (cached !== undefined) return cached;
    const quad = this.#dottedQuadKind(srcIpAddr);
    // Private sources are most of the distinct addresses and cheap to judge: they are not cached.
    if (quad === 'private') return PRIVATE;
    // The cache and the windows keep the address: keep a copy, not a piece of a large input chunk.
    const raw = detached(srcIpAddr);
    const verdict: SourceVerdict =
      quad === 'public'
        ? { counts: true, source: raw }
        : this.mode === 'default'
          ? this.#judgeDefault(raw)
          : this.#judgeParity(raw);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(raw, verdict);
    return verdict;
  }

  /**
   * Whether a plain dotted quad (four decimal octets up to 255, no leading zeros) counts, read
   * without ipaddr.js: such a string is its own canonical form and `isValidFourPartDecimal` in both
   * modes. `undefined` for any other string, and whenever user exclusions apply (ipaddr.js decides).
   */
  #dottedQuadKind(raw: string): 'private' | 'public' | undefined {
    if (this.#userExcluded.length > 0) return undefined;
    const a = octetAt(raw, 0);
    if (a < 0 || raw.charCodeAt(a >>> 8) !== 46) return undefined;
    const b = octetAt(raw, (a >>> 8) + 1);
    if (b < 0 || raw.charCodeAt(b >>> 8) !== 46) return undefined;
    const c = octetAt(raw, (b >>> 8) + 1);
    if (c < 0 || raw.charCodeAt(c >>> 8) !== 46) return undefined;
    const d = octetAt(raw, (c >>> 8) + 1);
    if (d < 0 || d >>> 8 !== raw.length) return undefined;
    const first = a & 255;
    const second = b & 255;
    const kqlPrivate =
      first === 10 || (first === 172 && second >= 16 && second <= 31) || (first === 192 && second === 168);
    const isPrivate =
      this.mode === 'default'
        ? kqlPrivate || first === 127 || (first === 169 && second === 254)
        : kqlPrivate || raw === '127.0.0.1';
    return isPrivate ? 'private' : 'public';
  }

  #judgeDefault(raw: string): SourceVerdict {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    if (ipaddr.IPv4.isValidFourPartDecimal(raw)) address = ipaddr.IPv4.parse(raw);
    else if (raw.includes(':') && ipaddr.IPv6.isValid(raw)) {
      const v6 = ipaddr.IPv6.parse(raw);
      address = v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
    } else return INVALID;
    if (inAny(address, this.#excluded)) return PRIVATE;
    if (inAny(address, this.#userExcluded)) return EXCLUDED;
    const source =
      address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
    return { counts: true, source };
  }

  #judgeParity(raw: string): SourceVerdict {
    if (!ipaddr.IPv4.isValidFourPartDecimal(raw)) {
      return raw.includes(':') && ipaddr.IPv6.isValid(raw) ? IPV6 : INVALID;
    }
    const address = ipaddr.IPv4.parse(raw);
    if (inAny(address, this.#excluded) || raw === '127.0.0.1') return PRIVATE;
    if (inAny(address, this.#userExcluded)) return EXCLUDED;
    return { counts: true, source: raw };
  }
}

const MISSING: SourceVerdict = { counts: false, reason: DROP_REASONS.missingSource };
const INVALID: SourceVerdict = { counts: false, reason: DROP_REASONS.invalidSource };
const PRIVATE: SourceVerdict = { counts: false, reason: DROP_REASONS.privateSource };
const IPV6: SourceVerdict = { counts: false, reason: DROP_REASONS.ipv6Source };
const EXCLUDED: SourceVerdict = { counts: false, reason: DROP_REASONS.excludedSource };

/**
 * A copy of `text` that shares no memory with a larger string it was cut from. V8 keeps the whole
 * parent of a substring alive (a 1 MB input chunk for a 15-character address), so strings that
 * stay in long-lived maps are detached; the value is the same string either way.
 */
function detached(text: string): string {
  return text.length < 13 ? text : `${text} `.slice(0, -1);
}

/**
 * The decimal octet (0–255, no leading zero) starting at `from`, packed as `end << 8 | value`
 * where `end` is the index after its last digit; -1 when there is none.
 */
function octetAt(text: string, from: number): number {
  let value = 0;
  let i = from;
  for (; i < text.length && i < from + 3; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (i > from && value === 0) return -1;
    value = value * 10 + (c - 48);
  }
  if (i === from || value > 255) return -1;
  const next = text.charCodeAt(i);
  if (next >= 48 && next <= 57) return -1;
  return (i << 8) | value;
}

/** Parses an IPv4 or IPv6 CIDR (`203.0.113.0/24`, `2001:db8::/32`) or a single address. */
export function parseRange(cidr: string): Range {
  const text = cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`;
  if (!ipaddr.isValidCIDR(text)) throw new RangeError(`not an IPv4 or IPv6 CIDR: ${cidr}`);
  const [address, bits] = ipaddr.parseCIDR(text);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return [(address as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)];
  }
  return [address, bits];
}

/**
 * An address in the form the detector reports sources in (default mode): a dotted quad, or RFC
 * 5952 IPv6 (an IPv4-mapped address as its IPv4); undefined when the text is no address.
 */
export function canonicalAddress(text: string): string | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (!text.includes(':') || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
}

/** True when the text is a valid CIDR or address for `parseRange`. */
export function isValidRange(cidr: string): boolean {
  try {
    parseRange(cidr);
    return true;
  } catch {
    return false;
  }
}

function inAny(address: ipaddr.IPv4 | ipaddr.IPv6, ranges: readonly Range[]): boolean {
  const kind = address.kind();
  for (const range of ranges) {
    if (range[0].kind() === kind && address.match(range as [typeof address, number])) return true;
  }
  return false;
}
