import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFlowLogBlobRef } from '../../lib/flowlogs/flowLogBlob.js';
import type { FlowLogCursor, FlowLogCursorStore } from '../../lib/state/FlowLogCursorStore.js';
import { isCovered, mergeCursors } from '../../lib/state/FlowLogCursorStore.js';
import { InMemoryFlowLogCursorStore } from '../../lib/state/InMemoryFlowLogCursorStore.js';
import { TableFlowLogCursorStore } from '../../lib/state/TableFlowLogCursorStore.js';
import { type Azurite, startAzurite } from '../support/azurite.js';

let az: Azurite;
let counter = 0;

beforeAll(async () => {
  az = await startAzurite();
});

afterAll(async () => {
  await az.stop();
});

const blob = (hour: string) =>
  toFlowLogBlobRef(
    'insights-logs-flowlogflowevent',
    `flowLogResourceID=/SUB_NETWORKWATCHERRG/NETWORKWATCHER_EASTUS_FL/y=2026/m=11/d=01/h=${hour}/m=00/macAddress=0022485D8CF8/PT1H.json`,
  );

const cursor = (over: Partial<FlowLogCursor> = {}): FlowLogCursor => ({
  generation: 'o:r:100',
  blocksRead: 3,
  bytesRead: 300,
  lastBlockId: 'b2',
  coveredSequencer: '0000000000000000000000000000550800000000000a0001',
  updatedAtMs: 1000,
  ...over,
});

const stores: [string, () => FlowLogCursorStore][] = [
  [
    'Table Storage (Azurite)',
    () =>
      TableFlowLogCursorStore.fromConnection(
        { kind: 'connectionString', connectionString: az.connectionString() },
        `Cursors${++counter}`,
      ),
  ],
  ['in memory', () => new InMemoryFlowLogCursorStore()],
];

describe.each(stores)('FlowLogCursorStore contract: %s', (_name, make) => {
  it('reads back what it saved, and nothing for a blob never saved', async () => {
    const store = make();
    expect(await store.read(blob('10'))).toBeUndefined();
    const saved = await store.save(blob('10'), cursor(), undefined);
    expect(saved.cursor).toEqual(cursor());
    expect(await store.read(blob('10'))).toEqual(saved);
    const next = await store.save(blob('10'), cursor({ blocksRead: 4, bytesRead: 400 }), saved);
    expect((await store.read(blob('10')))?.cursor).toMatchObject({ blocksRead: 4, bytesRead: 400 });
    expect(next.version).not.toBe(saved.version);
  });

  it('merges instead of overwriting when another invocation saved in between', async () => {
    const store = make();
    const base = await store.save(blob('11'), cursor({ coveredSequencer: undefined }), undefined);
    // Two invocations start from the same cursor; the one that read further saves first.
    await store.save(blob('11'), cursor({ blocksRead: 6, bytesRead: 600, coveredSequencer: 'a5' }), base);
    const merged = await store.save(
      blob('11'),
      cursor({ blocksRead: 4, bytesRead: 400, coveredSequencer: 'a7' }),
      base,
    );
    expect(merged.cursor).toMatchObject({ blocksRead: 6, bytesRead: 600, coveredSequencer: 'a7' });
    expect((await store.read(blob('11')))?.cursor).toEqual(merged.cursor);
  });

  it('keeps a cursor saved concurrently by a first save of the same blob', async () => {
    const store = make();
    await store.save(blob('12'), cursor({ bytesRead: 500, blocksRead: 5 }), undefined);
    const second = await store.save(blob('12'), cursor(), undefined);
    expect(second.cursor).toMatchObject({ bytesRead: 500, blocksRead: 5 });
  });

  it('purges the cursors of hours before the given one', async () => {
    const store = make();
    for (const h of ['08', '09', '10']) await store.save(blob(h), cursor(), undefined);
    expect(await store.purgeBefore(Date.parse('2026-11-01T10:00:00Z'))).toBe(2);
    expect(await store.read(blob('09'))).toBeUndefined();
    expect(await store.read(blob('10'))).toBeDefined();
  });
});

describe('FlowLogCursorStore: Table rows', () => {
  it('reads a row it cannot validate as a problem to overwrite, not as a cursor', async () => {
    const prefix = `Cursors${++counter}`;
    const connection = az.connectionString();
    const store = TableFlowLogCursorStore.fromConnection(
      { kind: 'connectionString', connectionString: connection },
      prefix,
    );
    const saved = await store.save(blob('13'), cursor(), undefined);
    const raw = TableClient.fromConnectionString(connection, `${prefix}Control`, {
      allowInsecureConnection: true,
    });
    await raw.updateEntity(
      { partitionKey: 'flowlog-20261101T13', rowKey: blob('13').blobKey, blocksRead: -1 },
      'Merge',
    );
    const read = await store.read(blob('13'));
    expect(read?.cursor).toBeUndefined();
    expect(read?.problem).toBeDefined();
    const rewritten = await store.save(blob('13'), cursor({ blocksRead: 7 }), read);
    expect(rewritten.cursor?.blocksRead).toBe(7);
    expect(saved.version).not.toBe(rewritten.version);
  });
});

describe('FlowLogCursorStore: mergeCursors and isCovered', () => {
  it('keeps the larger covered sequencer and the position furthest in one generation', () => {
    const a = cursor({ bytesRead: 900, blocksRead: 9, coveredSequencer: '01' });
    const b = cursor({ bytesRead: 300, coveredSequencer: '02', updatedAtMs: 5000 });
    expect(mergeCursors(a, b)).toEqual({ ...a, coveredSequencer: '02', updatedAtMs: 5000 });
    expect(mergeCursors(b, a)).toEqual(mergeCursors(a, b));
  });

  it('keeps the position read last across generations', () => {
    const old = cursor({ generation: 'g1', bytesRead: 900, updatedAtMs: 1 });
    const fresh = cursor({ generation: 'g2', bytesRead: 50, updatedAtMs: 2 });
    expect(mergeCursors(old, fresh).generation).toBe('g2');
  });

  it.each([
    ['an earlier sequencer', '01', true],
    ['the same sequencer', '05', true],
    ['a later sequencer', '09', false],
    ['no sequencer', undefined, false],
  ])('treats an event with %s as covered: %s', (_label, sequencer, covered) => {
    expect(isCovered(cursor({ coveredSequencer: '05' }), sequencer)).toBe(covered);
  });

  it('covers nothing without a cursor or a covered sequencer', () => {
    expect(isCovered(undefined, '01')).toBe(false);
    expect(isCovered(cursor({ coveredSequencer: undefined }), '01')).toBe(false);
  });
});
