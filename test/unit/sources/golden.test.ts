import { describe, expect, it } from 'vitest';
import { NetworkSessionSchema } from '../../../lib/schema/NetworkSession.js';
import { listGoldenCases, runGoldenCase } from '../../support/golden.js';

const cases = listGoldenCases();

describe('Golden: every fixture under test/fixtures normalizes to its expected rows', () => {
  it('finds golden cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [`${c.source}/${c.name}`, c] as const))('%s', async (_label, file) => {
    const result = await runGoldenCase(file);
    for (const record of result.records) expect(NetworkSessionSchema.parse(record)).toEqual(record);
    expect(result.sources).toEqual(file.golden.expected.sources);
    expect(result.records).toEqual(file.golden.expected.records);
    expect(result.skipped).toEqual(file.golden.expected.skipped);
    expect(result.invalid).toEqual(file.golden.expected.invalid);
    expect(result.noted).toEqual(file.golden.expected.noted);
  });
});
