import { describe, expect, it } from 'vitest';
import { MAX_STACKED_HEADERS, parseSyslog } from '../../../../lib/sources/formats/syslog.js';
import { normalizeText } from '../../../support/golden.js';

const REFERENCE_MS = Date.parse('2025-03-01T12:00:00Z');
const at = (iso: string) => Date.parse(iso);

describe('Syslog: parseSyslog', () => {
  it.each([
    ['EDT: %ASA-5-106100: x', '2025-03-01T13:34:34Z', 'EDT'],
    ['EST %ASA-5-106100: x', '2025-03-01T14:34:34Z', 'EST'],
    ['CEST: m', '2025-03-01T07:34:34Z', 'CEST'],
    ['UTC: m', '2025-03-01T09:34:34Z', 'UTC'],
    ['+02:00: m', '2025-03-01T07:34:34Z', '+02:00'],
    ['-0530: m', '2025-03-01T15:04:34Z', '-0530'],
    ['UTC+3: m', '2025-03-01T06:34:34Z', 'UTC+3'],
  ])('applies the zone after the time: "… 09:34:34 %s"', (tail, iso, zone) => {
    const header = parseSyslog(`Mar 01 2025 09:34:34 ${tail}`, REFERENCE_MS);
    expect(header.timestampMs).toBe(at(iso));
    expect(header.timeZone).toBe(zone);
    expect(header.hostname).toBeUndefined();
  });

  it.each(['CST', 'IST', 'BST', 'AST'])('leaves a %s time unread and says why', (zone) => {
    const header = parseSyslog(`Mar 01 2025 09:34:34 ${zone}: %ASA-4-106023: x`, REFERENCE_MS);
    expect(header.timestampMs).toBeUndefined();
    expect(header.timeProblem).toBe(`time zone ${zone} is ambiguous`);
  });

  it('reads an upper-case host that is no zone as the host', () => {
    const header = parseSyslog('Mar 01 2025 09:34:34 FW01 : %ASA-4-106023: x', REFERENCE_MS);
    expect(header).toMatchObject({ hostname: 'FW01', timestampMs: at('2025-03-01T09:34:34Z') });
    expect(parseSyslog('Mar 01 2025 09:34:34 FW : m', REFERENCE_MS).hostname).toBe('FW');
  });

  it("reads the device's header behind relays: its host and time, not the relays'", () => {
    const header = parseSyslog(
      '<134>Mar  1 10:00:09 relay-b Mar  1 10:00:08 relay-a <164>Mar 01 2025 10:00:07 asa-fw01 : %ASA-4-1',
      REFERENCE_MS,
    );
    expect(header).toMatchObject({
      format: 'rfc3164',
      hostname: 'asa-fw01',
      priority: 164,
      timestampMs: at('2025-03-01T10:00:07Z'),
      relayHeaders: 2,
      message: '%ASA-4-1',
    });
  });

  it("keeps the nearest relay's host when the device wrote none", () => {
    const header = parseSyslog('Mar  1 10:00:09 relay-a :Mar 01 2025 05:00:06 EST: %ASA-4-1', REFERENCE_MS);
    expect(header).toMatchObject({
      hostname: 'relay-a',
      timestampMs: at('2025-03-01T10:00:06Z'),
      relayHeaders: 1,
    });
  });

  it(`reads at most ${MAX_STACKED_HEADERS} stacked headers`, () => {
    const line = 'Mar  1 10:00:04 h4 Mar  1 10:00:03 h3 Mar  1 10:00:02 h2 Mar  1 10:00:01 h1 msg';
    const header = parseSyslog(line, REFERENCE_MS);
    expect(header.relayHeaders).toBe(MAX_STACKED_HEADERS - 1);
    expect(header.hostname).toBe('h2');
    expect(header.message).toBe('Mar  1 10:00:01 h1 msg');
  });

  it('reads the `<PRI>:` prefix of an ASA without a device id', () => {
    expect(parseSyslog('<166>:Mar 01 2025 10:00:05 EST: %ASA-6-1', REFERENCE_MS)).toMatchObject({
      priority: 166,
      timestampMs: at('2025-03-01T15:00:05Z'),
      message: '%ASA-6-1',
    });
  });
});

describe('Syslog: an ambiguous device zone and decision D3', () => {
  const line =
    'Mar 01 2025 04:00:09 CST: %ASA-4-106023: Deny tcp src outside:198.51.100.23/51238 dst inside:10.0.20.15/8447 by access-group "a" [0x0, 0x0]';

  it('takes the enqueued time and counts the fallback', () => {
    const result = normalizeText(line, { fallbackTime: '2025-03-01T10:00:30.000Z' });
    expect(result.records.map((r) => r.TimeGenerated)).toEqual(['2025-03-01T10:00:30.000Z']);
    expect(result.noted).toEqual({ 'cisco-asa: ambiguous time zone, enqueued time used': 1 });
  });

  it('reports no event time without an enqueued time (the CLI)', () => {
    const result = normalizeText(line);
    expect(result.records).toEqual([]);
    expect(result.invalid).toEqual({ 'cisco-asa: no event time': 1 });
    expect(result.normalizer.deadLetters[0]?.detail).toBe('time zone CST is ambiguous; no enqueued time');
  });

  it('counts a CEF line with an ambiguous zone the same way', () => {
    const cef =
      'Mar 01 2025 04:00:09 CST host CEF:0|Zscaler|NSSFWlog|5.7|Block/Drop|r|3|act=Block/Drop src=198.51.100.23 spt=1 dst=203.0.113.80 dpt=3389 proto=TCP';
    const result = normalizeText(cef, { fallbackTime: '2025-03-01T10:00:30.000Z' });
    expect(result.records.map((r) => [r.TimeGenerated, r.Dvc])).toEqual([
      ['2025-03-01T10:00:30.000Z', 'host'],
    ]);
    expect(result.noted).toEqual({ 'zscaler-zia-firewall: ambiguous time zone, enqueued time used': 1 });
  });
});
