import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeState, encodeState } from '../../../lib/window/stateCodec.js';
import type { WindowRow, WindowState } from '../../../lib/window/WindowState.js';
import { emptyState, WindowAccumulator } from '../../../lib/window/WindowState.js';

/**
 * The row cache keeps a window row's state as written (the base64 of its encoding) and the writer
 * decodes it when it applies the row's next batch. Held to keeping the state object itself: over
 * any sequence of batches of one partition (redeliveries included), every state written is the
 * same, byte for byte.
 */

/** Destinations in several spellings (IPv4, IPv6, mapped, zero-padded), so that stored and in-memory forms could differ. */
const TARGETS = [
  '198.51.100.7',
  '198.51.100.8',
  '2001:db8::1',
  '2001:0db8:0000::1',
  '::ffff:198.51.100.3',
  '10.0.0.1',
];
/** Device names as rows carry them (`deviceOf`: at most 64 characters), the longest one among them. */
const DEVICES = ['', 'fw-a', 'fw-b', 'vpc-1', 'nsg-web', `…${'x'.repeat(63)}`];
const REPORTERS = ['AWS/VPC', 'Cisco/ASA', 'Palo Alto Networks/PAN-OS'];

const arbRow: fc.Arbitrary<WindowRow> = fc.record({
  port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
  reporter: fc.constantFrom(...REPORTERS),
  timeMs: fc.integer({ min: 0, max: 299_999 }),
  eventCount: fc.integer({ min: 1, max: 5 }),
  target: fc.option(fc.constantFrom(...TARGETS), { nil: undefined }),
  reached: fc.boolean(),
  device: fc.constantFrom(...DEVICES),
});

/** A sweep: many ports in a run, so that a state's ports take the bitmap form. */
const arbSweep = fc.record({
  from: fc.integer({ min: 0, max: 50_000 }),
  count: fc.integer({ min: 1, max: 12_000 }),
});

/** One batch: its messages (sequence numbers ascending from `first`), each a few rows, maybe a sweep. */
const arbBatch = fc.record({
  rewind: fc.integer({ min: 0, max: 3 }),
  messages: fc.array(fc.array(arbRow, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
  sweep: fc.option(arbSweep, { nil: undefined, freq: 8 }),
});

type Batch = typeof arbBatch extends fc.Arbitrary<infer T> ? T : never;

function accumulatorOf(batch: Batch, firstSeq: number): WindowAccumulator {
  const acc = new WindowAccumulator(true);
  batch.messages.forEach((rows, i) => {
    for (const r of rows) acc.add(r, firstSeq + i);
  });
  const sweep = batch.sweep;
  if (sweep !== undefined) {
    const seq = firstSeq + batch.messages.length - 1;
    for (let p = sweep.from; p < Math.min(65536, sweep.from + sweep.count); p++)
      acc.add(
        {
          port: p,
          reporter: 'AWS/VPC',
          timeMs: 1000,
          eventCount: 1,
          target: '198.51.100.7',
          reached: p % 7 === 0,
          device: 'fw-a',
        },
        seq,
      );
  }
  return acc;
}

describe('Row cache: a state kept as its stored bytes', () => {
  it('writes the same bytes as the state object it replaces, batch after batch', () => {
    fc.assert(
      fc.property(fc.array(arbBatch, { minLength: 1, maxLength: 8 }), (batches) => {
        let asObject: WindowState | undefined;
        let asBytes: string | undefined;
        let seq = 100;
        for (const batch of batches) {
          // A redelivery starts a few messages back.
          seq = Math.max(100, seq - batch.rewind);
          const acc = accumulatorOf(batch, seq);
          seq += batch.messages.length;
          const next = acc.applyTo(asObject ?? emptyState(), '3');
          const fromBytes = acc.applyTo(
            asBytes === undefined ? emptyState() : decodeState(Buffer.from(asBytes, 'base64')),
            '3',
          );
          const written = encodeState(next);
          expect(Buffer.from(encodeState(fromBytes)).equals(Buffer.from(written))).toBe(true);
          asObject = next;
          asBytes = Buffer.from(written).toString('base64');
        }
      }),
      { seed: 20261205, numRuns: 300 },
    );
  });
});

describe('stateCodec: the strings of decoded rows', () => {
  it('reads every reporter, device and partition id as written, however often the strings repeat', () => {
    // Few distinct strings (so that they repeat and are remembered) among many (so that they
    // take one another's place), in ASCII and beyond.
    const arbText = fc.oneof(
      fc.constantFrom('AWS/VPC', 'Cisco/ASA', 'fw-a', 'fw-b', '0', '1', 'é/ü', '防火墙/设备'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 70 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ reporter: arbText, device: arbText, partition: arbText }), {
          minLength: 1,
          maxLength: 200,
        }),
        (rows) => {
          for (const r of rows) {
            const acc = new WindowAccumulator(true);
            const device = r.device.slice(0, 64);
            acc.add(
              {
                port: 22,
                reporter: r.reporter,
                timeMs: 1,
                eventCount: 1,
                target: undefined,
                reached: false,
                device,
              },
              1,
            );
            const state = decodeState(encodeState(acc.applyTo(emptyState(), r.partition)));
            expect(state.reporters).toEqual([r.reporter]);
            expect([...state.counts.keys()]).toEqual([r.partition]);
            expect(state.counts.get(r.partition)?.devices.devices.map((d) => d.name)).toEqual([device]);
          }
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});
