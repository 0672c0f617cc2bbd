import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  DETECTION_MODES,
  type DetectionMode,
  DROP_REASONS,
  parseRange,
  SourceFilter,
  type SourceVerdict,
} from '../../../lib/filter/SourceFilter.js';

const SEED = 20261129;

/** Decision D1's excluded ranges (docs/decisions.md): the KQL's private IPv4, and the default mode's additions. */
const KQL_PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const DEFAULT_EXCLUDED = [
  ...KQL_PRIVATE,
  '169.254.0.0/16',
  '127.0.0.0/8',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/** Decision D1 read literally through ipaddr.js, one string at a time and nothing remembered: the reference. */
function referenceOf(
  mode: DetectionMode,
  userCidrs: readonly string[],
): (raw: string | undefined) => SourceVerdict {
  const ranges = (mode === 'default' ? DEFAULT_EXCLUDED : KQL_PRIVATE).map(parseRange);
  const user = userCidrs.map(parseRange);
  const inAny = (a: ipaddr.IPv4 | ipaddr.IPv6, rs: ReturnType<typeof parseRange>[]) =>
    rs.some(([r, bits]) => r.kind() === a.kind() && a.match(r as typeof a, bits));
  return (raw) => {
    if (raw === undefined || raw === '') return { counts: false, reason: DROP_REASONS.missingSource };
    const isV4 = ipaddr.IPv4.isValidFourPartDecimal(raw);
    const isV6 = !isV4 && raw.includes(':') && ipaddr.IPv6.isValid(raw);
    if (mode === 'sentinel-parity') {
      if (!isV4)
        return { counts: false, reason: isV6 ? DROP_REASONS.ipv6Source : DROP_REASONS.invalidSource };
      const a = ipaddr.IPv4.parse(raw);
      if (inAny(a, ranges) || raw === '127.0.0.1')
        return { counts: false, reason: DROP_REASONS.privateSource };
      if (inAny(a, user)) return { counts: false, reason: DROP_REASONS.excludedSource };
      return { counts: true, source: raw };
    }
    let a: ipaddr.IPv4 | ipaddr.IPv6;
    if (isV4) a = ipaddr.IPv4.parse(raw);
    else if (isV6) {
      const v6 = ipaddr.IPv6.parse(raw);
      a = v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
    } else return { counts: false, reason: DROP_REASONS.invalidSource };
    if (inAny(a, ranges)) return { counts: false, reason: DROP_REASONS.privateSource };
    if (inAny(a, user)) return { counts: false, reason: DROP_REASONS.excludedSource };
    return {
      counts: true,
      source: a.kind() === 'ipv4' ? a.toString() : (a as ipaddr.IPv6).toRFC5952String(),
    };
  };
}

const octet = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.constantFrom('0', '00', '01', '010', '256', '999', '1000', '-1', '+1', '', ' 1', '1 ', '٣', 'a'),
);
const quad = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const plainQuad = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const candidate = fc.oneof(
  { weight: 4, arbitrary: quad },
  { weight: 1, arbitrary: fc.tuple(octet, octet, octet).map((o) => o.join('.')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '10.0.0.1',
      '172.15.255.255',
      '172.16.0.0',
      '172.31.255.255',
      '172.32.0.0',
      '192.168.1.1',
      '192.169.0.1',
      '127.0.0.1',
      '127.0.0.2',
      '169.254.0.1',
      '169.253.0.1',
      '198.51.100.7',
      '198.51.101.7',
      '203.0.113.255',
      '1.2.3.4.5',
      '1.2.3.',
      '::ffff:10.0.0.1',
      '::ffff:198.51.100.7',
      '::FFFF:cb00:7107',
      '0x7f.0.0.1',
      'fe80::1%eth0',
      '2001:db8::1%1',
      '2001:DB8:0:0:0:0:0:1',
      '2001:db8:dead:1::5',
      '::',
      '::1',
    ),
  },
  { weight: 2, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: plainQuad.map((q) => `::ffff:${q}`) },
  { weight: 1, arbitrary: plainQuad.map((q) => `::FFFF:${q}`) },
  { weight: 1, arbitrary: fc.tuple(fc.ipV6(), fc.constantFrom('%eth0', '%1', '%')).map(([a, z]) => a + z) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

/** User exclusions of every kind: IPv4 of several lengths (/0 aside), IPv4-mapped IPv6, IPv6. */
const USER_CIDRS = [
  [],
  ['198.51.100.0/24', '2001:db8:dead::/48'],
  ['203.0.113.255/32', '128.0.0.0/1', '::ffff:198.51.100.0/120', '100.64.0.0/10', '1.2.3.4'],
  ['0.0.0.0/0'],
];

describe('SourceFilter: plain dotted quads read without ipaddr.js', () => {
  it.each(DETECTION_MODES.flatMap((mode) => USER_CIDRS.map((cidrs) => [mode, cidrs] as const)))(
    'gives the verdict ipaddr.js gives, in %s mode with exclusions %j',
    (mode, cidrs) => {
      const filter = new SourceFilter(mode, cidrs);
      const reference = referenceOf(mode, cidrs);
      fc.assert(
        fc.property(candidate, (raw) => {
          expect(filter.judge(raw)).toEqual(reference(raw));
        }),
        { seed: SEED, numRuns: 3000 },
      );
    },
  );
});

describe('SourceFilter: remembered verdicts', () => {
  it.each(DETECTION_MODES)('judges a stream as filters that remember nothing do, in %s mode', (mode) => {
    // Prepare: 20,000 distinct public quads (far more than the 4,096 slots, so slots are
    // overwritten), repeated in a seeded order beside IPv6 and odd spellings.
    const cidrs = USER_CIDRS[2] as string[];
    const distinct = fc.sample(
      fc.oneof({ weight: 3, arbitrary: plainQuad }, { weight: 1, arbitrary: candidate }),
      {
        seed: SEED,
        numRuns: 12_000,
      },
    );
    const stream = fc.sample(fc.constantFrom(...distinct), { seed: SEED + 1, numRuns: 40_000 });
    const shared = new SourceFilter(mode, cidrs);
    const reference = referenceOf(mode, cidrs);

    // Act and assess: each verdict of the shared filter is the one a fresh filter gives.
    for (const raw of stream) {
      const verdict = shared.judge(raw);
      const fresh = reference(raw);
      if (verdict.counts !== fresh.counts || JSON.stringify(verdict) !== JSON.stringify(fresh))
        expect({ raw, verdict }).toEqual({ raw, verdict: fresh });
    }
    expect(new Set(stream).size).toBeGreaterThan(4096);
  });

  it('reports a source by its own text, not by an earlier address that shared its slot', () => {
    const filter = new SourceFilter('default');
    const sources = Array.from({ length: 20_000 }, (_, i) => `11.${(i >> 8) & 255}.${i & 255}.${i % 7}`);
    for (const raw of [...sources, ...[...sources].reverse()])
      expect(filter.judge(raw)).toEqual({ counts: true, source: raw });
  });
});
