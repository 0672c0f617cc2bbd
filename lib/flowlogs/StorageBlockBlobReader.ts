import type { BlobServiceClient } from '@azure/storage-blob';
import type { StorageRetryOptions } from '../azure/clients.js';
import { createBlobServiceClient, DEFAULT_STORAGE_RETRY } from '../azure/clients.js';
import { asStorageFailure, classifyStorageError, storageErrorCodeOf } from '../azure/storageErrors.js';
import type { ServiceConnection } from '../config/appSettings.js';
import type { BlockBlobReader, ListingRead, RangeRead } from './BlockBlobReader.js';

/**
 * `BlockBlobReader` over Azure Blob Storage (`@azure/storage-blob`): Get Block List (committed)
 * and Get Blob with a range and `If-Match`. Narrow error handling: 404 is an absent blob, 412 a
 * newer version, 409 `InvalidBlobType` a blob that is not a block blob; anything else that
 * outlives the SDK's retries is a `StorageUnavailableError`, which fails the invocation so that
 * Event Grid delivers the event again.
 */
export class StorageBlockBlobReader implements BlockBlobReader {
  readonly #service: BlobServiceClient;

  constructor(service: BlobServiceClient) {
    this.#service = service;
  }

  /** From a connection string (Azurite, local) or a blob endpoint and the managed identity. */
  static fromConnection(
    connection: ServiceConnection,
    retry: StorageRetryOptions = DEFAULT_STORAGE_RETRY,
  ): StorageBlockBlobReader {
    return new StorageBlockBlobReader(createBlobServiceClient(connection, retry));
  }

  /** The account's blob endpoint, to check that an event names a blob of this account. */
  get url(): string {
    return this.#service.url;
  }

  async listCommittedBlocks(container: string, name: string): Promise<ListingRead> {
    const blob = this.#service.getContainerClient(container).getBlockBlobClient(name);
    try {
      const r = await blob.getBlockList('committed');
      return {
        kind: 'listing',
        listing: {
          etag: r.etag ?? '',
          contentLength: r.blobContentLength ?? 0,
          lastModifiedMs: r.lastModified?.getTime(),
          blocks: (r.committedBlocks ?? []).map((b) => ({ id: b.name, size: b.size })),
        },
      };
    } catch (error) {
      const kind = classifyStorageError(error);
      if (kind === 'absent') return { kind: 'absent' };
      if (kind === 'exists' && storageErrorCodeOf(error) === 'InvalidBlobType')
        return { kind: 'notBlockBlob' };
      throw asStorageFailure(error, 'block list read', 'Blob Storage');
    }
  }

  async readRange(
    container: string,
    name: string,
    offset: number,
    count: number,
    etag: string,
  ): Promise<RangeRead> {
    const blob = this.#service.getContainerClient(container).getBlockBlobClient(name);
    try {
      const r = await blob.download(offset, count, { conditions: { ifMatch: etag } });
      const chunks: Buffer[] = [];
      for await (const chunk of r.readableStreamBody ?? []) chunks.push(chunk as Buffer);
      return { kind: 'bytes', bytes: Buffer.concat(chunks) };
    } catch (error) {
      const kind = classifyStorageError(error);
      if (kind === 'changed') return { kind: 'changed' };
      if (kind === 'absent') return { kind: 'absent' };
      throw asStorageFailure(error, 'blob range read', 'Blob Storage');
    }
  }
}
