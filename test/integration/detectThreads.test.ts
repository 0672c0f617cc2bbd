import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../support/random.js';
import { runPortscan } from '../support/runCli.js';

const SEED = 20261129;
const dir = mkdtempSync(join(tmpdir(), 'portscan-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-11-02T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** The files under a directory of the repository, recursively, in code-point order. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One line of a kind, from a seeded stream of choices: the fast path's shapes, their near misses, and other sources. */
function lineOf(kind: number, n: number, pick: (k: number) => number): string {
  // One row in ten comes up to 90 minutes late: late rows, late alerts and rows beyond retention.
  const t = T0 + n * 400 - (pick(10) === 0 ? pick(5_400_000) : 0);
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
  const random = new Random(seed);
  const pick = (k: number) => random.int(0, k - 1);
  const lines: string[] = [];
  for (let n = 0; n < 12_000; n++) {
    const x = pick(100);
    const kind = x < 40 ? 0 : x < 80 ? 1 : x < 90 ? 2 : 3 + pick(8);
    lines.push(lineOf(kind, n, pick));
  }
  // One line longer than a read chunk, in the middle.
  lines.splice(6000, 0, `{"x":"${'y'.repeat(1_500_000)}"}`);
  const path = join(dir, name);
  // A byte order mark first, and a line of bytes that are not UTF-8 (each read as U+FFFD).
  const invalid = Buffer.from([0x7b, 0x22, 0xe2, 0x82, 0x22, 0xff, 0x3a, 0x31, 0x7d]);
  writeFileSync(
    path,
    Buffer.concat([Buffer.from('\ufeff'), Buffer.from(`${lines.join('\n')}\n`), invalid, Buffer.from('\n')]),
  );
  return path;
}

describe('CLI: detect --threads', () => {
  it('gives the alerts and the summary of one thread, byte for byte, on 2 and 3 threads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const path = writeInput(seed, `in-${seed}.log`);
        const options = ['detect', '--threshold', '10', '--lateness-minutes', '1', '--retention-hours', '1'];
        const one = await runPortscan([...options, path, path]);
        expect(one.stdout.length).toBeGreaterThan(0);
        expect(one.stderr).toMatch(/older than the retention horizon/);
        for (const threads of ['2', '3']) {
          const sharded = await runPortscan([...options, '--threads', threads, path, path]);
          expect(sharded.status).toBe(0);
          expect(sharded.stdout).toBe(one.stdout);
          expect(sharded.stderr).toBe(one.stderr);
        }
      }),
      { seed: SEED, numRuns: 3 },
    );
  }, 180_000);

  it('gives the output of one thread on every bundled sample and fixture', async () => {
    const inputs = [...filesUnder('samples'), ...filesUnder('test/fixtures')].filter(
      (f) => !f.endsWith('.md') && !f.endsWith('.expected.json'),
    );
    expect(inputs.length).toBeGreaterThan(50);
    for (const options of [
      ['--threshold', '1'],
      ['--threshold', '2', '--lateness-minutes', '0', '--retention-hours', '1'],
    ]) {
      const one = await runPortscan(['detect', ...options, ...inputs]);
      expect(one.stdout.split('\n').length).toBeGreaterThan(2);
      for (const threads of ['2', '3']) {
        const sharded = await runPortscan(['detect', ...options, '--threads', threads, ...inputs]);
        expect(sharded.status).toBe(one.status);
        expect(sharded.stdout).toBe(one.stdout);
        expect(sharded.stderr).toBe(one.stderr);
      }
    }
  }, 180_000);

  it('gives the output of one thread on a directory of many small files of every shape', async () => {
    // Hundreds of inputs of 0 to 40 lines, so that many are in flight at once: empty files, files
    // ending without a line break, byte order marks, CRLF, gzip, UTF-16, VPC headers, documents
    // split across lines, a Log Analytics CSV export and the bundled fixtures among them.
    const random = new Random(SEED);
    const pick = (k: number) => random.int(0, k - 1);
    const root = join(dir, 'many');
    const csv = readFileSync('test/fixtures/cisco-asa/Cisco_ASA_NetworkSession_IngestedLogs.first-rows.csv');
    let n = 0;
    for (let f = 0; f < 400; f++) {
      const lines: string[] = [];
      const shape = pick(4);
      for (let i = pick(41); i > 0; i--) {
        const x = pick(100);
        const kind =
          shape === 0
            ? 0
            : shape === 1
              ? i === 0 || x < 5
                ? 3
                : 1
              : x < 40
                ? 0
                : x < 80
                  ? 1
                  : x < 90
                    ? 2
                    : 3 + pick(8);
        lines.push(lineOf(kind, n++, pick));
      }
      const text = lines.join(pick(5) === 0 ? '\r\n' : '\n') + (pick(3) === 0 ? '' : '\n');
      const sub = join(root, `day-${f % 7}`);
      mkdirSync(sub, { recursive: true });
      const name = join(sub, `part-${String(f).padStart(4, '0')}`);
      const way = pick(12);
      const bytes =
        way === 0
          ? gzipSync(text)
          : way === 1
            ? Buffer.from(`\ufeff${text}`, 'utf16le')
            : way === 2
              ? Buffer.from(`\ufeff${text}`)
              : way === 3
                ? csv
                : Buffer.from(text);
      writeFileSync(name, bytes);
    }
    const options = ['detect', '--threshold', '5', '--lateness-minutes', '1', '--retention-hours', '1'];
    const one = await runPortscan([...options, root]);
    expect(one.status).toBe(0);
    expect(one.stdout.split('\n').length).toBeGreaterThan(10);
    for (const threads of ['2', '3']) {
      const sharded = await runPortscan([...options, '--threads', threads, root]);
      expect(sharded.status).toBe(0);
      expect(sharded.stdout).toBe(one.stdout);
      expect(sharded.stderr).toBe(one.stderr);
    }
  }, 180_000);

  it('fails, naming the remedy, where one thread would finalize bins early to bound memory', async () => {
    // 1,500 sources over 25 hours, none released: past a bound of 1,000 open windows one detector finalizes early.
    const lines = Array.from(
      { length: 1500 },
      (_, i) =>
        `{"TimeGenerated":"${iso(T0 + i * 60_000)}","EventVendor":"V","EventProduct":"P","SrcIpAddr":"203.0.${i >> 8}.${i & 255}","DstPortNumber":22}`,
    );
    const path = join(dir, 'many-sources.jsonl');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const env = { PORTSCAN_MAX_OPEN_WINDOWS: '1000' };
    const one = await runPortscan(['detect', path], { env });
    expect(one.stderr).toMatch(/finalized early/);
    const sharded = await runPortscan(['detect', '--threads', '2', path], { env });
    expect(sharded.status).toBe(1);
    expect(sharded.stderr).toMatch(/PORTSCAN_MAX_OPEN_WINDOWS=1000 .*--threads 1/);
    // Under the bound, the same input gives one thread's output.
    const roomy = { PORTSCAN_MAX_OPEN_WINDOWS: '2000' };
    const under = await runPortscan(['detect', '--threads', '2', path], { env: roomy });
    expect(under.stdout).toBe((await runPortscan(['detect', path], { env: roomy })).stdout);
    expect(under.status).toBe(0);
  }, 60_000);

  it('refuses --threads where it does not apply', async () => {
    const path = writeInput(7, 'small.log');
    expect((await runPortscan(['detect', '--threads', '0', path])).status).toBe(2);
    expect((await runPortscan(['normalize', '--threads', '2', path])).status).toBe(2);
  });
});
