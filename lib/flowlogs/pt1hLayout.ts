import type { BlockListing, CommittedBlock } from './BlockBlobReader.js';

/**
 * How Network Watcher writes a flow-log blob (`PT1H.json`), per Microsoft Learn's "Read flow
 * logs": a block blob whose committed block list is an opening block of 12 bytes,
 * `{"records":[`, then one block per append, each one JSON record (every record after the first
 * led by a comma), then a closing block of 2 bytes, `]}`. Each append stages one block and
 * commits the list again with the new block before the closing one, so the bytes before the
 * closing block never change while the blob grows.
 *
 * A reader therefore keeps, per blob, how many blocks it has consumed and where they end, and
 * reads only the blocks committed since, straight from their byte range. A committed block is
 * a whole record; uncommitted blocks are never in the blob, so no half-written record is read.
 */
export const OPENING = '{"records":[';
export const CLOSING = ']}';
const OPENING_BYTES = 12;
const CLOSING_BYTES = 2;

/** Where a reader stands in one blob. */
export interface BlobCursor {
  /** Identity of the blob's content (see `generationOf`). */
  readonly generation: string;
  /** Blocks consumed, the opening block included (at least 1). */
  readonly blocksRead: number;
  /** End offset of the last block consumed. */
  readonly bytesRead: number;
  /** Id of the last block consumed: a list that no longer has it there is not the blob read before. */
  readonly lastBlockId: string;
}

/** One block to read: its index in the committed list and its byte range. */
export interface PlannedBlock {
  readonly index: number;
  readonly id: string;
  readonly startOffset: number;
  readonly endOffset: number;
}

/** What to do with a blob, given its committed block list and the cursor. */
export type ReadPlan =
  /** The list is not Network Watcher's layout: nothing is read, the blob is reported. */
  | { readonly kind: 'layout'; readonly reason: string; readonly detail: string }
  /** Opening and closing blocks only: nothing to read yet. */
  | { readonly kind: 'empty' }
  /** Every committed record has been read. */
  | { readonly kind: 'current'; readonly generation: string }
  | {
      readonly kind: 'read';
      readonly generation: string;
      /** The blocks to read, in order (the closing block never). */
      readonly blocks: readonly PlannedBlock[];
      /** Why reading starts over at the first record: the blob was replaced, or rewritten under the same first blocks. */
      readonly restart: 'replaced' | 'rewritten' | undefined;
    };

/**
 * The identity of a blob's content: its opening block's id and its first record block's id and
 * size. Network Watcher gives each block a fresh random id, so a blob deleted and written again
 * under the same name gets a new generation, and its records count into new window rows.
 */
export function generationOf(blocks: readonly CommittedBlock[]): string {
  const opening = blocks[0] as CommittedBlock;
  const first = blocks[1] as CommittedBlock;
  return `${opening.id}:${first.id}:${first.size}`;
}

/** Checks the layout, compares the list with the cursor and plans the blocks to read. */
export function planRead(listing: BlockListing, cursor: BlobCursor | undefined): ReadPlan {
  const { blocks } = listing;
  const n = blocks.length;
  if (n === 0) {
    return {
      kind: 'layout',
      reason: 'not written block by block',
      detail: `no committed block list, ${listing.contentLength} bytes`,
    };
  }
  if (n === 1 || (blocks[0] as CommittedBlock).size !== OPENING_BYTES) {
    return {
      kind: 'layout',
      reason: 'no opening block',
      detail: `first of ${n} blocks has ${(blocks[0] as CommittedBlock).size} bytes, expected ${OPENING_BYTES}`,
    };
  }
  if ((blocks[n - 1] as CommittedBlock).size !== CLOSING_BYTES) {
    return {
      kind: 'layout',
      reason: 'no closing block',
      detail: `last of ${n} blocks has ${(blocks[n - 1] as CommittedBlock).size} bytes, expected ${CLOSING_BYTES}`,
    };
  }
  const ends: number[] = [];
  let end = 0;
  for (const b of blocks) {
    end += b.size;
    ends.push(end);
  }
  if (end !== listing.contentLength) {
    return {
      kind: 'layout',
      reason: 'block sizes do not add up',
      detail: `${end} bytes in blocks, ${listing.contentLength} in the blob`,
    };
  }
  if (n === 2) return { kind: 'empty' };
  const generation = generationOf(blocks);
  let from = 1;
  let restart: 'replaced' | 'rewritten' | undefined;
  if (cursor !== undefined) {
    if (cursor.generation !== generation) restart = 'replaced';
    else {
      const k = cursor.blocksRead;
      const consistent =
        Number.isInteger(k) &&
        k >= 1 &&
        k <= n - 1 &&
        blocks[k - 1]?.id === cursor.lastBlockId &&
        ends[k - 1] === cursor.bytesRead;
      if (!consistent) restart = 'rewritten';
      else if (k === n - 1) return { kind: 'current', generation };
      else from = k;
    }
  }
  const planned: PlannedBlock[] = [];
  for (let i = from; i < n - 1; i++) {
    const b = blocks[i] as CommittedBlock;
    planned.push({
      index: i,
      id: b.id,
      startOffset: (ends[i] as number) - b.size,
      endOffset: ends[i] as number,
    });
  }
  return { kind: 'read', generation, blocks: planned, restart };
}

/** The cursor after reading `block` (the last of a contiguous run read in order). */
export function cursorAfter(generation: string, block: PlannedBlock): BlobCursor {
  return { generation, blocksRead: block.index + 1, bytesRead: block.endOffset, lastBlockId: block.id };
}

/**
 * Cuts planned blocks into runs read with one ranged request each: contiguous, at most
 * `maxBytes` (a block larger than that is a run of its own).
 */
export function toReadRuns(blocks: readonly PlannedBlock[], maxBytes: number): PlannedBlock[][] {
  const runs: PlannedBlock[][] = [];
  let run: PlannedBlock[] = [];
  let bytes = 0;
  for (const b of blocks) {
    const size = b.endOffset - b.startOffset;
    if (run.length > 0 && bytes + size > maxBytes) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(b);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The JSON text of one record block (`bytes` is the block), as a `{"records":[…]}` document the
 * decoders read like a diagnostic-settings envelope: the comma that leads every record after the
 * first is dropped. A block that is not what Network Watcher writes still becomes a document,
 * which the splitter then reports as malformed, alone.
 */
export function recordBlockText(bytes: Uint8Array): string {
  const text = utf8.decode(bytes);
  let i = 0;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  if (text[i] === ',') i++;
  return `${OPENING}${text.slice(i)}${CLOSING}`;
}

/** True when `bytes` start with the opening block Network Watcher writes. */
export function isOpeningBlock(bytes: Uint8Array): boolean {
  return bytes.length >= OPENING_BYTES && utf8.decode(bytes.subarray(0, OPENING_BYTES)) === OPENING;
}

export const OPENING_BLOCK_BYTES = OPENING_BYTES;
