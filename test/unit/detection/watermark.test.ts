import { describe, expect, it } from 'vitest';
import { closingBoundaries, watermarkOf as watermarkAt } from '../../../lib/detection/watermark.js';
import type { PartitionTail } from '../../../lib/eventhub/PartitionBacklog.js';
import type { PartitionProgress } from '../../../lib/state/TableWindowStore.js';

const MIN = 60_000;
const T = Date.parse('2026-11-01T10:00:00Z');
const LATENESS = 10 * MIN;
const NOW = T + 150 * MIN;
const FEED_IDLE = 15 * MIN;

/** The watermark at NOW, feeds idle after 15 minutes. */
const watermarkOf = (
  progress: readonly PartitionProgress[],
  tails: readonly PartitionTail[] | undefined,
  lateness: number,
) => watermarkAt(progress, tails, lateness, NOW, FEED_IDLE);

function progress(partition: string, maxEventTimeMs: number, lastSequenceNumber: number): PartitionProgress {
  return {
    partition,
    maxEventTimeMs,
    minEventTimeMs: T - 60 * MIN,
    maxEnqueuedTimeMs: maxEventTimeMs,
    lastSequenceNumber,
    updatedAtMs: maxEventTimeMs,
  };
}

function tail(
  partition: string,
  lastEnqueuedSequenceNumber: number,
  beginningSequenceNumber = 0,
): PartitionTail {
  return {
    partition,
    isEmpty: lastEnqueuedSequenceNumber < 0,
    beginningSequenceNumber,
    lastEnqueuedSequenceNumber,
    lastEnqueuedTimeMs: T,
  };
}

describe('Watermark: behind versus idle', () => {
  it('is held by a partition with unread events, at its progress, however recent the others', () => {
    const w = watermarkOf(
      [progress('0', T + 30 * MIN, 100), progress('1', T + 5 * MIN, 40)],
      [tail('0', 100), tail('1', 55)],
      LATENESS,
    );
    expect(w.watermarkMs).toBe(T + 5 * MIN - LATENESS);
    expect(w.holding.map((p) => [p.partition, p.unreadEvents])).toEqual([['1', 15]]);
  });

  it('is not held by an idle partition (everything read), however old its progress', () => {
    const w = watermarkOf(
      [progress('0', T + 30 * MIN, 100), progress('1', T - 120 * MIN, 40)],
      [tail('0', 100), tail('1', 40), tail('2', -1)],
      LATENESS,
    );
    expect(w.watermarkMs).toBe(T + 30 * MIN - LATENESS);
    expect(w.holding).toEqual([]);
    expect(w.partitions.map((p) => p.standing)).toEqual(['caught-up', 'caught-up', 'caught-up']);
  });

  it('is held at nothing by a partition that has events but never recorded progress (failing from the start)', () => {
    const w = watermarkOf([progress('0', T + 30 * MIN, 100)], [tail('0', 100), tail('1', 7)], LATENESS);
    expect(w.watermarkMs).toBeUndefined();
    expect(w.holding.map((p) => [p.partition, p.unreadEvents])).toEqual([['1', 8]]);
  });

  it('holds at every hub partition when the hub cannot be asked', () => {
    const recorded = [progress('0', T + 30 * MIN, 100), progress('1', T - 120 * MIN, 40)];
    const w = watermarkOf(recorded, undefined, LATENESS);
    expect(w.watermarkMs).toBe(T - 120 * MIN - LATENESS);
    expect(w.partitions.map((p) => p.standing)).toEqual(['unknown', 'unknown']);
  });

  it('holds at a feed that is no hub partition (a flow-log blob feed) while it records progress, not once it is silent', () => {
    const live = { ...progress('flowlog-a1', T + 20 * MIN, 3), updatedAtMs: NOW - 5 * MIN };
    const silent = { ...progress('flowlog-b2', T - 300 * MIN, 9), updatedAtMs: NOW - 16 * MIN };
    const hub = [progress('0', T + 30 * MIN, 100)];
    for (const tails of [[tail('0', 100)], undefined]) {
      const w = watermarkOf([...hub, live, silent], tails, LATENESS);
      expect(w.partitions.map((p) => [p.partition, p.standing])).toEqual([
        ['0', tails === undefined ? 'unknown' : 'caught-up'],
        ['flowlog-a1', 'live'],
        ['flowlog-b2', 'idle'],
      ]);
      expect(w.watermarkMs).toBe(T + 20 * MIN - LATENESS);
    }
  });

  it('counts events that expired from the hub before they were read', () => {
    const w = watermarkOf([progress('0', T, 100)], [tail('0', 500, 151)], LATENESS);
    expect(w.partitions.map((p) => [p.standing, p.expiredEvents, p.unreadEvents])).toEqual([
      ['behind', 50, 350],
    ]);
  });
});

describe('Closing boundaries: the maximum delay', () => {
  const BIN = 5 * MIN;
  const behind = watermarkOf(
    [progress('0', T + 120 * MIN, 100), progress('1', T, 40)],
    [tail('0', 100), tail('1', 55)],
    LATENESS,
  );

  it('closes complete bins only, while the delay has not run out', () => {
    expect(closingBoundaries(behind, T + 60 * MIN, BIN, LATENESS, 60 * MIN)).toEqual({
      completeMs: T - LATENESS,
      untilMs: T - LATENESS,
    });
  });

  it('closes the bins held past the delay, beyond the complete ones', () => {
    expect(closingBoundaries(behind, T + 100 * MIN, BIN, LATENESS, 60 * MIN)).toEqual({
      completeMs: T - LATENESS,
      untilMs: T + 30 * MIN,
    });
  });

  it('never closes past the watermark when no partition holds it', () => {
    const idle = watermarkOf([progress('0', T, 100)], [tail('0', 100)], LATENESS);
    expect(closingBoundaries(idle, T + 600 * MIN, BIN, LATENESS, 0)).toEqual({
      completeMs: T - LATENESS,
      untilMs: T - LATENESS,
    });
  });
});
