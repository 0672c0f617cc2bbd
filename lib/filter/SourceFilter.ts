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
/** Verdicts on public plain dotted quads remembered: 2^12 = 4,096 slots, the slot chosen by the address. */
const QUAD_SLOT_BITS = 12;
const QUAD_SLOTS = 1 << QUAD_SLOT_BITS;

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
 * A plain dotted quad (four decimal octets up to 255, no leading zeros: nearly every source) is
 * judged by its 32-bit number, without ipaddr.js and without hashing its text; the verdicts of the
 * public ones are remembered in 4,096 slots chosen by the number, so a repeating source shares one
 * verdict and one copy of its text. Other spellings (IPv6, IPv4-mapped, zone ids) go through
 * ipaddr.js and their verdicts are cached per input string (bounded).
 */
export class SourceFilter {
  readonly mode: DetectionMode;
  readonly #excluded: readonly Range[];
  readonly #userExcluded: readonly Range[];
  /** The IPv4 user exclusions as [network, mask] pairs of 32-bit numbers, for plain dotted quads. */
  readonly #userExcludedV4: readonly (readonly [number, number])[];
  readonly #cache = new Map<string, SourceVerdict>();
  /** The address each slot's verdict is for (-1: none yet)... */
  readonly #quadValues = new Float64Array(QUAD_SLOTS).fill(-1);
  /** ...and the verdict. */
  readonly #quadVerdicts: (SourceVerdict | undefined)[] = new Array<SourceVerdict | undefined>(
    QUAD_SLOTS,
  ).fill(undefined);

  /**
   * @param extraExcludedCidrs user exclusions (known scanners, own public ranges), IPv4 or IPv6 CIDR
   * @throws {RangeError} when a CIDR is not valid; configuration validates them first
   */
  constructor(mode: DetectionMode, extraExcludedCidrs: readonly string[] = []) {
    this.mode = mode;
    this.#excluded = (mode === 'default' ? DEFAULT_EXCLUDED : KQL_PRIVATE_V4).map(parseRange);
    this.#userExcluded = extraExcludedCidrs.map(parseRange);
    this.#userExcludedV4 = this.#userExcluded
      .filter(([address]) => address.kind() === 'ipv4')
      .map(([address, bits]) => {
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        return [(quadValueOf(address.toString()) & mask) >>> 0, mask] as const;
      });
  }

  /** The verdict on a row's SrcIpAddr as the normalizer left it. */
  judge(srcIpAddr: string | undefined): SourceVerdict {
    if (srcIpAddr === undefined || srcIpAddr === '') return MISSING;
    const value = quadValueOf(srcIpAddr);
    if (value >= 0) return this.#judgeQuad(srcIpAddr, value);
    const cached = this.#cache.get(srcIpAddr);
    if (cached !== undefined) return cached;
    // The cache and the windows keep the address: keep a copy, not a piece of a large input chunk.
    const raw = detached(srcIpAddr);
    const verdict = this.mode === 'default' ? this.#judgeDefault(raw) : this.#judgeParity(raw);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(raw, verdict);
    return verdict;
  }

  /**
   * The verdict on a plain dotted quad, `value` its number: such text is its own canonical form
   * and `isValidFourPartDecimal` in both modes, and ipaddr.js's ranges are prefixes of the number.
   */
  #judgeQuad(raw: string, value: number): SourceVerdict {
    const first = value >>> 24;
    const second = (value >>> 16) & 255;
    const kqlPrivate =
      first === 10 || (first === 172 && second >= 16 && second <= 31) || (first === 192 && second === 168);
    const isPrivate =
      this.mode === 'default'
        ? kqlPrivate || first === 127 || (first === 169 && second === 254)
        : kqlPrivate || value === LOOPBACK_V4;
    // Private sources are most of the distinct addresses and cheap to judge: they are not remembered.
    if (isPrivate) return PRIVATE;
    for (const [network, mask] of this.#userExcludedV4) if ((value & mask) >>> 0 === network) return EXCLUDED;
    const slot = Math.imul(value, 0x9e3779b1) >>> (32 - QUAD_SLOT_BITS);
    if (this.#quadValues[slot] === value) return this.#quadVerdicts[slot] as SourceVerdict;
    const verdict: SourceVerdict = { counts: true, source: detached(raw) };
    this.#quadValues[slot] = value;
    this.#quadVerdicts[slot] = verdict;
    return verdict;
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

/** 127.0.0.1, which sentinel-parity mode drops by its text. */
const LOOPBACK_V4 = 0x7f000001;

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
 * The 32-bit number of a plain dotted quad (four decimal octets up to 255 without leading zeros),
 * -1 for any other text.
 */
function quadValueOf(text: string): number {
  const a = octetAt(text, 0);
  if (a < 0 || text.charCodeAt(a >>> 8) !== 46) return -1;
  const b = octetAt(text, (a >>> 8) + 1);
  if (b < 0 || text.charCodeAt(b >>> 8) !== 46) return -1;
  const c = octetAt(text, (b >>> 8) + 1);
  if (c < 0 || text.charCodeAt(c >>> 8) !== 46) return -1;
  const d = octetAt(text, (c >>> 8) + 1);
  if (d < 0 || d >>> 8 !== text.length) return -1;
  return (a & 255) * 16_777_216 + (b & 255) * 65_536 + (c & 255) * 256 + (d & 255);
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
