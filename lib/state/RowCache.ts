import type { WindowState } from '../window/WindowState.js';

/** A window row as this instance last wrote or read it. */
export interface CachedRow {
  readonly etag: string;
  readonly state: WindowState;
}

/** Ports past which a `PortSet` is an 8 KiB bitmap (see lib/window/PortSet.ts). */
const SMALL_PORT_LIMIT = 32;

/**
 * The heap a cached row takes, estimated from what V8 allocates for it (64-bit, no pointer
 * compression, as Node runs): the map entry, the key and ETag strings, the state object, its port
 * set (an array of 8-byte slots up to 32 ports, then a 8,192-byte bitmap), its reporters and its
 * per-partition counts. An estimate, a little on the high side (within a few percent above the
 * heap and external memory a cache of decoded rows takes, measured in
 * test/unit/state/RowCache.test.ts), so that the cache stays within its budget: about 2.1 KB for a
 * benign row (its evidence, a target, a device and the ports reached, is about half), 11 KB for a
 * scanner's.
 */
export function estimateRowBytes(key: string, row: CachedRow): number {
  const { state } = row;
  const portSet = (size: number) => (size > SMALL_PORT_LIMIT ? 8192 + 400 : 96 + 8 * size);
  let reporters = 32 + 8 * state.reporters.length;
  for (const r of state.reporters) reporters += 24 + r.length;
  // The evidence: the ports reached, each target's entry and ports, each partition's devices.
  let targets = 200;
  for (const t of state.targets.entries) targets += 260 + 8 * t.ports.length;
  let devices = 0;
  for (const c of state.counts.values()) {
    devices += 160;
    for (const d of c.devices.devices) devices += 120 + 2 * d.name.length;
  }
  return (
    820 +
    2 * (key.length + row.etag.length) +
    portSet(state.ports.size) +
    portSet(state.reached.size) +
    reporters +
    targets +
    devices +
    120 * state.counts.size
  );
}

/**
 * The rows this instance wrote last, with their ETags, so that the steady state writes without
 * reading: least recently used first out, bounded in bytes (`estimateRowBytes`), not in entries,
 * since a row with more than 32 ports takes about 8 KiB and a benign one a few hundred bytes.
 */
export class RowCache {
  readonly limitBytes: number;
  readonly #rows = new Map<string, { row: CachedRow; bytes: number }>();
  #bytes = 0;
  #evicted = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  get(key: string): CachedRow | undefined {
    return this.#rows.get(key)?.row;
  }

  has(key: string): boolean {
    return this.#rows.has(key);
  }

  /** Caches a row as the most recently used, then drops the least recently used ones over the budget. */
  remember(key: string, row: CachedRow): void {
    this.forget(key);
    const bytes = estimateRowBytes(key, row);
    if (bytes > this.limitBytes) return;
    this.#rows.set(key, { row, bytes });
    this.#bytes += bytes;
    if (this.#bytes <= this.limitBytes) return;
    for (const [oldest, entry] of this.#rows) {
      if (this.#bytes <= this.limitBytes) break;
      this.#rows.delete(oldest);
      this.#bytes -= entry.bytes;
      this.#evicted++;
    }
  }

  forget(key: string): void {
    const entry = this.#rows.get(key);
    if (entry === undefined) return;
    this.#rows.delete(key);
    this.#bytes -= entry.bytes;
  }

  /** Rows and estimated bytes held, and rows dropped for room so far. */
  get stats(): { readonly rows: number; readonly bytes: number; readonly evicted: number } {
    return { rows: this.#rows.size, bytes: this.#bytes, evicted: this.#evicted };
  }
}
