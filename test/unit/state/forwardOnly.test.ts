import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSameCloser, mergeCloser, mergeProgress } from '../../../lib/state/forwardOnly.js';
import type { CloserPosition, PartitionProgress } from '../../../lib/state/WindowStore.js';

/** The forward-only rules of the Control rows, shared by the Table adapter and the in-memory twin. */

const opts = { seed: 14, numRuns: 300 };
const time = fc.integer({ min: 0, max: 2_000_000_000_000 });
const closer = fc.record({ announcedMs: time, evaluatedMs: time, sweptMs: time });
const progress: fc.Arbitrary<PartitionProgress> = fc
  .record({
    maxEventTimeMs: time,
    minEventTimeMs: time,
    maxEnqueuedTimeMs: time,
    lastSequenceNumber: fc.integer({ min: 0, max: 1_000_000 }),
    updatedAtMs: time,
    isFlowLog: fc.boolean(),
    feedEndMs: fc.option(time, { nil: undefined }),
  })
  .map(({ isFlowLog, feedEndMs, ...p }) => ({
    partition: '0',
    ...p,
    ...(isFlowLog ? { feed: 'flowlog' as const, ...(feedEndMs === undefined ? {} : { feedEndMs }) } : {}),
  }));
/** Progress records in any order and grouping give the same stored row. */
const fold = (records: readonly PartitionProgress[]) =>
  records.reduce<PartitionProgress | undefined>((acc, p) => mergeProgress(acc, p), undefined);

describe('Rules: forward-only Control rows', () => {
  it('moves each closer boundary only forward, in any order', () => {
    fc.assert(
      fc.property(closer, closer, closer, (a, b, c) => {
        const ab = mergeCloser(a, b);
        expect(isSameCloser(ab, mergeCloser(b, a))).toBe(true);
        expect(isSameCloser(mergeCloser(ab, c), mergeCloser(a, mergeCloser(b, c)))).toBe(true);
        expect(isSameCloser(mergeCloser(ab, b), ab)).toBe(true);
        for (const k of ['announcedMs', 'evaluatedMs', 'sweptMs'] as const)
          expect(ab[k]).toBeGreaterThanOrEqual(a[k]);
      }),
      opts,
    );
  });

  it('stores the same progress whatever the order and repetition of its records', () => {
    fc.assert(
      fc.property(
        fc.array(progress, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        (records, k) => {
          const shuffled = [...records.slice(k), ...records.slice(0, k)];
          expect(fold(shuffled)).toEqual(fold(records));
          expect(fold([...records, ...records])).toEqual(fold(records));
        },
      ),
      opts,
    );
  });

  it('keeps the latest times, the earliest event time, and a flow-log feed with its latest hour end', () => {
    const base: PartitionProgress = {
      partition: 'feed-a',
      maxEventTimeMs: 100,
      minEventTimeMs: 50,
      maxEnqueuedTimeMs: 100,
      lastSequenceNumber: 9,
      updatedAtMs: 1000,
      feed: 'flowlog',
      feedEndMs: 3_600_000,
    };
    const older: PartitionProgress = {
      partition: 'feed-a',
      maxEventTimeMs: 80,
      minEventTimeMs: 20,
      maxEnqueuedTimeMs: 90,
      lastSequenceNumber: 4,
      updatedAtMs: 900,
    };
    expect(mergeProgress(base, older)).toEqual({ ...base, minEventTimeMs: 20 });
    const hub: CloserPosition = { announcedMs: 10, evaluatedMs: 5, sweptMs: 0 };
    expect(mergeCloser(hub, { announcedMs: 5, evaluatedMs: 10, sweptMs: 0 })).toEqual({
      announcedMs: 10,
      evaluatedMs: 10,
      sweptMs: 0,
    });
  });
});
