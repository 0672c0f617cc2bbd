import ipaddr from 'ipaddr.js';
import type { DeviceCount, DeviceTally } from './DeviceTally.js';
import { EMPTY_TALLY, MAX_DEVICE_CHARS, MAX_DEVICES_KEPT } from './DeviceTally.js';
import { PortSet } from './PortSet.js';
import type { TargetEntry, TargetSample } from './TargetSample.js';
import {
  EMPTY_TARGETS,
  MAX_TARGET_PORTS_KEPT,
  MAX_TARGETS_KEPT,
  plainDottedQuadValue,
  targetHashOf,
} from './TargetSample.js';
import type { PartitionCount, WindowState } from './WindowState.js';
import { MAX_REPORTER_CHARS, MAX_REPORTERS_KEPT } from './WindowState.js';

/**
 * The compact binary form of a `WindowState`, one Table Storage `Edm.Binary` property (at most
 * 64 KiB). Layout, version 2:
 *
 * ```
 * u8 version = 2
 * f64 firstSeenMs, f64 lastSeenMs              (little-endian)
 * ports         the attempted ports, as a port set (below)
 * reached       the ports reached: u8 2 when they are every attempted port (a subset of
 *               equal size), else as a port set
 * varint reporterCount, then each: string                        (sorted)
 * u8 targetFlags: bit 0 = some row had a port and no destination
 * varint targetCount, then each: address, varint n, then n ascending ports as varint deltas
 *   (first delta from 0)                                          (ascending by hash, address)
 * varint partitionCount, then each: string id, f64 highWater, f64 count,
 *   varint deviceCount, then each: string name, varint events      (sorted by name)
 *   varint otherEvents
 *
 * port set:  u8 form: 0 = list, 1 = bitmap
 *   list:    varint n, then n ascending ports as varint deltas (first delta from 0)
 *   bitmap:  8,192 bytes, port p is bit (p & 7) of byte (p >> 3)
 * string:    varint byteLength, UTF-8 bytes
 * address:   u8 4 then the 4 bytes of an IPv4 address, or u8 16 then the 16 of an IPv6 one
 * ```
 *
 * A port set takes the list form while it is smaller than the bitmap, so a benign source costs a
 * few bytes and a full scan of all 65,536 ports 8,193 bytes. A target's address is stored as its
 * 4 or 16 bytes and its hash is not stored: both are computed again from the address. A benign window (one port, one target, one device) adds to
 * version 1 one or two bytes for its ports reached, its address and port, and its device name
 * (at most 64 characters).
 *
 * Bound: a stored row is one partition's state. Its largest encoding (every port attempted and
 * reached, 64 reporters of 128 characters and 16 devices of 64, in 3-byte UTF-8 characters, 64
 * IPv6 targets with 33 far-apart ports each) is about 48 KiB (a test pins it); `encodeState` refuses, with a
 * `RangeError`, any state over 64 KiB rather than write a row Table Storage would reject (only a
 * merged state of many partitions can be that large, and merged states are not stored).
 *
 * Version 1 (no ports reached, no targets, no devices) is still read: its rows decode with those
 * empty, so rows written before the upgrade keep counting.
 */
export const STATE_CODEC_VERSION = 2;
const BITMAP_BYTES = 8192;
const MAX_PARTITIONS = 1024;
/** The form of a reached-ports set equal to the attempted ports. */
const SAME_AS_ATTEMPTED = 2;
/** The Table Storage limit on one binary property. */
export const MAX_STATE_BYTES = 64 * 1024;

/** The state could not be decoded: the stored bytes are not a state of a known version. */
export class StateDecodeError extends Error {
  override readonly name = 'StateDecodeError';
}

/** @throws {RangeError} when the state would not fit one Table property (see the bound above) */
export function encodeState(state: WindowState): Uint8Array {
  return encodeStateShared(state).slice();
}

/** The writer of `encodeStateShared`, kept between calls (it grows to the largest state written). */
let shared: Writer | undefined;

/**
 * `encodeState`'s bytes, in a buffer the next call overwrites: for a caller that uses them before
 * it encodes another state (the window writes turn them into base64 at once), without a buffer
 * allocated and copied per state.
 * @throws {RangeError} when the state would not fit one Table property (see the bound above)
 */
export function encodeStateShared(state: WindowState): Uint8Array {
  shared ??= new Writer();
  const w = shared;
  w.reset();
  w.u8(STATE_CODEC_VERSION);
  w.f64(state.firstSeenMs);
  w.f64(state.lastSeenMs);
  writePortSet(w, state.ports);
  // The ports reached are a subset of the ports attempted: of equal size, they are the same.
  if (state.reached.size === state.ports.size && state.ports.size > 0) w.u8(SAME_AS_ATTEMPTED);
  else writePortSet(w, state.reached);
  // The kept parts of each list are read in place, without a copy of their first elements.
  const reporters = state.reporters;
  const reporterCount = Math.min(reporters.length, MAX_REPORTERS_KEPT);
  w.varint(reporterCount);
  for (let i = 0; i < reporterCount; i++) w.string((reporters[i] as string).slice(0, MAX_REPORTER_CHARS));
  w.u8(state.targets.hasPortsWithoutTarget ? 1 : 0);
  const targets = state.targets.entries;
  const targetCount = Math.min(targets.length, MAX_TARGETS_KEPT);
  w.varint(targetCount);
  for (let i = 0; i < targetCount; i++) {
    const t = targets[i] as TargetEntry;
    writeAddress(w, t.address);
    writePortList(w, t.ports, MAX_TARGET_PORTS_KEPT);
  }
  const counts = state.counts;
  if (counts.size > MAX_PARTITIONS)
    throw new RangeError(`a state holds at most ${MAX_PARTITIONS} partitions`);
  w.varint(counts.size);
  if (counts.size === 1) {
    // A stored row is one partition's: no order to sort.
    for (const [id, c] of counts) writePartition(w, id, c);
  } else {
    const partitions = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [id, c] of partitions) writePartition(w, id, c);
  }
  if (w.length > MAX_STATE_BYTES)
    throw new RangeError(`a state of ${w.length} bytes does not fit one Table property (64 KiB)`);
  return w.view();
}

function writePartition(w: Writer, id: string, c: PartitionCount): void {
  w.string(id);
  w.f64(c.highWater);
  w.f64(c.count);
  const devices = c.devices.devices;
  const deviceCount = Math.min(devices.length, MAX_DEVICES_KEPT);
  w.varint(deviceCount);
  for (let i = 0; i < deviceCount; i++) {
    const d = devices[i] as DeviceCount;
    w.string(d.name.slice(0, MAX_DEVICE_CHARS));
    w.varint(d.events);
  }
  w.varint(c.devices.otherEvents);
}

function writePortSet(w: Writer, set: PortSet): void {
  const ports = set.toSortedArray();
  let listBytes = 0;
  let prev = 0;
  for (const p of ports) {
    listBytes += varintLength(p - prev);
    prev = p;
  }
  if (listBytes + varintLength(ports.length) < BITMAP_BYTES) {
    w.u8(0);
    writePortList(w, ports);
  } else {
    w.u8(1);
    const bitmap = new Uint8Array(BITMAP_BYTES);
    for (const p of ports) bitmap[p >> 3] = (bitmap[p >> 3] as number) | (1 << (p & 7));
    w.bytes(bitmap);
  }
}

/** Writes the first `limit` of `ports` (all by default). */
function writePortList(w: Writer, ports: readonly number[], limit = ports.length): void {
  const n = Math.min(ports.length, limit);
  w.varint(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const p = ports[i] as number;
    w.varint(p - prev);
    prev = p;
  }
}

/** @throws {StateDecodeError} when the bytes are not a valid state */
export function decodeState(bytes: Uint8Array): WindowState {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== 1 && version !== STATE_CODEC_VERSION)
    throw new StateDecodeError(`unknown state version ${version}`);
  const firstSeenMs = r.f64();
  const lastSeenMs = r.f64();
  const ports = readPortSet(r);
  const reached = version === 1 ? new PortSet() : readPortSet(r, ports);
  const reporterCount = r.varint();
  if (reporterCount > MAX_REPORTERS_KEPT) throw new StateDecodeError('too many reporters');
  const reporters: string[] = [];
  for (let i = 0; i < reporterCount; i++) reporters.push(r.string());
  const targets = version === 1 ? EMPTY_TARGETS : readTargets(r);
  const partitionCount = r.varint();
  if (partitionCount > MAX_PARTITIONS) throw new StateDecodeError('too many partitions');
  const counts = new Map<string, PartitionCount>();
  for (let i = 0; i < partitionCount; i++) {
    const id = r.string();
    const highWater = r.f64();
    const count = r.f64();
    counts.set(id, { highWater, count, devices: version === 1 ? EMPTY_TALLY : readTally(r) });
  }
  if (!r.atEnd()) throw new StateDecodeError('trailing bytes');
  return { ports, reporters, firstSeenMs, lastSeenMs, counts, reached, targets };
}

function readPortSet(r: Reader, attempted?: PortSet): PortSet {
  const form = r.u8();
  if (form === SAME_AS_ATTEMPTED && attempted !== undefined) return attempted.clone();
  if (form === 0) return PortSet.from(readPortList(r, 65536));
  if (form === 1) {
    const raw = r.bytes(BITMAP_BYTES);
    const words = new Uint32Array(2048);
    for (let i = 0; i < BITMAP_BYTES; i++) {
      const b = raw[i] as number;
      if (b !== 0) words[i >> 2] = ((words[i >> 2] as number) | (b << ((i & 3) * 8))) >>> 0;
    }
    return PortSet.fromBitmap(words);
  }
  throw new StateDecodeError(`unknown ports form ${form}`);
}

function readPortList(r: Reader, limit: number): number[] {
  const n = r.varint();
  if (n > limit) throw new StateDecodeError('too many ports');
  const ports: number[] = [];
  let p = 0;
  for (let i = 0; i < n; i++) {
    const delta = r.varint();
    if (i > 0 && delta === 0) throw new StateDecodeError('ports not ascending');
    p += delta;
    if (p > 65535) throw new StateDecodeError('port out of range');
    ports.push(p);
  }
  return ports;
}

function readTargets(r: Reader): TargetSample {
  const flags = r.u8();
  if (flags > 1) throw new StateDecodeError(`unknown target flags ${flags}`);
  const n = r.varint();
  if (n > MAX_TARGETS_KEPT) throw new StateDecodeError('too many targets');
  const entries: TargetEntry[] = [];
  for (let i = 0; i < n; i++) {
    const address = readAddress(r);
    entries.push({ address, hash: targetHashOf(address), ports: readPortList(r, MAX_TARGET_PORTS_KEPT) });
  }
  return { entries, hasPortsWithoutTarget: flags === 1 };
}

/** Writes a canonical target address (see `canonicalTargetOf`) in its codec form. */
function writeAddress(w: Writer, address: string): void {
  // A canonical IPv4 address is a plain dotted quad: its number is its four bytes.
  const v4 = plainDottedQuadValue(address);
  if (v4 >= 0) {
    w.u8(4);
    w.u8(v4 >>> 24);
    w.u8((v4 >>> 16) & 255);
    w.u8((v4 >>> 8) & 255);
    w.u8(v4 & 255);
    return;
  }
  const octets = address.includes(':')
    ? ipaddr.IPv6.parse(address).toByteArray()
    : ipaddr.IPv4.parse(address).toByteArray();
  w.bytes(Uint8Array.from([octets.length, ...octets]));
}

function readAddress(r: Reader): string {
  const kind = r.u8();
  if (kind === 4) {
    const b = r.bytes(4);
    return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  }
  if (kind === 16) return (ipaddr.fromByteArray(Array.from(r.bytes(16))) as ipaddr.IPv6).toRFC5952String();
  throw new StateDecodeError(`unknown address form ${kind}`);
}

function readTally(r: Reader): DeviceTally {
  const n = r.varint();
  if (n > MAX_DEVICES_KEPT) throw new StateDecodeError('too many devices');
  if (n === 0) {
    const otherEvents = r.varint();
    return otherEvents === 0 ? EMPTY_TALLY : { devices: [], otherEvents };
  }
  const devices: DeviceCount[] = [];
  for (let i = 0; i < n; i++) devices.push({ name: internDevice(r.string()), events: r.varint() });
  return { devices, otherEvents: r.varint() };
}

/** Rows of one scan repeat one device name: decoded rows share the last one read. */
function internDevice(name: string): string {
  if (name === lastDeviceName) return lastDeviceName;
  lastDeviceName = name;
  return name;
}
let lastDeviceName = '';

function varintLength(n: number): number {
  let len = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    len++;
  }
  return len;
}

const UTF8 = new TextEncoder();
const UTF8_TEXT = new TextDecoder('utf-8', { fatal: false });

/** Longest string `textOf` remembers: reporters, partition ids and device names are shorter. */
const REMEMBERED_MAX_BYTES = 64;
/** The strings `textOf` decoded last, by a hash of their bytes (one slot each). */
const rememberedBytes: (Uint8Array | undefined)[] = new Array(64).fill(undefined);
const rememberedText: string[] = new Array(64).fill('');

/**
 * The UTF-8 text of `bytes` (malformed sequences as U+FFFD). The stored rows of a stream repeat a
 * few strings (reporters, partition ids, device names): a string decoded recently is given again,
 * the same text, without a decoder call.
 */
function textOf(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > REMEMBERED_MAX_BYTES) return UTF8_TEXT.decode(bytes);
  let hash = n;
  for (let i = 0; i < n; i++) hash = (Math.imul(hash, 31) + (bytes[i] as number)) | 0;
  const slot = (hash ^ (hash >>> 11)) & 63;
  const known = rememberedBytes[slot];
  if (known !== undefined && known.length === n) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = known[i] === bytes[i];
    if (same) return rememberedText[slot] as string;
  }
  const text = UTF8_TEXT.decode(bytes);
  rememberedBytes[slot] = bytes.slice();
  rememberedText[slot] = text;
  return text;
}

class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;

  /** Starts a new state at the start of the buffer (kept at the size it grew to). */
  reset(): void {
    this.#pos = 0;
  }

  get length(): number {
    return this.#pos;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = v;
  }

  f64(v: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, v, true);
    this.#pos += 8;
  }

  varint(n: number): void {
    let v = n;
    this.#ensure(10);
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  string(s: string): void {
    // ASCII text (reporters, partition ids, nearly every device name) is its own UTF-8.
    let ascii = true;
    for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80;
    if (!ascii) {
      const b = UTF8.encode(s);
      this.varint(b.length);
      this.bytes(b);
      return;
    }
    this.varint(s.length);
    this.#ensure(s.length);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    this.#pos = pos;
  }

  /** The bytes written since `reset`, in the writer's buffer (valid until it writes again). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }
}

class Reader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  #need(n: number): void {
    if (this.#pos + n > this.#buf.length) throw new StateDecodeError('truncated state');
  }

  u8(): number {
    this.#need(1);
    return this.#buf[this.#pos++] as number;
  }

  f64(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new StateDecodeError('varint too long');
  }

  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  string(): string {
    const n = this.varint();
    if (n > 4096) throw new StateDecodeError('string too long');
    return textOf(this.bytes(n));
  }

  atEnd(): boolean {
    return this.#pos === this.#buf.length;
  }
}
