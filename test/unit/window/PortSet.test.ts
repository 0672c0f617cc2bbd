import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PortSet } from '../../../lib/window/PortSet.js';

describe('PortSet', () => {
  it('counts distinct ports exactly across the small-to-bitmap switch', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 400 }), (ports) => {
        const set = PortSet.from(ports);
        const expected = [...new Set(ports)].sort((a, b) => a - b);
        expect(set.size).toBe(expected.length);
        expect(set.toSortedArray()).toEqual(expected);
        expect(set.smallest(100)).toEqual(expected.slice(0, 100));
        for (const p of ports) expect(set.has(p)).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('unions sets of either form', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 100 }),
        fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 100 }),
        (a, b) => {
          const x = PortSet.from(a);
          x.addAll(PortSet.from(b));
          expect(x.toSortedArray()).toEqual([...new Set([...a, ...b])].sort((p, q) => p - q));
        },
      ),
      { seed: 43, numRuns: 300 },
    );
  });

  it('holds all 65,536 ports', () => {
    const set = PortSet.from(Array.from({ length: 65536 }, (_, i) => i));
    expect(set.size).toBe(65536);
    expect(set.smallest(3)).toEqual([0, 1, 2]);
    expect(set.toSortedArray().at(-1)).toBe(65535);
  });
});
