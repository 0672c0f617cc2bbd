import { randomBytes } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { InMemoryBlockBlobReader } from '../../lib/flowlogs/InMemoryBlockBlobReader.js';

/** Where a writer stages and commits blocks: Azure Storage (Azurite) or the in-memory twin. */
export interface BlockSink {
  stage(id: string, bytes: Uint8Array): Promise<void>;
  commit(ids: readonly string[]): Promise<void>;
}

/** A block sink on a real block blob (Put Block, Put Block List). */
export function azureBlockSink(container: ContainerClient, name: string): BlockSink {
  const blob = container.getBlockBlobClient(name);
  return {
    stage: async (id, bytes) => {
      await blob.stageBlock(id, bytes, bytes.length);
    },
    commit: async (ids) => {
      await blob.commitBlockList([...ids]);
    },
  };
}

/** A block sink on the in-memory twin. */
export function memoryBlockSink(
  twin: InMemoryBlockBlobReader,
  container: string,
  name: string,
  now: () => number = () => Date.now(),
): BlockSink {
  const staged = new Map<string, Uint8Array>();
  return {
    stage: async (id, bytes) => {
      staged.set(id, bytes);
    },
    commit: async (ids) => {
      twin.commit(
        container,
        name,
        ids.map((id) => ({ id, bytes: staged.get(id) as Uint8Array })),
        now(),
      );
    },
  };
}

/** A block id as Network Watcher makes them: base64 of 32 random hex digits (all ids of a blob the same length). */
export function blockId(): string {
  return Buffer.from(randomBytes(16).toString('hex'), 'utf8').toString('base64');
}

/**
 * Writes a `PT1H.json` blob the way Network Watcher does (Microsoft Learn, "Read flow logs"): an
 * opening block `{"records":[`, one block per appended record (a comma before every record after
 * the first), a closing block `]}`; each append stages one block and commits the whole list
 * again with the new block before the closing one.
 */
export class NetworkWatcherBlob {
  readonly #sink: BlockSink;
  readonly #openingId = blockId();
  readonly #closingId = blockId();
  readonly #recordIds: string[] = [];
  #started = false;

  constructor(sink: BlockSink) {
    this.#sink = sink;
  }

  /** Ids of the committed list, in order. */
  get committedIds(): string[] {
    return [this.#openingId, ...this.#recordIds, this.#closingId];
  }

  /** Appends one record (one block, one commit). */
  async append(record: object): Promise<void> {
    const json = JSON.stringify(record);
    await this.appendRaw(this.#recordIds.length === 0 ? json : `,${json}`);
  }

  /** Appends one block of any text (a malformed one, for instance), committed like a record. */
  async appendRaw(text: string): Promise<void> {
    if (!this.#started) {
      await this.#sink.stage(this.#openingId, Buffer.from('{"records":[', 'utf8'));
      await this.#sink.stage(this.#closingId, Buffer.from(']}', 'utf8'));
      this.#started = true;
    }
    const id = blockId();
    await this.#sink.stage(id, Buffer.from(text, 'utf8'));
    this.#recordIds.push(id);
    await this.#sink.commit(this.committedIds);
  }

  /** Commits only the opening and closing blocks (a blob with no record yet). */
  async start(): Promise<void> {
    await this.#sink.stage(this.#openingId, Buffer.from('{"records":[', 'utf8'));
    await this.#sink.stage(this.#closingId, Buffer.from(']}', 'utf8'));
    this.#started = true;
    await this.#sink.commit(this.committedIds);
  }
}
