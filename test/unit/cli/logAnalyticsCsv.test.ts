import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPortscan } from '../../support/runCli.js';

/**
 * Log Analytics CSV exports given to the CLI give the rows their golden files expect: every golden
 * case whose input is a `.csv` export (test/fixtures/<source>/*.expected.json), read as a file
 * exactly as `portscan normalize FILE` reads it.
 */
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');
const cases = readdirSync(fixtures).flatMap((source) =>
  readdirSync(join(fixtures, source))
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => ({ dir: join(fixtures, source), file: f }))
    .map(({ dir, file }) => ({
      name: `${dir.slice(fixtures.length + 1)}/${file}`,
      dir,
      golden: JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        input: string;
        format?: string;
        referenceTime?: string;
        fallbackTime?: string;
        expected: { records: unknown[]; sources: Record<string, number> };
      },
    }))
    .filter((c) => c.golden.input.endsWith('.csv') && c.golden.fallbackTime === undefined),
);

describe('CLI: Log Analytics CSV exports', () => {
  it('finds the CSV golden cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });

  it.each(cases)('normalize $name', async ({ dir, golden }) => {
    const argv = [
      'normalize',
      ...(golden.format === undefined ? [] : ['--format', golden.format]),
      join(dir, golden.input),
    ];
    const run = await runPortscan(argv, {
      ...(golden.referenceTime === undefined
        ? {}
        : { now: () => Date.parse(golden.referenceTime as string) }),
    });
    const rows = run.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual(golden.expected.records);
    for (const [source, count] of Object.entries(golden.expected.sources))
      expect(run.stderr).toMatch(
        new RegExp(`recognized as ${source}\\s+${count.toLocaleString('en-US')}\\n`),
      );
  });

  it('reads a quoted cell that holds commas, quotes and line breaks', async () => {
    const csv = [
      'TimeGenerated [UTC],EventVendor,EventProduct,SrcIpAddr,DstIpAddr,DstPortNumber,EventOriginalType,Type',
      '"11/20/2025, 10:16:04.118 AM",AWS,VPC,203.0.113.7,10.0.0.4,22,"a ""quoted"", multi',
      'line value",ASimNetworkSessionLogs',
    ].join('\n');
    const run = await runPortscan(['normalize', '-'], { stdin: csv });
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      SrcIpAddr: '203.0.113.7',
      DstPortNumber: 22,
      TimeGenerated: '2025-11-20T10:16:04.118Z',
    });
  });
});

describe('CLI: a Log Analytics CSV export with an unclosed quote', () => {
  const header =
    'TimeGenerated [UTC],EventVendor,EventProduct,SrcIpAddr,DstIpAddr,DstPortNumber,EventOriginalType,Type';
  const row = (port: number, type = 'x') =>
    `"11/20/2025, 10:16:04.118 AM","AWS","VPC","203.0.113.7","10.0.0.4","${port}","${type}","ASimNetworkSessionLogs"`;

  it('rejects the open row and reads every row after it', async () => {
    const broken = row(23).replace('"x"', '"x');
    const csv = [header, row(22), broken, row(24), row(25), ''].join('\n');
    const run = await runPortscan(['normalize', '-'], { stdin: csv });
    const ports = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).DstPortNumber);
    expect(ports).toEqual([22, 24, 25]);
    expect(run.stderr).toMatch(/CSV row with an unclosed quote\s+1\n/);
    expect(run.stderr).toContain('stdin line 3: unknown: CSV row with an unclosed quote');
  });

  it('rejects a row still open at the end and keeps the rows before it', async () => {
    const csv = [header, row(22), row(23).replace('"x"', '"x'), 'more text of the open cell'].join('\n');
    const run = await runPortscan(['normalize', '-'], { stdin: csv });
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).DstPortNumber),
    ).toEqual([22]);
    expect(run.stderr).toMatch(/CSV row with an unclosed quote\s+1\n/);
  });
});
