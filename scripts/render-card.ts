// Renders the Teams cards of docs/alerts.md through the adaptivecards renderer in headless
// Chromium (`apt-get install chromium`): docs/images/teams-card.png, the golden card of an alert
// (test/fixtures/alerts/teams-card.golden.json), and docs/images/teams-update-card.png, the update
// a conversation's later alerts send, made by the product's own code (toTeamsMessage of the
// opener's revision with the conversation's totals) from the golden alert and two later bins of
// the same scanner. `npx tsx scripts/render-card.ts [path/to/chromium]`.
// The pictures show the Adaptive Cards renderer with its default host config, not Teams itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toTeamsMessage } from '../lib/alerts/cards/teamsMessage.js';
import {
  conversationTotals,
  conversationUpdate,
  joinConversation,
  openConversation,
} from '../lib/alerts/chatConversation.js';
import { detectOneAlert, sampleAlert } from '../test/support/alerts.js';
import { scan } from '../test/support/sessions.js';

const root = join(import.meta.dirname, '..');
const golden = JSON.parse(
  readFileSync(join(root, 'test/fixtures/alerts/teams-card.golden.json'), 'utf8'),
) as {
  expected: { attachments: [{ content: unknown }] };
};
const firstCard = golden.expected.attachments[0].content;

/** The update after two later bins of the golden alert's scanner (10:05 and 10:20, 80 and 120 ports). */
function updateCard(): unknown {
  const opener = sampleAlert();
  const later = [
    detectOneAlert(scan('203.0.113.50', 80, '2026-11-01T10:06:00.000Z', 1000, { DvcAction: 'Deny' })),
    detectOneAlert(scan('203.0.113.50', 120, '2026-11-01T10:21:00.000Z', 2000, { DvcAction: 'Deny' })),
  ];
  const conversation = later.reduce(joinConversation, openConversation(opener));
  const update = conversationUpdate(opener, conversationTotals(conversation, 5 * 60_000));
  return toTeamsMessage(update).attachments[0]?.content;
}
const library = pathToFileURL(join(root, 'node_modules/adaptivecards/dist/adaptivecards.min.js')).href;
const css = pathToFileURL(join(root, 'node_modules/adaptivecards/dist/adaptivecards.css')).href;

// Teams renders TextBlock Markdown; the library needs a processor for it. This one handles what
// our cards use (backslash escapes, [text](url) links, "- " bullets) and escapes everything else.
/** The page that draws `card`. */
function cardPage(card: unknown): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${css}">
<style>body{margin:0;padding:16px;background:#f5f5f5;font-family:'DejaVu Sans',sans-serif}
#card{width:560px;background:#fff;border:1px solid #ddd;border-radius:6px;overflow:hidden}</style></head>
<body><div id="card"></div><script src="${library}"></script><script>
const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function inline(text) {
  const parts = [];
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\\\' && i + 1 < text.length) { out += escapeHtml(text[++i]); continue; }
    const link = /^\\[([^\\]\\\\]+)\\]\\((https:\\/\\/[^)\\s]+)\\)/.exec(text.slice(i));
    if (link) { out += '<a href="' + escapeHtml(link[2]) + '">' + escapeHtml(link[1]) + '</a>'; i += link[0].length - 1; continue; }
    out += escapeHtml(c);
  }
  return out;
}
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  const lines = text.split('\\n');
  result.outputHtml = lines.every((l) => l.startsWith('- '))
    ? '<ul style="margin:0;padding-left:20px">' + lines.map((l) => '<li>' + inline(l.slice(2)) + '</li>').join('') + '</ul>'
    : '<p style="margin:0">' + inline(text) + '</p>';
  result.didProcess = true;
};
const adaptiveCard = new AdaptiveCards.AdaptiveCard();
adaptiveCard.hostConfig = new AdaptiveCards.HostConfig({ fontFamily: "'DejaVu Sans', sans-serif" });
adaptiveCard.parse(${JSON.stringify(card)});
document.getElementById('card').appendChild(adaptiveCard.render());
</script></body></html>`;
}

const dir = mkdtempSync(join(tmpdir(), 'portscan-card-'));
mkdirSync(join(root, 'docs/images'), { recursive: true });
const cards: [string, unknown, number][] = [
  ['teams-card.png', firstCard, 680],
  ['teams-update-card.png', updateCard(), 330],
];
for (const [name, card, height] of cards) {
  const page = join(dir, `${name}.html`);
  writeFileSync(page, cardPage(card));
  const output = join(root, 'docs/images', name);
  execFileSync(
    process.argv[2] ?? '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--hide-scrollbars',
      '--allow-file-access-from-files',
      `--window-size=600,${height}`,
      `--screenshot=${output}`,
      pathToFileURL(page).href,
    ],
    { stdio: 'ignore' },
  );
  process.stdout.write(`wrote ${output}\n`);
}
rmSync(dir, { recursive: true, force: true });
