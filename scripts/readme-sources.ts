/**
 * Copies the "Supported sources" and "Deviations from the ASIM parsers" tables of every
 * docs/sources/*.md into docs/sources.md (between the `sources` and `deviations` markers), as
 * one table each, and the short list of sources into README.md (between its `sources` markers),
 * so that both always list every source. `--check` fails when either is out of date (the tests
 * check the same).
 *
 *   npx tsx scripts/readme-sources.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReadmeSources, renderSourcesDoc } from './readmeSourcesLib.js';

const root = join(import.meta.dirname, '..');
const groups = join(root, 'docs', 'sources');
const targets: [string, (text: string, dir: string) => string][] = [
  [join(root, 'README.md'), renderReadmeSources],
  [join(root, 'docs', 'sources.md'), renderSourcesDoc],
];
let stale = false;
for (const [path, render] of targets) {
  const text = readFileSync(path, 'utf8');
  const next = render(text, groups);
  if (next === text) continue;
  if (process.argv.includes('--check')) {
    console.error(`${path} is out of date with docs/sources: run npx tsx scripts/readme-sources.ts`);
    stale = true;
  } else writeFileSync(path, next);
}
if (stale) process.exit(1);
