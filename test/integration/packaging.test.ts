import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = join(import.meta.dirname, '..', '..');

/** What azure.yaml says about the service `api`. */
interface ServiceConfig {
  readonly project: string;
  readonly dist: string;
  readonly remoteBuild?: boolean;
  readonly hooks?: Record<string, { run?: string; posix?: { run?: string } }>;
}

/**
 * azd's restore check for npm (Azure/azure-dev cli/azd/pkg/tools/node/detect.go,
 * IsDependenciesUpToDate): node_modules is current when node_modules/.package-lock.json is not
 * older than package-lock.json; then `npm install`, and with it `prepare`, is skipped.
 */
function isDependenciesUpToDate(dir: string): boolean {
  const lock = join(dir, 'package-lock.json');
  const marker = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(lock) || !existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

function run(command: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', shell: false });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    statSync(join(dir, f)).isFile(),
  );
}

let work: string;
let service: ServiceConfig;
let staged: string;
const probe = `packaging-probe-${randomUUID()}`;
let restoreSkipped: boolean;

beforeAll(() => {
  // Prepare: a copy of the project as a developer has it after an earlier build (dist/ present,
  // node_modules current), with a compiled function whose source has since been removed.
  work = mkdtempSync(join(tmpdir(), 'portscan-packaging-'));
  for (const entry of ['package.json', 'package-lock.json', 'host.json', 'azure.yaml', 'tsconfig.json']) {
    cpSync(join(repo, entry), join(work, entry));
  }
  cpSync(join(repo, 'tsconfig.build.json'), join(work, 'tsconfig.build.json'));
  for (const dir of ['lib', 'functions', 'scripts'])
    cpSync(join(repo, dir), join(work, dir), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir');
  mkdirSync(join(work, 'dist', 'functions'), { recursive: true });
  if (existsSync(join(repo, 'dist', 'lib'))) {
    cpSync(join(repo, 'dist', 'lib'), join(work, 'dist', 'lib'), { recursive: true });
    cpSync(join(repo, 'dist', 'functions'), join(work, 'dist', 'functions'), { recursive: true });
  }
  writeFileSync(join(work, 'dist', 'functions', 'renamedAway.js'), 'export {};\n');
  // The lock file is older than node_modules, as after any `npm ci`: azd will skip the install.
  utimesSync(join(work, 'package-lock.json'), new Date(0), new Date(0));
  service = (parse(readFileSync(join(work, 'azure.yaml'), 'utf8')) as { services: { api: ServiceConfig } })
    .services.api;

  // The edit azd must ship.
  appendFileSync(join(work, 'functions', 'ingest.ts'), `\nexport const packagingProbe = '${probe}';\n`);

  // Act: `azd package` / `azd deploy` for a Node service (service_manager.go Package):
  // 1. restore, 2. the `prepackage` hooks, 3. `npm run build` (framework_service_node.go Package), 4. zip `dist`.
  restoreSkipped = isDependenciesUpToDate(work);
  if (!restoreSkipped) run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], work);
  const hook = service.hooks?.prepackage;
  const hookCommand = hook?.posix?.run ?? hook?.run;
  if (hookCommand !== undefined) run('sh', ['-c', hookCommand], work);
  run('npm', ['run', 'build'], work);
  staged = join(work, service.project, service.dist);
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('Packaging: the Function App package azd deploys', () => {
  it('skips the install, as azd does when node_modules is current', () => {
    expect(restoreSkipped).toBe(true);
  });

  it('holds the source edited after the last build', () => {
    expect(readFileSync(join(staged, 'dist', 'functions', 'ingest.js'), 'utf8')).toContain(probe);
  });

  it('holds no compiled function whose source is gone, no source map and no TypeScript', () => {
    const files = filesUnder(staged);
    expect(files).not.toContain(join('dist', 'functions', 'renamedAway.js'));
    expect(files.filter((f) => f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);
    expect(files).toContain('host.json');
    expect(files).toContain(join('dist', 'functions', 'closeBins.js'));
  });

  it('stages a package.json the remote build only installs from: runtime dependencies, no scripts', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      main: string;
    };
    const runtime = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8')) as Record<string, unknown>;
    const { typescript: _compiler, '@types/node': _types, ...runtimeDependencies } = pkg.dependencies;
    expect(runtime.dependencies).toEqual(runtimeDependencies);
    expect(runtime.scripts).toBeUndefined();
    expect(runtime.devDependencies).toBeUndefined();
    expect(runtime.main).toBe(pkg.main);
    expect(service.remoteBuild).toBe(true);
  });
});
