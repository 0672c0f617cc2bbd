import { PortSet } from './PortSet.js';
import type { PartitionCount, WindowState } from './WindowState.js';
import { MAX_REPORTER_CHARS, MAX_REPORTERS_KEPT } from './WindowState.js';

/**
 * The compact binary form of a `WindowState`, one Table Storage `Edm.Binary` property (at most
 * 64 KiB). Layout, version 1:
 *
 * ```
 * u8 version = 1
 * f64 firstSeenMs, f64 lastSeenMs              (little-endian)
 * u8 portsForm: 0 = list, 1 = bitmap
 *   list:   varint n, then n ascending ports as varint deltas (first delta from 0)
 *   bitmap: 8,192 bytes, port p is bit (p & 7) of byte (p >> 3)
 * varint reporterCount, then each: varint byteLength, UTF-8 bytes   (sorted)
 * varint partitionCount, then each: varint byteLength, UTF-8 id, f64 highWater, f64 count
 * ```
 *
 * The list form is chosen while it is smaller than the bitmap, so a benign source costs a few
 * bytes and a full scan of all 65,536 ports 8,193 bytes. The largest possible state (every port,
 * 64 reporters of 128 characters, 1,024 partitions) stays under 64 KiB.
 */
export const STATE_CODEC_VERSION = 1;
const BITMAP_BYTES = 8192;
const MAX_PARTITIONS = 1024;

/** The state could not be decoded: the stored bytes are not a state of a known version. */
export class StateDecodeError extends Error {
  override readonly name = 'StateDecodeError';
}

export function encodeState(state: WindowState): Uint8Array {
  const w = new Writer();
  w.u8(STATE_CODEC_VERSION);
  w.f64(state.firstSeenMs);
  w.f64(state.lastSeenMs);
  const ports = state.ports.toSortedArray();
  let listBytes = 0;
  let prev = 0;
  for (const p of ports) {
    listBytes += varintLength(p - prev);
    prev = p;
  }
  if (listBytes + varintLength(ports.length) < BITMAP_BYTES) {
    w.u8(0);
    w.varint(ports.length);
    prev = 0;
    for (const p of ports) {
      w.varint(p - prev);
      prev = p;
    }
  } else {
    w.u8(1);
    const bitmap = new Uint8Array(BITMAP_BYTES);
    for (const p of ports) bitmap[p >> 3] = (bitmap[p >> 3] as number) | (1 << (p & 7));
    w.bytes(bitmap);
  }
  const reporters = state.reporters.slice(0, MAX_REPORTERS_KEPT);
  w.varint(reporters.length);
  for (const r of reporters) w.string(r.slice(0, MAX_REPORTER_CHARS));
  const partitions = [...state.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (partitions.length > MAX_PARTITIONS)
    throw new RangeError(`a state holds at most ${MAX_PARTITIONS} partitions`);
  w.varint(partitions.length);
  for (const [id, c] of partitions) {
    w.string(id);
    w.f64(c.highWater);
    w.f64(c.count);
  }
  return w.finish();
}

/** @throws {StateDecodeError} when the bytes are not a valid state */
export function decodeState(bytes: Uint8Array): WindowState {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== STATE_CODEC_VERSION) throw new StateDecodeError(`unknown state version ${version}`);
  const firstSeenMs = r.f64();
  const lastSeenMs = r.f64();
  const form = r.u8();
  let ports: PortSet;
  if (form === 0) {
    const n = r.varint();
    if (n > 65536) throw new StateDecodeError('too many ports');
    ports = new PortSet();
    let p = 0;
    for (let i = 0; i < n; i++) {
      p += r.varint();
      if (p > 65535) throw new StateDecodeError('port out of range');
      ports.add(p);
    }
  } else if (form === 1) {
    const raw = r.bytes(BITMAP_BYTES);
    const words = new Uint32Array(2048);
    for (let i = 0; i < BITMAP_BYTES; i++) {
      const b = raw[i] as number;
      if (b !== 0) words[i >> 2] = ((words[i >> 2] as number) | (b << ((i & 3) * 8))) >>> 0;
    }
    ports = PortSet.fromBitmap(words);
  } else throw new StateDecodeError(`unknown ports form ${form}`);
  const reporterCount = r.varint();
  if (reporterCount > MAX_REPORTERS_KEPT) throw new StateDecodeError('too many reporters');
  const reporters: string[] = [];
  for (let i = 0; i < reporterCount; i++) reporters.push(r.string());
  const partitionCount = r.varint();
  if (partitionCount > MAX_PARTITIONS) throw new StateDecodeError('too many partitions');
  const counts = new Map<string, PartitionCount>();
  for (let i = 0; i < partitionCount; i++) {
    const id = r.string();
    counts.set(id, { highWater: r.f64(), count: r.f64() });
  }
  if (!r.atEnd()) throw new StateDecodeError('trailing bytes');
  return { ports, reporters, firstSeenMs, lastSeenMs, counts };
}

function varintLength(n: number): number {
  let len = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    len++;
  }
  return len;
}

class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;

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
    const b = new TextEncoder().encode(s);
    this.varint(b.length);
    this.bytes(b);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
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
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes(n));
  }

  atEnd(): boolean {
    return this.#pos === this.#buf.length;
  }
}
