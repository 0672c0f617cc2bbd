#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` builds the CLI): removes the previous output, compiles
// lib/ and functions/ into dist/ with the TypeScript compiler, and stages the Function App package
// in dist/deploy. Removing first matters: tsc never deletes the output of a source file that is
// gone, and dist/functions/*.js is what the Functions host registers, so a renamed function would
// otherwise be deployed twice. The compiler is a runtime dependency of the package (see
// docs/deployment.md), so `npm ci --omit=dev` builds too. Usage: node scripts/build.mjs
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stageFunctionApp } from './stageFunctionApp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

for (const dir of ['functions', 'lib', 'deploy'])
  rmSync(join(root, 'dist', dir), { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  console.error('build: the TypeScript compiler failed (above)');
  process.exit(compiled.status ?? 1);
}

try {
  const out = stageFunctionApp(root);
  console.log(`build: compiled dist/ and staged the Function App package in ${out}`);
} catch (error) {
  console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
