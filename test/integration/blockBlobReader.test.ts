import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockBlobReader } from '../../lib/flowlogs/BlockBlobReader.js';
import { InMemoryBlockBlobReader } from '../../lib/flowlogs/InMemoryBlockBlobReader.js';
import type { BlobCursor } from '../../lib/flowlogs/pt1hLayout.js';
import { type ReadStep, readNewBlocks } from '../../lib/flowlogs/readNewBlocks.js';
import { StorageBlockBlobReader } from '../../lib/flowlogs/StorageBlockBlobReader.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import {
  azureBlockSink,
  type BlockSink,
  memoryBlockSink,
  NetworkWatcherBlob,
} from '../support/networkWatcherBlob.js';

let az: Azurite;
let service: BlobServiceClient;
let counter = 0;

beforeAll(async () => {
  az = await startAzurite();
  service = BlobServiceClient.fromConnectionString(az.connectionString());
});

afterAll(async () => {
  await az.stop();
});

/** One store under test: a reader and a way to write blobs into it. */
interface Subject {
  readonly reader: BlockBlobReader;
  readonly container: string;
  sink(name: string): BlockSink;
  remove(name: string): Promise<void>;
}

const subjects: [string, () => Promise<Subject>][] = [
  [
    'Azure Blob Storage (Azurite)',
    async () => {
      const container = `flowlogs${++counter}`;
      const client = service.getContainerClient(container);
      await client.create();
      return {
        reader: StorageBlockBlobReader.fromConnection(
          { kind: 'connectionString', connectionString: az.connectionString() },
          { maxRetries: 1, retryDelayInMs: 20, maxRetryDelayInMs: 50 },
        ),
        container,
        sink: (name) => azureBlockSink(client, name),
        remove: async (name) => {
          await client.deleteBlob(name);
        },
      };
    },
  ],
  [
    'in memory',
    async () => {
      const twin = new InMemoryBlockBlobReader();
      const container = 'flowlogs';
      return {
        reader: twin,
        container,
        sink: (name) => memoryBlockSink(twin, container, name),
        remove: async (name) => twin.delete(container, name),
      };
    },
  ],
];

const OPTIONS = { maxRunBytes: 1 << 20, maxBlockBytes: 1 << 16 };

async function steps(
  reader: BlockBlobReader,
  container: string,
  name: string,
  cursor: BlobCursor | undefined,
  options = OPTIONS,
): Promise<ReadStep[]> {
  const out: ReadStep[] = [];
  for await (const s of readNewBlocks(reader, container, name, cursor, options)) out.push(s);
  return out;
}

/** The records of the blocks yielded, and the cursor after the last step. */
function recordsOf(read: readonly ReadStep[]): { records: unknown[]; cursor: BlobCursor | undefined } {
  const records: unknown[] = [];
  let cursor: BlobCursor | undefined;
  for (const s of read) {
    if (s.kind !== 'blocks') continue;
    for (const b of s.blocks)
      records.push(...(JSON.parse(b.text as string) as { records: unknown[] }).records);
    cursor = s.cursor;
  }
  return { records, cursor };
}

describe.each(subjects)('BlockBlobReader contract: %s', (_name, make) => {
  it('reads a blob grown block by block one new block at a time, each read from where the last ended', async () => {
    const s = await make();
    const blob = new NetworkWatcherBlob(s.sink('a/PT1H.json'));
    await blob.append({ n: 1 });
    await blob.append({ n: 2 });
    const first = recordsOf(await steps(s.reader, s.container, 'a/PT1H.json', undefined));
    expect(first.records).toEqual([{ n: 1 }, { n: 2 }]);

    await blob.append({ n: 3 });
    const read = await steps(s.reader, s.container, 'a/PT1H.json', first.cursor);
    expect(read).toHaveLength(1);
    const step = read[0];
    if (step?.kind !== 'blocks') throw new Error('expected blocks');
    expect(step.restart).toBeUndefined();
    // The new block's range only: `,{"n":3}` after 12 + 7 + 8 bytes.
    expect(step.blocks).toEqual([{ endOffset: 35, sizeBytes: 8, text: '{"records":[{"n":3}]}' }]);
    expect(step.cursor).toMatchObject({ blocksRead: 4, bytesRead: 35 });
    expect(await steps(s.reader, s.container, 'a/PT1H.json', step.cursor)).toEqual([{ kind: 'current' }]);
  });

  it('reports a blob with no record yet, and an absent blob', async () => {
    const s = await make();
    await new NetworkWatcherBlob(s.sink('empty/PT1H.json')).start();
    expect(await steps(s.reader, s.container, 'empty/PT1H.json', undefined)).toEqual([{ kind: 'current' }]);
    expect(await steps(s.reader, s.container, 'none/PT1H.json', undefined)).toEqual([{ kind: 'absent' }]);
  });

  it('starts over under a new generation when the blob was deleted and written again', async () => {
    const s = await make();
    const old = new NetworkWatcherBlob(s.sink('r/PT1H.json'));
    await old.append({ n: 1 });
    await old.append({ n: 2 });
    const before = recordsOf(await steps(s.reader, s.container, 'r/PT1H.json', undefined));
    await s.remove('r/PT1H.json');
    await new NetworkWatcherBlob(s.sink('r/PT1H.json')).append({ n: 9 });
    const read = await steps(s.reader, s.container, 'r/PT1H.json', before.cursor);
    expect(read[0]).toMatchObject({ kind: 'blocks', restart: 'replaced' });
    const after = recordsOf(read);
    expect(after.records).toEqual([{ n: 9 }]);
    expect(after.cursor?.generation).not.toBe(before.cursor?.generation);
  });

  it('lists again and goes on when the blob grows between listing and reading', async () => {
    const s = await make();
    const blob = new NetworkWatcherBlob(s.sink('g/PT1H.json'));
    await blob.append({ n: 1 });
    let listings = 0;
    // A writer that commits one more block right after the first listing: the ranged read of
    // the listed version then fails its If-Match.
    const racing: BlockBlobReader = {
      listCommittedBlocks: async (c, n) => {
        const r = await s.reader.listCommittedBlocks(c, n);
        if (++listings === 1) await blob.append({ n: 2 });
        return r;
      },
      readRange: (c, n, o, k, e) => s.reader.readRange(c, n, o, k, e),
    };
    const read = await steps(racing, s.container, 'g/PT1H.json', undefined);
    expect(listings).toBe(2);
    expect(recordsOf(read).records).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('reads a long backlog in runs of at most maxRunBytes, each with its cursor', async () => {
    const s = await make();
    const blob = new NetworkWatcherBlob(s.sink('b/PT1H.json'));
    for (let i = 0; i < 10; i++) await blob.append({ n: i, pad: 'x'.repeat(40) });
    const read = await steps(s.reader, s.container, 'b/PT1H.json', undefined, {
      maxRunBytes: 150,
      maxBlockBytes: 1000,
    });
    expect(read.length).toBeGreaterThan(3);
    const cursors = read.map((r) => (r.kind === 'blocks' ? r.cursor.blocksRead : -1));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(recordsOf(read).records.map((r) => (r as { n: number }).n)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('does not fetch a block over maxBlockBytes, and goes past it', async () => {
    const s = await make();
    const blob = new NetworkWatcherBlob(s.sink('big/PT1H.json'));
    await blob.append({ n: 1 });
    await blob.append({ pad: 'y'.repeat(500) });
    await blob.append({ n: 3 });
    const read = await steps(s.reader, s.container, 'big/PT1H.json', undefined, {
      maxRunBytes: 10_000,
      maxBlockBytes: 100,
    });
    const blocks = read.flatMap((r) => (r.kind === 'blocks' ? r.blocks : []));
    expect(blocks.map((b) => b.text === undefined)).toEqual([false, true, false]);
    expect(read.at(-1)).toMatchObject({ cursor: { blocksRead: 4 } });
  });

  it('reports a blob whose first block is not {"records":[ without reading further', async () => {
    const s = await make();
    const sink = s.sink('odd/PT1H.json');
    await sink.stage('aaaa', Buffer.from('[{"records":', 'utf8'));
    await sink.stage('bbbb', Buffer.from('{"n":1}', 'utf8'));
    await sink.stage('cccc', Buffer.from(']]', 'utf8'));
    await sink.commit(['aaaa', 'bbbb', 'cccc']);
    expect(await steps(s.reader, s.container, 'odd/PT1H.json', undefined)).toEqual([
      { kind: 'unreadable', reason: 'no opening block', detail: 'the blob does not start with {"records":[' },
    ]);
  });
});

describe('BlockBlobReader: blobs only the service makes (Azurite)', () => {
  it('reports a blob uploaded whole and an append blob as not written block by block', async () => {
    const container = service.getContainerClient(`flowlogs${++counter}`);
    await container.create();
    const reader = StorageBlockBlobReader.fromConnection({
      kind: 'connectionString',
      connectionString: az.connectionString(),
    });
    await container.getBlockBlobClient('put/PT1H.json').upload('{"records":[]}', 14);
    expect(await steps(reader, container.containerName, 'put/PT1H.json', undefined)).toMatchObject([
      { kind: 'unreadable', reason: 'not written block by block' },
    ]);
    await container.getAppendBlobClient('append/PT1H.json').create();
    expect(await steps(reader, container.containerName, 'append/PT1H.json', undefined)).toEqual([
      { kind: 'unreadable', reason: 'not a block blob', detail: 'the blob has no block list' },
    ]);
  });
});
