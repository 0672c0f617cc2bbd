import type { BlockBlobReader, ListingRead, RangeRead } from './BlockBlobReader.js';

interface StoredBlob {
  readonly blocks: readonly { readonly id: string; readonly bytes: Uint8Array }[];
  readonly etag: string;
  readonly lastModifiedMs: number;
}

/**
 * The in-memory twin of `StorageBlockBlobReader`, with the writer side a test or a benchmark
 * needs: `commit` replaces a blob's committed block list, as Put Block List does (every commit a
 * new ETag). Same semantics as the service for what the reader sees; not durable.
 */
export class InMemoryBlockBlobReader implements BlockBlobReader {
  readonly #blobs = new Map<string, StoredBlob>();
  #version = 0;
  /** Requests served, by operation (the benchmark counts them). */
  readonly requests = { listCommittedBlocks: 0, readRange: 0 };

  /** Commits `blocks` as the whole committed list of `container/name`. */
  commit(
    container: string,
    name: string,
    blocks: readonly { id: string; bytes: Uint8Array }[],
    nowMs: number,
  ): void {
    this.#blobs.set(`${container}/${name}`, {
      blocks: [...blocks],
      etag: `"0x${(++this.#version).toString(16).toUpperCase()}"`,
      lastModifiedMs: nowMs,
    });
  }

  delete(container: string, name: string): void {
    this.#blobs.delete(`${container}/${name}`);
  }

  async listCommittedBlocks(container: string, name: string): Promise<ListingRead> {
    this.requests.listCommittedBlocks++;
    const blob = this.#blobs.get(`${container}/${name}`);
    if (blob === undefined) return { kind: 'absent' };
    return {
      kind: 'listing',
      listing: {
        etag: blob.etag,
        contentLength: blob.blocks.reduce((t, b) => t + b.bytes.length, 0),
        lastModifiedMs: blob.lastModifiedMs,
        blocks: blob.blocks.map((b) => ({ id: b.id, size: b.bytes.length })),
      },
    };
  }

  async readRange(
    container: string,
    name: string,
    offset: number,
    count: number,
    etag: string,
  ): Promise<RangeRead> {
    this.requests.readRange++;
    const blob = this.#blobs.get(`${container}/${name}`);
    if (blob === undefined) return { kind: 'absent' };
    if (blob.etag !== etag) return { kind: 'changed' };
    const whole = Buffer.concat(blob.blocks.map((b) => b.bytes));
    return { kind: 'bytes', bytes: whole.subarray(offset, offset + count) };
  }
}
