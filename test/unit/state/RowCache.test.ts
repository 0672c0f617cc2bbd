import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type CachedRow, estimateRowBytes, RowCache } from '../../../lib/state/RowCache.js';
import { encodeState } from '../../../lib/window/stateCodec.js';
import { emptyState, WindowAccumulator } from '../../../lib/window/WindowState.js';

/**
 * A row as the store caches it: its stored bytes in base64, with a Table ETag. Its evidence:
 * every third port reached, `targets` destinations, `devices` reporting devices.
 */
function row(ports: number, reporters = 1, targets = 1, devices = 1): CachedRow {
  const acc = new WindowAccumulator(true);
  for (let p = 0; p < ports; p++)
    acc.add(
      {
        port: 1000 + 3 * p,
        reporter: `Vendor${p % reporters}/Firewall`,
        timeMs: 1_790_000_000_000 + p,
        eventCount: 1,
        target: `10.1.${p % targets}.7`,
        reached: p % 3 === 0,
        device: `fw-edge-${String(p % devices).padStart(2, '0')}`,
      },
      5,
    );
  return {
    etag: `W/"datetime'2026-11-01T10%3A00%3A00.1234567Z'"`,
    state: Buffer.from(encodeState(acc.applyTo(emptyState(), '3'))).toString('base64'),
  };
}
const keyOf = (i: number) => `20261101T1000-0a\n203.0.${i >> 8}.${i & 255}|3`;

describe('RowCache: bounded in bytes', () => {
  it('drops the least recently used rows once over its budget, and never holds more', () => {
    const scanner = estimateRowBytes(keyOf(0), row(40));
    const cache = new RowCache(3 * scanner + 100);
    for (let i = 0; i < 4; i++) cache.remember(keyOf(i), row(40));
    expect([cache.has(keyOf(0)), cache.has(keyOf(1)), cache.has(keyOf(3))]).toEqual([false, true, true]);
    // Using a row again makes it the most recent: the next one in pushes out the other.
    cache.remember(keyOf(1), row(41));
    cache.remember(keyOf(4), row(40));
    expect([cache.has(keyOf(1)), cache.has(keyOf(2))]).toEqual([true, false]);
    expect(cache.stats.bytes).toBeLessThanOrEqual(cache.limitBytes);
    expect(cache.stats).toMatchObject({ rows: 3, evicted: 2 });
    cache.forget(keyOf(4));
    expect(cache.stats.rows).toBe(2);
  });

  it('holds many benign rows in the room of a few scanners', () => {
    const benign = row(2);
    const cache = new RowCache(1024 * 1024);
    for (let i = 0; i < 4000; i++) cache.remember(keyOf(i), benign);
    // A scan of 20,000 ports: its ports stored as a bitmap, its ports reached as a list.
    const scan = row(20_000);
    const scanners = new RowCache(1024 * 1024);
    for (let i = 0; i < 200; i++) scanners.remember(keyOf(i), scan);
    // A benign row (with its target, device and ports reached) is about 0.5 KB, this scan's 21 KB.
    expect(cache.stats.rows).toBeGreaterThan(1500);
    expect(scanners.stats.rows).toBeLessThan(60);
    expect(cache.stats.bytes).toBeLessThanOrEqual(cache.limitBytes);
    expect(scanners.stats.bytes).toBeLessThanOrEqual(scanners.limitBytes);
  });

  // Measured, not counted: what V8 allocates for a row is the fact the estimate answers to, and
  // only the heap knows it. The measurement avoids the known disturbances instead of widening the
  // bounds. Nothing is freed while measuring: every cache, the warm-up ones too, stays alive to the
  // end, since gc() returns before a background sweeper releases ArrayBuffer memory (the bitmaps),
  // which then left inside the next shape's measurement (a 300-port row measured 30% light). Only
  // data counts: compiled code, whose size depends on when the optimizing compiler runs, is left
  // out. Each shape is measured over about 8 MB of rows. What remains is noise of a few percent:
  // eight runs, four at a time on two loaded cores, put every ratio between 0.98 and 1.08, hence
  // a floor of 0.95 (a cache over its budget by at most 5%) and a ceiling of 1.3.
  it('estimates what a cached row takes on the heap, a little on the high side', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = () => {
      gc();
      gc();
      let bytes = process.memoryUsage().external;
      for (const space of getHeapSpaceStatistics())
        if (!/code|trusted/.test(space.space_name)) bytes += space.space_used_size;
      return bytes;
    };
    const shapes = [
      [3, 1, 1, 1],
      [40, 2, 1, 2],
      [300, 2, 64, 16],
    ] as const;
    const rowsOf = (bytes: number, [ports, reporters, targets, devices]: (typeof shapes)[number]) =>
      Math.ceil(bytes / estimateRowBytes(keyOf(0), row(ports, reporters, targets, devices)));
    const alive: RowCache[] = [];
    /** Fills a new cache with `n` rows of a shape; the bytes per row the heap grew by. */
    const measure = (n: number, [ports, reporters, targets, devices]: (typeof shapes)[number]) => {
      const before = used();
      const cache = new RowCache(Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < n; i++) cache.remember(keyOf(i), row(ports, reporters, targets, devices));
      const perRow = (used() - before) / n;
      alive.push(cache);
      return { cache, perRow };
    };
    // Run the code first (about 2 MB of rows of each shape), so that the first shape measured does
    // not carry what running it the first time allocates.
    for (const shape of shapes) measure(rowsOf(2_000_000, shape), shape);
    for (const shape of shapes) {
      const n = rowsOf(8_000_000, shape);
      const { cache, perRow: actual } = measure(n, shape);
      const estimate = cache.stats.bytes / n;
      const what = `${shape[0]} ports: estimate ${Math.round(estimate)}, measured ${Math.round(actual)}`;
      expect(estimate, what).toBeGreaterThanOrEqual(0.95 * actual);
      expect(estimate, what).toBeLessThanOrEqual(1.3 * actual);
      expect(cache.stats.rows).toBe(n);
    }
  });
});
