import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closedBoundaryOf,
  isBeyondRetention,
  isBinClosed,
  retentionHorizonOf,
  watermarkAt,
} from '../../../lib/detection/binLifecycle.js';

const BIN_MS = 5 * 60_000;
const times = { binMs: BIN_MS, allowedLatenessMs: 10 * 60_000, retentionMs: 3_600_000 };
const T = (iso: string) => Date.parse(iso);

describe('binLifecycle: the rules both drivers close bins by', () => {
  it('closes a bin once the latest event time passes its end plus the lateness', () => {
    const boundary = (latest: string) =>
      closedBoundaryOf(watermarkAt(T(latest), times.allowedLatenessMs), BIN_MS);
    expect(isBinClosed(T('2026-11-01T10:00:00Z'), boundary('2026-11-01T10:14:59.999Z'), BIN_MS)).toBe(false);
    expect(isBinClosed(T('2026-11-01T10:00:00Z'), boundary('2026-11-01T10:15:00Z'), BIN_MS)).toBe(true);
  });

  it('keeps a bin until the closed boundary is a retention past its end', () => {
    const bin = T('2026-11-01T10:00:00Z');
    expect(isBeyondRetention(bin, T('2026-11-01T11:00:00Z'), times)).toBe(false);
    expect(isBeyondRetention(bin, T('2026-11-01T11:05:00Z'), times)).toBe(true);
  });

  it('retains exactly the bins from the retention horizon on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -30, max: 30 }), (k, d) => {
        const closed = k * BIN_MS;
        const start = closed - times.retentionMs + d * BIN_MS;
        expect(isBeyondRetention(start, closed, times)).toBe(start < retentionHorizonOf(closed, times));
      }),
      { seed: 2026, numRuns: 200 },
    );
  });
});
