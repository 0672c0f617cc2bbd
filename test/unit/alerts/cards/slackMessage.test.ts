import { describe, expect, it } from 'vitest';
import { escapeSlackMrkdwn, toSlackCode, toSlackMessage } from '../../../../lib/alerts/cards/slackMessage.js';
import { readAlertGolden } from '../../../support/alertGolden.js';
import { detectOneAlert, largeAlert, sampleAlert } from '../../../support/alerts.js';
import { scan } from '../../../support/sessions.js';

const LINK = 'https://portal.example.com/investigate?ip={{SrcIpAddr}}&alert={{AlertId}}&from={{BinStart}}';

interface TextObject {
  type: string;
  text: string;
  verbatim?: boolean;
}

/** Every text object of a message's blocks. */
function textObjects(blocks: readonly Record<string, unknown>[]): TextObject[] {
  const out: TextObject[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string')
        out.push(o as unknown as TextObject);
      else Object.values(o).forEach(visit);
    }
  };
  visit(blocks);
  return out;
}

describe('Slack blocks: payload', () => {
  it('matches the golden message for the sample alert', () => {
    const golden = readAlertGolden('slack-blocks');
    expect(toSlackMessage(sampleAlert(), { linkTemplate: golden.linkTemplate })).toEqual(golden.expected);
  });

  it('renders a correction as an update, in the header, the summary, the fields and the fallback text', () => {
    const message = toSlackMessage({ ...sampleAlert(), Revision: 3, IsLate: true });
    expect(message.text).toBe(
      'Update: Potential port scan from `203.0.113.50`: 63 ports in 5 minutes (Medium)',
    );
    const [header, summary, grid] = message.blocks as {
      text?: { text: string };
      fields?: { text: string }[];
    }[];
    expect(header?.text?.text).toBe('Update: Potential port scan from 203.0.113.50');
    expect(summary?.text?.text).toBe('*Medium* severity · 63 ports in 5 minutes · late alert · update 3');
    expect(grid?.fields?.map((f) => f.text.split('\n')[0])).toEqual([
      '*Source*',
      '*Ports*',
      '*Window*',
      '*Seen*',
      '*Severity*',
      '*MITRE ATT&amp;CK*',
      '*Late*',
      '*Update*',
    ]);
  });

  it('has no button without a link template', () => {
    const message = toSlackMessage(sampleAlert());
    expect(message.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'section',
      'section',
      'section',
      'context',
    ]);
  });

  it('keeps every mrkdwn object verbatim, so Slack neither auto-links nor parses mentions', () => {
    const objects = textObjects(toSlackMessage(sampleAlert(), { linkTemplate: LINK }).blocks);
    for (const o of objects.filter((o) => o.type === 'mrkdwn')) expect(o.verbatim).toBe(true);
  });

  it("stays within Slack's limits with 5,000 ports and 64 reporters of 300 escaped characters", () => {
    for (const vendor of ['V', '&', '😀']) {
      const message = toSlackMessage(largeAlert(5000, 64, 300, vendor), { linkTemplate: LINK });
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      for (const o of textObjects(message.blocks)) expect(o.text.length).toBeLessThanOrEqual(3000);
      const header = message.blocks[0] as { text: TextObject };
      expect(header.text.text.length).toBeLessThanOrEqual(150);
      const fields = (message.blocks[2] as { fields: TextObject[] }).fields;
      expect(fields.length).toBeLessThanOrEqual(10);
      for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(2000);
      expect(JSON.stringify(message)).toContain('more');
    }
  });
});

describe('Slack blocks: escaping', () => {
  it.each([
    ['203.0.113.50', '203.0.113.50'],
    ['a & b', 'a &amp; b'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U024BE7LH>', '&lt;@U024BE7LH&gt;'],
    ['<https://evil.example|click>', '&lt;https:\u200b//evil.example|click&gt;'],
    ['@here and @channel', '@\u200bhere and @\u200bchannel'],
    ['www.evil.example', 'www\u200b.evil.example'],
    ['two\nlines', 'two lines'],
  ])('escapes %j as %j', (raw, escaped) => {
    expect(escapeSlackMrkdwn(raw)).toBe(escaped);
  });

  it('puts a log string in a code span that a backtick cannot close', () => {
    expect(toSlackCode('a`*b*`c')).toBe('`aˋ*b*ˋc`');
  });

  it('neutralizes links, mentions, script tags and formatting in vendor and device names', () => {
    const vendors = [
      '<https://evil.example|Click here>',
      '<!channel>',
      '<!here|here>',
      '<@U024BE7LH>',
      '<script>alert(1)</script>',
      '*bold* _italic_ ~strike~ `code`',
      '[md link](https://evil.example)',
      'line1\n> quote',
    ];
    const rows = vendors.flatMap((vendor, i) =>
      scan('203.0.113.67', 7, '2026-11-01T10:00:00Z', 2000 + i * 7, {
        EventVendor: vendor,
        EventProduct: 'X',
        Dvc: vendor,
      }),
    );
    const alert = detectOneAlert(rows);
    const message = toSlackMessage(alert);
    const mrkdwn = [
      message.text,
      ...textObjects(message.blocks)
        .filter((o) => o.type === 'mrkdwn')
        .map((o) => o.text),
    ];
    for (const text of mrkdwn) {
      // Our own markup is a link to MITRE only; no other "<" can open a link or mention.
      const own = text.replace('<https://attack.mitre.org/techniques/T1046/|T1046>', '');
      expect(own, text).not.toMatch(/[<>]/);
      expect(own, text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(own, text).not.toMatch(/https?:\/\/|www\./);
    }
    const reporters = textObjects(message.blocks).find((o) => o.text.startsWith('*Reported by*'));
    const items = reporters?.text.split('\n').slice(1) ?? [];
    expect(items).toHaveLength(alert.ReportedBy.length);
    // Each reporter is one code span: formatting characters inside it do not format.
    for (const item of items) expect(item).toMatch(/^• `[^`]+`$/);
    const devices = textObjects(message.blocks).find((o) => o.text.startsWith('*Reporting devices*'));
    const deviceLines = devices?.text.split('\n').slice(1) ?? [];
    expect(deviceLines).toHaveLength(vendors.length);
    for (const item of deviceLines) expect(item).toMatch(/^• `[^`]+` · 7 events$/);
  });
});
