import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetworkSession } from '../../../lib/schema/NetworkSession.js';
import { runPortscan } from '../../support/runCli.js';

const root = join(import.meta.dirname, '..', '..', '..');
const demo = join(root, 'samples', 'demo');
const readme = readFileSync(join(demo, 'README.md'), 'utf8');

describe('Docs: samples/demo/README.md', () => {
  it('states the counts the demo files really hold', async () => {
    const run = await runPortscan([
      'normalize',
      join(demo, 'aws-vpc-flow.log'),
      join(demo, 'paloalto-cef.log'),
    ]);
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as NetworkSession);
    const bin = (r: NetworkSession) => new Date(Math.floor(Date.parse(r.TimeGenerated) / 300_000) * 300_000);
    const scan = rows.filter((r) => r.SrcIpAddr === '198.51.100.23' && r.DvcAction !== 'Allow');
    const vpcProbes = scan.filter((r) => r.EventProduct === 'VPC').length;
    const panProbes = scan.filter((r) => r.EventProduct === 'PanOS').length;
    const slow = rows.filter((r) => r.SrcIpAddr === '203.0.113.66');
    const slowBins = new Map<string, Set<number>>();
    for (const r of slow) {
      const key = bin(r).toISOString().slice(11, 16);
      slowBins.set(key, (slowBins.get(key) ?? new Set()).add(r.DstPortNumber as number));
    }
    const special = new Set(['203.0.113.66', '10.0.9.99', '10.0.2.40']);
    const benign = rows.filter((r) => !special.has(r.SrcIpAddr as string) && !scan.includes(r));
    const benignVpc = benign.filter((r) => r.EventProduct === 'VPC').length;

    expect(readme).toContain(`the first ${vpcProbes} probes of the scan`);
    expect(readme).toContain(`the last ${panProbes} probes of the scan`);
    expect(readme).toContain(`top ${new Set(scan.map((r) => r.DstPortNumber)).size} ports`);
    expect(readme).toContain(`touches ${new Set(slow.map((r) => r.DstPortNumber)).size} ports`);
    expect([...slowBins.keys()]).toEqual(['08:05', '08:10']);
    expect(readme).toContain(
      `${slowBins.get('08:05')?.size} fall in the 08:05 bin and ${slowBins.get('08:10')?.size} in the 08:10 bin`,
    );
    expect(readme).toContain(`${benignVpc} benign flows from internet clients`);
    expect(readme).toContain(`${benign.length - benignVpc} more benign flows`);
    expect(readme).toContain(
      `The ${benign.length} benign flows come from ${new Set(benign.map((r) => r.SrcIpAddr)).size} addresses`,
    );
    expect(readme).toContain(
      `${rows.filter((r) => r.SrcIpAddr === '10.0.2.40').length} east-west flows from \`10.0.2.40\``,
    );
    expect(readme).toContain(
      `probing ${new Set(rows.filter((r) => r.SrcIpAddr === '10.0.9.99').map((r) => r.DstPortNumber)).size} ports`,
    );
  });
});
