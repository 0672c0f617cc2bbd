import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenWindows } from '../../../lib/window/OpenWindows.js';
import { encodeState } from '../../../lib/window/stateCodec.js';
import { dottedQuadOf, plainDottedQuadValue } from '../../../lib/window/TargetSample.js';
import type { WindowRow } from '../../../lib/window/WindowState.js';
import { WindowAccumulator } from '../../../lib/window/WindowState.js';

/** Sources in both forms the table stores: plain dotted quads (as numbers) and any other text (as strings). */
const SOURCES = ['203.0.113.7', '198.51.100.200', '0.0.0.0', '255.255.255.255', '2001:db8::7', '010.1.2.3'];
/** Targets: plain dotted quads, other spellings of addresses, text that is no address, none. */
const TARGETS = ['10.0.0.1', '10.0.0.2', '2001:db8::1', '::ffff:10.0.0.1', '10.0.0.01', 'host-a', undefined];

/**
 * Rows that keep a window cheap for a while and then break each part of the form in turn; ports
 * are valid (0–65535), as the normalizer guarantees.
 */
const arbRow: fc.Arbitrary<{ source: string; row: WindowRow }> = fc.record({
  source: fc.constantFrom(...SOURCES),
  row: fc.record({
    port: fc.option(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(22, 80, 443, 3389, 8080) },
        { weight: 2, arbitrary: fc.integer({ min: 0, max: 65535 }) },
      ),
      { nil: undefined, freq: 6 },
    ),
    reporter: fc.constantFrom('AWS/VPC', 'AWS/VPC', 'AWS/VPC', 'Cisco/ASA'),
    timeMs: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_300_000 }),
    eventCount: fc.integer({ min: 1, max: 5 }),
    target: fc.constantFrom(...TARGETS),
    reached: fc.boolean(),
    device: fc.constantFrom('fw-a', 'fw-a', 'fw-a', 'fw-b', ''),
  }),
});

describe('OpenWindows', () => {
  it('holds for every window the state an accumulator given the same rows holds, field for field, before and after its bin closed', () => {
    fc.assert(
      fc.property(fc.array(arbRow, { maxLength: 60 }), fc.integer({ min: 0, max: 6 }), (rows, threshold) => {
        const table = new OpenWindows();
        const accumulators = new Map<string, WindowAccumulator>();
        const closeAt = Math.floor(rows.length / 2);
        const overAtClose = new Map<string, boolean>();
        rows.forEach(({ source, row }, i) => {
          if (i === closeAt) {
            table.markClosed(threshold);
            for (const [s, a] of accumulators) overAtClose.set(s, a.ports.size > threshold);
          }
          let accumulator = accumulators.get(source);
          const isNew = accumulator === undefined;
          if (accumulator === undefined) {
            accumulator = new WindowAccumulator(false);
            accumulators.set(source, accumulator);
          }
          accumulator.add(row, 0);
          expect(table.add(source, row)).toBe(isNew);
        });
        expect(table.size).toBe(accumulators.size);
        const slots = new Map<string, number>();
        for (let slot = 0; slot < table.size; slot++) slots.set(table.sourceOf(slot), slot);
        expect([...slots.keys()].sort()).toEqual([...accumulators.keys()].sort());
        for (const [source, accumulator] of accumulators) {
          const slot = slots.get(source) as number;
          expect(table.portCount(slot)).toBe(accumulator.ports.size);
          // A window opened after the close was not over the threshold then.
          expect(table.overAtClose(slot)).toBe(overAtClose.get(source) ?? false);
          // The codec writes every field of the state, the evidence included.
          expect(encodeState(table.toState(slot, 'stream', 0))).toEqual(
            encodeState(accumulator.toState('stream', 0)),
          );
        }
        const over = [...accumulators].filter(([, a]) => a.ports.size > threshold).map(([s]) => s);
        expect(
          table
            .slotsOver(threshold)
            .map((slot) => table.sourceOf(slot))
            .sort(),
        ).toEqual(over.sort());
      }),
      { numRuns: 2000 },
    );
  });

  it('finds each of 100,000 sources again after the index has grown', () => {
    const table = new OpenWindows();
    const row = (port: number): WindowRow => ({
      port,
      reporter: 'AWS/VPC',
      timeMs: 0,
      eventCount: 1,
      target: '10.0.0.1',
      reached: false,
      device: 'vpc-1',
    });
    let opened = 0;
    for (let i = 0; i < 100_000; i++) if (table.add(dottedQuadOf(i * 40_503), row(1))) opened++;
    for (let i = 0; i < 100_000; i++) if (table.add(dottedQuadOf(i * 40_503), row(2))) opened++;
    expect(opened).toBe(100_000);
    expect(table.size).toBe(100_000);
    expect(table.slotsOver(1)).toHaveLength(100_000);
    expect(table.sourceOf(99_999)).toBe(dottedQuadOf(99_999 * 40_503));
  });
});

describe('plainDottedQuadValue', () => {
  it('reads exactly the texts that dottedQuadOf writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        expect(plainDottedQuadValue(dottedQuadOf(n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', ':'), maxLength: 17 }),
        (text) => {
          const n = plainDottedQuadValue(text);
          if (n >= 0) expect(dottedQuadOf(n)).toBe(text);
        },
      ),
    );
    for (const text of [
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '256.1.1.1',
      '1..2.3',
      '',
      '1.2.3.4 ',
      '1.2.3.0400',
    ])
      expect(plainDottedQuadValue(text)).toBe(-1);
  });
});
