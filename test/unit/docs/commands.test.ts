import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetworkSession } from '../../../lib/schema/NetworkSession.js';
import { tableCells } from '../../../scripts/readmeSourcesLib.js';
import { runPortscan } from '../../support/runCli.js';

/**
 * The documentation's commands and examples work as shown: every `portscan` command in a `sh`
 * block of README.md and docs/*.md runs (those that need Azure or Azurite are listed and left to
 * the integration tests), the README's shown output is what it prints, and every example record of
 * docs/sources.md decodes as its row says.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The code blocks of a page, with their language. */
function codeBlocks(page: string): { lang: string; text: string }[] {
  const blocks: { lang: string; text: string }[] = [];
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  let open: { lang: string; lines: string[]; fence: string; indent: number } | undefined;
  for (const line of lines) {
    const fence = /^(\s*)(`{3,})(\S*)\s*$/.exec(line);
    if (open === undefined && fence !== null)
      open = {
        lang: fence[3] ?? '',
        lines: [],
        fence: fence[2] as string,
        indent: (fence[1] as string).length,
      };
    else if (open !== undefined && line.trim() === open.fence) {
      blocks.push({ lang: open.lang, text: open.lines.join('\n') });
      open = undefined;
    } else open?.lines.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
  }
  return blocks;
}

/** The words of a shell command: quotes removed, `*` in the last path segment expanded as the shell does. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const m of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = m[1] ?? m[2] ?? (m[3] as string);
    if (m[3] !== undefined && word.includes('*')) {
      const pattern = new RegExp(
        `^${basename(word)
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')}$`,
      );
      const found = readdirSync(join(root, dirname(word)))
        .filter((f) => pattern.test(f))
        .sort()
        .map((f) => join(dirname(word), f));
      words.push(...found);
    } else words.push(word);
  }
  return words;
}

const commands = pages.flatMap((page) =>
  codeBlocks(page)
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.text.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^(npx )?portscan /.test(line))
    .map((line) => ({ page, line })),
);

/**
 * Commands that need a storage emulator or an Event Hub: test/integration/cliTableState.test.ts,
 * send.test.ts and smoke.test.ts (against the AMQP peer and Azurite) run the same paths.
 */
const needsStorage = (line: string) =>
  line.includes('--state table') || /^(npx )?portscan (send|smoke) /.test(line);

describe('Docs: the commands run as shown', () => {
  it('finds the documented commands', () => {
    expect(commands.map((c) => c.page)).toContain('README.md');
    expect(commands.length).toBeGreaterThanOrEqual(3);
  });

  it.each(commands.filter((c) => !needsStorage(c.line)))('$page: $line', async ({ line }) => {
    const argv = shellWords(line.replace(/^(npx )?portscan /, ''));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const run = await runPortscan(argv, { tty: true });
      expect(run.stderr).not.toMatch(/warning|not read/);
      expect(run.status, run.stderr).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });

  it('README: npm start and the worked example print what the README shows', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const blocks = codeBlocks('README.md');
    const start = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start;
    expect(start).toMatch(/^node bin\/portscan\.js /);
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const demo = await runPortscan(shellWords(start.replace(/^node bin\/portscan\.js /, '')), {
        tty: true,
      });
      expect(blocks.map((b) => b.text)).toContain(demo.stdout.trimEnd());
      const worked =
        commands.find((c) => c.page === 'README.md' && c.line.includes('samples/aws-s3'))?.line ?? '';
      expect(worked).not.toBe('');
      const run = await runPortscan(shellWords(worked.replace(/^npx portscan /, '')), {
        tty: true,
      });
      const index = blocks.findIndex((b) => b.text === run.stdout.trimEnd());
      expect(index, run.stdout).toBeGreaterThan(0);
      // The next block is the summary; only the time taken differs.
      const noTime = (s: string) => s.replace(/ in [\d.]+ s$/m, ' in … s').trimEnd();
      expect(noTime(blocks[index + 1]?.text ?? '')).toBe(noTime(run.stderr));
      expect(readme).toContain(run.stdout.trimEnd());
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('Docs: every example record of docs/sources.md decodes as its row says', () => {
  const doc = readFileSync(join(root, 'docs', 'sources.md'), 'utf8');
  const rows = doc
    .slice(doc.indexOf('<!-- sources:start -->'), doc.indexOf('<!-- sources:end -->'))
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2)
    .map((row) => {
      const [name, , format, reportedAs, example] = tableCells(row) as string[];
      const code = /`((?:[^`\\]|\\.)+)`/.exec(example ?? '')?.[1] ?? '';
      return {
        name: name as string,
        format: (format as string).replace(/`/g, ''),
        reportedAs: reportedAs as string,
        record: code.replace(/\\\|/g, '|'),
      };
    });

  it.each(rows)('$format: $name', async ({ format, reportedAs, record }) => {
    for (const f of [format, 'auto']) {
      const run = await runPortscan(['normalize', '--format', f, '-'], { stdin: record });
      const decoded = run.stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as NetworkSession);
      if (format === 'cef') {
        // "Any other CEF product": recognized and skipped.
        expect(decoded, run.stderr).toEqual([]);
        expect(run.stderr).toMatch(/cef: CEF vendor not mapped\s+1/);
        continue;
      }
      expect(decoded.length, run.stderr).toBeGreaterThan(0);
      // "Reported as" may list several products ("Microsoft / Windows Firewall; Microsoft / Sysmon").
      const expected =
        reportedAs === 'as in the record'
          ? (() => {
              const r = JSON.parse(record) as { EventVendor: string; EventProduct: string };
              return [`${r.EventVendor}/${r.EventProduct}`];
            })()
          : reportedAs.split('; ').map((p) => p.replace(/`/g, '').replace(/ \/ /g, '/'));
      for (const row of decoded) expect(expected).toContain(`${row.EventVendor}/${row.EventProduct}`);
    }
  });
});
