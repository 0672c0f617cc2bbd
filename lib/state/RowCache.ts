/**
 * A window row as this instance last wrote or read it: its ETag and its state as the row's
 * `state` property carries it, the base64 text of its encoding (`encodeState`). Kept encoded, not
 * decoded: one flat string per row instead of a graph of a dozen objects, a few times smaller,
 * and nothing for the garbage collector to trace or copy; the writer decodes it when it applies
 * the row's next batch (what it would do with the row read from storage).
 */
export interface CachedRow {
  readonly etag: string;
  readonly state: string;
}

/**
 * The heap a cached row takes, estimated from what V8 allocates for it (64-bit, no pointer
 * compression, as Node runs): the map entry and its record, the row object, and three strings of
 * one byte a character: the key (ASCII: a bin, a bucket, an address and a partition id), the ETag
 * (an HTTP header's value) and the state's base64 text. An estimate, a little on the
 * high side (within a few percent above the heap a cache of rows takes, measured in
 * test/unit/state/RowCache.test.ts), so that the cache stays within its budget: about 0.4 KB for
 * a benign row, up to 11 KB for a scan's (its ports a bitmap of 8 KiB once their list would be longer).
 */
export function estimateRowBytes(key: string, row: CachedRow): number {
  return ROW_OVERHEAD_BYTES + key.length + row.etag.length + row.state.length;
}

/** A row's fixed part: the map's slots for its entry, the entry record, the row object, the strings' headers. */
const ROW_OVERHEAD_BYTES = 256;

/**
 * The rows this instance wrote last, with their ETags, so that the steady state writes without
 * reading: least recently used first out, bounded in bytes (`estimateRowBytes`), not in entries,
 * since a scan's row takes up to 11 KiB and a benign one a few hundred bytes.
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
