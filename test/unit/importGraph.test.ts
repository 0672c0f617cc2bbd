import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of lib/ and functions/, type-only imports included: no cycle, and no import
 * against the layering (lib/ below functions/; lib/sources below its users; inside lib/sources, a
 * family below the registry and beside no other family; lib/state below the use cases, which
 * know the storage ports only).
 */

const root = resolve(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) found.push(...tsFiles(rel));
    else if (name.endsWith('.ts')) found.push(rel);
  }
  return found;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

/** The repository files a module imports (relative specifiers, `.js` read as the `.ts` source). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const targets = new Set<string>();
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = (m[2] as string).replace(/\.js$/, '.ts');
    targets.add(relative(root, resolve(root, dirname(file), spec)));
  }
  return [...targets];
}

const modules = [...tsFiles('lib'), ...tsFiles('functions')];
const graph = new Map(modules.map((m) => [m, importsOf(m)]));

/** The cycles of the graph: its strongly connected components with more than one module (Tarjan). */
function cyclesOf(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return components.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

const SOURCE_FAMILIES = ['asim', 'microsoft-host', 'microsoft-azure', 'firewalls', 'sensors'];
const familyOf = (file: string): string | undefined => {
  const m = /^lib\/sources\/([^/]+)\//.exec(file);
  return m !== null && SOURCE_FAMILIES.includes(m[1] as string) ? m[1] : undefined;
};

/** Why an import breaks the layering, or undefined when it does not. */
function layeringProblem(from: string, to: string): string | undefined {
  if (from.startsWith('lib/') && to.startsWith('functions/')) return 'lib/ imports functions/';
  if (from.startsWith('lib/sources/') && !to.startsWith('lib/sources/') && !to.startsWith('lib/schema/'))
    return 'lib/sources imports outside lib/sources and lib/schema';
  if (to.startsWith('lib/sources/') && familyOf(to) !== undefined) {
    const fromFamily = familyOf(from);
    if (from === 'lib/sources/pipeline/registry.ts' || fromFamily === familyOf(to)) return undefined;
    if (from.startsWith('lib/sources/')) return 'a source family is imported by another part of lib/sources';
  }
  if (from.startsWith('lib/fastpath/') && !/^lib\/(sources|schema)\//.test(to))
    return 'lib/fastpath imports outside lib/sources and lib/schema';
  if (from.startsWith('lib/state/') && to.startsWith('lib/detection/'))
    return 'lib/state imports the use cases above it';
  if (from.startsWith('lib/detection/') && /^lib\/(state\/(Table|InMemory)|azure\/)/.test(to))
    return 'a use case imports a storage adapter instead of its port';
  return undefined;
}

describe('Architecture: import graph', () => {
  it('reads the modules and their imports', () => {
    expect(graph.get('lib/sources/pipeline/Normalizer.ts')).toContain('lib/sources/pipeline/fields.ts');
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no import cycle', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('imports only downward', () => {
    const problems: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const problem = layeringProblem(from, to);
        if (problem !== undefined) problems.push(`${from} → ${to}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one', () => {
    const edges = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cyclesOf(edges)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(layeringProblem('lib/sources/firewalls/ciscoAsa.ts', 'lib/sources/sensors/sensorFields.ts')).toBe(
      'a source family is imported by another part of lib/sources',
    );
    expect(layeringProblem('lib/sources/pipeline/decodeInput.ts', 'lib/fastpath/FastLinePath.ts')).toBe(
      'lib/sources imports outside lib/sources and lib/schema',
    );
    expect(layeringProblem('lib/sources/pipeline/registry.ts', 'lib/sources/sensors/sensorSources.ts')).toBe(
      undefined,
    );
    expect(layeringProblem('lib/state/WindowStore.ts', 'lib/detection/BatchAggregator.ts')).toBe(
      'lib/state imports the use cases above it',
    );
    expect(layeringProblem('lib/detection/closeBins.ts', 'lib/state/TableAlertOutbox.ts')).toBe(
      'a use case imports a storage adapter instead of its port',
    );
  });
});
