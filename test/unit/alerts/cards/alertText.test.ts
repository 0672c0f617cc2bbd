import { describe, expect, it } from 'vitest';
import { renderAlertLink } from '../../../../lib/alerts/cards/alertLink.js';
import {
  formatCount,
  formatPortRanges,
  formatSeen,
  formatWindow,
  joinWithinLimit,
  mitreTechniqueUrl,
  toSingleLine,
  truncateText,
} from '../../../../lib/alerts/cards/alertText.js';
import { sampleAlert } from '../../../support/alerts.js';

describe('Alert text: ports', () => {
  it.each([
    [[], ''],
    [[80], '80'],
    [[21, 22, 23, 80, 443, 444], '21–23, 80, 443–444'],
    [[0, 65535], '0, 65535'],
  ])('formats %j as %j', (ports, text) => {
    expect(formatPortRanges(ports, 1000)).toEqual({ text, shown: ports.length });
  });

  it('stops at a range boundary within the limit and counts the ports shown', () => {
    expect(formatPortRanges([1, 2, 3, 10, 20, 30], 10)).toEqual({ text: '1–3, 10', shown: 4 });
  });
});

describe('Alert text: lists', () => {
  const more = (n: number) => `+${n}`;

  it('joins everything that fits', () => {
    expect(joinWithinLimit(['aa', 'bb', 'cc'], ', ', 10, more)).toBe('aa, bb, cc');
  });

  it('summarizes what does not fit and stays within the limit', () => {
    const text = joinWithinLimit(['aaaa', 'bbbb', 'cccc', 'dddd'], ', ', 14, more);
    expect(text).toBe('aaaa, bbbb, +2');
    expect(text.length).toBeLessThanOrEqual(14);
  });

  it('gives only the summary when the first item does not fit', () => {
    expect(joinWithinLimit(['a'.repeat(50)], ', ', 10, more)).toBe('+1');
  });
});

describe('Alert text: formats', () => {
  it('truncates by code points with an ellipsis and never splits a surrogate pair', () => {
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('😀😀😀', 2)).toBe('😀…');
    expect(truncateText('abc', 3)).toBe('abc');
  });

  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
  ])('formats %d as %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it('formats the window and the first/last seen times, with the date when it changes', () => {
    expect(formatWindow({ BinStart: '2026-11-01T10:00:00.000Z', BinEnd: '2026-11-01T10:05:00.000Z' })).toBe(
      '2026-11-01 10:00–10:05 UTC',
    );
    expect(formatWindow({ BinStart: '2026-11-01T23:55:00.000Z', BinEnd: '2026-11-02T00:00:00.000Z' })).toBe(
      '2026-11-01 23:55–2026-11-02 00:00 UTC',
    );
    expect(formatSeen({ FirstSeen: '2026-11-01T23:59:59.000Z', LastSeen: '2026-11-02T00:00:01.500Z' })).toBe(
      '23:59:59.000–2026-11-02 00:00:01.500 UTC',
    );
  });

  it.each([
    ['T1046', 'https://attack.mitre.org/techniques/T1046/'],
    ['T1046.001', 'https://attack.mitre.org/techniques/T1046/001/'],
    ['T1046) [x](http://e', undefined],
    ['t1046', undefined],
  ])('links MITRE technique %j to %j', (technique, url) => {
    expect(mitreTechniqueUrl(technique)).toBe(url);
  });
});

describe('Alert text: link template', () => {
  it('replaces the placeholders with URL-encoded values and keeps unknown ones', () => {
    const alert = { ...sampleAlert(), SrcIpAddr: '2001:db8::1' };
    expect(
      renderAlertLink('https://x.example/{{SrcIpAddr}}/{{AlertId}}?t={{BinStart}}&o={{Other}}', alert),
    ).toBe(`https://x.example/2001%3Adb8%3A%3A1/${alert.AlertId}?t=2026-11-01T10%3A00%3A00.000Z&o={{Other}}`);
  });

  it('cannot be steered by a value to another path, query or host', () => {
    const alert = { ...sampleAlert(), SrcIpAddr: '1.2.3.4/../../admin?x=1#@evil.example' };
    const url = renderAlertLink('https://x.example/ip/{{SrcIpAddr}}', alert) ?? '';
    expect(new URL(url).host).toBe('x.example');
    expect(new URL(url).pathname).toBe('/ip/1.2.3.4%2F..%2F..%2Fadmin%3Fx%3D1%23%40evil.example');
  });

  it('gives no link without a template or when the result is not https', () => {
    expect(renderAlertLink(undefined, sampleAlert())).toBeUndefined();
    expect(renderAlertLink('{{SrcIpAddr}}', sampleAlert())).toBeUndefined();
    expect(renderAlertLink('http://x.example/{{AlertId}}', sampleAlert())).toBeUndefined();
  });
});

describe('Alert text: single line', () => {
  it.each([
    ['a\nb\r\nc', 'a b  c'],
    ['tab\there', 'tab here'],
    ['esc\u001b[31mred', 'esc [31mred'],
    ['del\u007fc1\u0085', 'del c1 '],
    ['sep\u2028para\u2029', 'sep para '],
    ['evil\u202egnp.exe', 'evil gnp.exe'],
    ['isolate\u2066x\u2069', 'isolate x '],
    ['Palo Alto Networks/PAN-OS 😀', 'Palo Alto Networks/PAN-OS 😀'],
  ])('turns %j into %j', (raw, line) => {
    expect(toSingleLine(raw)).toBe(line);
  });
});
