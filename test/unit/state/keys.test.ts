import { describe, expect, it } from 'vitest';
import { binKeyOf, binRange, binStartOfKey, windowPartitionKey } from '../../../lib/state/keys.js';

describe('Table keys: bins', () => {
  it('writes each bin start as yyyyMMddTHHmm, whatever bin was asked before', () => {
    const starts = [
      '2026-11-01T10:00:00Z',
      '2026-11-01T10:05:00Z',
      '2026-11-01T10:00:00Z',
      '2027-01-31T23:55:00Z',
    ];
    const keys = starts.map((s) => binKeyOf(Date.parse(s)));

    expect(keys).toEqual(['20261101T1000', '20261101T1005', '20261101T1000', '20270131T2355']);
    expect(keys.map(binStartOfKey)).toEqual(starts.map((s) => Date.parse(s)));
  });

  it('puts every row of a bin in its PartitionKey range, and none of the next bin', () => {
    const bin = Date.parse('2026-11-01T10:00:00Z');
    const { from, to } = binRange(bin);
    const inBin = windowPartitionKey('203.0.113.7', bin);
    const next = windowPartitionKey('203.0.113.7', bin + 300_000);

    expect(inBin >= from && inBin < to).toBe(true);
    expect(next >= from && next < to).toBe(false);
  });
});
