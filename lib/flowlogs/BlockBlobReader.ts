/** One block of a blob's committed block list. */
export interface CommittedBlock {
  /** The block id as the service returns it (base64). */
  readonly id: string;
  readonly size: number;
}

/** A blob's committed block list and the version it describes. */
export interface BlockListing {
  /** ETag of the blob version the list belongs to. */
  readonly etag: string;
  readonly contentLength: number;
  /** When that version was committed (ms since the epoch), when the service says. */
  readonly lastModifiedMs: number | undefined;
  readonly blocks: readonly CommittedBlock[];
}

/** What a ranged read of one blob version found. */
export type RangeRead =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** The blob is no longer the version asked for (412 on If-Match): list its blocks again. */
  | { readonly kind: 'changed' }
  /** The blob was deleted. */
  | { readonly kind: 'absent' };

/** What listing a blob's blocks found. */
export type ListingRead =
  | { readonly kind: 'listing'; readonly listing: BlockListing }
  | { readonly kind: 'absent' }
  /** Not a block blob (an append or page blob has no block list). */
  | { readonly kind: 'notBlockBlob' };

/**
 * Reads block blobs the way an incremental reader needs: the committed block list with the
 * version's ETag, and byte ranges of exactly that version. The Azure Storage implementation
 * (StorageBlockBlobReader) runs in Azure and against Azurite; the in-memory twin serves fast
 * tests. Both pass the same contract test (test/integration/blockBlobReader.test.ts).
 */
export interface BlockBlobReader {
  /**
   * The committed blocks of `container/name`: only blocks a writer has committed are listed, so a
   * reader never sees a half-written record.
   * @throws {StorageUnavailableError} when storage stays unavailable after the SDK's retries
   */
  listCommittedBlocks(container: string, name: string): Promise<ListingRead>;
  /**
   * Bytes `[offset, offset + count)` of the blob, only if it is still version `etag`.
   * @throws {StorageUnavailableError} when storage stays unavailable after the SDK's retries
   */
  readRange(container: string, name: string, offset: number, count: number, etag: string): Promise<RangeRead>;
}
