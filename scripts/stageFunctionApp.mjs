// Stages the Function App deployment package in dist/deploy (azure.yaml's `dist`): host.json, the
// compiled dist/functions and dist/lib, package-lock.json, and a package.json reduced to what the
// app needs at run time (name, type, main, engines, dependencies without the build-only ones; no
// scripts, so the remote build only installs). With `remoteBuild: true` the Flex Consumption build
// installs the production dependencies from it. Tests, samples, sources and development tools stay
// out of the package. Called by scripts/build.mjs after the compiler, so `npm run build` (what azd
// runs to package the service) always stages what it has just compiled.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Dependencies only the build needs (the compiler and the Node type definitions it compiles against). */
export const BUILD_ONLY_DEPENDENCIES = ['typescript', '@types/node'];

/**
 * Writes `<root>/dist/deploy` from `<root>/dist/functions`, `<root>/dist/lib` and `<root>/host.json`.
 * @returns the staged folder
 * @throws {Error} when host.json or the compiled functions are missing
 */
export function stageFunctionApp(root) {
  const out = join(root, 'dist', 'deploy');
  if (!existsSync(join(root, 'host.json'))) throw new Error('host.json is missing at the repository root');
  const functionsDir = join(root, 'dist', 'functions');
  if (!existsSync(functionsDir) || !readdirSync(functionsDir).some((f) => f.endsWith('.js'))) {
    throw new Error('dist/functions holds no compiled function: the compiler did not run');
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dependencies = Object.fromEntries(
    Object.entries(pkg.dependencies ?? {}).filter(([name]) => !BUILD_ONLY_DEPENDENCIES.includes(name)),
  );
  const runtimePackage = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    type: pkg.type,
    main: pkg.main,
    engines: pkg.engines,
    dependencies,
  };
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'dist'), { recursive: true });
  cpSync(join(root, 'host.json'), join(out, 'host.json'));
  cpSync(join(root, 'package-lock.json'), join(out, 'package-lock.json'));
  for (const dir of ['functions', 'lib']) {
    // Source maps stay behind: the package holds what runs.
    cpSync(join(root, 'dist', dir), join(out, 'dist', dir), {
      recursive: true,
      filter: (path) => !path.endsWith('.map'),
    });
  }
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(runtimePackage, null, 2)}\n`);
  return out;
}
