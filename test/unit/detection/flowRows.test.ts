import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamingDetector } from '../../../lib/detection/StreamingDetector.js';
import type { Alert } from '../../../lib/schema/Alert.js';
import { openInput } from '../../../lib/sources/pipeline/decodeInput.js';
import {
  isoFromEpochMillis,
  isoFromEpochSeconds,
  millisOfIso,
} from '../../../lib/sources/pipeline/fields.js';
import { Normalizer } from '../../../lib/sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../../../lib/sources/pipeline/registry.js';
import { testSettings } from '../../support/settings.js';

/**
 * The flow rows of NSG and VNet flow logs (`DecodeSink.flow`, `StreamingDetector.addFlow`) held to
 * the NetworkSession path they replace in `portscan detect`: over generated records (bin edges,
 * private, public and IPv6 sources, bad tuples, version 1 and 2 tuples mixed, long rule names),
 * every count, dead letter, drop and alert is the same; with the threshold at 0 every window
 * alerts, so each window's whole state is compared through its alert.
 */

const SEED = 20261205;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
/** A bin boundary (5-minute bins): tuples land on both sides of it. */
const EDGE_S = 1_764_979_200;

const SOURCES = [
  '203.0.113.7',
  '203.0.113.8',
  '198.51.100.23',
  '8.8.8.8',
  '10.1.2.3',
  '192.168.0.9',
  '172.16.5.4',
  '127.0.0.1',
  '0.0.0.0',
  '2001:db8::1',
  '2001:0db8:0000::0001',
  '::ffff:203.0.113.7',
  'fe80::1%eth0',
  '203.0.113.007',
];
const TARGETS = ['10.0.0.4', '10.0.0.5', '10.0.0.6', '2001:db8::a', '20.1.2.3'];

const seconds = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(-601, -301, -300, -1, 0, 1, 299, 300, 301, 600) },
  { weight: 5, arbitrary: fc.integer({ min: -900, max: 7_200 }) },
  // Past the CLI's retention (7 days) on either side.
  fc.constantFrom(86_400 * 8, -86_400 * 8),
);
const port = fc.oneof(fc.constantFrom(22, 80, 443, 3389), fc.integer({ min: 0, max: 65_535 }));

/** Field values of a tuple, mostly good, sometimes not. */
const tupleParts = fc.record({
  at: seconds,
  src: fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...SOURCES) },
    fc.constantFrom('', 'x.y', '1.2.3', '300.1.1.1', 'fe80::1%'),
  ),
  dst: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...TARGETS) }, fc.constantFrom('', 'nope')),
  srcPort: fc.oneof({ weight: 30, arbitrary: port.map(String) }, fc.constantFrom('', '70000', 'a')),
  dstPort: fc.oneof({ weight: 30, arbitrary: port.map(String) }, fc.constantFrom('', '65536', '-1', '1.5')),
  allowed: fc.boolean(),
  inbound: fc.boolean(),
  v2: fc.boolean(),
  state: fc.oneof({ weight: 20, arbitrary: fc.constantFrom('B', 'C', 'E', 'D') }, fc.constant('X')),
  protocol: fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom('6', '17', '1', '200') },
    fc.constant('256'),
    fc.integer({ min: 0, max: 255 }).map(String),
  ),
  counters: fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(',,,,', ',1,100,2,200') },
    fc.constant(',x,1,1,1'),
  ),
  broken: fc.oneof(
    { weight: 30, arbitrary: fc.constant<'none' | 'time' | 'fields' | 'type'>('none') },
    fc.constantFrom<'none' | 'time' | 'fields' | 'type'>('time', 'fields', 'type'),
  ),
});
type TupleParts = typeof tupleParts extends fc.Arbitrary<infer T> ? T : never;

function nsgTuple(t: TupleParts): unknown {
  if (t.broken === 'type') return 42;
  const time = t.broken === 'time' ? 'x' : String(EDGE_S + t.at);
  const head = `${time},${t.src},${t.dst},${t.srcPort},${t.dstPort},${t.protocol === '17' ? 'U' : 'T'},${t.inbound ? 'I' : 'O'},${t.allowed ? 'A' : 'D'}`;
  const tuple = t.v2 ? `${head},${t.state === 'D' ? 'E' : t.state}${t.counters}` : head;
  return t.broken === 'fields' ? `${tuple},1` : tuple;
}

function vnetTuple(t: TupleParts): unknown {
  if (t.broken === 'type') return null;
  const time = t.broken === 'time' ? '-5' : String((EDGE_S + t.at) * 1000 + (t.at & 7) * 111);
  const state = t.allowed ? (t.state === 'D' ? 'B' : t.state) : 'D';
  const tuple = `${time},${t.src},${t.dst},${t.srcPort},${t.dstPort},${t.protocol},${t.inbound ? 'I' : 'O'},${state},NX${t.counters}`;
  return t.broken === 'fields' ? tuple.slice(0, tuple.lastIndexOf(',')) : tuple;
}

const rule = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('DefaultRule_DenyAllInBound', 'UserRule_AllowWeb') },
  fc.constant('R'.repeat(60)),
  fc.constant(''),
  fc.constant(7),
);
const groups = fc.array(fc.record({ rule, tuples: fc.array(tupleParts, { maxLength: 20 }) }), {
  maxLength: 3,
});

const nsgRecord = fc.record({ groups, mac: fc.boolean() }).map(({ groups: gs, mac }) => ({
  time: '2025-12-06T00:00:00.0000000Z',
  category: 'NetworkSecurityGroupFlowEvent',
  resourceId: mac
    ? '/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG1'
    : 'nsg-2',
  operationName: 'NetworkSecurityGroupFlowEvents',
  properties: {
    Version: 2,
    flows: gs.map((g) => ({
      rule: g.rule,
      flows: [{ mac: '000D3AF87856', flowTuples: g.tuples.map(nsgTuple) }],
    })),
  },
}));

const vnetRecord = fc.record({ groups, acl: fc.boolean() }).map(({ groups: gs, acl }) => ({
  time: '2025-12-06T00:00:00.0000000Z',
  flowLogVersion: 4,
  category: 'FlowLogFlowEvent',
  flowLogResourceID:
    '/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NW/FLOWLOGS/FL',
  flowRecords: {
    flows: [
      {
        ...(acl ? { aclID: '00000000-1234-abcd-ef00-c1c2c3c4c5c6' } : {}),
        flowGroups: gs.map((g) => ({ rule: g.rule, flowTuples: g.tuples.map(vnetTuple) })),
      },
    ],
  },
}));

/** Lines of `{"records":[…]}` envelopes, NSG and VNet records mixed, with an ASIM line now and then. */
const lines = fc.array(
  fc.oneof(
    fc
      .array(fc.oneof(nsgRecord, vnetRecord), { minLength: 1, maxLength: 3 })
      .map((records) => JSON.stringify({ records })),
    fc.constant(
      '{"TimeGenerated":"2025-12-06T00:04:59Z","EventVendor":"V","EventProduct":"P","SrcIpAddr":"203.0.113.7","DstPortNumber":9}',
    ),
  ),
  { maxLength: 12 },
);

/** Everything `portscan detect` reports for `input`, its flow tuples read as sessions or as flow rows. */
function outcome(input: readonly string[], flowRows: boolean, threshold: number, maxFieldChars?: number) {
  const alerts: Alert[] = [];
  // Threshold 0 (below what the settings accept): every window with a port alerts.
  const settings = { ...testSettings(), threshold };
  const detector = new StreamingDetector(settings, (a) => alerts.push(a));
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format: 'auto', maxDeadLetters: 1000, ...(maxFieldChars === undefined ? {} : { maxFieldChars }) },
    (s) => detector.add(s),
    flowRows ? (tuple, group) => detector.addFlow(tuple, group) : undefined,
  );
  const splitter = openInput(normalizer, {
    input: 'x',
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2025-12-06T00:00:00Z'),
    maxDocumentChars: 1 << 20,
  });
  input.forEach((line, i) => {
    splitter.line(line, i + 1);
  });
  splitter.end();
  detector.finish();
  const c = normalizer.counts;
  return {
    itemsRead: c.itemsRead,
    recordsNormalized: c.recordsNormalized,
    skipped: Object.fromEntries(c.skipped),
    invalid: Object.fromEntries(c.invalid),
    noted: Object.fromEntries(c.noted),
    bySource: Object.fromEntries(c.bySource),
    deadLetters: normalizer.deadLetters,
    drops: Object.fromEntries(detector.router.drops),
    detector: detector.counts,
    alerts,
  };
}

describe('flow rows (NSG and VNet flow logs without a NetworkSession per tuple)', () => {
  it('give the same counts, drops, dead letters, alerts and window states as the sessions they replace', () => {
    fc.assert(
      fc.property(
        lines,
        fc.constantFrom(0, 2, 30),
        fc.constantFrom(undefined, 20, 45, 4096),
        (input, threshold, max) => {
          const full = outcome(input, false, threshold, max);
          expect(outcome(input, true, threshold, max)).toEqual(full);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('compares what matters: the generated inputs make windows alert, late, and drop and reject tuples', () => {
    // The property above is not vacuous: its inputs reach every branch compared.
    const total = new Map<string, number>();
    const add = (key: string, n = 1) => total.set(key, (total.get(key) ?? 0) + n);
    for (const input of fc.sample(lines, { seed: SEED, numRuns: 60 })) {
      const result = outcome(input, true, 0);
      add('alerts', result.alerts.length);
      add('late alerts', result.alerts.filter((a) => a.IsLate).length);
      add('rows counted', result.detector.rowsCounted);
      add('beyond retention', result.detector.beyondRetention);
      for (const [reason, n] of Object.entries(result.drops)) add(reason, n);
      for (const [reason, n] of Object.entries(result.invalid)) add(reason, n);
      for (const [reason, n] of Object.entries(outcome(input, true, 0, 45).invalid)) add(`45: ${reason}`, n);
    }
    for (const key of [
      'alerts',
      'late alerts',
      'rows counted',
      'beyond retention',
      'private, loopback or link-local source',
      'invalid source address',
      'azure-nsg-flow: malformed flow tuple',
      'azure-vnet-flow: malformed flow tuple',
      '45: azure-nsg-flow: field over the size limit',
      '45: azure-vnet-flow: field over the size limit',
    ])
      expect(total.get(key), key).toBeGreaterThan(10);
  });

  it("times a tuple by the instant its ISO time names (the decoders' timeMs is millisOfIso(time))", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n - 1n }), (n) => {
        const text = String(n);
        const iso = isoFromEpochSeconds(text);
        if (iso !== undefined) expect(millisOfIso(iso)).toBe(Number(text) * 1000);
      }),
      { seed: SEED, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), (n) => {
        const text = String(n);
        const iso = isoFromEpochMillis(text);
        if (iso !== undefined) expect(millisOfIso(iso)).toBe(Number(text));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
