import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceTally } from '../../../lib/window/DeviceTally.js';
import { addToTally, EMPTY_TALLY } from '../../../lib/window/DeviceTally.js';
import { PortSet } from '../../../lib/window/PortSet.js';
import { decodeState, encodeState, StateDecodeError } from '../../../lib/window/stateCodec.js';
import { TargetCollector } from '../../../lib/window/TargetSample.js';
import type { WindowRow, WindowState } from '../../../lib/window/WindowState.js';
import { emptyState, eventCountOf, mergeStates, WindowAccumulator } from '../../../lib/window/WindowState.js';

/** A pool of destinations larger than the target sample (64), in several spellings of IPv4 and IPv6. */
const TARGETS = [
  ...Array.from({ length: 70 }, (_, i) => `198.51.100.${i}`),
  '2001:db8::1',
  '2001:0db8:0000::1',
  '::ffff:198.51.100.3',
];
const DEVICES = ['fw-a', 'fw-b', 'vpc-1', 'nsg-web', 'asa-edge', '10.1.1.1'];

/** A partition's device tally as a function of its high-water mark, as the count is: both describe one prefix of its stream. */
function tallyOf(partition: string, highWater: number): DeviceTally {
  const additions: [string, number][] = [];
  for (let i = 0; i <= highWater % 20; i++) additions.push([`dvc-${partition}-${i}`, highWater + i]);
  return addToTally(EMPTY_TALLY, additions);
}

const arbState: fc.Arbitrary<WindowState> = fc
  .record({
    ports: fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 80 }),
    // The ports reached are some of the ports attempted.
    reachedOf: fc.array(fc.boolean(), { maxLength: 80 }),
    reporters: fc.uniqueArray(
      fc.constantFrom('AWS/VPC', 'Cisco/ASA', 'Palo Alto/PanOS', 'Microsoft/NSGFlow', 'Zscaler/ZIA Firewall'),
    ),
    first: fc.integer({ min: 0, max: 1e6 }),
    span: fc.integer({ min: 0, max: 1e5 }),
    counts: fc.array(fc.record({ p: fc.constantFrom('0', '1', '2'), hw: fc.integer({ min: 0, max: 50 }) }), {
      maxLength: 3,
    }),
    targets: fc.array(
      fc.record({
        t: fc.constantFrom(...TARGETS),
        port: fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
      }),
      { maxLength: 90 },
    ),
    portsWithoutTarget: fc.boolean(),
  })
  .map((r) => {
    const collector = new TargetCollector();
    for (const t of r.targets) collector.add(t.t, t.port);
    return {
      ports: PortSet.from(r.ports),
      reporters: [...r.reporters].sort(),
      firstSeenMs: r.first,
      lastSeenMs: r.first + r.span,
      // A partition's count is a function of its high-water mark (a prefix of its stream).
      counts: new Map(
        r.counts.map((c) => [c.p, { highWater: c.hw, count: c.hw * 3, devices: tallyOf(c.p, c.hw) }]),
      ),
      reached: PortSet.from(r.ports.filter((_, i) => r.reachedOf[i] === true)),
      targets: collector.toSample(r.portsWithoutTarget),
    };
  });

/** A state as plain data, for equality. */
function view(s: WindowState) {
  return {
    ports: s.ports.toSortedArray(),
    reporters: s.reporters,
    first: s.firstSeenMs,
    last: s.lastSeenMs,
    counts: [...s.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    reached: s.reached.toSortedArray(),
    targets: s.targets,
  };
}

/** A row as the accumulator takes it. */
function row(r: Partial<WindowRow> & { port: number | undefined }): WindowRow {
  return {
    reporter: 'AWS/VPC',
    timeMs: 1_700_000_000_000,
    eventCount: 1,
    target: undefined,
    reached: false,
    device: '',
    ...r,
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
  rows: {
    port: number | undefined;
    reporter: string;
    t: number;
    n: number;
    dst: string | undefined;
    ok: boolean;
    dvc: string;
  }[];
}

function toRow(r: Message['rows'][number]): WindowRow {
  return {
    port: r.port,
    reporter: r.reporter,
    timeMs: r.t,
    eventCount: r.n,
    target: r.dst,
    reached: r.ok,
    device: r.dvc,
  };
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
          dst: fc.option(fc.constantFrom(...TARGETS.slice(0, 6), ...TARGETS.slice(-3)), { nil: undefined }),
          ok: fc.boolean(),
          dvc: fc.constantFrom('', ...DEVICES),
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
          const expectedReached = [
            ...new Set(all.flatMap((r) => (r.port === undefined || !r.ok ? [] : [r.port]))),
          ].sort((a, b) => a - b);
          const oneAccumulator = new WindowAccumulator(false);
          for (const r of all) oneAccumulator.add(toRow(r), 0);
          const expectedDevices = new Map<string, number>();
          for (const r of all)
            if (r.dvc !== '') expectedDevices.set(r.dvc, (expectedDevices.get(r.dvc) ?? 0) + r.n);

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
            for (const m of batch) for (const r of m.rows) acc.add(toRow(r), m.seq);
            const key = String(p);
            stored.set(key, acc.applyTo(stored.get(key) ?? emptyState(), key));
            cursor[p] = (cursor[p] as number) + batch.length;
            delivered[p] = Math.max(delivered[p] as number, cursor[p] as number);
            step++;
          }
          // Replay one whole partition from the start: a full redelivery changes nothing.
          const replay = new WindowAccumulator(true);
          for (const m of streams[0] as Message[]) for (const r of m.rows) replay.add(toRow(r), m.seq);
          if ((streams[0] as Message[]).length > 0)
            stored.set('0', replay.applyTo(stored.get('0') ?? emptyState(), '0'));

          // Assess: merging the partition rows, in any order, gives the one-pass result.
          const states = [...stored.values()];
          const merged = states.reduce(mergeStates, emptyState());
          const reversed = [...states].reverse().reduce(mergeStates, emptyState());
          expect(view(merged)).toEqual(view(reversed));
          expect(merged.ports.toSortedArray()).toEqual(expectedPorts);
          expect(eventCountOf(merged)).toBe(expectedCount);
          expect(merged.reached.toSortedArray()).toEqual(expectedReached);
          expect(merged.targets).toEqual(oneAccumulator.targets());
          const devices = new Map<string, number>();
          for (const c of merged.counts.values())
            for (const d of c.devices.devices) devices.set(d.name, (devices.get(d.name) ?? 0) + d.events);
          expect(devices).toEqual(expectedDevices);
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
    acc.add(row({ port: 22, timeMs: 1000, device: 'fw-a' }), 5);
    acc.add(row({ port: 23, timeMs: 1001, eventCount: 2, device: 'fw-b' }), 6);
    const once = acc.applyTo(emptyState(), '3');
    const twice = acc.applyTo(once, '3');
    expect(eventCountOf(once)).toBe(3);
    expect(eventCountOf(twice)).toBe(3);
    expect(twice.counts.get('3')?.devices).toEqual({
      devices: [
        { name: 'fw-a', events: 1 },
        { name: 'fw-b', events: 2 },
      ],
      otherEvents: 0,
    });
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

  it('fits a stored row at its worst case in one Table property (64 KiB)', () => {
    // One partition (a stored row), every port attempted and all but one reached, 64 reporters of
    // 128 characters and 16 devices of 64 that take 3 UTF-8 bytes each, 64 IPv6 targets of 39
    // characters with 33 ports far apart (the longest varint deltas).
    const every = PortSet.from(Array.from({ length: 65536 }, (_, i) => i));
    const wide = (i: number, n = 128) => `${String(i).padStart(2, '0')}${'€'.repeat(n - 2)}`;
    const collector = new TargetCollector();
    for (let t = 0; t < 64; t++) {
      const address = `2a01:db8a:${t.toString(16).padStart(4, 'f')}:ffff:ffff:ffff:ffff:ffff`;
      for (let k = 0; k < 33; k++) collector.add(address, k < 4 ? 16384 * k + t : 1000 + 1900 * k + t);
    }
    const state: WindowState = {
      ports: every,
      reporters: Array.from({ length: 64 }, (_, i) => wide(i)),
      firstSeenMs: 1,
      lastSeenMs: 2,
      counts: new Map([
        [
          '1023',
          {
            highWater: 2 ** 52,
            count: 2 ** 52,
            devices: {
              devices: Array.from({ length: 16 }, (_, i) => ({ name: wide(i, 64), events: 2 ** 52 })),
              otherEvents: 2 ** 52,
            },
          },
        ],
      ]),
      reached: PortSet.from(Array.from({ length: 65535 }, (_, i) => i + 1)),
      targets: collector.toSample(true),
    };
    expect(state.targets.entries).toHaveLength(64);
    expect(state.targets.entries.every((e) => e.address.length === 39 && e.ports.length === 33)).toBe(true);
    const bytes = encodeState(state);
    expect(bytes.length).toBeLessThanOrEqual(64 * 1024);
    // The bound the codec's documentation states (about 48 KiB); it moves only with the layout.
    expect(bytes.length).toBe(49_365);
    expect(view(decodeState(bytes))).toEqual(view(state));
  });

  it('refuses, rather than writes, a merged state too large for one Table property', () => {
    const state = mergeStates(emptyState(), {
      ...emptyState(),
      ports: PortSet.from(Array.from({ length: 65536 }, (_, i) => i)),
      counts: new Map(
        Array.from({ length: 1024 }, (_, i) => [
          `partition-${i}`,
          { highWater: i, count: i, devices: tallyOf(String(i), 15) },
        ]),
      ),
    });
    expect(() => encodeState(state)).toThrow(RangeError);
  });

  it('stores a benign source in 76 bytes, its one target and device included', () => {
    // Without the evidence the row is 49 bytes; the evidence adds its reached flag (1 byte), the
    // target flags, count, address and port (9) and the device name and counts (15 + 2).
    const acc = new WindowAccumulator(true);
    acc.add(row({ port: 443, target: '203.0.113.10', reached: true, device: 'vpc-0a1b2c3d' }), 1);
    const bytes = encodeState(acc.toState('0', 1));
    expect(bytes.length).toBe(76);
    const back = decodeState(bytes);
    expect(back.reached.toSortedArray()).toEqual([443]);
    expect(back.targets.entries.map((e) => [e.address, e.ports])).toEqual([['203.0.113.10', [443]]]);
    expect(back.counts.get('0')?.devices.devices).toEqual([{ name: 'vpc-0a1b2c3d', events: 1 }]);
  });

  it('reads a row of version 1 (written before the evidence) with no evidence', () => {
    // Written by the version 1 encoder (lib/window/stateCodec.ts at commit 0a25df2) for ports 22,
    // 80, 443, 3389 and 8080, two reporters, 10:00:01–10:04:59 on 2026-11-01, and partition 3 at
    // sequence number 1207 with 9 events.
    const v1 = Buffer.from(
      '010080ced368197a4200808f1c69197a420005163aeb028217d32402074157532f5650431950616c6f20416c746f204e6574776f726b732f50414e2d4f530101330000000000dc92400000000000002240',
      'hex',
    );
    const state = decodeState(v1);
    expect(state.ports.toSortedArray()).toEqual([22, 80, 443, 3389, 8080]);
    expect(state.reporters).toEqual(['AWS/VPC', 'Palo Alto Networks/PAN-OS']);
    expect(new Date(state.firstSeenMs).toISOString()).toBe('2026-11-01T10:00:01.000Z');
    expect(state.counts.get('3')).toEqual({ highWater: 1207, count: 9, devices: EMPTY_TALLY });
    expect(state.reached.size).toBe(0);
    expect(state.targets.entries).toEqual([]);
    // A later batch adds to it as to any row; it is written back as version 2.
    const acc = new WindowAccumulator(true);
    acc.add(row({ port: 25, target: '198.51.100.7', reached: true, device: 'fw-a' }), 1208);
    const next = decodeState(encodeState(acc.applyTo(state, '3')));
    expect(next.ports.size).toBe(6);
    expect(eventCountOf(next)).toBe(10);
    expect(next.reached.toSortedArray()).toEqual([25]);
  });

  it.each([
    ['an unknown version', Uint8Array.from([9])],
    ['a port list out of order', Uint8Array.from([...encodeState(emptyState()).slice(0, 17), 0, 2, 5, 0])],
    ['truncated bytes', encodeState(emptyState()).slice(0, 10)],
    ['trailing bytes', Uint8Array.from([...encodeState(emptyState()), 0])],
  ])('rejects %s with a StateDecodeError', (_label, bytes) => {
    expect(() => decodeState(bytes)).toThrow(StateDecodeError);
  });
});
