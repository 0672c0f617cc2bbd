// Renders the workbook of infra/workbooks/portscan.workbook.json to docs/images/workbook.png with
// the sample results of scripts/workbook-sample-data.json, in headless Chromium
// (`apt-get install chromium`): `npx tsx scripts/render-workbook.ts [path/to/chromium]`.
// The picture shows the workbook's own items (titles, widths, kinds of chart, the columns each
// query returns) drawn by this script, with sample data: it is not a capture of Azure Monitor,
// which draws the same items in its own style from a workspace's real logs. A unit test checks
// that the sample has, for every query, the columns the query returns.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Item {
  readonly type: number;
  readonly name: string;
  readonly customWidth?: string;
  readonly content: { json?: string; title?: string; visualization?: string; noDataMessage?: string };
}
interface Sample {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

const root = join(import.meta.dirname, '..');
const workbook = JSON.parse(readFileSync(join(root, 'infra/workbooks/portscan.workbook.json'), 'utf8')) as {
  items: Item[];
};
const samples = JSON.parse(readFileSync(join(root, 'scripts/workbook-sample-data.json'), 'utf8')) as Record<
  string,
  Sample
>;

const PAGE_WIDTH = 1400;
const COLORS = ['#0078d4', '#d13438', '#107c10', '#8764b8', '#ca5010', '#038387', '#986f0b'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

function markdown(text: string): string {
  return text
    .split('\n\n')
    .map((block) => {
      const inline = escapeHtml(block.replace(/^#+ /, '')).replace(/`([^`]+)`/g, '<code>$1</code>');
      if (block.startsWith('### ')) return `<h3>${inline}</h3>`;
      if (block.startsWith('## ')) return `<h2>${inline}</h2>`;
      return `<p>${inline}</p>`;
    })
    .join('');
}

function cell(value: unknown): string {
  if (Array.isArray(value)) return escapeHtml(value.map(String).join(', '));
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  if (typeof value === 'string' && ISO.test(value)) {
    const d = new Date(value);
    return `${d.toISOString().slice(5, 10).replace('-', '/')} ${d.toISOString().slice(11, 16)}`;
  }
  return escapeHtml(String(value));
}

function table(sample: Sample): string {
  const head = sample.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = sample.rows
    .slice(0, 8)
    .map(
      (r) =>
        `<tr>${r.map((v) => `<td class="${typeof v === 'number' ? 'num' : ''}" title="${escapeHtml(String(v))}">${cell(v)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function columnKinds(sample: Sample): { time: number; numbers: number[]; labels: number[] } {
  const first = sample.rows[0] ?? [];
  const time = first.findIndex((v) => typeof v === 'string' && ISO.test(v));
  const numbers = first.flatMap((v, i) => (typeof v === 'number' ? [i] : []));
  const labels = first.flatMap((v, i) => (i !== time && typeof v === 'string' ? [i] : []));
  return { time, numbers, labels };
}

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

function timechart(sample: Sample, width: number): string {
  const { time, numbers, labels } = columnKinds(sample);
  const series = new Map<string, [number, number][]>();
  for (const row of sample.rows) {
    const t = Date.parse(String(row[time]));
    for (const n of labels.length > 0 ? [numbers[0] as number] : numbers) {
      const key =
        labels.length > 0 ? labels.map((i) => String(row[i])).join(' · ') : (sample.columns[n] as string);
      const points = series.get(key) ?? [];
      points.push([t, Number(row[n])]);
      series.set(key, points);
    }
  }
  const all = [...series.values()].flat();
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]));
  const yMax = niceMax(Math.max(...all.map((p) => p[1])));
  const h = 190;
  const left = 52;
  const plotW = width - left - 16;
  const x = (t: number) => left + ((t - t0) / Math.max(1, t1 - t0)) * plotW;
  const y = (v: number) => 10 + (1 - v / yMax) * (h - 30);
  const grid = [0, 0.5, 1]
    .map(
      (f) =>
        `<line x1="${left}" x2="${left + plotW}" y1="${y(yMax * f)}" y2="${y(yMax * f)}" stroke="#e1dfdd"/><text x="${left - 6}" y="${y(yMax * f) + 4}" text-anchor="end">${(yMax * f).toLocaleString('en-US')}</text>`,
    )
    .join('');
  const ticks = Array.from({ length: 7 }, (_, i) => t0 + ((t1 - t0) * i) / 6)
    .map(
      (t) =>
        `<text x="${x(t)}" y="${h - 4}" text-anchor="middle">${new Date(t).toISOString().slice(11, 16)}</text>`,
    )
    .join('');
  const lines = [...series.entries()]
    .map(([, pts], i) => {
      const d = pts
        .sort((a, b) => a[0] - b[0])
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
        .join(' ');
      return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`;
    })
    .join('');
  const legend = [...series.keys()]
    .map((k, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escapeHtml(k)}</span>`)
    .join('');
  return `<svg width="${width}" height="${h}" viewBox="0 0 ${width} ${h}">${grid}${ticks}${lines}</svg><div class="legend">${legend}</div>`;
}

function barchart(sample: Sample, width: number): string {
  const { numbers } = columnKinds(sample);
  const n = numbers[0] as number;
  const h = 190;
  const left = 40;
  const yMax = niceMax(Math.max(...sample.rows.map((r) => Number(r[n]))));
  const slot = (width - left - 16) / sample.rows.length;
  const bars = sample.rows
    .map((r, i) => {
      const v = Number(r[n]);
      const bh = (v / yMax) * (h - 40);
      const bx = left + i * slot + slot * 0.15;
      return `<rect x="${bx}" y="${h - 20 - bh}" width="${slot * 0.7}" height="${bh}" fill="${COLORS[0]}"/><text x="${bx + slot * 0.35}" y="${h - 24 - bh}" text-anchor="middle">${v}</text><text x="${bx + slot * 0.35}" y="${h - 4}" text-anchor="middle">${escapeHtml(String(r[0]))}</text>`;
    })
    .join('');
  const axis = `<line x1="${left}" x2="${width - 16}" y1="${h - 20}" y2="${h - 20}" stroke="#c8c6c4"/>`;
  const legend = `<span><i style="background:${COLORS[0]}"></i>${escapeHtml(sample.columns[n] as string)}</span>`;
  return `<svg width="${width}" height="${h}" viewBox="0 0 ${width} ${h}">${axis}${bars}</svg><div class="legend">${legend}</div>`;
}

function itemHtml(item: Item): string {
  const widthPct = Number(item.customWidth ?? '100');
  const innerWidth = Math.floor((PAGE_WIDTH - 32) * (widthPct / 100)) - 26;
  const style = `style="width:${widthPct}%"`;
  if (item.type === 1) return `<div class="item text" ${style}>${markdown(item.content.json ?? '')}</div>`;
  if (item.type === 9)
    return `<div class="item" ${style}><span class="pill">Time range: <b>Last 24 hours</b></span></div>`;
  const sample = samples[item.name];
  if (sample === undefined) throw new Error(`no sample results for ${item.name}`);
  const body =
    sample.rows.length === 0
      ? `<p class="empty">${escapeHtml(item.content.noDataMessage ?? 'No data')}</p>`
      : item.content.visualization === 'timechart'
        ? timechart(sample, innerWidth)
        : item.content.visualization === 'barchart'
          ? barchart(sample, innerWidth)
          : table(sample);
  return `<div class="item" ${style}><div class="card"><div class="title">${escapeHtml(item.content.title ?? '')}</div>${body}</div></div>`;
}

const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;padding:16px;background:#faf9f8;font-family:'DejaVu Sans',sans-serif;font-size:12px;color:#323130;width:${PAGE_WIDTH - 32}px}
.banner{background:#fff4ce;border:1px solid #f2c661;padding:6px 10px;margin:0 5px 10px;font-size:12px}
.grid{display:flex;flex-wrap:wrap}
.item{box-sizing:border-box;padding:5px}
.card{background:#fff;border:1px solid #e1dfdd;border-radius:2px;padding:8px 12px;height:250px;overflow:hidden}
.title{font-weight:bold;font-size:13px;margin-bottom:6px}
.text h2{font-size:20px;margin:4px 0}.text h3{font-size:15px;margin:8px 0 0}.text p{margin:4px 0}
code{background:#f3f2f1;padding:0 3px}
.pill{display:inline-block;border:1px solid #8a8886;border-radius:12px;padding:3px 10px;background:#fff}
svg text{font-size:10px;fill:#605e5c}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:11px;margin-top:2px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #edebe9;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
th{font-weight:bold;color:#605e5c;font-size:11px}td.num{text-align:right}
.empty{color:#605e5c}
</style></head><body>
<div class="banner">A rendering of <code>infra/workbooks/portscan.workbook.json</code> with the sample results of <code>scripts/workbook-sample-data.json</code> (scripts/render-workbook.ts), not a capture of Azure Monitor.</div>
<div class="grid">${workbook.items.map(itemHtml).join('')}</div>
<script>document.title = String(document.documentElement.scrollHeight);</script>
</body></html>`;

const chromium = process.argv[2] ?? '/usr/bin/chromium';
const common = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--hide-scrollbars',
];
const dir = mkdtempSync(join(tmpdir(), 'portscan-workbook-'));
try {
  const page = join(dir, 'workbook.html');
  writeFileSync(page, html);
  // First pass: the page's height (its script writes it into the title), then the screenshot.
  const dom = execFileSync(
    chromium,
    [...common, `--window-size=${PAGE_WIDTH},1000`, '--dump-dom', pathToFileURL(page).href],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? '2400');
  const output = join(root, 'docs/images/workbook.png');
  mkdirSync(join(root, 'docs/images'), { recursive: true });
  execFileSync(
    chromium,
    [...common, `--window-size=${PAGE_WIDTH},${height}`, `--screenshot=${output}`, pathToFileURL(page).href],
    { stdio: 'ignore' },
  );
  process.stdout.write(`wrote ${output} (${PAGE_WIDTH}×${height})\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
