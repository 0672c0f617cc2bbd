#!/usr/bin/env node
// `portscan` exactly as bin/portscan.js runs it, plus one measurement line written at exit to the
// file named first: wall time, CPU time and peak RSS of the whole process, as the OS counts them.
//   node bench/probe.mjs <result.json> detect [options] FILE...
import { writeFileSync } from 'node:fs';
import { runCli } from '../dist/lib/cli/main.js';

const [resultPath, ...argv] = process.argv.slice(2);
const started = performance.now();
const status = await runCli(argv, {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isStdoutTty: false,
  isStderrTty: false,
  now: () => Date.now(),
});
const usage = process.resourceUsage();
writeFileSync(
  resultPath,
  JSON.stringify({
    status,
    wallMs: performance.now() - started,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssBytes: usage.maxRSS * 1024,
  }),
);
process.exitCode = status;
