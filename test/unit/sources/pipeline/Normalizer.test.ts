import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../../support/golden.js';

describe('Normalizer', () => {
  it('names the keys of an unrecognized record in a bounded detail, never the whole record', () => {
    // Found by the fuzzer: one key of 7 000 characters made the whole record the detail.
    const key = 'dst '.repeat(2_000);
    const result = normalizeText(JSON.stringify({ [key]: 1, b: 2 }));
    expect(result.invalid).toEqual({ 'unknown: unrecognized JSON record': 1 });
    const detail = result.normalizer.deadLetters[0]?.detail ?? '';
    expect(detail.startsWith('keys: dst dst')).toBe(true);
    expect(detail.length).toBeLessThanOrEqual(100);
  });
});
