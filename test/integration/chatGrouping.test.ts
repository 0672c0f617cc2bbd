import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/schema/Alert.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import type { OutboxEntry } from '../../lib/state/AlertOutbox.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { azuriteSettings, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver.js';
import { runPortscan } from '../support/runCli.js';
import { scan, session } from '../support/sessions.js';

/**
 * One conversation per scanner, end to end: the functions against Azurite (window state, outbox,
 * conversations, the alert queue) and Teams, Slack and a signed webhook at a local HTTP receiver.
 * The first alert of a source posts a card; its later alerts within 5 hours, across closing runs
 * and a late one among them, post one "still scanning" update per run to Teams and Slack; the
 * queue and the webhook get every alert; a crash between the card and the update sends neither
 * twice.
 */

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const SCANNER = '203.0.113.50';

let az: Azurite;
let receiver: HttpReceiver;
beforeAll(async () => {
  az = await startAzurite();
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
  await az.stop();
});

function harness(overrides: Record<string, string> = {}): FunctionsHarness {
  return new FunctionsHarness(
    azuriteSettings(az, {
      PORTSCAN_SINK_SOC_KIND: 'teams',
      PORTSCAN_SINK_SOC_URL: receiver.url('/teams'),
      PORTSCAN_SINK_OPS_KIND: 'slack',
      PORTSCAN_SINK_OPS_URL: receiver.url('/slack'),
      PORTSCAN_SINK_SIEM_KIND: 'webhook',
      PORTSCAN_SINK_SIEM_URL: receiver.url('/hook'),
      PORTSCAN_SINK_SIEM_SECRET: SECRET,
      ...overrides,
    }),
    az.connectionString(),
    '2026-11-01T11:00:00Z',
  );
}

/** The Teams messages so far, each as its title and the text of its FactSet. */
function teamsPosts(): { title: string; facts: Record<string, string> }[] {
  return receiver.requests
    .filter((r) => r.path === '/teams')
    .map((r) => {
      const card = (JSON.parse(r.body) as { attachments: [{ content: { body: Record<string, unknown>[] } }] })
        .attachments[0].content;
      const header = card.body[0] as { items: { text: string }[] };
      const facts = card.body.find((b) => b.type === 'FactSet') as {
        facts: { title: string; value: string }[];
      };
      return {
        title: (header.items[0] as { text: string }).text,
        facts: Object.fromEntries(facts.facts.map((f) => [f.title, f.value])),
      };
    });
}

function slackTitles(): string[] {
  return receiver.requests
    .filter((r) => r.path === '/slack')
    .map((r) => (JSON.parse(r.body) as { blocks: [{ text: { text: string } }] }).blocks[0].text.text);
}

function hooked(): Alert[] {
  return receiver.requests
    .filter((r) => r.path === '/hook')
    .map((r) => AlertSchema.parse(JSON.parse(r.body)));
}

/** A scan of 60 ports in the bin starting at `iso`, and a benign row that moves the partition on. */
async function ingestScan(h: FunctionsHarness, iso: string, firstSequence: number, enqueuedIso: string) {
  await h.ingest(
    '0',
    [jsonLines(scan(SCANNER, 60, iso)), jsonLines([session('198.51.100.250', 443, enqueuedIso)])],
    firstSequence,
    enqueuedIso,
  );
}

describe('Chat grouping: one conversation per scanner', () => {
  it('posts one card, then one update per closing run with the running totals, a late alert included', async () => {
    receiver.requests.length = 0;
    const h = harness();
    // Run 1: the first alert opens the conversation.
    await ingestScan(h, '2026-11-01T10:00:00Z', 1, '2026-11-01T10:40:00Z');
    await h.closeBins();
    expect(teamsPosts().map((p) => p.title)).toEqual([`Potential port scan from ${SCANNER}`]);

    // Run 2: two more bins over the threshold, one update to each chat sink, every alert to the machines.
    h.nowMs = Date.parse('2026-11-01T12:00:00Z');
    await h.ingest(
      '0',
      [
        jsonLines(scan(SCANNER, 70, '2026-11-01T11:00:00Z')),
        jsonLines(scan(SCANNER, 80, '2026-11-01T11:05:00Z')),
        jsonLines([session('198.51.100.250', 443, '2026-11-01T11:40:00Z')]),
      ],
      3,
      '2026-11-01T11:40:00Z',
    );
    await h.closeBins();
    // Run 3: rows of the 10:30 bin arrive late and cross the threshold: a late alert, one more update.
    h.nowMs = Date.parse('2026-11-01T13:00:00Z');
    await h.ingest('0', [jsonLines(scan(SCANNER, 55, '2026-11-01T10:30:00Z'))], 6, '2026-11-01T12:10:00Z');
    await h.closeBins();

    const posts = teamsPosts();
    expect(posts.map((p) => p.title)).toEqual([
      `Potential port scan from ${SCANNER}`,
      `Update: still scanning from ${SCANNER}`,
      `Update: still scanning from ${SCANNER}`,
    ]);
    expect(posts[1]?.facts).toMatchObject({
      Since: '2026-11-01 10:00–11:10 UTC',
      Windows: '3 windows of 5 minutes over the threshold (50 ports)',
      Ports: 'up to 80 distinct in a window',
    });
    expect(posts[2]?.facts).toMatchObject({
      Since: '2026-11-01 10:00–11:10 UTC',
      Windows: '4 windows of 5 minutes over the threshold (50 ports)',
      Events: String(60 + 70 + 80 + 55),
    });
    expect(slackTitles()).toEqual([
      `Potential port scan from ${SCANNER}`,
      `Update: still scanning from ${SCANNER}`,
      `Update: still scanning from ${SCANNER}`,
    ]);
    // The machines get every alert, as before, each once.
    const bins = (alerts: readonly Alert[]) => alerts.map((a) => [a.BinStart.slice(11, 16), a.IsLate]).sort();
    const expected = [
      ['10:00', false],
      ['10:30', true],
      ['11:00', false],
      ['11:05', false],
    ];
    expect(bins(hooked())).toEqual(expected);
    expect(bins(await h.queuedAlerts())).toEqual(expected);
    expect(hooked().every((a) => a.Conversation === undefined)).toBe(true);
    expect(h.logged('alert recorded').map((l) => [String(l.binStart).slice(11, 16), l.grouped])).toEqual([
      ['10:00', false],
      ['11:00', true],
      ['11:05', true],
      ['10:30', true],
    ]);
    const summaries = h.logged('close summary');
    expect(summaries.map((s) => [s.alertsGrouped, s.conversationUpdates])).toEqual([
      [0, 0],
      [2, 1],
      [1, 1],
    ]);
  });

  it('opens a new conversation, with its own card, once the grouping window has passed', async () => {
    receiver.requests.length = 0;
    const h = harness({ PORTSCAN_CHAT_GROUP_HOURS: '1' });
    await ingestScan(h, '2026-11-01T10:00:00Z', 1, '2026-11-01T10:40:00Z');
    await h.closeBins();
    h.nowMs = Date.parse('2026-11-01T12:00:00Z');
    await ingestScan(h, '2026-11-01T11:00:00Z', 3, '2026-11-01T11:40:00Z');
    await h.closeBins();
    expect(teamsPosts().map((p) => p.title)).toEqual([
      `Potential port scan from ${SCANNER}`,
      `Potential port scan from ${SCANNER}`,
    ]);
  });

  it('posts a card for every alert when grouping is off (0 hours)', async () => {
    receiver.requests.length = 0;
    const h = harness({ PORTSCAN_CHAT_GROUP_HOURS: '0' });
    await h.ingest(
      '0',
      [
        jsonLines(scan(SCANNER, 60, '2026-11-01T10:00:00Z')),
        jsonLines(scan(SCANNER, 60, '2026-11-01T10:05:00Z')),
        jsonLines([session('198.51.100.250', 443, '2026-11-01T10:40:00Z')]),
      ],
      1,
      '2026-11-01T10:40:00Z',
    );
    await h.closeBins();
    expect(teamsPosts().map((p) => p.title)).toEqual([
      `Potential port scan from ${SCANNER}`,
      `Potential port scan from ${SCANNER}`,
    ]);
  });

  it.each([
    ['before the update is recorded', (e: OutboxEntry) => e.alert.BinStart.startsWith('2026-11-01T11:00')],
    [
      'after the update is recorded, before it is delivered',
      (e: OutboxEntry) => e.alert.Conversation !== undefined,
    ],
  ])('sends the card and the update once each when the timer crashes %s', async (_, crashAt) => {
    receiver.requests.length = 0;
    const h = harness();
    await ingestScan(h, '2026-11-01T10:00:00Z', 1, '2026-11-01T10:40:00Z');
    await h.closeBins();
    h.nowMs = Date.parse('2026-11-01T12:00:00Z');
    await ingestScan(h, '2026-11-01T11:00:00Z', 3, '2026-11-01T11:40:00Z');
    // The process dies when this run starts to deliver the chosen entry: what it recorded stays.
    const { outbox } = h.services.delivery();
    const claim = outbox.claim.bind(outbox);
    let crashed = false;
    outbox.claim = async (entry, owner, nowMs, untilMs) => {
      if (!crashed && crashAt(entry)) {
        crashed = true;
        throw new Error('the host stopped the worker');
      }
      return claim(entry, owner, nowMs, untilMs);
    };
    await expect(h.closeBins()).rejects.toThrow('the host stopped the worker');
    expect(crashed).toBe(true);
    // The next run (a rerun of the timer) finishes the work.
    await h.closeBins();
    outbox.claim = claim;
    expect(teamsPosts().map((p) => p.title)).toEqual([
      `Potential port scan from ${SCANNER}`,
      `Update: still scanning from ${SCANNER}`,
    ]);
    expect(teamsPosts()[1]?.facts.Windows).toBe('2 windows of 5 minutes over the threshold (50 ports)');
    expect(hooked().map((a) => a.BinStart.slice(11, 16))).toEqual(['10:00', '11:00']);
  });
});

describe('Chat grouping: portscan detect', () => {
  it('sends one card per scanner and, at the end, one update with the totals; the webhook gets every alert', async () => {
    receiver.requests.length = 0;
    const rows = [
      ...scan(SCANNER, 60, '2026-11-01T10:00:00Z'),
      ...scan(SCANNER, 70, '2026-11-01T10:05:00Z'),
      ...scan(SCANNER, 80, '2026-11-01T10:10:00Z'),
    ];
    const run = await runPortscan(
      [
        'detect',
        '--quiet',
        '--teams',
        receiver.url('/teams'),
        '--webhook',
        receiver.url('/hook'),
        '--webhook-secret',
        SECRET,
        '-',
      ],
      { stdin: `${jsonLines(rows)}\n` },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(3);
    expect(teamsPosts().map((p) => p.title)).toEqual([
      `Potential port scan from ${SCANNER}`,
      `Update: still scanning from ${SCANNER}`,
    ]);
    expect(teamsPosts()[1]?.facts.Windows).toBe('3 windows of 5 minutes over the threshold (50 ports)');
    expect(hooked()).toHaveLength(3);
  });
});
