import { describe, expect, it } from 'vitest';
import { DROP_REASONS, SourceFilter } from '../../../lib/filter/SourceFilter.js';

describe('SourceFilter: default mode (decision D1)', () => {
  const filter = new SourceFilter('default', ['198.51.100.0/24', '2001:db8:dead::/48']);

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['0.0.0.0', '0.0.0.0'],
    ['100.64.0.1', '100.64.0.1'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:cb00:7107', '203.0.113.7'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
  ])('counts %s as %s', (raw, canonical) => {
    expect(filter.judge(raw)).toEqual({ counts: true, source: canonical });
  });

  it.each([
    ['10.1.2.3'],
    ['172.16.0.1'],
    ['172.31.255.255'],
    ['192.168.1.1'],
    ['169.254.10.10'],
    ['127.0.0.1'],
    ['127.0.0.2'],
    ['::1'],
    ['fc00::1'],
    ['fd12:3456::1'],
    ['fe80::1'],
    ['fe80::1%eth0'],
    ['::ffff:10.0.0.1'],
    ['::ffff:127.0.0.1'],
  ])('drops the private, loopback or link-local source %s', (raw) => {
    expect(filter.judge(raw)).toEqual({ counts: false, reason: DROP_REASONS.privateSource });
  });

  it('counts 172.32.0.1, just outside 172.16.0.0/12', () => {
    expect(filter.judge('172.32.0.1')).toEqual({ counts: true, source: '172.32.0.1' });
  });

  it.each([['198.51.100.9'], ['::ffff:198.51.100.9'], ['2001:db8:dead:1::5']])(
    'drops %s, inside a user exclusion',
    (raw) => {
      expect(filter.judge(raw)).toEqual({ counts: false, reason: DROP_REASONS.excludedSource });
    },
  );

  it.each([
    ['not-an-ip'],
    ['1.2.3'],
    ['010.1.2.3'],
    ['256.1.1.1'],
    ['1.2.3.4/24'],
    ['host.example.com'],
    [':::'],
  ])('drops the unparseable source %s under its own reason', (raw) => {
    expect(filter.judge(raw)).toEqual({ counts: false, reason: DROP_REASONS.invalidSource });
  });

  it.each([[undefined], ['']])('drops a missing source (%s) under its own reason', (raw) => {
    expect(filter.judge(raw)).toEqual({ counts: false, reason: DROP_REASONS.missingSource });
  });
});

describe('SourceFilter: sentinel-parity mode (the KQL literally)', () => {
  const filter = new SourceFilter('sentinel-parity');

  it.each([['203.0.113.7'], ['169.254.1.1'], ['127.0.0.2'], ['100.64.0.1'], ['0.0.0.0']])(
    'counts %s under the same string',
    (raw) => {
      expect(filter.judge(raw)).toEqual({ counts: true, source: raw });
    },
  );

  it.each([['10.0.0.1'], ['172.16.5.5'], ['192.168.0.1'], ['127.0.0.1']])('drops %s', (raw) => {
    expect(filter.judge(raw)).toEqual({ counts: false, reason: DROP_REASONS.privateSource });
  });

  it.each([['2001:db8::1'], ['::ffff:203.0.113.7'], ['::1']])('never counts the IPv6 source %s', (raw) => {
    expect(filter.judge(raw)).toEqual({ counts: false, reason: DROP_REASONS.ipv6Source });
  });

  it('applies user exclusions in this mode too', () => {
    const f = new SourceFilter('sentinel-parity', ['203.0.113.0/24']);
    expect(f.judge('203.0.113.9')).toEqual({ counts: false, reason: DROP_REASONS.excludedSource });
  });

  it('rejects an invalid exclusion CIDR', () => {
    expect(() => new SourceFilter('default', ['10.0.0.0/33'])).toThrow(RangeError);
  });
});
