import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parquetLines } from '../../lib/cli/parquetLines.js';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import { decodeText } from '../../lib/sources/pipeline/decodeInput.js';
import { Normalizer } from '../../lib/sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import { readLogAnalyticsCsv } from './laCsv.js';

export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures');

/**
 * A golden case: `<case>.expected.json` beside its input in `test/fixtures/<source>/`.
 * The expectation is written from the spec and the real samples, never copied from our output;
 * `provenance` says where each value comes from.
 */
export const GoldenCaseSchema = z
  .object({
    description: z.string().min(1),
    provenance: z.string().min(1),
    /**
     * Input file name, relative to the golden file's folder. `.csv` files are Log Analytics CSV
     * exports; `.parquet` files are read row by row as the CLI reads them.
     */
    input: z.string().min(1),
    /** `auto` (the default) or a decoder name. */
    format: z.string().default('auto'),
    /** Completes year-less syslog timestamps; defaults to 2026-01-01T00:00:00.000Z. */
    referenceTime: z.string().optional(),
    /** Event Hub enqueued time for records without a time of their own. */
    fallbackTime: z.string().optional(),
    expected: z
      .object({
        /** Items handled per decoder: proves automatic recognition. */
        sources: z.record(z.string(), z.number().int()),
        records: z.array(z.record(z.string(), z.unknown())),
        skipped: z.record(z.string(), z.number().int()).default({}),
        invalid: z.record(z.string(), z.number().int()).default({}),
        /** Records decoded with a counted fallback (`DecodeSink.note`), by `source: reason`. */
        noted: z.record(z.string(), z.number().int()).default({}),
      })
      .strict(),
  })
  .strict();

export type GoldenCase = z.infer<typeof GoldenCaseSchema>;

export interface GoldenFile {
  readonly source: string;
  readonly name: string;
  readonly dir: string;
  readonly golden: GoldenCase;
}

/** Every golden case under `test/fixtures`, validated. */
export function listGoldenCases(): GoldenFile[] {
  const out: GoldenFile[] = [];
  if (!existsSync(FIXTURES_DIR)) return out;
  for (const source of readdirSync(FIXTURES_DIR).sort()) {
    const dir = join(FIXTURES_DIR, source);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.expected.json')) continue;
      const golden = GoldenCaseSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      out.push({ source, name: file.replace(/\.expected\.json$/, ''), dir, golden });
    }
  }
  return out;
}

export interface NormalizeResult {
  readonly records: NetworkSession[];
  readonly sources: Record<string, number>;
  readonly skipped: Record<string, number>;
  readonly invalid: Record<string, number>;
  readonly noted: Record<string, number>;
  readonly normalizer: Normalizer;
}

/** Runs the product's normalizer over a text, exactly as the CLI and the function do. */
export function normalizeText(
  text: string,
  options: { format?: string; referenceTime?: string; fallbackTime?: string; input?: string } = {},
): NormalizeResult {
  const records: NetworkSession[] = [];
  const normalizer = new Normalizer(
    SOURCE_DECODERS,
    { format: options.format ?? 'auto', maxDeadLetters: 100 },
    (s) => records.push(s),
  );
  decodeText(text, normalizer, {
    input: options.input ?? 'fixture',
    fallbackTimeMs: options.fallbackTime === undefined ? undefined : Date.parse(options.fallbackTime),
    referenceTimeMs: Date.parse(options.referenceTime ?? '2026-01-01T00:00:00.000Z'),
    maxDocumentChars: 64 * 1024 * 1024,
  });
  return result(records, normalizer);
}

/** Runs the normalizer over JSON rows (a Log Analytics CSV export read as rows). */
export function normalizeRows(
  rows: readonly Record<string, unknown>[],
  options: { format?: string; referenceTime?: string; fallbackTime?: string } = {},
): NormalizeResult {
  return normalizeText(rows.map((r) => JSON.stringify(r)).join('\n'), options);
}

/** Runs a golden case's input through the normalizer; a `.parquet` input is read as the CLI reads it. */
export async function runGoldenCase(file: GoldenFile): Promise<NormalizeResult> {
  const inputPath = join(file.dir, file.golden.input);
  const options = {
    format: file.golden.format,
    ...(file.golden.referenceTime === undefined ? {} : { referenceTime: file.golden.referenceTime }),
    ...(file.golden.fallbackTime === undefined ? {} : { fallbackTime: file.golden.fallbackTime }),
  };
  if (inputPath.endsWith('.csv')) return normalizeRows(readLogAnalyticsCsv(inputPath), options);
  if (inputPath.endsWith('.parquet')) {
    let text = '';
    for await (const chunk of parquetLines(inputPath)) text += chunk;
    return normalizeText(text, { ...options, input: file.golden.input });
  }
  return normalizeText(readFileSync(inputPath, 'utf8'), { ...options, input: file.golden.input });
}

function result(records: NetworkSession[], normalizer: Normalizer): NormalizeResult {
  return {
    records,
    sources: Object.fromEntries(normalizer.counts.bySource),
    skipped: Object.fromEntries(normalizer.counts.skipped),
    invalid: Object.fromEntries(normalizer.counts.invalid),
    noted: Object.fromEntries(normalizer.counts.noted),
    normalizer,
  };
}
