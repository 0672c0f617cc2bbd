import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETECTION_MODES, SourceFilter } from '../../../lib/filter/SourceFilter.js';

const SEED = 20261129;

const octet = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.constantFrom('0', '00', '01', '010', '256', '999', '1000', '-1', '+1', '', ' 1', '1 ', '٣', 'a'),
);
const candidate = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')) },
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
      '1.2.3.4.5',
      '1.2.3.',
      '::ffff:10.0.0.1',
      '0x7f.0.0.1',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

describe('SourceFilter: plain dotted quads read without ipaddr.js', () => {
  it.each(DETECTION_MODES)('gives the verdict ipaddr.js gives, in %s mode', (mode) => {
    const fast = new SourceFilter(mode);
    // An IPv6 exclusion no IPv4 address can fall in: it sends every verdict through ipaddr.js.
    const reference = new SourceFilter(mode, ['::2/128']);
    fc.assert(
      fc.property(candidate, (raw) => {
        expect(fast.judge(raw)).toEqual(reference.judge(raw));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
