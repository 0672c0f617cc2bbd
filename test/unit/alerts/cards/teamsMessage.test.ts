import { describe, expect, it } from 'vitest';
import {
  escapeCardMarkdown,
  TEAMS_MESSAGE_MAX_BYTES,
  toTeamsMessage,
} from '../../../../lib/alerts/cards/teamsMessage.js';
import { adaptiveCardProblems } from '../../../support/adaptiveCards.js';
import { readAlertGolden } from '../../../support/alertGolden.js';
import { detectOneAlert, largeAlert, sampleAlert } from '../../../support/alerts.js';
import { scan } from '../../../support/sessions.js';

const LINK = 'https://portal.example.com/investigate?ip={{SrcIpAddr}}&alert={{AlertId}}&from={{BinStart}}';

/** Every string in a JSON value, with its path. */
function stringsOf(value: unknown, path = '$'): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => stringsOf(v, `${path}.${k}`));
  return [];
}

/** An alert whose reporters (vendor names come straight from logs) and source try to inject markup. */
function hostileAlert() {
  const vendors = [
    '[click me](https://evil.example/phish)',
    '<!channel> <@U024BE7LH> <at>Everyone</at>',
    '<script>alert(1)</script>',
    '**bold** _it_ ~~strike~~ `code`',
    '# Heading',
    '1. list',
    '- item\n\n[second line](http://evil.example)',
    'Visit www.evil.example or https://evil.example/x',
    '![img](https://evil.example/pixel.png)',
    '&lt;b&gt;entity&lt;/b&gt; &amp;',
  ];
  const rows = vendors.flatMap((vendor, i) =>
    scan('203.0.113.66', 6, '2026-11-01T10:00:00Z', 1000 + i * 6, {
      EventVendor: vendor,
      EventProduct: 'X',
      Dvc: vendor,
    }),
  );
  return detectOneAlert(rows);
}

describe('Teams card: payload', () => {
  it('matches the golden message for the sample alert', () => {
    const golden = readAlertGolden('teams-card');
    expect(toTeamsMessage(sampleAlert(), { linkTemplate: golden.linkTemplate })).toEqual(golden.expected);
  });

  it('parses with the adaptivecards library without a warning, with and without a link', () => {
    for (const options of [{ linkTemplate: LINK }, {}]) {
      const card = toTeamsMessage(sampleAlert(), options).attachments[0].content;
      expect(adaptiveCardProblems(card)).toEqual([]);
    }
  });

  it('renders a correction as an update with the exact figures, and an early-closed alert as possibly incomplete', () => {
    const correction = { ...sampleAlert(), Revision: 2, MayBeIncomplete: true };
    const card = toTeamsMessage(correction).attachments[0].content;
    const header = (card.body[0] as { items: { text: string }[] }).items;
    expect(header.map((i) => i.text)).toEqual([
      'Update: Potential port scan from 203.0.113.50',
      'Medium severity · 63 ports in 5 minutes · update 2 · may be incomplete',
    ]);
    const facts = (card.body[1] as { facts: { title: string; value: string }[] }).facts;
    expect(facts.map((f) => f.title)).toEqual([
      'Source',
      'Ports',
      'Window',
      'Seen',
      'Severity',
      'MITRE ATT&CK',
      'Update',
      'Completeness',
      'Reached',
      'Targets',
    ]);
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('has no action without a link template', () => {
    const card = toTeamsMessage(sampleAlert()).attachments[0].content;
    expect(card.actions).toBeUndefined();
  });

  it('reports an invalid value and a property newer than the card version (the parse check can fail)', () => {
    const card = toTeamsMessage(sampleAlert(), { linkTemplate: LINK }).attachments[0].content;
    const broken = { ...card, body: [...card.body, { type: 'TextBlock', text: 'x', color: 'Reddish' }] };
    const newer = { ...card, body: [...card.body, { type: 'TextBlock', text: 'x', style: 'heading' }] };
    expect(adaptiveCardProblems(broken)).toEqual(['0/6: Invalid value "Reddish" for property "color".']);
    expect(adaptiveCardProblems(newer)).toEqual([
      '0/14: Property "style" is supported in version 1.5, but you are using version 1.4.',
    ]);
  });

  it('marks a late alert in the summary and the facts', () => {
    const card = toTeamsMessage({ ...sampleAlert(), IsLate: true }).attachments[0].content;
    const text = JSON.stringify(card);
    expect(text).toContain('Medium severity · 63 ports in 5 minutes · late alert');
    expect(text).toContain('"title":"Late"');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it.each([
    ['High', 'attention', 'Attention'],
    ['Medium', 'warning', 'Warning'],
    ['Low', 'accent', 'Accent'],
    ['Informational', 'default', 'Default'],
  ] as const)('styles %s severity as %s', (severity, style, color) => {
    const card = toTeamsMessage({ ...sampleAlert(), Severity: severity }).attachments[0].content;
    expect(card.body[0]).toMatchObject({ style, items: [{}, { color }] });
    expect(adaptiveCardProblems(card)).toEqual([]);
  });
});

describe('Teams card: size', () => {
  it('stays under 28 KB with 5,000 ports and 20 reporters of 200 characters', () => {
    const alert = largeAlert(5000, 20, 200);
    expect(alert.AttemptedPorts).toHaveLength(5000);
    expect(alert.ReportedBy).toHaveLength(20);
    const message = toTeamsMessage(alert, { linkTemplate: LINK });
    const bytes = Buffer.byteLength(JSON.stringify(message), 'utf8');
    expect(bytes).toBeLessThan(TEAMS_MESSAGE_MAX_BYTES);
    expect(adaptiveCardProblems(message.attachments[0].content)).toEqual([]);
    const text = JSON.stringify(message);
    expect(text).toContain('Ports (smallest');
    expect(text).toContain('of 5,000)');
  });

  it('stays under 28 KB when every character of 64 long reporters needs escaping or is 4 bytes', () => {
    for (const vendor of ['*', '😀', '<']) {
      const alert = largeAlert(5000, 64, 300, vendor);
      const bytes = Buffer.byteLength(JSON.stringify(toTeamsMessage(alert, { linkTemplate: LINK })), 'utf8');
      expect(bytes, vendor).toBeLessThan(TEAMS_MESSAGE_MAX_BYTES);
    }
  });

  it('lists every port when they fit, as ranges', () => {
    const card = toTeamsMessage(sampleAlert()).attachments[0].content;
    expect(card.body).toContainEqual(expect.objectContaining({ text: '20–79, 443, 3389, 8080' }));
  });
});

describe('Teams card: escaping', () => {
  it.each([
    ['203.0.113.50', '203.0.113.50'],
    ['Palo Alto Networks/PAN-OS', 'Palo Alto Networks/PAN-OS'],
    ['2001:db8::1', '2001:db8::1'],
    ['[x](https://e.example)', '\\[x\\](https:\u200b//e.example)'],
    ['<at>Everyone</at>', '\\<at\\>Everyone\\</at\\>'],
    ['**b** _i_ ~s~ `c`', '\\*\\*b\\*\\* \\_i\\_ \\~s\\~ \\`c\\`'],
    ['a\\b', 'a\\\\b'],
    ['&amp;', '\\&amp;'],
    ['# h', '\\# h'],
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['12. item', '12\\. item'],
    ['3) item', '3\\) item'],
    ['line\nbreak\r\ttab\u2028', 'line break  tab '],
    ['www.evil.example', 'www\u200b.evil.example'],
  ])('escapes %j as %j', (raw, escaped) => {
    expect(escapeCardMarkdown(raw)).toBe(escaped);
  });

  it('leaves no unescaped markup, link or newline from hostile vendor and device names in the card', () => {
    const alert = hostileAlert();
    const card = toTeamsMessage(alert).attachments[0].content;
    expect(adaptiveCardProblems(card)).toEqual([]);
    const lists = stringsOf(card).filter(([, s]) => s.startsWith('- '));
    const reporters = (lists[0]?.[1] ?? '').split('\n');
    const devices = (lists[1]?.[1] ?? '').split('\n');
    // One bullet per reporter and device: no injected newline made a second item or a new paragraph.
    expect(reporters).toHaveLength(alert.ReportedBy.length);
    expect(devices).toHaveLength(alert.Evidence?.Devices.length ?? -1);
    expect(devices).toHaveLength(10);
    for (const item of [...reporters, ...devices]) {
      const text = item.replace(/^- /, '').replace(/ · \d+ events?$/, '');
      expect(text, item).not.toMatch(/(?<!\\)[[\]<>*_~`&]/);
      expect(text, item).not.toMatch(/:\/\/|www\./);
      expect(text, item).not.toMatch(/^\s*(?:[#+-]|\d+[.)])\s/);
    }
    const json = JSON.stringify(card);
    for (const raw of [
      '[click me](',
      '<!channel>',
      '<at>',
      '<script>',
      '**bold**',
      '](https://evil',
      '](http://evil',
      'https://evil',
      'www.evil',
    ]) {
      expect(json).not.toContain(raw);
    }
  });
});
