import { StringDecoder } from 'node:string_decoder';
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

/** Sizes of the chunks the bytes arrive in: small ones, and reads larger than the pieces `splitLines` decodes at a time (32 KiB). */
const cutSize = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30_000, max: 140_000 }) },
);
/** Lines long enough to span pieces. */
const longPiece = fc.integer({ min: 1, max: 90_000 }).map((n) => 'y'.repeat(n));

describe('splitLineBytes', () => {
  it('gives the lines, numbers and over-long lines of splitLines, however the bytes arrive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 30, arbitrary: piece }, { weight: 1, arbitrary: longPiece }), {
          maxLength: 80,
        }),
        fc.array(cutSize, { minLength: 1, maxLength: 10 }),
        fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 200_000 })),
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

describe('splitLines', () => {
  it('gives the lines of one UTF-8 decoder over the whole input, however the bytes arrive (ASCII chunks read as Latin-1)', async () => {
    // Mostly ASCII, as logs are, with multi-byte characters and bytes that are not UTF-8 that the
    // cuts split across chunks, and chunks of ASCII after a chunk that ends inside a character.
    const text = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('a', '{"k":1}', '\n', '\r\n', 'z'.repeat(30)) },
      { weight: 1, arbitrary: piece },
      { weight: 1, arbitrary: longPiece },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { maxLength: 120 }),
        fc.array(cutSize, { minLength: 1, maxLength: 10 }),
        async (pieces, cuts) => {
          const all = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
          const parts: Uint8Array[] = [];
          for (let at = 0, c = 0; at < all.length; c++) {
            const size = cuts[c % cuts.length] as number;
            parts.push(all.subarray(at, at + size));
            at += size;
          }
          const decoder = new StringDecoder('utf8');
          let whole = decoder.write(all) + decoder.end();
          if (whole.charCodeAt(0) === 0xfeff) whole = whole.slice(1);
          const expected = whole.split('\n');
          if (expected[expected.length - 1] === '') expected.pop();
          const { out } = await linesThroughText(parts, 1 << 20);
          expect(out.map((l) => l.line)).toEqual(expected);
          expect(out.map((l) => l.lineNumber)).toEqual(expected.map((_, i) => i + 1));
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});
