// Renders the Teams card of docs/alerts.md to docs/images/teams-card.png: the golden card
// (test/fixtures/alerts/teams-card.golden.json) through the adaptivecards renderer in headless
// Chromium (`apt-get install chromium`). `npx tsx scripts/render-card.ts [path/to/chromium]`.
// The picture shows the Adaptive Cards renderer with its default host config, not Teams itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const golden = JSON.parse(
  readFileSync(join(root, 'test/fixtures/alerts/teams-card.golden.json'), 'utf8'),
) as {
  expected: { attachments: [{ content: unknown }] };
};
const card = golden.expected.attachments[0].content;
const library = pathToFileURL(join(root, 'node_modules/adaptivecards/dist/adaptivecards.min.js')).href;
const css = pathToFileURL(join(root, 'node_modules/adaptivecards/dist/adaptivecards.css')).href;

// Teams renders TextBlock Markdown; the library needs a processor for it. This one handles what
// our cards use (backslash escapes, [text](url) links, "- " bullets) and escapes everything else.
const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${css}">
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

const dir = mkdtempSync(join(tmpdir(), 'portscan-card-'));
const page = join(dir, 'card.html');
writeFileSync(page, html);
const output = join(root, 'docs/images/teams-card.png');
mkdirSync(join(root, 'docs/images'), { recursive: true });
execFileSync(
  process.argv[2] ?? '/usr/bin/chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--hide-scrollbars',
    '--allow-file-access-from-files',
    '--window-size=600,680',
    `--screenshot=${output}`,
    pathToFileURL(page).href,
  ],
  { stdio: 'ignore' },
);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`wrote ${output}\n`);
