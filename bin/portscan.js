#!/usr/bin/env node
// The `portscan` command. Runs the compiled CLI (npm ci builds it through the `prepare` script).
import { runCli } from '../dist/lib/cli/main.js';

const status = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isStdoutTty: process.stdout.isTTY === true,
  isStderrTty: process.stderr.isTTY === true,
  now: () => Date.now(),
  // While a command listens (send, smoke), the first Ctrl-C or SIGTERM stops it cleanly; a second one kills.
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
});
process.exitCode = status;
