/**
 * Table keys of the window state. A window row is one (source, bin, Event Hub partition):
 *
 * - PartitionKey `<bin>-<bucket>`: the bin start as `yyyyMMddTHHmm` (sorts by time) and one of
 *   16 buckets from a hash of the source. All rows of a bin lie in one key range, so closing a bin
 *   is one range query; the buckets spread a bin's writes over 16 table partitions, so no table
 *   partition gets more than a sixteenth of the writes; and one batch's rows of the same bin and
 *   bucket share a key, so they go in one entity-group transaction.
 * - RowKey `<source>|<partition>`: each Event Hub partition writes its own row, so instances
 *   owning different partitions never contend for a row.
 */
export const BUCKETS = 16;

/** `yyyyMMddTHHmm` of a bin start (UTC). */
export function binKeyOf(binStartMs: number): string {
  // A batch's rows fall in a few bins, mostly in order: the last key is nearly always the one asked.
  if (binStartMs === lastBin.startMs) return lastBin.key;
  const iso = new Date(binStartMs).toISOString();
  const key = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  lastBin = { startMs: binStartMs, key };
  return key;
}
let lastBin = { startMs: Number.NaN, key: '' };

/** The bin start of a `yyyyMMddTHHmm` key. */
export function binStartOfKey(key: string): number {
  return Date.UTC(
    Number(key.slice(0, 4)),
    Number(key.slice(4, 6)) - 1,
    Number(key.slice(6, 8)),
    Number(key.slice(9, 11)),
    Number(key.slice(11, 13)),
  );
}

/** FNV-1a (32-bit) of a string, for the bucket. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function bucketOf(source: string): string {
  return (fnv1a(source) % BUCKETS).toString(16).padStart(2, '0');
}

export function windowPartitionKey(source: string, binStartMs: number): string {
  return `${binKeyOf(binStartMs)}-${bucketOf(source)}`;
}

export function windowRowKey(source: string, partition: string): string {
  return `${source}|${partition}`;
}

/** The PartitionKey range `[from, to)` holding every row of a bin. */
export function binRange(binStartMs: number): { from: string; to: string } {
  const key = binKeyOf(binStartMs);
  return { from: `${key}-`, to: `${key}.` };
}

/** PartitionKey of the late markers of a bin (Control table). */
export function lateMarkerPartitionKey(binStartMs: number): string {
  return `late-${binKeyOf(binStartMs)}`;
}
