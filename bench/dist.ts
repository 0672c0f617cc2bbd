import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..');

/**
 * Loads a module of the compiled dist/ (what `npm run build` and `bin/portscan.js` run), typed as
 * its TypeScript source: the benchmark measures the same JavaScript users run, not a transpile
 * made on the fly.
 */
export async function loadDist<T>(modulePath: string): Promise<T> {
  return (await import(pathToFileURL(join(ROOT, 'dist', modulePath)).href)) as T;
}
