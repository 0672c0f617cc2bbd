import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The rows (without header) of the first Markdown table after a `## <heading>` line. */
function tableRows(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const rows: string[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(line);
    } else if (inTable) break;
  }
  return rows.slice(2);
}

const GROUPS = ['microsoft-host.md', 'microsoft-azure.md', 'firewalls.md', 'sensors.md'];

/** README with the merged tables between the markers. */
export function renderReadmeSources(readme: string, docsDir: string): string {
  const files = readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .sort((a, b) => GROUPS.indexOf(a) - GROUPS.indexOf(b));
  const docs = files.map((f) => readFileSync(join(docsDir, f), 'utf8'));
  const sources = [
    '| Source | Shapes accepted (how it reaches the Event Hub) | `--format` | EventVendor/EventProduct | Example input |',
    '|---|---|---|---|---|',
    '| ASIM NetworkSession records | `ASimNetworkSessionLogs` rows (Log Analytics export), `portscan normalize` output, any JSON with ASIM field names | `asim` | as in the record | `{"TimeGenerated":"2026-11-01T10:00:00Z","EventVendor":"AWS","EventProduct":"VPC","SrcIpAddr":"198.51.100.23","DstPortNumber":22}` |',
    ...docs.flatMap((d) => tableRows(d, 'Supported sources')),
  ];
  const deviations = [
    '| Source | ASIM parser behaviour | Our behaviour | Reason |',
    '|---|---|---|---|',
    ...docs.flatMap((d) => tableRows(d, 'Deviations from the ASIM parsers')),
  ];
  return replaceBetween(
    replaceBetween(readme, 'sources', sources.join('\n')),
    'deviations',
    deviations.join('\n'),
  );
}

function replaceBetween(text: string, marker: string, content: string): string {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md lacks the ${marker} markers`);
  return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`;
}
