import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KNOB_USAGE } from '../../../lib/cli/usage.js';
import { DETECTION_KNOBS } from '../../../lib/config/detectionSettings.js';
import { AlertSchema } from '../../../lib/schema/Alert.js';
import { runPortscan } from '../../support/runCli.js';
import { scan, session } from '../../support/sessions.js';

const root = join(import.meta.dirname, '..', '..', '..');
const demoVpc = join(root, 'samples', 'demo', 'aws-vpc-flow.log');
const demoCef = join(root, 'samples', 'demo', 'paloalto-cef.log');
const dir = mkdtempSync(join(tmpdir(), 'portscan-cli-habits-'));
const vpcText = readFileSync(demoVpc);
const vpcGzip = gzipSync(vpcText);

const alertsOf = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => AlertSchema.parse(JSON.parse(l)));

describe('CLI: a closed pipe', () => {
  it('ends the run quietly with status 0 when the reader goes away (portscan normalize big.log | head -1)', async () => {
    let writes = 0;
    const closing = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const big = join(dir, 'big.log');
    writeFileSync(big, Buffer.concat(Array.from({ length: 20 }, () => vpcText)));
    const run = await runPortscan(['normalize', big], { stdout: closing });
    expect(run.status).toBe(0);
    expect(writes).toBe(1);
    expect(run.stderr).not.toMatch(/EPIPE|Error|at /);
  });
});

describe('CLI: inputs', () => {
  it('reads gzip by its content: on stdin, and under a name without .gz', async () => {
    const plain = await runPortscan(['detect', demoVpc]);
    const renamed = join(dir, 'flows.dat');
    writeFileSync(renamed, vpcGzip);
    const fromStdin = await runPortscan(['detect', '-'], { stdin: vpcGzip });
    const fromRenamed = await runPortscan(['detect', renamed]);
    expect(alertsOf(plain.stdout)).toHaveLength(1);
    expect(fromStdin.stdout).toBe(plain.stdout);
    expect(fromRenamed.stdout).toBe(plain.stdout);
    expect(fromStdin.status).toBe(0);
  });

  it('reads a .gz file holding plain text as text', async () => {
    const misnamed = join(dir, 'plain.log.gz');
    writeFileSync(misnamed, vpcText);
    const run = await runPortscan(['detect', misnamed]);
    expect(run.status).toBe(0);
    expect(alertsOf(run.stdout)).toHaveLength(1);
  });

  it('reports a truncated gzip input in plain words, reads the rest, prints the alerts and exits 1', async () => {
    const truncated = join(dir, 'truncated.log.gz');
    writeFileSync(truncated, vpcGzip.subarray(0, Math.floor(vpcGzip.length / 2)));
    const run = await runPortscan(['detect', demoCef, truncated, demoVpc]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/truncated\.log\.gz: truncated gzip data/);
    expect(run.stderr).not.toMatch(/Z_BUF_ERROR/);
    expect(alertsOf(run.stdout).map((a) => a.SrcIpAddr)).toEqual(['198.51.100.23']);
    expect(run.stderr).toMatch(/inputs not read in full\s+1/);
    expect(run.stderr).toMatch(/alerts\s+1/);
  });

  it('names compressed data it cannot read and says how to read it', async () => {
    const bz = join(dir, 'flows.log.bz2');
    writeFileSync(bz, Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(20)]));
    const run = await runPortscan(['detect', bz, demoVpc]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /flows\.log\.bz2: bzip2-compressed data; try: bzip2 -dc .*flows\.log\.bz2 \| portscan … -/,
    );
    expect(alertsOf(run.stdout)).toHaveLength(1);
  });

  it('reads a FIFO, as process substitution gives (detect <(zcat x.gz))', async () => {
    const fifo = join(dir, 'flows.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo);
    writer.end(vpcGzip);
    const run = await runPortscan(['detect', fifo]);
    expect(run.status).toBe(0);
    expect(alertsOf(run.stdout)).toHaveLength(1);
  });

  it('reads a directory recursively, in path order, leaving out dot-files', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, '2026', '11', '02'), { recursive: true });
    mkdirSync(join(tree, '2026', '11', '01'), { recursive: true });
    const line = (src: string) =>
      `2 123456789010 eni-1 ${src} 10.0.1.10 40000 99999 6 1 44 1793606408 1793606466 REJECT OK\n`;
    writeFileSync(join(tree, '2026', '11', '02', 'b.log'), line('203.0.113.2'));
    writeFileSync(join(tree, '2026', '11', '01', 'z.log.gz'), gzipSync(line('203.0.113.1')));
    writeFileSync(join(tree, '2026', '11', '02', 'a.log'), line('203.0.113.3'));
    writeFileSync(join(tree, '.DS_Store'), 'not a log');
    const run = await runPortscan(['detect', tree]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/3 inputs/);
    const order = [...run.stderr.matchAll(/(\S+) line 1: aws-vpc-flow/g)].map((m) =>
      m[1]?.slice(tree.length),
    );
    expect(order).toEqual(['/2026/11/01/z.log.gz', '/2026/11/02/a.log', '/2026/11/02/b.log']);
  });

  it('reports an empty directory and a missing file, and still reads the rest', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const run = await runPortscan(['detect', empty, join(dir, 'missing.log'), demoVpc]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/empty: directory holds no files/);
    expect(run.stderr).toMatch(/missing\.log: no such file or directory/);
    expect(alertsOf(run.stdout)).toHaveLength(1);
  });

  it('reads UTF-16 text with a byte order mark, and says so', async () => {
    const utf16 = join(dir, 'export-utf16.log');
    writeFileSync(
      utf16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(vpcText.toString('utf8'), 'utf16le')]),
    );
    const run = await runPortscan(['detect', utf16]);
    expect(run.status).toBe(0);
    expect(alertsOf(run.stdout)).toHaveLength(1);
    expect(run.stderr).toMatch(
      /warning: .*export-utf16\.log: read as UTF-16LE; .*iconv -f UTF-16LE -t UTF-8/,
    );
  });
});

describe('CLI: progress', () => {
  /** A clock that moves one second each time it is read. */
  const ticking = () => {
    let t = Date.parse('2026-11-29T00:00:00Z');
    return () => (t += 1000);
  };

  it('counts a .gz file in compressed bytes against its size on disk', async () => {
    const gz = join(dir, 'progress.log.gz');
    writeFileSync(gz, gzipSync(Buffer.concat(Array.from({ length: 40 }, () => vpcText))));
    const run = await runPortscan(['detect', gz], { stderrTty: true, now: ticking() });
    const lines = run.stderr.split('\r').filter((l) => l.includes(' of '));
    expect(lines.length).toBeGreaterThan(0);
    const size = statSync(gz).size;
    for (const l of lines) {
      const m = /\s([\d.]+) (KB|MB) of ([\d.]+) (KB|MB) \((\d+)%\)/.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m?.[5])).toBeLessThanOrEqual(100);
      expect(`${m?.[3]} ${m?.[4]}`).toBe(`${(size / 1024).toFixed(size < 10 * 1024 ? 2 : 1)} KB`);
    }
  });

  it('shows bytes and records read from stdin', async () => {
    const run = await runPortscan(['detect', '-'], {
      stdin: Buffer.concat(Array.from({ length: 5 }, () => vpcText)),
      stderrTty: true,
      now: ticking(),
    });
    expect(run.stderr).toContain(`\r${String.fromCharCode(27)}[K  `);
    expect(run.stderr).toMatch(/ {2}[\d.]+ KB read, [\d,]+ records/);
  });

  it('--quiet prints neither progress nor the summary', async () => {
    const run = await runPortscan(['detect', '--quiet', demoVpc], { stderrTty: true, now: ticking() });
    expect(run.stderr).toBe('');
    expect(alertsOf(run.stdout)).toHaveLength(1);
  });
});

describe('CLI: warnings with their remedy', () => {
  const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T10:00:00Z`;
  const newer = join(dir, 'newer.jsonl');
  const older = join(dir, 'older.jsonl');
  writeFileSync(
    newer,
    scan('203.0.113.10', 60, day(20))
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  writeFileSync(
    older,
    scan('203.0.113.20', 60, day(1))
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );

  it('says when inputs given newest first lose rows past the retention horizon, and how to keep them', async () => {
    const newestFirst = await runPortscan(['detect', newer, older]);
    expect(alertsOf(newestFirst.stdout).map((a) => a.SrcIpAddr)).toEqual(['203.0.113.10']);
    expect(newestFirst.stderr).toMatch(
      /warning: 60 rows were not counted .*Give the inputs oldest first .*or raise --retention-hours/,
    );
    const oldestFirst = await runPortscan(['detect', older, newer]);
    expect(alertsOf(oldestFirst.stdout).map((a) => a.SrcIpAddr)).toEqual(['203.0.113.20', '203.0.113.10']);
    expect(oldestFirst.stderr).not.toMatch(/warning/);
    const wide = await runPortscan(['detect', '--retention-hours', '720', newer, older]);
    expect(alertsOf(wide.stdout)).toHaveLength(2);
  });

  it('says when nothing in the input decodes', async () => {
    const run = await runPortscan(['detect', '-'], { stdin: 'hello\nworld\n' });
    expect(run.stderr).toMatch(/warning: nothing was decoded: none of the 2 records read .*--format NAME/);
  });
});

describe('CLI: the summary', () => {
  it('shows a bounded excerpt of each first example, and stdin as "stdin"', async () => {
    const long = `garbage ${'x'.repeat(5000)}`;
    const run = await runPortscan(['detect', '-'], {
      stdin: `${JSON.stringify(session('203.0.113.9', 22, '2026-11-01T10:00:00Z'))}\n${long}\n`,
    });
    expect(run.stderr).toMatch(/stdin line 2: unknown: unrecognized text line\n {8}\| garbage x{91}…\n/);
    expect(run.stderr).not.toMatch(/ - line/);
  });

  it('--summary-json writes the summary as JSON', async () => {
    const file = join(dir, 'summary.json');
    const run = await runPortscan(['detect', '--summary-json', file, demoVpc, demoCef]);
    expect(run.status).toBe(0);
    const summary = JSON.parse(readFileSync(file, 'utf8'));
    expect(summary).toMatchObject({
      command: 'detect',
      inputs: 2,
      recordsRead: 834,
      recognizedAs: { 'aws-vpc-flow': 600, 'paloalto-panos': 234 },
      normalizedRows: 833,
      alerts: 1,
      problems: [],
      warnings: [],
    });
  });
});

describe('CLI: output formats', () => {
  it('writes alerts as CSV with a header line', async () => {
    const run = await runPortscan(['detect', '--output', 'csv', demoVpc, demoCef]);
    const [header, row, ...rest] = run.stdout.trim().split('\n');
    expect(header).toBe(
      'BinStart,BinEnd,SrcIpAddr,AttemptedPortsCount,AttemptedPorts,ReportedBy,FirstSeen,LastSeen,EventCount,IsLate,Severity,DetectionMode,Threshold,AlertId',
    );
    expect(rest).toEqual([]);
    expect(row).toMatch(
      /^2026-11-02T08:00:00.000Z,2026-11-02T08:05:00.000Z,198\.51\.100\.23,124,7 9 13 .* 6000,AWS\/VPC Palo Alto\/PanOS,2026-11-02T08:00:54.000Z,2026-11-02T08:03:03.000Z,125,false,Medium,default,50,e9b5f421-aa12-5f13-a14e-70a1d5305489$/,
    );
  });

  it('writes normalized rows as CSV', async () => {
    const run = await runPortscan(['normalize', '--output', 'csv', demoCef]);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]?.startsWith('TimeGenerated,')).toBe(true);
    expect(lines).toHaveLength(235);
  });

  it('renders --bin-minutes in the alert description', async () => {
    const run = await runPortscan(['detect', '--bin-minutes', '10', demoVpc, demoCef]);
    expect(alertsOf(run.stdout)[0]?.AlertDescription).toContain('over 124 ports within 10 minutes.');
  });
});

describe('CLI: options and help', () => {
  it('lets a flag replace a bad app setting', async () => {
    const run = await runPortscan(['detect', '--bin-minutes', '5', demoVpc], {
      env: { PORTSCAN_BIN_MINUTES: '7' },
    });
    expect(run.status).toBe(0);
    expect(alertsOf(run.stdout)).toHaveLength(1);
  });

  it('prints the version and each command help', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect((await runPortscan(['--version'])).stdout).toBe(`portscan ${pkg.version}\n`);
    const detectHelp = await runPortscan(['detect', '--help']);
    expect(detectHelp.status).toBe(0);
    expect(detectHelp.stdout).toMatch(/^Usage: portscan detect/);
    expect(detectHelp.stdout).toMatch(/--bin-minutes N/);
    const normalizeHelp = await runPortscan(['help', 'normalize']);
    expect(normalizeHelp.stdout).toMatch(/^Usage: portscan normalize/);
    expect(normalizeHelp.stdout).not.toMatch(/--threshold/);
  });

  it('lists every detection option with its app setting in the help', () => {
    expect(KNOB_USAGE.map(([flag, setting]) => `${flag} ${setting}`).sort()).toEqual(
      DETECTION_KNOBS.map((k) => `${k.flag} ${k.setting}`).sort(),
    );
  });

  it('answers --help and --version without loading the decoders, the detector or the sinks', () => {
    // Only these modules are imported before a command runs (lib/cli/commands.ts is loaded then).
    const light = ['main.ts', 'args.ts', 'usage.ts', 'output.ts'];
    for (const file of light) {
      const text = readFileSync(join(root, 'lib', 'cli', file), 'utf8');
      const imports = [...text.matchAll(/^import (?!type)[^;]*from '([^']+)';/gm)].map((m) => m[1]);
      for (const i of imports)
        expect(`${file}: ${i}`).toMatch(/: (node:\w+|\.\.\/errors\.js|\.\/(args|usage|output)\.js)$/);
    }
  });
});
