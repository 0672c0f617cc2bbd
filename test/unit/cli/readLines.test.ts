import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linesOfBytes, splitLineBytes, splitLines } from '../../../lib/cli/readLines.js';

const SEED = 20261205;

async function* buffersOf(parts: readonly Uint8Array[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

/** Every line `splitLineBytes` gives, in order, as `splitLines` gives them. */
async function linesThroughBytes(parts: readonly Uint8Array[], maxLineChars: number) {
  const out: { line: string; lineNumber: number; tooLong: boolean }[] = [];
  let textBytes = 0;
  for await (const chunk of splitLineBytes(buffersOf(parts), maxLineChars)) {
    if (chunk.bytes !== undefined) {
      const decoded = linesOfBytes(chunk.bytes);
      decoded.lines.forEach((line, i) => {
        out.push({ line, lineNumber: decoded.lineNumbers[i] as number, tooLong: false });
      });
    }
    chunk.lines.forEach((line, i) => {
      out.push({ line, lineNumber: chunk.lineNumbers[i] as number, tooLong: chunk.tooLong[i] as boolean });
    });
    textBytes = chunk.textBytes;
  }
  return { out, textBytes };
}

async function linesThroughText(parts: readonly Uint8Array[], maxLineChars: number) {
  const out: { line: string; lineNumber: number; tooLong: boolean }[] = [];
  let textBytes = 0;
  for await (const chunk of splitLines(buffersOf(parts), maxLineChars)) {
    chunk.lines.forEach((line, i) => {
      out.push({ line, lineNumber: chunk.lineNumbers[i] as number, tooLong: chunk.tooLong[i] as boolean });
    });
    textBytes = chunk.textBytes;
  }
  return { out, textBytes };
}

/** Bytes of lines: ASCII, multi-byte characters, carriage returns, bytes that are not UTF-8, a byte order mark, long lines. */
const piece = fc.oneof(
  fc.constantFrom('a', 'x y', '{"k":1}', '\n', '\n', '\r\n', 'é', '€', '😀', '\ufeff'),
  fc.constantFrom(Buffer.from([0xe2, 0x82]), Buffer.from([0xff]), Buffer.from([0xf0, 0x9f])),
  fc.integer({ min: 1, max: 40 }).map((n) => 'z'.repeat(n)),
);

describe('splitLineBytes', () => {
  it('gives the lines, numbers and over-long lines of splitLines, however the bytes arrive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        async (pieces, cuts, maxLineChars, bom) => {
          const all = Buffer.concat([
            ...(bom ? [Buffer.from('\ufeff')] : []),
            ...pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)),
          ]);
          const parts: Uint8Array[] = [];
          for (let at = 0, c = 0; at < all.length; c++) {
            const size = cuts[c % cuts.length] as number;
            parts.push(all.subarray(at, at + size));
            at += size;
          }
          const expected = await linesThroughText(parts, maxLineChars);
          expect(await linesThroughBytes(parts, maxLineChars)).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});
