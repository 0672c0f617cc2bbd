import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FIXTURES_DIR } from './golden.js';

/** A golden payload under `test/fixtures/alerts/`: the expectation, where it comes from, and its inputs. */
export const AlertGoldenSchema = z
  .object({
    description: z.string().min(1),
    provenance: z.string().min(1),
    linkTemplate: z.string().optional(),
    expected: z.unknown(),
  })
  .strict();

export type AlertGolden = z.infer<typeof AlertGoldenSchema>;

/** Reads `test/fixtures/alerts/<name>.golden.json` (not `.expected.json`: those are decoder cases). */
export function readAlertGolden(name: string): AlertGolden {
  return AlertGoldenSchema.parse(
    JSON.parse(readFileSync(join(FIXTURES_DIR, 'alerts', `${name}.golden.json`), 'utf8')),
  );
}
