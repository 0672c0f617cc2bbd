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

/** The cells of a table row, split on the `|` that are not escaped as `\|`. */
export function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 1; i < row.length; i++) {
    const c = row[i];
    if (c === '\\' && row[i + 1] === '|') {
      cell += '\\|';
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  return cells;
}

const GROUPS = ['microsoft-host.md', 'microsoft-azure.md', 'firewalls.md', 'sensors.md'];

const ASIM_ROW =
  '| ASIM NetworkSession records | `ASimNetworkSessionLogs` rows (Log Analytics export), `portscan normalize` output, any JSON with ASIM field names | `asim` | as in the record | `{"TimeGenerated":"2026-11-01T10:00:00Z","EventVendor":"AWS","EventProduct":"VPC","SrcIpAddr":"198.51.100.23","DstPortNumber":22}` |';

interface SourceDocs {
  /** Every source row of docs/sources/*.md, the ASIM row first. */
  readonly sources: readonly string[];
  readonly deviations: readonly string[];
  /** For each source row, the group page it comes from (`''` for the ASIM row). */
  readonly pages: readonly string[];
}

function readSourceDocs(docsDir: string): SourceDocs {
  const files = readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .sort((a, b) => GROUPS.indexOf(a) - GROUPS.indexOf(b));
  const sources = [ASIM_ROW];
  const pages = [''];
  const deviations: string[] = [];
  for (const f of files) {
    const doc = readFileSync(join(docsDir, f), 'utf8');
    for (const row of tableRows(doc, 'Supported sources')) {
      sources.push(row);
      pages.push(f);
    }
    deviations.push(...tableRows(doc, 'Deviations from the ASIM parsers'));
  }
  return { sources, deviations, pages };
}

/**
 * README.md with the short list of sources between the `sources` markers: the name, the
 * `--format` name and what `ReportedBy` shows, each linked to its group page in docs/sources/.
 */
export function renderReadmeSources(readme: string, docsDir: string): string {
  const { sources, pages } = readSourceDocs(docsDir);
  const rows = sources.map((row, i) => {
    const [name, , format, reportedAs] = tableCells(row);
    const page = pages[i] === '' ? 'docs/sources.md' : `docs/sources/${pages[i]}`;
    return `| [${name}](${page}) | ${format} | ${reportedAs} |`;
  });
  return replaceBetween(
    readme,
    'sources',
    ['| Source | `--format` | Reported as (EventVendor/EventProduct) |', '|---|---|---|', ...rows].join('\n'),
  );
}

/** docs/sources.md with the full sources and deviations tables of every docs/sources/*.md. */
export function renderSourcesDoc(doc: string, docsDir: string): string {
  const { sources, deviations } = readSourceDocs(docsDir);
  return replaceBetween(
    replaceBetween(
      doc,
      'sources',
      [
        '| Source | Shapes accepted (how it reaches the Event Hub) | `--format` | EventVendor/EventProduct | Example input |',
        '|---|---|---|---|---|',
        ...sources,
      ].join('\n'),
    ),
    'deviations',
    ['| Source | ASIM parser behaviour | Our behaviour | Reason |', '|---|---|---|---|', ...deviations].join(
      '\n',
    ),
  );
}

function replaceBetween(text: string, marker: string, content: string): string {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`the ${marker} markers are missing`);
  return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`;
}
