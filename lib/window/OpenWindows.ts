import { decodeState, encodeState } from './stateCodec.js';
import { dottedQuadOf, plainDottedQuadValue } from './TargetSample.js';
import { type CheapWindow, WindowAccumulator, type WindowRow, type WindowState } from './WindowState.js';

/** Ports a window holds in its columns; a window with more becomes a `WindowAccumulator`. */
const INLINE_PORTS = 4;
/** `#portCount` of a window held as an accumulator. */
const AS_ACCUMULATOR = 255;
/** `#portCount` of a window held encoded since its bin closed (see `#arena`)... */
const ENCODED = 254;
/** ...and of one that has had rows since: those are in an accumulator that tracks messages. */
const ENCODED_WITH_LATER_ROWS = 253;
/** The stream's partition and high-water mark in an encoded window; rows after it come as message 1. */
const STREAM = 'stream';
/** `#flags`: the ports reached so far are every port, or none (neither: no row had a port yet). */
const REACHED_EVERY_PORT = 1;
const REACHED_NO_PORT = 2;
/** `#flags`: some row had a port and no target. */
const PORTS_WITHOUT_TARGET = 4;
/** `#flags`: the bin closed while the window was open, and whether the window was then over the threshold. */
const SEEN_AT_CLOSE = 8;
const OVER_AT_CLOSE = 16;
/** Codes at or above this are `2^32 + index` into the string table; below it, IPv4 addresses. */
const STRING_CODE = 2 ** 32;
const NONE = -1;
/** Strings this long may be pieces of an input chunk (see `detached`). */
const SHARED_LENGTH = 13;

/**
 * The open windows of one bin in `portscan detect`, in columns: a window costs about 60 bytes of
 * typed arrays and no object of its own while it keeps the form nearly every window keeps
 * (`CheapWindow`: one reporter, one device, at most one target, every port reached or none, up to
 * 4 ports). Sources and targets that are plain dotted quads are stored as their 32-bit numbers;
 * other sources and targets, reporters and devices as indexes into the table's string table (each
 * distinct string once per bin). A window that leaves the form becomes the `WindowAccumulator` an
 * accumulator given its rows would be (`WindowAccumulator.fromCheap`), and takes its rows from
 * then on: the states are those of one accumulator per window, whatever the form.
 *
 * Windows are found by source through an open-addressing index over the source codes.
 */
export class OpenWindows {
  #size = 0;
  #sources = new Float64Array(0);
  #firstSeenMs = new Float64Array(0);
  #lastSeenMs = new Float64Array(0);
  #events = new Float64Array(0);
  #targets = new Float64Array(0);
  #reporters = new Int32Array(0);
  #devices = new Int32Array(0);
  #ports = new Uint16Array(0);
  #portCount = new Uint8Array(0);
  #flags = new Uint8Array(0);
  /**
   * The encoded windows' bytes, one after the other. An encoded window's state holds its times and
   * events, so its columns of those hold instead where its bytes are (`#firstSeenMs`: offset,
   * `#lastSeenMs`: length) and its port count (`#events`).
   */
  #arena = new Uint8Array(0);
  #arenaUsed = 0;
  /** The bin has closed: windows opened from now on were not over the threshold when it closed. */
  #closed = false;
  /** Slot + 1 of the window whose source code hashes here; 0 for none. */
  #index = new Int32Array(16);
  readonly #accumulators = new Map<number, WindowAccumulator>();
  readonly #strings: string[] = [];
  readonly #stringIds = new Map<string, number>();
  /** The last source looked up and its code: a scanner's rows come together. */
  #lastSource: string | undefined;
  #lastCode = 0;

  /** Number of windows. */
  get size(): number {
    return this.#size;
  }

  /** Adds a row of `source` to its window; true when the row opened the window. */
  add(source: string, row: WindowRow): boolean {
    let code: number;
    if (source === this.#lastSource) code = this.#lastCode;
    else {
      const v4 = plainDottedQuadValue(source);
      code = v4 >= 0 ? v4 : STRING_CODE + this.#idOf(source);
      this.#lastSource = source;
      this.#lastCode = code;
    }
    const index = this.#index;
    const mask = index.length - 1;
    let h = hashOf(code) & mask;
    for (;;) {
      const entry = index[h] as number;
      if (entry === 0) break;
      if (this.#sources[entry - 1] === code) {
        this.#addTo(entry - 1, row);
        return false;
      }
      h = (h + 1) & mask;
    }
    const slot = this.#open(code);
    if (this.#size * 2 > index.length) this.#rehash(index.length * 2);
    else index[h] = slot + 1;
    this.#addTo(slot, row);
    return true;
  }

  /** The number of distinct ports of a window. */
  portCount(slot: number): number {
    const n = this.#portCount[slot] as number;
    if (n === AS_ACCUMULATOR) return (this.#accumulators.get(slot) as WindowAccumulator).ports.size;
    if (n === ENCODED) return this.#events[slot] as number;
    if (n === ENCODED_WITH_LATER_ROWS) return this.toState(slot, STREAM, 0).ports.size;
    return n;
  }

  /** The source of a window. */
  sourceOf(slot: number): string {
    const code = this.#sources[slot] as number;
    return code < STRING_CODE ? dottedQuadOf(code) : (this.#strings[code - STRING_CODE] as string);
  }

  /** The windows with more than `threshold` ports. */
  slotsOver(threshold: number): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < this.#size; slot++) if (this.portCount(slot) > threshold) out.push(slot);
    return out;
  }

  /**
   * The bin closes: each window open now remembers whether it was over `threshold` then, and the
   * windows held as accumulators are encoded (`encodeState`, a fraction of their memory): few
   * rows come for a closed bin, and those go to an accumulator of their own, applied to the
   * encoded state as the ingest function applies a batch to a stored one (`applyTo`).
   */
  markClosed(threshold: number): void {
    this.#closed = true;
    for (let slot = 0; slot < this.#size; slot++) {
      const ports = this.portCount(slot);
      this.#flags[slot] =
        (this.#flags[slot] as number) | SEEN_AT_CLOSE | (ports > threshold ? OVER_AT_CLOSE : 0);
      if (this.#portCount[slot] === AS_ACCUMULATOR) this.#encode(slot, ports);
    }
  }

  /**
   * Whether the window was over the threshold when its bin closed: undefined while the bin is
   * open; false for a window whose first row came after the close.
   */
  overAtClose(slot: number): boolean | undefined {
    const flags = this.#flags[slot] as number;
    return (flags & SEEN_AT_CLOSE) === 0 ? undefined : (flags & OVER_AT_CLOSE) !== 0;
  }

  /** The window's state, as `WindowAccumulator.toState` of an accumulator given all its rows gives it. */
  toState(slot: number, partition: string, highWater: number): WindowState {
    const form = this.#portCount[slot] as number;
    if (form !== ENCODED && form !== ENCODED_WITH_LATER_ROWS)
      return (this.#accumulators.get(slot) ?? WindowAccumulator.fromCheap(this.#cheapOf(slot))).toState(
        partition,
        highWater,
      );
    const at = this.#firstSeenMs[slot] as number;
    const encoded = decodeState(this.#arena.subarray(at, at + (this.#lastSeenMs[slot] as number)));
    const state =
      form === ENCODED
        ? encoded
        : (this.#accumulators.get(slot) as WindowAccumulator).applyTo(encoded, STREAM);
    const count = state.counts.get(STREAM);
    if (count === undefined || (partition === STREAM && highWater === count.highWater)) return state;
    return { ...state, counts: new Map([[partition, { ...count, highWater }]]) };
  }

  /** Replaces a window's accumulator by its encoded state (kept as it is if that does not fit a stored row). */
  #encode(slot: number, ports: number): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeState((this.#accumulators.get(slot) as WindowAccumulator).toState(STREAM, 0));
    } catch (e) {
      if (e instanceof RangeError) return;
      throw e;
    }
    if (this.#arenaUsed + bytes.length > this.#arena.length) {
      const grown = new Uint8Array(Math.max(4096, Math.ceil((this.#arenaUsed + bytes.length) * 1.5)));
      grown.set(this.#arena.subarray(0, this.#arenaUsed));
      this.#arena = grown;
    }
    this.#arena.set(bytes, this.#arenaUsed);
    this.#firstSeenMs[slot] = this.#arenaUsed;
    this.#lastSeenMs[slot] = bytes.length;
    this.#events[slot] = ports;
    this.#arenaUsed += bytes.length;
    this.#accumulators.delete(slot);
    this.#portCount[slot] = ENCODED;
  }

  #cheapOf(slot: number): CheapWindow {
    const flags = this.#flags[slot] as number;
    const target = this.#targets[slot] as number;
    const reporter = this.#reporters[slot] as number;
    const device = this.#devices[slot] as number;
    return {
      ports: [
        ...this.#ports.subarray(slot * INLINE_PORTS, slot * INLINE_PORTS + (this.#portCount[slot] as number)),
      ],
      reporter: reporter === NONE ? undefined : this.#strings[reporter],
      device: device === NONE ? undefined : this.#strings[device],
      target:
        target === NONE
          ? undefined
          : target < STRING_CODE
            ? dottedQuadOf(target)
            : this.#strings[target - STRING_CODE],
      reached:
        (flags & REACHED_EVERY_PORT) !== 0
          ? 'every port'
          : (flags & REACHED_NO_PORT) !== 0
            ? 'no port'
            : 'no port yet',
      hasPortsWithoutTarget: (flags & PORTS_WITHOUT_TARGET) !== 0,
      firstSeenMs: this.#firstSeenMs[slot] as number,
      lastSeenMs: this.#lastSeenMs[slot] as number,
      eventCount: this.#events[slot] as number,
    };
  }

  /**
   * Adds a row to a window: in its columns when the window keeps the cheap form with it (the
   * accumulator's rules for that form, field for field), else to its accumulator.
   */
  #addTo(slot: number, row: WindowRow): void {
    const n = this.#portCount[slot] as number;
    if (n === AS_ACCUMULATOR || n === ENCODED_WITH_LATER_ROWS) {
      (this.#accumulators.get(slot) as WindowAccumulator).add(row, 1);
      return;
    }
    if (n === ENCODED) {
      const later = new WindowAccumulator(true);
      later.add(row, 1);
      this.#accumulators.set(slot, later);
      this.#portCount[slot] = ENCODED_WITH_LATER_ROWS;
      return;
    }
    const reporter = this.#idOf(row.reporter);
    const device = this.#idOf(row.device);
    const port = row.port;
    const text = row.target;
    const flags = this.#flags[slot] as number;
    const currentTarget = this.#targets[slot] as number;
    const target = text === undefined ? NONE : this.#targetCode(text);
    const currentReporter = this.#reporters[slot] as number;
    const currentDevice = this.#devices[slot] as number;
    let known = false;
    if (port !== undefined)
      for (let i = 0; i < n && !known; i++) known = this.#ports[slot * INLINE_PORTS + i] === port;
    const staysCheap =
      (currentReporter === NONE || currentReporter === reporter) &&
      (currentDevice === NONE || currentDevice === device) &&
      (port === undefined ||
        ((port & 0xffff) === port &&
          (known || n < INLINE_PORTS) &&
          ((flags & REACHED_EVERY_PORT) !== 0
            ? row.reached
            : (flags & REACHED_NO_PORT) === 0 || !row.reached))) &&
      (text === undefined
        ? port === undefined || currentTarget === NONE
        : target === currentTarget || (currentTarget === NONE && n === 0));
    if (!staysCheap) {
      const accumulator = WindowAccumulator.fromCheap(this.#cheapOf(slot));
      accumulator.add(row, 0);
      this.#accumulators.set(slot, accumulator);
      this.#portCount[slot] = AS_ACCUMULATOR;
      return;
    }
    let nextFlags = flags;
    if (port !== undefined) {
      if ((flags & (REACHED_EVERY_PORT | REACHED_NO_PORT)) === 0)
        nextFlags |= row.reached ? REACHED_EVERY_PORT : REACHED_NO_PORT;
      if (text === undefined) nextFlags |= PORTS_WITHOUT_TARGET;
      if (!known) {
        this.#ports[slot * INLINE_PORTS + n] = port;
        this.#portCount[slot] = n + 1;
      }
    }
    if (text !== undefined) this.#targets[slot] = target;
    this.#flags[slot] = nextFlags;
    this.#reporters[slot] = reporter;
    this.#devices[slot] = device;
    const timeMs = row.timeMs;
    if (timeMs < (this.#firstSeenMs[slot] as number)) this.#firstSeenMs[slot] = timeMs;
    if (timeMs > (this.#lastSeenMs[slot] as number)) this.#lastSeenMs[slot] = timeMs;
    this.#events[slot] = (this.#events[slot] as number) + row.eventCount;
  }

  /** A new window for source `code`, holding no row yet: an accumulator's initial state. */
  #open(code: number): number {
    const slot = this.#size++;
    if (slot === this.#sources.length) this.#grow(Math.max(16, Math.ceil(slot * 1.5)));
    this.#sources[slot] = code;
    this.#firstSeenMs[slot] = Number.POSITIVE_INFINITY;
    this.#lastSeenMs[slot] = Number.NEGATIVE_INFINITY;
    this.#targets[slot] = NONE;
    this.#reporters[slot] = NONE;
    this.#devices[slot] = NONE;
    this.#flags[slot] = this.#closed ? SEEN_AT_CLOSE : 0;
    return slot;
  }

  #grow(capacity: number): void {
    const grown = <T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(a: T, per = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity * per);
      b.set(a);
      return b;
    };
    this.#sources = grown(this.#sources);
    this.#firstSeenMs = grown(this.#firstSeenMs);
    this.#lastSeenMs = grown(this.#lastSeenMs);
    this.#events = grown(this.#events);
    this.#targets = grown(this.#targets);
    this.#reporters = grown(this.#reporters);
    this.#devices = grown(this.#devices);
    this.#ports = grown(this.#ports, INLINE_PORTS);
    this.#portCount = grown(this.#portCount);
    this.#flags = grown(this.#flags);
  }

  #rehash(length: number): void {
    const index = new Int32Array(length);
    const mask = length - 1;
    for (let slot = 0; slot < this.#size; slot++) {
      let h = hashOf(this.#sources[slot] as number) & mask;
      while (index[h] !== 0) h = (h + 1) & mask;
      index[h] = slot + 1;
    }
    this.#index = index;
  }

  #targetCode(text: string): number {
    const v4 = plainDottedQuadValue(text);
    return v4 >= 0 ? v4 : STRING_CODE + this.#idOf(text);
  }

  /** The index of `text` in the string table, added (as a copy of its own) when new. */
  #idOf(text: string): number {
    let id = this.#stringIds.get(text);
    if (id === undefined) {
      id = this.#strings.length;
      const own = text.length < SHARED_LENGTH ? text : `${text} `.slice(0, -1);
      this.#strings.push(own);
      this.#stringIds.set(own, id);
    }
    return id;
  }
}

/** A 32-bit mix of a source code (an IPv4 address or a string index). */
function hashOf(code: number): number {
  let h = (code % STRING_CODE) ^ (code >= STRING_CODE ? 0x5bd1e995 : 0);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
