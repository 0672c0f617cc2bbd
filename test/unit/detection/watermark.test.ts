import { describe, expect, it } from 'vitest';
import { closingBoundaries, watermarkOf as watermarkAt } from '../../../lib/detection/watermark.js';
import type { PartitionTail } from '../../../lib/eventhub/PartitionBacklog.js';
import type { PartitionProgress } from '../../../lib/state/WindowStore.js';

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

describe('Watermark: flow-log feeds', () => {
  /** A flow-log feed whose latest blob is the hour ending at `hourEndMs`, read up to `maxEventTimeMs`, last at `updatedAtMs`. */
  const flowLog = (
    id: string,
    maxEventTimeMs: number,
    updatedAtMs: number,
    hourEndMs: number,
  ): PartitionProgress => ({
    ...progress(id, maxEventTimeMs, 0),
    updatedAtMs,
    feed: 'flowlog',
    feedEndMs: hourEndMs,
  });
  const HOUR_END = NOW - 20 * MIN;

  it.each([
    ['a blob of the current hour, read 2 minutes ago', NOW + 30 * MIN, NOW - 2 * MIN, 'live'],
    [
      'a blob whose hour ended 5 minutes ago, its last appends still coming',
      NOW - 5 * MIN,
      NOW - 1 * MIN,
      'live',
    ],
    ['a blob whose hour ended 20 minutes ago, read 12 minutes ago', HOUR_END, NOW - 12 * MIN, 'idle'],
    ['a blob of the current hour silent for 16 minutes', NOW + 30 * MIN, NOW - 16 * MIN, 'idle'],
  ])('stands for %s: %s', (_label, hourEndMs, updatedAtMs, standing) => {
    const w = watermarkOf([flowLog('flowlog-a', NOW - 30 * MIN, updatedAtMs, hourEndMs)], [], LATENESS);
    expect(w.partitions.map((p) => p.standing)).toEqual([standing]);
  });

  it("does not hold the watermark at a blob that stopped growing at its hour's end, holds at one being written", () => {
    // One interface's blob ended at HOUR_END (its last records a minute before); it was read
    // 12 minutes ago, within the idle time. The hub and another interface are an hour ahead.
    const finished = flowLog('flowlog-a', HOUR_END - MIN, NOW - 12 * MIN, HOUR_END);
    const writing = flowLog('flowlog-b', NOW - 3 * MIN, NOW - 2 * MIN, HOUR_END + 60 * MIN);
    const hub = [progress('0', NOW - 1 * MIN, 100)];
    const w = watermarkOf([...hub, finished, writing], [tail('0', 100)], LATENESS);
    expect(w.holding.map((p) => p.partition)).toEqual(['flowlog-b']);
    expect(w.watermarkMs).toBe(NOW - 3 * MIN - LATENESS);
    // With the idle rule alone the finished blob would have held it 40 minutes back.
    expect(w.watermarkMs).toBeGreaterThan(HOUR_END - MIN - LATENESS);
  });
});

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
