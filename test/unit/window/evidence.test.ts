import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToTally,
  deviceOf,
  devicesOfWindow,
  EMPTY_TALLY,
  MAX_DEVICES_KEPT,
} from '../../../lib/window/DeviceTally.js';
import {
  canonicalTargetOf,
  MAX_TARGET_PORTS_KEPT,
  MAX_TARGETS_KEPT,
  mergeTargetSamples,
  TargetCollector,
  targetCountOf,
  targetHashOf,
} from '../../../lib/window/TargetSample.js';
import type { WindowRow } from '../../../lib/window/WindowState.js';
import { emptyState, WindowAccumulator } from '../../../lib/window/WindowState.js';

/** Destinations: more than the sample holds, spellings of one address, and text that is no address. */
const TARGETS = [
  ...Array.from({ length: 90 }, (_, i) => `203.0.113.${i}`),
  '2001:db8::7',
  '2001:0DB8:0:0::7',
  '::ffff:203.0.113.5',
  'fe80::1%eth0',
  'not-an-address',
  '010.0.0.1',
];
const DEVICES = ['fw-a', 'fw-b', 'fw-c', ...Array.from({ length: 20 }, (_, i) => `host-${i}`)];

const arbRows = fc.array(
  fc.record({
    port: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    target: fc.option(fc.constantFrom(...TARGETS), { nil: undefined }),
    reached: fc.boolean(),
    device: fc.constantFrom('', ...DEVICES),
    eventCount: fc.integer({ min: 1, max: 4 }),
  }),
  { maxLength: 300 },
);

function toRow(r: {
  port: number | undefined;
  target: string | undefined;
  reached: boolean;
  device: string;
  eventCount: number;
}): WindowRow {
  return { ...r, reporter: 'AWS/VPC', timeMs: 1_700_000_000_000 };
}

/** What the evidence of these rows is, computed the long way. */
function reference(rows: readonly ReturnType<typeof toRow>[]) {
  const reached = [...new Set(rows.flatMap((r) => (r.port !== undefined && r.reached ? [r.port] : [])))].sort(
    (a, b) => a - b,
  );
  const byTarget = new Map<string, Set<number>>();
  let hasPortsWithoutTarget = false;
  for (const r of rows) {
    const address = r.target === undefined ? undefined : canonicalTargetOf(r.target);
    if (address === undefined) {
      if (r.port !== undefined) hasPortsWithoutTarget = true;
      continue;
    }
    const ports = byTarget.get(address) ?? new Set<number>();
    if (r.port !== undefined) ports.add(r.port);
    byTarget.set(address, ports);
  }
  const entries = [...byTarget]
    .map(([address, ports]) => ({
      address,
      hash: targetHashOf(address),
      ports: [...ports].sort((a, b) => a - b).slice(0, MAX_TARGET_PORTS_KEPT),
    }))
    .sort((a, b) => a.hash - b.hash || (a.address < b.address ? -1 : 1))
    .slice(0, MAX_TARGETS_KEPT);
  const events = new Map<string, number>();
  for (const r of rows) if (r.device !== '') events.set(r.device, (events.get(r.device) ?? 0) + r.eventCount);
  const names = [...events.keys()].sort();
  return {
    reached,
    targets: { entries, hasPortsWithoutTarget },
    devices: {
      devices: names.slice(0, MAX_DEVICES_KEPT).map((name) => ({ name, events: events.get(name) })),
      otherEvents: names.slice(MAX_DEVICES_KEPT).reduce((t, n) => t + (events.get(n) as number), 0),
    },
  };
}

describe('WindowAccumulator: evidence', () => {
  it('collects the ports reached, the targets and the devices exactly as the long way does, with or without message tracking', () => {
    fc.assert(
      fc.property(arbRows, fc.integer({ min: 1, max: 7 }), (raw, perMessage) => {
        const rows = raw.map(toRow);
        const expected = reference(rows);
        const cli = new WindowAccumulator(false);
        const hub = new WindowAccumulator(true);
        rows.forEach((r, i) => {
          cli.add(r, 0);
          hub.add(r, 10 + Math.floor(i / perMessage));
        });
        for (const state of [cli.toState('0', 0), hub.applyTo(emptyState(), '0')]) {
          expect(state.reached.toSortedArray()).toEqual(expected.reached);
          expect(state.targets).toEqual(expected.targets);
          expect(state.counts.get('0')?.devices).toEqual(expected.devices);
        }
      }),
      { seed: 19, numRuns: 300 },
    );
  });

  it('counts only the messages above the stored high-water mark for each device', () => {
    // Prepare: messages 5 and 6 were stored; a redelivered batch holds 5, 6 and a new 7.
    const first = new WindowAccumulator(true);
    first.add(toRow({ port: 22, target: '203.0.113.1', reached: false, device: 'fw-a', eventCount: 2 }), 5);
    first.add(toRow({ port: 23, target: '203.0.113.1', reached: false, device: 'fw-b', eventCount: 1 }), 6);
    const stored = first.applyTo(emptyState(), '1');
    const again = new WindowAccumulator(true);
    again.add(toRow({ port: 22, target: '203.0.113.1', reached: false, device: 'fw-a', eventCount: 2 }), 5);
    again.add(toRow({ port: 23, target: '203.0.113.1', reached: false, device: 'fw-b', eventCount: 1 }), 6);
    again.add(toRow({ port: 24, target: '203.0.113.2', reached: true, device: 'fw-b', eventCount: 4 }), 7);
    // Act
    const next = again.applyTo(stored, '1');
    // Assess
    expect(next.counts.get('1')).toEqual({
      highWater: 7,
      count: 7,
      devices: {
        devices: [
          { name: 'fw-a', events: 2 },
          { name: 'fw-b', events: 5 },
        ],
        otherEvents: 0,
      },
    });
    expect(next.reached.toSortedArray()).toEqual([24]);
    expect(next.targets.entries.map((e) => [e.address, e.ports])).toEqual(
      [
        ['203.0.113.1', [22, 23]],
        ['203.0.113.2', [24]],
      ].sort((a, b) => targetHashOf(a[0] as string) - targetHashOf(b[0] as string)),
    );
  });
});

describe('TargetSample', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:0DB8:0000::0001', '2001:db8::1'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', undefined],
    ['203.0.113.256', undefined],
    ['010.0.0.1', undefined],
    ['gateway.example', undefined],
  ])('reads %s as the target %s', (text, expected) => {
    expect(canonicalTargetOf(text)).toBe(expected);
  });

  it('counts targets exactly below the sample size and estimates within 20 % above it', () => {
    for (const n of [1, 63]) {
      const c = new TargetCollector();
      for (let i = 0; i < n; i++) c.add(`198.51.${i >> 8}.${i & 255}`, 80);
      expect(targetCountOf(c.toSample(false))).toEqual({ count: n, isExact: true });
    }
    for (const n of [1_000, 65_536]) {
      const c = new TargetCollector();
      for (let i = 0; i < n; i++) c.add(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 443);
      const { count, isExact } = targetCountOf(c.toSample(false));
      expect(isExact).toBe(false);
      expect(Math.abs(count - n) / n).toBeLessThan(0.2);
    }
  });

  it('samples the same targets whatever the split of the rows, as the lattice join', () => {
    fc.assert(
      fc.property(arbRows, fc.nat(), (raw, cut) => {
        const rows = raw.map(toRow);
        const at = rows.length === 0 ? 0 : cut % rows.length;
        const all = new WindowAccumulator(false);
        const left = new WindowAccumulator(false);
        const right = new WindowAccumulator(false);
        rows.forEach((r, i) => {
          all.add(r, 0);
          (i < at ? left : right).add(r, 0);
        });
        expect(mergeTargetSamples(left.targets(), right.targets())).toEqual(all.targets());
      }),
      { seed: 23, numRuns: 200 },
    );
  });
});

describe('DeviceTally', () => {
  it('keeps the 16 smallest names with exact events and the rest together', () => {
    const additions = Array.from(
      { length: 20 },
      (_, i) => [`dvc-${String(i).padStart(2, '0')}`, i + 1] as const,
    );
    const tally = addToTally(EMPTY_TALLY, additions);
    expect(tally.devices).toHaveLength(16);
    expect(tally.devices[15]).toEqual({ name: 'dvc-15', events: 16 });
    expect(tally.otherEvents).toBe(17 + 18 + 19 + 20);
    // A smaller name arriving later pushes the largest kept one out, with its events.
    const later = addToTally(tally, [['dvc-!', 5]]);
    expect(later.devices[0]).toEqual({ name: 'dvc-!', events: 5 });
    expect(later.otherEvents).toBe(17 + 18 + 19 + 20 + 16);
  });

  it("lists a window's devices by events, over partitions, saying when some are not listed", () => {
    const a = addToTally(EMPTY_TALLY, [
      ['fw-b', 3],
      ['fw-a', 1],
    ]);
    const b = addToTally(EMPTY_TALLY, [['fw-a', 4]]);
    expect(devicesOfWindow([a, b])).toEqual({
      devices: [
        { name: 'fw-a', events: 5 },
        { name: 'fw-b', events: 3 },
      ],
      isComplete: true,
    });
    expect(devicesOfWindow([a, { devices: [], otherEvents: 2 }]).isComplete).toBe(false);
  });

  it.each([
    [['fw-1', 'fw-host', '10.0.0.1', 'id-1'], 'fw-1'],
    [[undefined, 'fw-host', '10.0.0.1', 'id-1'], 'fw-host'],
    [[undefined, undefined, '10.0.0.1', 'id-1'], '10.0.0.1'],
    [[undefined, undefined, undefined, 'id-1'], 'id-1'],
    [[undefined, undefined, undefined, undefined], ''],
  ] as const)('names the device of %j as %s', (fields, expected) => {
    expect(deviceOf(fields[0], fields[1], fields[2], fields[3])).toBe(expected);
  });

  it.each([
    [
      '/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG-PROD/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-WEB',
      'RG-PROD/NSG-WEB',
    ],
    [
      '/subscriptions/0000/resourceGroups/rg-hub/providers/Microsoft.Network/azureFirewalls/fw-hub',
      'rg-hub/fw-hub',
    ],
    [
      '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/web',
      'rg/web',
    ],
  ])('reads the resource id %s as %s', (id, expected) => {
    expect(deviceOf(id, undefined, undefined, undefined)).toBe(expected);
  });

  it('keeps the end of a name over 64 characters', () => {
    const name = deviceOf(`host-${'x'.repeat(100)}-edge-07`, undefined, undefined, undefined);
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^…x+-edge-07$/);
  });
});
