import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runPortscan } from '../support/runCli.js';

const SEED = 20261129;
const dir = mkdtempSync(join(tmpdir(), 'portscan-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-11-02T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** One line of a kind, from a seeded stream of choices: the fast path's shapes, their near misses, and other sources. */
function lineOf(kind: number, n: number, pick: (k: number) => number): string {
  const t = T0 + n * 400;
  const src = pick(10) < 7 ? `203.0.113.${1 + pick(6)}` : `10.1.${pick(200)}.${pick(250)}`;
  const port = pick(4) === 0 ? 1000 + pick(3000) : [22, 80, 443][pick(3)];
  switch (kind) {
    case 0:
      return `{"TimeGenerated":"${iso(t)}","EventStartTime":"${iso(t - 5000)}","EventCount":${1 + pick(3)},"EventVendor":"Palo Alto","EventProduct":"PanOS","EventSchema":"NetworkSession","SrcIpAddr":"${src}","DstPortNumber":${port},"Type":"ASimNetworkSessionLogs"}`;
    case 1:
      return `2 123456789010 eni-0a1b2c3d4e5f67890 ${src} 10.0.1.10 51766 ${port} ${['6', '17', '84'][pick(3)]} 3 180 ${Math.floor(t / 1000)} ${Math.floor(t / 1000) + 60} ACCEPT OK`;
    case 2:
      return `<14>1 ${iso(t)} pa-edge-01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.2.8|end|TRAFFIC|1|rt=Nov 02 2026 08:00:08 GMT src=${src} dst=10.0.20.20 spt=39636 dpt=${port} proto=tcp act=allow`;
    case 3:
      return 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    case 4:
      return 'version account-id interface-id dstaddr srcaddr dstport srcport protocol packets bytes start end action log-status';
    case 5:
      return '{"records": [';
    case 6:
      return ']}';
    case 7:
      return `{"TimeGenerated":"${iso(t)}","EventVendor":"X","EventProduct":"Y","SrcIpAddr":"${src}","DstPortNumber":"${port}","Nested":{"a":1}}\r`;
    case 8:
      return `2 123456789010 eni-0a1b2c3d ${src} - - ${port} 6 3 180 ${Math.floor(t / 1000)} - ACCEPT NODATA`;
    case 9:
      return '';
    default:
      return `{"TimeGenerated":"${iso(t)}","EventVendor":"  ","EventProduct":"Y","SrcIpAddr":"${src}","DstPortNumber":${port}}`;
  }
}

/** A file of a few MB (several read chunks), mostly fast lines with every other kind sprinkled in. */
function writeInput(seed: number, name: string): string {
  let state = seed >>> 0 || 1;
  const pick = (k: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % k;
  };
  const lines: string[] = [];
  for (let n = 0; n < 12_000; n++) {
    const x = pick(100);
    const kind = x < 40 ? 0 : x < 80 ? 1 : x < 90 ? 2 : 3 + pick(8);
    lines.push(lineOf(kind, n, pick));
  }
  // One line longer than a read chunk, in the middle.
  lines.splice(6000, 0, `{"x":"${'y'.repeat(1_500_000)}"}`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('CLI: detect --threads', () => {
  it('gives the alerts and the summary of one thread, byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const path = writeInput(seed, `in-${seed}.log`);
        const one = await runPortscan(['detect', '--threshold', '10', path]);
        const three = await runPortscan(['detect', '--threshold', '10', '--threads', '3', path]);
        expect(three.status).toBe(0);
        expect(three.stdout).toBe(one.stdout);
        expect(three.stderr).toBe(one.stderr);
        expect(one.stdout.length).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 4 },
    );
  }, 120_000);

  it('refuses --threads where it does not apply', async () => {
    const path = writeInput(7, 'small.log');
    expect((await runPortscan(['detect', '--threads', '0', path])).status).toBe(2);
    expect((await runPortscan(['normalize', '--threads', '2', path])).status).toBe(2);
  });
});
