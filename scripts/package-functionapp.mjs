#!/usr/bin/env node
// Stages the Function App deployment package in dist/deploy (azure.yaml's `dist`), run by azd's
// prepackage hook after `npm run build`: host.json, the compiled dist/functions and dist/lib,
// package-lock.json, and a package.json reduced to what the app needs at run time (name, type,
// main, engines, dependencies; no scripts, no devDependencies). With `remoteBuild: true` the
// Flex Consumption build installs the production dependencies from it. Tests, samples, sources
// and development tools stay out of the package. Usage: node scripts/package-functionapp.mjs
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'deploy');

function fail(message) {
  console.error(`package-functionapp: ${message}`);
  process.exit(1);
}

if (!existsSync(join(root, 'host.json'))) fail('host.json is missing at the repository root');
const functionsDir = join(root, 'dist', 'functions');
if (!existsSync(functionsDir) || !readdirSync(functionsDir).some((f) => f.endsWith('.js'))) {
  fail('dist/functions holds no compiled function; run `npm run build` first');
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const runtimePackage = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  type: pkg.type,
  main: pkg.main,
  engines: pkg.engines,
  dependencies: pkg.dependencies,
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'dist'), { recursive: true });
cpSync(join(root, 'host.json'), join(out, 'host.json'));
cpSync(join(root, 'package-lock.json'), join(out, 'package-lock.json'));
for (const dir of ['functions', 'lib']) {
  cpSync(join(root, 'dist', dir), join(out, 'dist', dir), { recursive: true });
}
writeFileSync(join(out, 'package.json'), `${JSON.stringify(runtimePackage, null, 2)}\n`);
console.log(`package-functionapp: staged ${out}`);
