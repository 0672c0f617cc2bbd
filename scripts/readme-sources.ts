/**
 * Copies the "Supported sources" and "Deviations from the ASIM parsers" tables of every
 * docs/sources/*.md into README.md (between the `sources` and `deviations` markers), as one table
 * each, so the README always lists every source and every deviation. `--check` fails when the
 * README is out of date (run by the tests).
 *
 *   npx tsx scripts/readme-sources.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReadmeSources } from './readmeSourcesLib.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const next = renderReadmeSources(readme, join(root, 'docs', 'sources'));
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md is out of date with docs/sources: run npx tsx scripts/readme-sources.ts');
    process.exit(1);
  }
} else {
  writeFileSync(join(root, 'README.md'), next);
}
