import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lint } from 'markdownlint/promise';
import { describe, expect, it } from 'vitest';
import markdownRules from '../../../scripts/markdownRules.mjs';

/** Lints Markdown files written to a fresh folder with only our rules; returns `file:line rule detail`. */
async function check(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'portscan-md-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const results = await lint({
    files: Object.keys(files).map((f) => join(dir, f)),
    config: { default: false, PS001: true, PS002: true },
    customRules: markdownRules,
  });
  return Object.entries(results).flatMap(([file, errors]) =>
    errors.map((e) => `${file.slice(dir.length + 1)}:${e.lineNumber} ${e.ruleNames[0]} ${e.errorDetail}`),
  );
}

describe('Markdown checks (npm run lint:md)', () => {
  it('finds a closing fence with text after it, which leaves the block open (the old README line 474)', async () => {
    const errors = await check({
      'README.md':
        '# T\n\n```json\n{"a":1}\n``` See\n[docs](README.md).\n\n## Deployment\n\n```sh\nazd up\n```\n',
    });
    expect(errors[0]).toBe(
      'README.md:5 PS001 a closing fence takes no text after it: this line does not close the block',
    );
  });

  it('finds a fence never closed', async () => {
    expect(await check({ 'a.md': '# A\n\n```text\nrest of the page\n' })).toEqual([
      'a.md:3 PS001 the ``` fence opened here is never closed',
    ]);
  });

  it('accepts a longer fence quoting a shorter one', async () => {
    expect(await check({ 'a.md': '# A\n\n````markdown\n```sh\nls\n```\n````\n' })).toEqual([]);
  });

  it('finds relative links to missing files and anchors to missing headings, here and in other pages', async () => {
    const errors = await check({
      'README.md':
        '# T\n\n## Run it on `your` logs\n\n[a](#run-it-on-your-logs) [b](guide/x.md#the-rule) [c](guide/x.md#gone) [d](#nope) [e](missing.md) [f](guide) [g](https://example.com/x#y)\n',
      'guide/x.md': '# X\n\n## The rule\n\n```sh\n# not a heading\n```\n',
    });
    expect(errors).toEqual([
      'README.md:5 PS002 no heading with the id "gone" in guide/x.md',
      'README.md:5 PS002 no heading with the id "nope" in this file',
      'README.md:5 PS002 no such file: missing.md',
    ]);
  });
});
