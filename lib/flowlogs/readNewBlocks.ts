import { StorageConflictError } from '../errors.js';
import type { BlockBlobReader } from './BlockBlobReader.js';
import type { BlobCursor, PlannedBlock } from './pt1hLayout.js';
import {
  cursorAfter,
  isOpeningBlock,
  OPENING_BLOCK_BYTES,
  planRead,
  recordBlockText,
  toReadRuns,
} from './pt1hLayout.js';

/** One record block read from a blob. */
export interface RecordBlock {
  /** Offset of the block's end in the blob: increases along the blob, so it orders the blocks. */
  readonly endOffset: number;
  readonly sizeBytes: number;
  /** The block as a `{"records":[…]}` document, or undefined when it is over `maxBlockBytes` and was not read. */
  readonly text: string | undefined;
}

/** What one step of reading a blob found. */
export type ReadStep =
  | {
      readonly kind: 'blocks';
      readonly generation: string;
      readonly restart: 'replaced' | 'rewritten' | undefined;
      readonly blocks: readonly RecordBlock[];
      /** Where the reader stands once these blocks are counted. */
      readonly cursor: BlobCursor;
      /** When the version read was committed. */
      readonly lastModifiedMs: number | undefined;
    }
  /** Nothing new: every committed record was read before (or none is committed yet). */
  | { readonly kind: 'current' }
  | { readonly kind: 'absent' }
  /** Not a blob Network Watcher writes: nothing is read. */
  | { readonly kind: 'unreadable'; readonly reason: string; readonly detail: string };

export interface ReadOptions {
  /** Most bytes fetched with one ranged request (one step). */
  readonly maxRunBytes: number;
  /** A record block larger than this is not fetched: it is reported as over the size limit. */
  readonly maxBlockBytes: number;
  /** Times the block list is read again when the blob changed between listing and reading. */
  readonly maxAttempts?: number;
}

/**
 * Reads the records committed to a flow-log blob since `cursor`, one ranged request per step:
 * lists the committed blocks, plans what is new (pt1hLayout.planRead), fetches each run of new
 * blocks with `If-Match` on the listed version, and yields the blocks with the cursor that
 * follows them. The caller counts a step's blocks before asking for the next, and records the
 * cursor after counting, so a failure between two steps loses nothing and repeats little.
 *
 * When the blob changed between listing and reading (412), it lists again and goes on from the
 * last block yielded. A replaced blob starts over at its first record, under a new generation.
 *
 * @throws {StorageUnavailableError} when storage is unavailable
 * @throws {StorageConflictError} when the blob kept changing between listing and reading
 */
export async function* readNewBlocks(
  reader: BlockBlobReader,
  container: string,
  name: string,
  cursor: BlobCursor | undefined,
  options: ReadOptions,
): AsyncGenerator<ReadStep> {
  let position = cursor;
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const listed = await reader.listCommittedBlocks(container, name);
    if (listed.kind === 'absent') {
      yield { kind: 'absent' };
      return;
    }
    if (listed.kind === 'notBlockBlob') {
      yield { kind: 'unreadable', reason: 'not a block blob', detail: 'the blob has no block list' };
      return;
    }
    const { listing } = listed;
    const plan = planRead(listing, position);
    if (plan.kind === 'layout') {
      yield { kind: 'unreadable', reason: plan.reason, detail: plan.detail };
      return;
    }
    if (plan.kind === 'empty' || plan.kind === 'current') {
      yield { kind: 'current' };
      return;
    }
    let changed = false;
    let restart = plan.restart;
    for (const run of toReadRuns(plan.blocks, options.maxRunBytes)) {
      const wanted = run.filter((b) => b.endOffset - b.startOffset <= options.maxBlockBytes);
      const first = run[0] as PlannedBlock;
      const last = run[run.length - 1] as PlannedBlock;
      // Reading from the first record also fetches the opening block, to check what the blob is.
      const from = first.index === 1 ? 0 : first.startOffset;
      let bytes: Uint8Array | undefined;
      if (wanted.length > 0 || from === 0) {
        const to =
          wanted.length > 0 ? (wanted[wanted.length - 1] as PlannedBlock).endOffset : OPENING_BLOCK_BYTES;
        const read = await reader.readRange(container, name, from, to - from, listing.etag);
        if (read.kind === 'absent') {
          yield { kind: 'absent' };
          return;
        }
        if (read.kind === 'changed') {
          changed = true;
          break;
        }
        bytes = read.bytes;
        if (from === 0 && !isOpeningBlock(bytes)) {
          yield {
            kind: 'unreadable',
            reason: 'no opening block',
            detail: `the blob does not start with {"records":[`,
          };
          return;
        }
      }
      const blocks: RecordBlock[] = run.map((b) => {
        const sizeBytes = b.endOffset - b.startOffset;
        const text =
          sizeBytes > options.maxBlockBytes || bytes === undefined
            ? undefined
            : recordBlockText(bytes.subarray(b.startOffset - from, b.endOffset - from));
        return { endOffset: b.endOffset, sizeBytes, text };
      });
      position = cursorAfter(plan.generation, last);
      yield {
        kind: 'blocks',
        generation: plan.generation,
        restart,
        blocks,
        cursor: position,
        lastModifiedMs: listing.lastModifiedMs,
      };
      restart = undefined;
    }
    if (!changed) return;
    if (attempt >= maxAttempts) {
      throw new StorageConflictError(
        `Blob Storage: ${container}/${name} changed between listing and reading ${maxAttempts} times`,
        { context: { operation: 'blob range read' } },
      );
    }
  }
}
