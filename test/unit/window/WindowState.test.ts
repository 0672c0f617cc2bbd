import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PortSet } from '../../../lib/window/PortSet.js';
import { decodeState, encodeState, StateDecodeError } from '../../../lib/window/stateCodec.js';
import type { WindowState } from '../../../lib/window/WindowState.js';
import { emptyState, eventCountOf, mergeStates, WindowAccumulator } from '../../../lib/window/WindowState.js';

const arbState: fc.Arbitrary<WindowState> = fc
  .record({
    ports: fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 80 }),
    reporters: fc.uniqueArray(
      fc.constantFrom('AWS/VPC', 'Cisco/ASA', 'Palo Alto/PanOS', 'Microsoft/NSGFlow', 'Zscaler/ZIA Firewall'),
    ),
    first: fc.integer({ min: 0, max: 1e6 }),
    span: fc.integer({ min: 0, max: 1e5 }),
    counts: fc.array(fc.record({ p: fc.constantFrom('0', '1', '2'), hw: fc.integer({ min: 0, max: 50 }) }), {
      maxLength: 3,
    }),
  })
  .map((r) => ({
    ports: PortSet.from(r.ports),
    reporters: [...r.reporters].sort(),
    firstSeenMs: r.first,
    lastSeenMs: r.first + r.span,
    // A partition's count is a function of its high-water mark (a prefix of its stream).
    counts: new Map(r.counts.map((c) => [c.p, { highWater: c.hw, count: c.hw * 3 }])),
  }));

/** A state as plain data, for equality. */
function view(s: WindowState) {
  return {
    ports: s.ports.toSortedArray(),
    reporters: s.reporters,
    first: s.firstSeenMs,
    last: s.lastSeenMs,
    counts: [...s.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

describe('WindowState: merge laws', () => {
  const opts = { seed: 7, numRuns: 300 };

  it('is commutative', () => {
    fc.assert(
      fc.property(arbState, arbState, (a, b) => {
        expect(view(mergeStates(a, b))).toEqual(view(mergeStates(b, a)));
      }),
      opts,
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(arbState, arbState, arbState, (a, b, c) => {
        expect(view(mergeStates(mergeStates(a, b), c))).toEqual(view(mergeStates(a, mergeStates(b, c))));
      }),
      opts,
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(arbState, (a) => {
        expect(view(mergeStates(a, a))).toEqual(view(a));
      }),
      opts,
    );
  });

  it('has the empty state as identity', () => {
    fc.assert(
      fc.property(arbState, (a) => {
        expect(view(mergeStates(a, emptyState()))).toEqual(view(a));
      }),
      opts,
    );
  });
});

/** One Event Hub message: its partition, sequence number and the rows it carries for one (source, bin). */
interface Message {
  partition: string;
  seq: number;
  rows: { port: number | undefined; reporter: string; t: number; n: number }[];
}

const arbPartitionStreams = fc
  .array(
    fc.array(
      fc.array(
        fc.record({
          port: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
          reporter: fc.constantFrom('AWS/VPC', 'Cisco/ASA', 'Check Point/Firewall'),
          t: fc.integer({ min: 0, max: 299_999 }),
          n: fc.integer({ min: 1, max: 5 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      { maxLength: 25 },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((streams) =>
    streams.map((messages, p) =>
      messages.map((rows, i) => ({ partition: String(p), seq: 100 + i * 2, rows }) as Message),
    ),
  );

describe('WindowState: exact under any batching, interleaving and redelivery', () => {
  it('gives the same state as one pass over all rows, whatever the batches and redeliveries', () => {
    fc.assert(
      fc.property(
        arbPartitionStreams,
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (streams, batchSizes, choices) => {
          // Prepare: what one pass over every row gives.
          const all = streams.flat().flatMap((m) => m.rows);
          const expectedPorts = [...new Set(all.flatMap((r) => (r.port === undefined ? [] : [r.port])))].sort(
            (a, b) => a - b,
          );
          const expectedCount = all.reduce((t, r) => t + r.n, 0);

          // Act: deliver each partition's messages in batches; at every step pick a partition, and
          // sometimes rewind its checkpoint (redelivery from an earlier point, as Event Hubs does).
          const stored = new Map<string, WindowState>(); // one stored row per partition, as in Table Storage
          const cursor = streams.map(() => 0);
          const delivered = streams.map(() => 0);
          let rewindsLeft = 8;
          let step = 0;
          while (delivered.some((d, p) => d < (streams[p] as Message[]).length)) {
            const choice = choices[step % Math.max(1, choices.length)] ?? 0;
            const live = delivered
              .map((_d, p) => p)
              .filter((p) => (delivered[p] as number) < (streams[p] as Message[]).length);
            const p = live[choice % live.length] as number;
            const messages = streams[p] as Message[];
            if (choice % 5 === 0 && rewindsLeft > 0) {
              rewindsLeft--;
              cursor[p] = Math.max(0, (cursor[p] as number) - 1 - (choice % 3));
            }
            const size = batchSizes[step % batchSizes.length] as number;
            const batch = messages.slice(cursor[p], (cursor[p] as number) + size);
            const acc = new WindowAccumulator(true);
            for (const m of batch) for (const r of m.rows) acc.add(r.port, r.reporter, r.t, r.n, m.seq);
            const key = String(p);
            stored.set(key, acc.applyTo(stored.get(key) ?? emptyState(), key));
            cursor[p] = (cursor[p] as number) + batch.length;
            delivered[p] = Math.max(delivered[p] as number, cursor[p] as number);
            step++;
          }
          // Replay one whole partition from the start: a full redelivery changes nothing.
          const replay = new WindowAccumulator(true);
          for (const m of streams[0] as Message[])
            for (const r of m.rows) replay.add(r.port, r.reporter, r.t, r.n, m.seq);
          if ((streams[0] as Message[]).length > 0)
            stored.set('0', replay.applyTo(stored.get('0') ?? emptyState(), '0'));

          // Assess: merging the partition rows, in any order, gives the one-pass result.
          const states = [...stored.values()];
          const merged = states.reduce(mergeStates, emptyState());
          const reversed = [...states].reverse().reduce(mergeStates, emptyState());
          expect(view(merged)).toEqual(view(reversed));
          expect(merged.ports.toSortedArray()).toEqual(expectedPorts);
          expect(eventCountOf(merged)).toBe(expectedCount);
          if (all.length > 0) {
            expect(merged.firstSeenMs).toBe(Math.min(...all.map((r) => r.t)));
            expect(merged.lastSeenMs).toBe(Math.max(...all.map((r) => r.t)));
          }
        },
      ),
      { seed: 11, numRuns: 400 },
    );
  });

  it('does not change a count when the same batch is applied twice', () => {
    const acc = new WindowAccumulator(true);
    acc.add(22, 'AWS/VPC', 1000, 1, 5);
    acc.add(23, 'AWS/VPC', 1001, 2, 6);
    const once = acc.applyTo(emptyState(), '3');
    const twice = acc.applyTo(once, '3');
    expect(eventCountOf(once)).toBe(3);
    expect(eventCountOf(twice)).toBe(3);
  });
});

describe('stateCodec', () => {
  it('round-trips any state', () => {
    fc.assert(
      fc.property(arbState, (s) => {
        expect(view(decodeState(encodeState(s)))).toEqual(view(s));
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('fits one Table property (64 KiB) with every port, 64 long reporters and 1,024 partitions', () => {
    const state: WindowState = {
      ports: PortSet.from(Array.from({ length: 65536 }, (_, i) => i)),
      reporters: Array.from({ length: 64 }, (_, i) => `${String(i).padStart(2, '0')}${'v'.repeat(126)}`),
      firstSeenMs: 1,
      lastSeenMs: 2,
      counts: new Map(
        Array.from({ length: 1024 }, (_, i) => [`partition-${i}`, { highWater: 2 ** 40, count: 2 ** 40 }]),
      ),
    };
    const bytes = encodeState(state);
    expect(bytes.length).toBeLessThanOrEqual(64 * 1024);
    expect(decodeState(bytes).ports.size).toBe(65536);
  });

  it('stores a benign source in under 64 bytes', () => {
    const acc = new WindowAccumulator(true);
    acc.add(443, 'AWS/VPC', 1_700_000_000_000, 1, 1);
    expect(encodeState(acc.toState('0', 1)).length).toBeLessThan(64);
  });

  it.each([
    ['an unknown version', Uint8Array.from([9])],
    ['truncated bytes', encodeState(emptyState()).slice(0, 10)],
    ['trailing bytes', Uint8Array.from([...encodeState(emptyState()), 0])],
  ])('rejects %s with a StateDecodeError', (_label, bytes) => {
    expect(() => decodeState(bytes)).toThrow(StateDecodeError);
  });
});
