import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type CachedRow, estimateRowBytes, RowCache } from '../../../lib/state/RowCache.js';
import { decodeState, encodeState } from '../../../lib/window/stateCodec.js';
import { emptyState, WindowAccumulator } from '../../../lib/window/WindowState.js';

/** A row as the store caches it: decoded from its stored bytes, with a Table ETag. */
function row(ports: number, reporters = 1): CachedRow {
  const acc = new WindowAccumulator(true);
  for (let p = 0; p < ports; p++)
    acc.add(1000 + 3 * p, `Vendor${p % reporters}/Firewall`, 1_790_000_000_000 + p, 1, 5);
  return {
    etag: `W/"datetime'2026-11-01T10%3A00%3A00.1234567Z'"`,
    state: decodeState(encodeState(acc.applyTo(emptyState(), '3'))),
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
    const cache = new RowCache(1024 * 1024);
    for (let i = 0; i < 2000; i++) cache.remember(keyOf(i), row(2));
    const benign = cache.stats.rows;
    const scanners = new RowCache(1024 * 1024);
    for (let i = 0; i < 2000; i++) scanners.remember(keyOf(i), row(40));
    expect(benign).toBeGreaterThan(900);
    expect(scanners.stats.rows).toBeLessThan(120);
  });

  it('estimates what a cached row takes on the heap, a little on the high side', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    for (const [ports, reporters] of [
      [3, 1],
      [40, 2],
    ] as const) {
      const n = 1500;
      const before = used();
      const cache = new RowCache(Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < n; i++) cache.remember(keyOf(i), row(ports, reporters));
      const actual = (used() - before) / n;
      const estimate = cache.stats.bytes / n;
      const what = `${ports} ports: estimate ${Math.round(estimate)}, measured ${Math.round(actual)}`;
      expect(estimate, what).toBeGreaterThanOrEqual(0.9 * actual);
      expect(estimate, what).toBeLessThanOrEqual(1.6 * actual);
      expect(cache.stats.rows).toBe(n);
    }
  });
});
