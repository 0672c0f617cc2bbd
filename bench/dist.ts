import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..');

/**
 * Loads a module of the compiled dist/ (what `npm run build` and `bin/portscan.js` run), typed as
 * its TypeScript source: the benchmark measures the same JavaScript users run, not a transpile
 * made on the fly. `BENCH_DIST` names another build's dist/ directory instead.
 */
export async function loadDist<T>(modulePath: string): Promise<T> {
  // BENCH_DIST points at another build's dist/ (a before/after comparison of a counting suite).
  const dist = process.env.BENCH_DIST ?? join(ROOT, 'dist');
  return (await import(pathToFileURL(join(dist, modulePath)).href)) as T;
}
