import { readFileSync } from 'node:fs';
import { readLogAnalyticsCsvText } from '../../lib/cli/logAnalyticsCsv.js';
import type { JsonObject } from '../../lib/sources/pipeline/types.js';

/** Reads a Log Analytics CSV export as the CLI does (lib/cli/logAnalyticsCsv.ts). */
export function readLogAnalyticsCsv(path: string): JsonObject[] {
  return readLogAnalyticsCsvText(readFileSync(path));
}
