#!/usr/bin/env node
// Checks that the command line installs and runs without the development dependencies: copies the
// project's files (tracked and new, as git lists them) to a temporary folder, runs
// `npm ci --omit=dev` there (whose `prepare` builds dist/), then runs the README's demo command and
// reports the size of node_modules. Run by CI (.ci/run); takes a network-backed install, so it is
// not part of `npm test`. Usage: node scripts/check-production-install.mjs
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'portscan-production-install-'));

function fail(message) {
  console.error(`check-production-install: ${message}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

const files = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], root)
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(root, f)));
for (const file of files) {
  mkdirSync(dirname(join(work, file)), { recursive: true });
  cpSync(join(root, file), join(work, file));
}

run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], work);
if (!existsSync(join(work, 'dist', 'lib', 'cli', 'main.js'))) fail('npm ci --omit=dev did not build dist/');
// Packages the lock file marks dev-only (not needed by any runtime dependency) must be absent.
const lock = JSON.parse(readFileSync(join(work, 'package-lock.json'), 'utf8'));
const devInstalled = Object.entries(lock.packages ?? {})
  .filter(([path, entry]) => path !== '' && entry.dev === true && existsSync(join(work, path)))
  .map(([path]) => path.replace(/^.*node_modules\//, ''));
if (devInstalled.length > 0)
  fail(`development dependencies were installed: ${devInstalled.slice(0, 10).join(', ')}`);

// The README's first command: the demo prints its alerts.
const demo = run('npm', ['start', '--silent'], work);
if (demo.trim() === '') fail('`npm start` printed nothing on standard output');

const megabytes = (bytesUnder(join(work, 'node_modules')) / 1024 / 1024).toFixed(0);
console.log(
  `check-production-install: npm ci --omit=dev built the CLI and ran the demo; node_modules ${megabytes} MB`,
);
rmSync(work, { recursive: true, force: true });
