import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type CachedRow, estimateRowBytes, RowCache } from '../../../lib/state/RowCache.js';
import { decodeState, encodeState } from '../../../lib/window/stateCodec.js';
import { emptyState, WindowAccumulator } from '../../../lib/window/WindowState.js';

/**
 * A row as the store caches it: decoded from its stored bytes, with a Table ETag. Its evidence:
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
    // A benign row (with its target, device and ports reached) is about 2 KB, a scanner's 9.5 KB.
    expect(benign).toBeGreaterThan(450);
    expect(scanners.stats.rows).toBeLessThan(120);
    expect(benign).toBeGreaterThan(4 * scanners.stats.rows);
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
    const shapes = [
      [3, 1, 1, 1],
      [40, 2, 1, 2],
      [300, 2, 64, 16],
    ] as const;
    // Build each shape once first, so that compiling the code is not counted as the rows' memory.
    for (const [ports, reporters, targets, devices] of shapes)
      for (let i = 0; i < 50; i++) row(ports, reporters, targets, devices);
    for (const [ports, reporters, targets, devices] of shapes) {
      const n = 1500;
      const before = used();
      const cache = new RowCache(Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < n; i++) cache.remember(keyOf(i), row(ports, reporters, targets, devices));
      const actual = (used() - before) / n;
      const estimate = cache.stats.bytes / n;
      const what = `${ports} ports: estimate ${Math.round(estimate)}, measured ${Math.round(actual)}`;
      expect(estimate, what).toBeGreaterThanOrEqual(0.9 * actual);
      expect(estimate, what).toBeLessThanOrEqual(1.6 * actual);
      expect(cache.stats.rows).toBe(n);
    }
  });
});
