import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnownScanners } from '../../../lib/config/loadKnownScanners.js';
import { ConfigurationError } from '../../../lib/errors.js';
import { KnownScanners } from '../../../lib/filter/KnownScanners.js';

const at = (iso: string) => Date.parse(iso);
const LIST = new KnownScanners([
  { cidr: '198.51.100.0/24', reason: 'research scanner A', expires: '2026-12-31' },
  { cidr: '198.51.100.128/25', reason: 'research scanner A, one site', expires: '2026-06-30' },
  { cidr: '203.0.113.7', reason: 'our vulnerability scanner', expires: '2027-01-01T12:00:00Z' },
  { cidr: '2001:db8:5ca::/48', reason: 'research scanner B', expires: '2026-12-31' },
  { cidr: '::ffff:192.0.2.0/120', reason: 'mapped entry', expires: '2026-12-31' },
]);

describe('KnownScanners: matching', () => {
  it.each([
    ['198.51.100.9', '2026-11-01T10:05:00Z', '198.51.100.0/24'],
    // The most specific entry wins while it holds; after it expires, the wider one still matches.
    ['198.51.100.200', '2026-06-01T10:05:00Z', '198.51.100.128/25'],
    ['198.51.100.200', '2026-11-01T10:05:00Z', '198.51.100.0/24'],
    ['203.0.113.7', '2027-01-01T12:00:00Z', '203.0.113.7'],
    ['203.0.113.7', '2027-01-01T12:05:00Z', undefined],
    ['203.0.113.8', '2026-11-01T10:05:00Z', undefined],
    ['2001:db8:5ca:1::77', '2026-11-01T10:05:00Z', '2001:db8:5ca::/48'],
    ['2001:db8:5cb::1', '2026-11-01T10:05:00Z', undefined],
    ['::ffff:198.51.100.9', '2026-11-01T10:05:00Z', '198.51.100.0/24'],
    ['192.0.2.44', '2026-11-01T10:05:00Z', '::ffff:192.0.2.0/120'],
    // A date expires at the end of that day (UTC).
    ['198.51.100.9', '2026-12-31T23:55:00Z', '198.51.100.0/24'],
    ['198.51.100.9', '2027-01-01T00:05:00Z', undefined],
    ['not an address', '2026-11-01T10:05:00Z', undefined],
  ])('matches %s at a bin ending %s to %s', (source, binEnd, cidr) => {
    expect(LIST.match(source, at(binEnd))?.cidr).toBe(cidr);
  });

  it('reports the entries expired by a given time', () => {
    expect(LIST.expiredAt(at('2026-07-01T00:00:00Z')).map((e) => e.cidr)).toEqual(['198.51.100.128/25']);
    expect(LIST.expiredAt(at('2027-01-02T00:00:00Z'))).toHaveLength(5);
  });
});

describe('loadKnownScanners', () => {
  it('reads an inline array and a file', () => {
    const json = '[{"cidr":"198.51.100.0/24","reason":"research","expires":"2026-12-31"}]';
    expect(loadKnownScanners(json, 'PORTSCAN_KNOWN_SCANNERS').size).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), 'portscan-known-'));
    const path = join(dir, 'known-scanners.json');
    writeFileSync(path, json);
    expect(loadKnownScanners(path, '--known-scanners').entries[0]?.reason).toBe('research');
  });

  it.each([
    ['[{"cidr":"198.51.100.0/33","reason":"x","expires":"2026-12-31"}]', 'entry 0.cidr'],
    ['[{"cidr":"198.51.100.0/24","reason":"","expires":"2026-12-31"}]', 'entry 0.reason'],
    ['[{"cidr":"198.51.100.0/24","reason":"x","expires":"2026-02-30"}]', 'entry 0.expires'],
    ['[{"cidr":"198.51.100.0/24","reason":"x"}]', 'entry 0.expires'],
    ['[{"cidr":"198.51.100.0/24","reason":"x","expires":"2026-12-31","note":1}]', 'entry 0'],
    ['[{"cidr"', 'not valid JSON'],
    ['/nonexistent/known.json', 'cannot read the known-scanners file /nonexistent/known.json'],
  ])('refuses %s, naming %s', (raw, problem) => {
    expect(() => loadKnownScanners(raw, 'PORTSCAN_KNOWN_SCANNERS')).toThrow(ConfigurationError);
    expect(() => loadKnownScanners(raw, 'PORTSCAN_KNOWN_SCANNERS')).toThrow(problem);
  });
});
