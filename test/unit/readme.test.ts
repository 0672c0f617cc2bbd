import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import { renderReadmeSources, renderSourcesDoc } from '../../scripts/readmeSourcesLib.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const sourcesDoc = readFileSync(join(root, 'docs', 'sources.md'), 'utf8');

function between(text: string, marker: string): string {
  return text.slice(text.indexOf(`<!-- ${marker}:start -->`), text.indexOf(`<!-- ${marker}:end -->`));
}

describe('Docs: README and docs/sources.md', () => {
  it('carry the current tables of docs/sources (npx tsx scripts/readme-sources.ts)', () => {
    expect(renderReadmeSources(readme, join(root, 'docs', 'sources'))).toBe(readme);
    expect(renderSourcesDoc(sourcesDoc, join(root, 'docs', 'sources'))).toBe(sourcesDoc);
  });

  it('list every registered decoder by its --format name', () => {
    for (const d of SOURCE_DECODERS) {
      expect(between(readme, 'sources'), d.name).toContain(`\`${d.name}\``);
      expect(between(sourcesDoc, 'sources'), d.name).toContain(`\`${d.name}\``);
    }
  });

  it('shows the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('has a table of contents that names every section', () => {
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((s) => s !== 'Contents');
    const contents = readme.slice(readme.indexOf('## Contents'), readme.indexOf('## Two commands'));
    for (const s of sections) expect(contents, s).toContain(`[${s}](#`);
  });
});
