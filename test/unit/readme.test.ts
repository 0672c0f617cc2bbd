import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_DECODERS } from '../../lib/sources/registry.js';
import { renderReadmeSources } from '../../scripts/readmeSourcesLib.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('Docs: README', () => {
  it('carries the current sources and deviations tables of docs/sources', () => {
    expect(renderReadmeSources(readme, join(root, 'docs', 'sources'))).toBe(readme);
  });

  it('lists every registered decoder by its --format name', () => {
    const section = readme.slice(
      readme.indexOf('<!-- sources:start -->'),
      readme.indexOf('<!-- sources:end -->'),
    );
    for (const d of SOURCE_DECODERS) expect(section, d.name).toContain(`\`${d.name}\``);
  });

  it('shows the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
