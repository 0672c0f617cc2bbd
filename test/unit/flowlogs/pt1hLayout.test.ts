import { describe, expect, it } from 'vitest';
import type { BlockListing } from '../../../lib/flowlogs/BlockBlobReader.js';
import {
  cursorAfter,
  generationOf,
  planRead,
  recordBlockText,
  toReadRuns,
} from '../../../lib/flowlogs/pt1hLayout.js';

/** A listing of blocks with the given sizes and ids b0, b1, … (b0 the opening block, the last the closing one). */
function listing(sizes: number[], ids: string[] = sizes.map((_, i) => `b${i}`)): BlockListing {
  return {
    etag: '"0x1"',
    contentLength: sizes.reduce((t, s) => t + s, 0),
    lastModifiedMs: 0,
    blocks: sizes.map((size, i) => ({ id: ids[i] as string, size })),
  };
}

describe('pt1hLayout: planRead', () => {
  it('plans every record block of a blob read for the first time, never the closing block', () => {
    const plan = planRead(listing([12, 100, 101, 2]), undefined);
    expect(plan).toEqual({
      kind: 'read',
      generation: 'b0:b1:100',
      restart: undefined,
      blocks: [
        { index: 1, id: 'b1', startOffset: 12, endOffset: 112 },
        { index: 2, id: 'b2', startOffset: 112, endOffset: 213 },
      ],
    });
  });

  it('plans only the blocks committed since the cursor', () => {
    const first = planRead(listing([12, 100, 101, 2]), undefined);
    if (first.kind !== 'read') throw new Error('expected a read');
    const cursor = cursorAfter(first.generation, first.blocks[1] as never);
    const grown = planRead(listing([12, 100, 101, 50, 60, 2]), cursor);
    expect(grown).toMatchObject({
      kind: 'read',
      restart: undefined,
      blocks: [
        { index: 3, id: 'b3', startOffset: 213, endOffset: 263 },
        { index: 4, id: 'b4', startOffset: 263, endOffset: 323 },
      ],
    });
    expect(planRead(listing([12, 100, 101, 2]), cursor)).toEqual({
      kind: 'current',
      generation: 'b0:b1:100',
    });
  });

  it('starts over under a new generation when the blob was replaced', () => {
    const cursor = { generation: 'b0:b1:100', blocksRead: 3, bytesRead: 213, lastBlockId: 'b2' };
    const plan = planRead(listing([12, 40, 2], ['x0', 'x1', 'x2']), cursor);
    expect(plan).toMatchObject({ kind: 'read', generation: 'x0:x1:40', restart: 'replaced' });
    if (plan.kind === 'read') expect(plan.blocks.map((b) => b.index)).toEqual([1]);
  });

  it.each([
    ['shorter than the cursor', [12, 100, 2]],
    ['a consumed block changed size', [12, 100, 90, 2]],
  ])(
    'starts over in the same generation when the blob is %s under the same first blocks',
    (_label, sizes) => {
      const cursor = { generation: 'b0:b1:100', blocksRead: 3, bytesRead: 213, lastBlockId: 'b2' };
      expect(planRead(listing(sizes), cursor)).toMatchObject({
        kind: 'read',
        generation: 'b0:b1:100',
        restart: 'rewritten',
        blocks: [{ index: 1 }, ...(sizes.length > 3 ? [{ index: 2 }] : [])],
      });
    },
  );

  it('reports a blob with only its opening and closing blocks as empty', () => {
    expect(planRead(listing([12, 2]), undefined)).toEqual({ kind: 'empty' });
  });

  it.each([
    ['no committed block (Put Blob)', [], 'not written block by block'],
    ['a first block of another size', [40, 100, 2], 'no opening block'],
    ['one block only', [12], 'no opening block'],
    ['a last block of another size', [12, 100, 5], 'no closing block'],
  ])('reports %s as not Network Watcher layout', (_label, sizes, reason) => {
    const l = sizes.length === 0 ? { ...listing([]), contentLength: 500 } : listing(sizes);
    expect(planRead(l, undefined)).toMatchObject({ kind: 'layout', reason });
  });

  it('reports block sizes that do not add up to the blob length', () => {
    expect(planRead({ ...listing([12, 100, 2]), contentLength: 999 }, undefined)).toMatchObject({
      kind: 'layout',
      reason: 'block sizes do not add up',
    });
  });

  it('names a generation by the opening block and the first record block', () => {
    expect(generationOf(listing([12, 77, 2], ['o', 'r', 'c']).blocks)).toBe('o:r:77');
  });
});

describe('pt1hLayout: toReadRuns', () => {
  const block = (index: number, size: number, start: number) => ({
    index,
    id: `b${index}`,
    startOffset: start,
    endOffset: start + size,
  });

  it('cuts contiguous blocks into runs of at most maxBytes, an oversized block alone', () => {
    const blocks = [block(1, 40, 12), block(2, 40, 52), block(3, 200, 92), block(4, 10, 292)];
    expect(toReadRuns(blocks, 100).map((r) => r.map((b) => b.index))).toEqual([[1, 2], [3], [4]]);
    expect(toReadRuns([], 100)).toEqual([]);
  });
});

describe('pt1hLayout: recordBlockText', () => {
  const bytes = (s: string) => Buffer.from(s, 'utf8');

  it.each([
    ['the first record', '{"a":1}', '{"records":[{"a":1}]}'],
    ['a later record, led by a comma', ',{"a":2}', '{"records":[{"a":2}]}'],
    ['a record after white space', '\n ,{"a":3}', '{"records":[{"a":3}]}'],
  ])('makes an envelope of %s', (_label, text, expected) => {
    expect(recordBlockText(bytes(text))).toBe(expected);
    expect(JSON.parse(recordBlockText(bytes(text)))).toEqual(JSON.parse(expected));
  });

  it('keeps a malformed block whole, for the splitter to report', () => {
    expect(recordBlockText(bytes(',{"a":'))).toBe('{"records":[{"a":]}');
  });
});
