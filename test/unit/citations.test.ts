import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingIds } from '../../scripts/markdownRules.mjs';

/**
 * Every citation in the repository resolves inside the repository: "decision D3" names a heading
 * of docs/decisions.md, `docs/….md#anchor` names a file and one of its headings, a Markdown link
 * names a file (and heading) that exists, and a path such as `lib/sources/pipeline/fields.ts` names a file.
 * The reference documents the project was started from are not part of a clone; a citation of
 * them is a failure.
 */

const root = resolve(import.meta.dirname, '..', '..');
const self = relative(root, import.meta.filename);

const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'dist', 'samples']);
const SKIPPED_FILES = new Set(['package-lock.json', 'bench/results', self]);
const TEXT_FILE = /\.(ts|mts|mjs|js|json|jsonl|md|bicep|bicepparam|sh|ya?ml)$/;

function textFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(root, path);
    // Dot folders (.git, bench/.work) hold tool state and generated data, not citations.
    if (SKIPPED_DIRS.has(name) || name.startsWith('.') || SKIPPED_FILES.has(rel)) continue;
    if (statSync(path).isDirectory()) found.push(...textFiles(path));
    else if (TEXT_FILE.test(name)) found.push(rel);
  }
  return found;
}

const anchorCache = new Map<string, Set<string>>();

/** The anchors of a Markdown file: GitHub's heading ids, as the Markdown link check computes them. */
function anchorsOf(file: string): Set<string> {
  let anchors = anchorCache.get(file);
  if (anchors === undefined) {
    anchors = headingIds(readFileSync(join(root, file), 'utf8'));
    anchorCache.set(file, anchors);
  }
  return anchors;
}

/** Why a repository path with an optional `#anchor` does not resolve, or undefined when it does. */
function unresolved(path: string, anchor: string | undefined): string | undefined {
  if (!existsSync(join(root, path))) return `no file ${path}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!path.endsWith('.md')) return `anchor on a file that is not Markdown: ${path}#${anchor}`;
  return anchorsOf(path).has(anchor) ? undefined : `no heading #${anchor} in ${path}`;
}

/** Reference documents outside the repository, in the ways code and docs used to cite them. */
const OUT_OF_REPO = [
  { pattern: /\bDECISIONS\b/g, why: 'cites the out-of-repo DECISIONS document' },
  { pattern: /normalization-(?:microsoft|thirdparty)|azure-platform\.md/g, why: 'cites an out-of-repo spec' },
  { pattern: /shared\/(?:spec|samples|seed)|\/work\//g, why: 'cites a path outside the repository' },
  { pattern: /(?<!RFC \d+ )§/g, why: 'cites a numbered section of an out-of-repo spec' },
];

const DECISION = /\bdecisions? (D\d+(?:\s*(?:,|–|-|and)\s*D\d+)*)/gi;
const DOC_PATH = /(?<![\w/.-])docs\/[\w./-]+?\.md(?:#[\w-]+)?/g;
const MARKDOWN_LINK = /\]\((?!https?:|mailto:)([^)\s#]*)(?:#([^)\s]+))?\)/g;
const REPO_PATH =
  /(?<![\w/.-])(?:lib|functions|test|scripts|bench|infra)\/[\w/.-]*\w\.(?:ts|mjs|json|md|bicep)\b/g;

/** The decision numbers a citation names: `D3`, `D3, D4`, `D1–D3`. */
function decisionNumbers(list: string): number[] {
  const numbers: number[] = [];
  for (const part of list.split(/\s*(?:,|and)\s*/)) {
    const range = /^D(\d+)\s*[–-]\s*D(\d+)$/.exec(part);
    if (range !== null) for (let n = Number(range[1]); n <= Number(range[2]); n++) numbers.push(n);
    else numbers.push(Number(part.slice(1)));
  }
  return numbers;
}

/** The unresolved citations of one file's text, each with its offset. */
function problemsIn(text: string, file: string): { index: number; problem: string }[] {
  const problems: { index: number; problem: string }[] = [];
  const report = (index: number, problem: string) => problems.push({ index, problem });
  for (const { pattern, why } of OUT_OF_REPO) {
    for (const m of text.matchAll(pattern)) report(m.index, `${why}: "${m[0]}"`);
  }
  const decisions = [...anchorsOf('docs/decisions.md')];
  for (const m of text.matchAll(DECISION)) {
    for (const n of decisionNumbers(m[1] ?? '')) {
      if (!decisions.some((a) => a.startsWith(`d${n}-`))) report(m.index, `no decision D${n}`);
    }
  }
  for (const m of text.matchAll(DOC_PATH)) {
    const [path, anchor] = m[0].split('#');
    const why = unresolved(path ?? '', anchor);
    if (why !== undefined) report(m.index, why);
  }
  for (const m of text.matchAll(REPO_PATH)) {
    if (!existsSync(join(root, m[0]))) report(m.index, `no file ${m[0]}`);
  }
  if (file.endsWith('.md')) {
    for (const m of text.matchAll(MARKDOWN_LINK)) {
      const target = m[1] === '' ? file : relative(root, resolve(root, dirname(file), decodeURI(m[1] ?? '')));
      const why = unresolved(target, m[2]);
      if (why !== undefined) report(m.index, why);
    }
  }
  return problems;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

describe('Docs: citations', () => {
  const files = textFiles(root);

  it('finds the decisions and the source mapping reference', () => {
    expect(files).toContain('docs/decisions.md');
    expect([...anchorsOf('docs/decisions.md')]).toEqual(
      expect.arrayContaining(['d1-detection-modes', 'd3-time', 'd6-bad-input']),
    );
    expect(files.filter((f) => f.startsWith('docs/sources/')).length).toBeGreaterThanOrEqual(4);
  });

  it('resolves every citation inside the repository', () => {
    const problems = files.flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return problemsIn(text, file).map((p) => `${file}:${lineOf(text, p.index)}: ${p.problem}`);
    });
    expect(problems).toEqual([]);
  });

  it.each([
    ['decision D3', []],
    ['decisions D1–D3, D6', []],
    ['decision D9', ['no decision D9']],
    ['see docs/decisions.md#d3-time', []],
    ['see docs/decisions.md#d3-timing', ['no heading #d3-timing in docs/decisions.md']],
    ['see docs/nowhere.md', ['no file docs/nowhere.md']],
    ['as lib/sources/nowhere.ts does', ['no file lib/sources/nowhere.ts']],
    ['(spec §5.1)', ['cites a numbered section of an out-of-repo spec: "§"']],
    ['RFC 9110 §10.2.3', []],
    ['per DECISIONS D4', ['cites the out-of-repo DECISIONS document: "DECISIONS"']],
  ])('judges %j', (text, expected) => {
    expect(problemsIn(text, 'lib/example.ts').map((p) => p.problem)).toEqual(expected);
  });

  it('computes heading anchors as GitHub does', () => {
    const ids = headingIds(
      '# D5. Vendor and product names\n## Mapping: Defender XDR `DeviceNetworkEvents`\n### Corelight / Zeek\n## Corelight / Zeek\n',
    );
    expect([...ids]).toEqual([
      'd5-vendor-and-product-names',
      'mapping-defender-xdr-devicenetworkevents',
      'corelight--zeek',
      'corelight--zeek-1',
    ]);
  });
});
