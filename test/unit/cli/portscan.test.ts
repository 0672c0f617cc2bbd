import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AlertSchema } from '../../../lib/schema/Alert.js';
import { NetworkSessionSchema } from '../../../lib/schema/NetworkSession.js';
import { runPortscan } from '../../support/runCli.js';
import { scan, session } from '../../support/sessions.js';

const dir = mkdtempSync(join(tmpdir(), 'portscan-cli-'));
const scanRows = scan('203.0.113.66', 70, '2026-11-01T10:00:00Z');
const benign = Array.from({ length: 30 }, (_, i) => session(`198.51.100.${i}`, 443, '2026-11-01T10:01:00Z'));
const jsonl = [...scanRows, ...benign].map((r) => JSON.stringify(r)).join('\n');
const jsonlPath = join(dir, 'mixed.jsonl');
writeFileSync(jsonlPath, `${jsonl}\n{"truncated":\n`);

describe('CLI: portscan detect', () => {
  it('prints one JSON alert per line and a summary on stderr', async () => {
    const run = await runPortscan(['detect', jsonlPath]);
    expect(run.status).toBe(0);
    const alerts = run.stdout
      .trim()
      .split('\n')
      .map((l) => AlertSchema.parse(JSON.parse(l)));
    expect(alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount])).toEqual([['203.0.113.66', 70]]);
    expect(run.stderr).toMatch(/records read\s+101/);
    expect(run.stderr).toMatch(/records not decodable\s+1/);
    expect(run.stderr).toMatch(/mixed\.jsonl line 101: unknown: malformed JSON/);
    expect(run.stderr).toMatch(/alerts\s+1/);
  });

  it('reads stdin, a {"records":[…]} envelope and gzip files alike', async () => {
    const envelope = JSON.stringify({ records: [...scanRows, ...benign] });
    const gz = join(dir, 'envelope.json.gz');
    writeFileSync(gz, gzipSync(envelope));
    const fromStdin = await runPortscan(['detect', '-'], { stdin: envelope });
    const fromGzip = await runPortscan(['detect', gz]);
    expect(fromStdin.stdout).toBe(fromGzip.stdout);
    expect(fromGzip.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('prints a table for people', async () => {
    const run = await runPortscan(['detect', '--output', 'table', jsonlPath]);
    expect(run.stdout).toMatch(/Bin \(UTC\)\s+Source\s+Ports/);
    expect(run.stdout).toMatch(
      /2026-11-01 10:00:00Z\s+203\.0\.113\.66\s+70\s+1,2,3,4,5,6,7,8,… \(\+62\)\s+Test\/Firewall/,
    );
  });

  it('applies --threshold and --mode', async () => {
    const high = await runPortscan(['detect', '--threshold', '70', jsonlPath]);
    expect(high.stdout).toBe('');
    const parity = await runPortscan(['detect', '--mode', 'sentinel-parity', '--threshold', '69', jsonlPath]);
    expect(JSON.parse(parity.stdout).DetectionMode).toBe('sentinel-parity');
  });

  it('lets a flag override an app setting', async () => {
    const run = await runPortscan(['detect', '--threshold', '60', jsonlPath], {
      env: { PORTSCAN_THRESHOLD: '80' },
    });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const fromEnv = await runPortscan(['detect', jsonlPath], { env: { PORTSCAN_THRESHOLD: '80' } });
    expect(fromEnv.stdout).toBe('');
  });

  it('reads the other inputs when one is missing, names it in plain words and exits 1', async () => {
    const run = await runPortscan(['detect', jsonlPath, join(dir, 'nope.jsonl')]);
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/nope\.jsonl: no such file or directory/);
    expect(run.stderr).toMatch(/alerts\s+1/);
  });

  it.each([
    [['detect', '--threshold', 'abc', 'x'], /--threshold "abc": expected an integer from 1 to 65535/],
    [['detect', '--mode', 'strict', 'x'], /--mode "strict": expected one of default, sentinel-parity/],
    [['detect', '--format', 'nope', 'x'], /--format "nope" is not a source name; expected one of auto/],
    [
      ['detect', '--format', 'aws-vpc', 'x'],
      /--format "aws-vpc" is not a source name \(did you mean aws-vpc-flow\?\)/,
    ],
    [['detect', '--output', 'xml', 'x'], /--output "xml": detect writes jsonl, table or csv/],
    [['normalize', '--output', 'table', 'x'], /--output "table": normalize writes jsonl or csv/],
    [['detect', '--exclude', '10.0.0.0/99', 'x'], /--exclude "10\.0\.0\.0\/99": expected IPv4 or IPv6 CIDRs/],
    [['detect', '--bogus', 'x'], /unknown option --bogus\n/],
    [['detect', '--treshold', '60', 'x'], /unknown option --treshold \(did you mean --threshold\?\)/],
    [['detect', '--threshold', '-1', 'x'], /--threshold "-1": expected an integer from 1 to 65535/],
    [['detect', '--threshold'], /--threshold needs a value: /],
    [
      ['detect', '--threshold', '--mode', 'default', 'x'],
      /--threshold needs a value \(.*\) before the option --mode/,
    ],
    [['detect', '--threshold', '60', '--threshold', '70', 'x'], /--threshold is given twice/],
    [['normalize', '--mode', 'default', 'x'], /--mode applies to detect, not to normalize/],
    [['normalize', '--threshold', '60', 'x'], /--threshold applies to detect and smoke, not to normalize/],
    [['normalize', '--exclude', '10.0.0.0/8', 'x'], /--exclude applies to detect, not to normalize/],
    [['detect', '--threads', '2', '--format', 'asim', 'x'], /--threads needs --format auto/],
    [['detect', '-', '-'], /stdin \(-\) can be read only once/],
    [['detcet', 'x'], /unknown command "detcet" \(did you mean detect\?\)/],
    [['detect'], /no input/],
    [['scan', 'x'], /unknown command "scan"/],
  ])('rejects %j with status 2 and names the problem', async (argv, message) => {
    const run = await runPortscan(argv);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('names a bad app setting', async () => {
    const run = await runPortscan(['detect', jsonlPath], { env: { PORTSCAN_BIN_MINUTES: '7' } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /PORTSCAN_BIN_MINUTES="7": expected one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60/,
    );
  });
});

describe('CLI: portscan normalize', () => {
  it('prints NetworkSession rows as JSON lines', async () => {
    const run = await runPortscan(['normalize', jsonlPath]);
    expect(run.status).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => NetworkSessionSchema.parse(JSON.parse(l)));
    expect(rows).toHaveLength(100);
    expect(rows[0]).toEqual(scanRows[0]);
    expect(run.stderr).toMatch(/normalized rows\s+100/);
  });

  it('shows usage with --help', async () => {
    const run = await runPortscan(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/portscan detect \[options\] INPUT/);
  });
});
