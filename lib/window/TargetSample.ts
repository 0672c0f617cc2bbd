import ipaddr from 'ipaddr.js';

/**
 * Most destination addresses a window keeps: all of them while there are fewer, else the 64
 * whose hash is smallest (a bottom-k sample, from which the number of distinct targets is
 * estimated).
 */
export const MAX_TARGETS_KEPT = 64;
/** Most ports kept per target: its 33 smallest, so a count up to 32 is exact and 33 means "more than 32". */
export const MAX_TARGET_PORTS_KEPT = 33;

/** One destination address of a window and the smallest of the ports it was probed on. */
export interface TargetEntry {
  /** Canonical: dotted quad, RFC 5952 IPv6, IPv4-mapped IPv6 as IPv4. */
  readonly address: string;
  /** `targetHashOf(address)`: the sample's order. */
  readonly hash: number;
  /** Ascending, the `MAX_TARGET_PORTS_KEPT` smallest destination ports of this target's rows. */
  readonly ports: readonly number[];
}

/**
 * The destination addresses of one (source, bin), bounded.
 *
 * A lattice like the rest of the window state: `mergeTargetSamples` keeps, of the union, the 64
 * entries of smallest (hash, address), and for a target in both, the 33 smallest of the union of
 * its ports. Both are "the k smallest of a union", which is associative, commutative and
 * idempotent, so the sample of the whole window is the same whatever the batches and partitions
 * its rows came in: exact while the window has fewer than 64 targets, a uniform sample otherwise.
 */
export interface TargetSample {
  /** Ascending by (hash, address). */
  readonly entries: readonly TargetEntry[];
  /** Some row had a destination port but no destination address (none, or text that is no IP address). */
  readonly hasPortsWithoutTarget: boolean;
}

export const EMPTY_TARGETS: TargetSample = Object.freeze({
  entries: Object.freeze([]) as readonly TargetEntry[],
  hasPortsWithoutTarget: false,
});

/** FNV-1a (32 bits) of the address, finished with murmur3's mixer so that every bit of the hash depends on every character. */
export function targetHashOf(address: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) {
    h ^= address.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The canonical form of a destination address as a source wrote it, so that two spellings of one
 * address are one target: a plain dotted quad is its own form; other IPv4 and IPv6 text goes
 * through ipaddr.js (RFC 5952; IPv4-mapped IPv6 as IPv4). `undefined` for text that is no IP
 * address (a zone index, a host name): such a row has no target. The result is always a fresh
 * string, never a piece of an input chunk that it would keep alive.
 */
export function canonicalTargetOf(text: string): string | undefined {
  if (isPlainDottedQuad(text)) return text.length < 13 ? text : `${text} `.slice(0, -1);
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    const v6 = ipaddr.IPv6.parse(text);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
  }
  return undefined;
}

/** Four decimal octets up to 255 without leading zeros: the text is already canonical. */
function isPlainDottedQuad(text: string): boolean {
  return plainDottedQuadValue(text) >= 0;
}

/**
 * The address of a plain dotted quad (four decimal octets up to 255 without leading zeros) as an
 * unsigned 32-bit number, -1 for any other text. Such text is the only spelling of its number
 * (`dottedQuadOf` gives it back), so the number stands for the text exactly.
 */
export function plainDottedQuadValue(text: string): number {
  if (text.length > 15) return -1;
  let octets = 0;
  let digits = 0;
  let value = 0;
  let address = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || value > 255) return -1;
      octets++;
      address = address * 256 + value;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return -1;
      if (++digits > 3) return -1;
      value = value * 10 + (c - 48);
    } else return -1;
  }
  return octets === 4 ? address : -1;
}

/** The plain dotted quad of an unsigned 32-bit address: the inverse of `plainDottedQuadValue`. */
export function dottedQuadOf(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/** The `limit` smallest of the union of two ascending port lists, ascending. */
export function smallestPortsOfUnion(a: readonly number[], b: readonly number[], limit: number): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) {
      out.push(x as number);
      i++;
    } else if (x === undefined || y < x) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
      j++;
    }
  }
  return out;
}

function compareEntries(a: TargetEntry, b: TargetEntry): number {
  if (a.hash !== b.hash) return a.hash - b.hash;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/** The lattice join of two samples (see `TargetSample`). Neither input is modified. */
export function mergeTargetSamples(a: TargetSample, b: TargetSample): TargetSample {
  const hasPortsWithoutTarget = a.hasPortsWithoutTarget || b.hasPortsWithoutTarget;
  if (b.entries.length === 0)
    return hasPortsWithoutTarget === a.hasPortsWithoutTarget ? a : { ...a, hasPortsWithoutTarget };
  if (a.entries.length === 0)
    return hasPortsWithoutTarget === b.hasPortsWithoutTarget ? b : { ...b, hasPortsWithoutTarget };
  const entries: TargetEntry[] = [];
  let i = 0;
  let j = 0;
  while (entries.length < MAX_TARGETS_KEPT && (i < a.entries.length || j < b.entries.length)) {
    const x = a.entries[i];
    const y = b.entries[j];
    const order = x === undefined ? 1 : y === undefined ? -1 : compareEntries(x, y);
    if (order < 0) {
      entries.push(x as TargetEntry);
      i++;
    } else if (order > 0) {
      entries.push(y as TargetEntry);
      j++;
    } else {
      const p = x as TargetEntry;
      const q = y as TargetEntry;
      entries.push({ ...p, ports: smallestPortsOfUnion(p.ports, q.ports, MAX_TARGET_PORTS_KEPT) });
      i++;
      j++;
    }
  }
  return { entries, hasPortsWithoutTarget };
}

/**
 * The number of distinct targets: exact while the sample is not full, else the k-minimum-values
 * estimate (k − 1) / h_k, where h_k is the largest kept hash as a fraction of the hash range
 * (relative standard error about 1/√(k − 2), 13 % for k = 64).
 */
export function targetCountOf(sample: TargetSample): { readonly count: number; readonly isExact: boolean } {
  const n = sample.entries.length;
  if (n < MAX_TARGETS_KEPT) return { count: n, isExact: true };
  const largest = (sample.entries[n - 1] as TargetEntry).hash;
  const estimate = Math.round((MAX_TARGETS_KEPT - 1) / ((largest + 1) / 2 ** 32));
  return { count: Math.max(MAX_TARGETS_KEPT, estimate), isExact: false };
}

/** A kept target: its canonical address (the map's key), its hash and its ports so far. */
interface TargetEntryState {
  readonly address: string;
  readonly hash: number;
  readonly ports: number[];
}

/**
 * Gathers the targets of one window's rows while a batch (or the CLI's stream) is read, keeping
 * at most `MAX_TARGETS_KEPT` of them (the smallest hashes) so that a sweep of a /16 costs the same
 * memory as a sweep of 64 addresses.
 */
export class TargetCollector {
  readonly #entries = new Map<string, TargetEntryState>();
  /** The largest kept hash once the sample is full: a new target above it is not kept. */
  #ceiling = Number.POSITIVE_INFINITY;
  /** The last address text seen and what it maps to, because a target's rows often come together. */
  #lastText: string | undefined;
  #lastEntry: TargetEntryState | undefined;

  /**
   * Adds a row's destination `text` (as written) and its port, if any; false, having added
   * nothing, when the text is no IP address.
   */
  add(text: string, port: number | undefined): boolean {
    let entry = text === this.#lastText ? this.#lastEntry : undefined;
    if (entry === undefined) {
      // A plain dotted quad is its own canonical form: it is looked up as written, and copied
      // (`canonicalTargetOf`) only when it is kept.
      const isPlain = isPlainDottedQuad(text);
      const address = isPlain ? text : canonicalTargetOf(text);
      if (address === undefined) return false;
      entry = this.#entries.get(address);
      if (entry === undefined) {
        entry = this.#admit(isPlain ? (canonicalTargetOf(text) as string) : address);
        if (entry === undefined) return true;
      }
      // Remember the kept copy, never `text` itself: a row's text may be a slice of a whole input
      // chunk, which a window open for hours would otherwise keep alive.
      this.#lastText = isPlain ? entry.address : `${text} `.slice(0, -1);
      this.#lastEntry = entry;
    }
    if (port !== undefined) insertPort(entry.ports, port);
    return true;
  }

  /** Adds a target with ports already known (ascending); false when the text is no IP address. */
  addPorts(text: string, ports: readonly number[]): boolean {
    const address = canonicalTargetOf(text);
    if (address === undefined) return false;
    const entry = this.#entries.get(address) ?? this.#admit(address);
    if (entry !== undefined) for (const p of ports) insertPort(entry.ports, p);
    return true;
  }

  #admit(address: string): TargetEntryState | undefined {
    const hash = targetHashOf(address);
    if (hash > this.#ceiling) return undefined;
    const entry: TargetEntryState = { address, hash, ports: [] };
    this.#entries.set(address, entry);
    this.#lastText = undefined;
    if (this.#entries.size > MAX_TARGETS_KEPT) {
      let worst: string | undefined;
      let worstHash = -1;
      for (const [a, e] of this.#entries) {
        if (e.hash > worstHash || (e.hash === worstHash && worst !== undefined && a > worst)) {
          worst = a;
          worstHash = e.hash;
        }
      }
      this.#entries.delete(worst as string);
      let ceiling = -1;
      for (const e of this.#entries.values()) if (e.hash > ceiling) ceiling = e.hash;
      this.#ceiling = ceiling;
      if (worst === address) return undefined;
    } else if (this.#entries.size === MAX_TARGETS_KEPT) {
      let ceiling = -1;
      for (const e of this.#entries.values()) if (e.hash > ceiling) ceiling = e.hash;
      this.#ceiling = ceiling;
    }
    return entry;
  }

  /** The sample of what was added. */
  toSample(hasPortsWithoutTarget: boolean): TargetSample {
    const entries = [...this.#entries].map(([address, e]) => ({
      address,
      hash: e.hash,
      ports: [...e.ports],
    }));
    entries.sort(compareEntries);
    return { entries, hasPortsWithoutTarget };
  }
}

/** Inserts `port` into an ascending list that keeps its `MAX_TARGET_PORTS_KEPT` smallest. */
function insertPort(ports: number[], port: number): void {
  const n = ports.length;
  if (n === MAX_TARGET_PORTS_KEPT && port > (ports[n - 1] as number)) return;
  let i = n;
  while (i > 0 && (ports[i - 1] as number) > port) i--;
  if (i > 0 && ports[i - 1] === port) return;
  ports.splice(i, 0, port);
  if (ports.length > MAX_TARGET_PORTS_KEPT) ports.pop();
}

/**
 * The sample of a window whose rows with a port all had the destination `text` (those ports are
 * `ports`, ascending), or had none.
 */
export function singleTargetSample(
  text: string | undefined,
  ports: readonly number[],
  hasPortsWithoutTarget: boolean,
): TargetSample {
  const address = text === undefined ? undefined : canonicalTargetOf(text);
  if (address === undefined) {
    // Text that is no address is no target: its ports are ports without a target.
    const without = hasPortsWithoutTarget || (text !== undefined && ports.length > 0);
    return without ? { entries: [], hasPortsWithoutTarget: true } : EMPTY_TARGETS;
  }
  return {
    entries: [{ address, hash: targetHashOf(address), ports: ports.slice(0, MAX_TARGET_PORTS_KEPT) }],
    hasPortsWithoutTarget,
  };
}
