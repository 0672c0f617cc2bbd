import type { PipelineRequest } from '@azure/core-rest-pipeline';
import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient, ensureTable } from '../../lib/azure/clients.js';
import { classifyStorageError, type StorageErrorKind } from '../../lib/azure/storageErrors.js';
import {
  type BatchOperation,
  binaryProperty,
  int32Property,
  TableBatchWriter,
} from '../../lib/azure/TableBatchWriter.js';
import { type Azurite, startAzurite } from '../support/azurite.js';

/*
 * The `$batch` writer of the window rows against Azurite, with the SDK's own
 * `TableClient.submitTransaction` as its oracle: the same request body byte for byte, the same rows
 * stored, the same errors for a failed change set.
 */

let az: Azurite;
let counter = 0;
beforeAll(async () => {
  az = await startAzurite();
});
afterAll(async () => {
  await az.stop();
});

const PK = '20261101T1000-0a';

/** A table of its own, with a spy at the end of its pipeline recording every `$batch` request sent. */
async function freshTable(): Promise<{ table: TableClient; sent: PipelineRequest[] }> {
  const table = createTableClient(
    { kind: 'connectionString', connectionString: az.connectionString() },
    `Batch${process.pid}x${++counter}`,
    { maxRetries: 0, retryDelayInMs: 10, maxRetryDelayInMs: 10 },
  );
  await ensureTable(table);
  const sent: PipelineRequest[] = [];
  table.pipeline.addPolicy(
    {
      name: 'recordBatches',
      sendRequest: (request, next) => {
        if (request.url.includes('$batch')) sent.push(request);
        return next(request);
      },
    },
    { afterPhase: 'Sign' },
  );
  return { table, sent };
}

/** A window row as the store writes it: an `Edm.Binary` state and an `Edm.Int32` port count. */
interface Row {
  readonly rowKey: string;
  readonly state: Uint8Array;
  readonly ports: number;
}
const properties = (r: Row) => `${binaryProperty('state', r.state)},${int32Property('ports', r.ports)}`;
const create = (r: Row): BatchOperation => ({ kind: 'create', rowKey: r.rowKey, properties: properties(r) });
const replace = (r: Row, etag: string): BatchOperation => ({
  kind: 'replace',
  rowKey: r.rowKey,
  etag,
  properties: properties(r),
});
/** The same operations as the SDK's actions. */
function sdkAction(op: BatchOperation, rows: Map<string, Row>): TransactionAction {
  if (op.kind === 'delete') return ['delete', { partitionKey: PK, rowKey: op.rowKey }];
  const r = rows.get(op.rowKey) as Row;
  const entity = { partitionKey: PK, rowKey: r.rowKey, state: r.state, ports: r.ports };
  return op.kind === 'create' ? ['create', entity] : ['update', entity, 'Replace', { etag: op.etag }];
}

/** Deterministic bytes (a stand-in for an encoded state: the writer treats it as opaque). */
function bytesOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * Row keys with every character a window row key can hold (`<source>|<partition>`: letters,
 * digits and `.:%_-` in an address, `~` and a GUID in a partition counted under its invocation),
 * and a quote, which the entity URL doubles.
 */
const AWKWARD_KEYS = [
  '203.0.113.7|0',
  'fe80::1%eth0|3',
  '2001:db8::a_b-c|0~9f0a8763-b626-4081-89b4-b26ab481498c',
  "o'brien|1",
  'ÄÖü€|2',
];

async function storedRows(table: TableClient): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const e of table.listEntities<TableEntityResult<Record<string, unknown>>>()) {
    const { etag: _etag, timestamp: _timestamp, ...rest } = e;
    out.push({ ...rest, state: Buffer.from(rest.state as Uint8Array).toString('hex') });
  }
  return out;
}

/** The body with its random boundaries named in order of appearance. */
function normalizedBody(request: PipelineRequest): string {
  const body = String(request.body);
  const ids = [...new Set(body.match(/(?:batch|changeset)_[0-9a-f-]{36}/g) ?? [])];
  return ids.reduce((text, id, i) => text.replaceAll(id, `boundary${i}`), body);
}

async function failureOf(act: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await act();
  } catch (error) {
    const e = error as { name: string; statusCode?: number; code?: string; message: string };
    return {
      name: e.name,
      statusCode: e.statusCode,
      code: e.code,
      message: e.message.split('\n')[0],
      kind: classifyStorageError(error),
    };
  }
  throw new Error('expected the transaction to fail');
}

describe('TableBatchWriter: entity-group transactions as one $batch request', () => {
  it('sends the body the SDK sends for the same creates, replaces and deletes, byte for byte', async () => {
    // Prepare: the same operations, once through the SDK and once through the writer, on two tables.
    const sdk = await freshTable();
    const ours = await freshTable();
    const rows = new Map(
      AWKWARD_KEYS.map((rowKey, i) => [rowKey, { rowKey, state: bytesOf(40 + i, i), ports: i }]),
    );
    const creates = [...rows.values()].map(create);
    await sdk.table.submitTransaction(creates.map((op) => sdkAction(op, rows)));
    const etags = await new TableBatchWriter(ours.table).submit(PK, creates);
    const stored = new Map<string, string>();
    for await (const e of ours.table.listEntities()) stored.set(e.rowKey as string, e.etag);
    const sdkStored = new Map<string, string>();
    for await (const e of sdk.table.listEntities()) sdkStored.set(e.rowKey as string, e.etag);
    // Replaces carry each table's own ETags; give both the same text by replacing with a rewrite of the body.
    const second = (etagOf: Map<string, string>): BatchOperation[] => [
      replace(
        { ...(rows.get(AWKWARD_KEYS[1] as string) as Row), ports: 9 },
        etagOf.get(AWKWARD_KEYS[1] as string) as string,
      ),
      replace(
        { ...(rows.get(AWKWARD_KEYS[3] as string) as Row), ports: 8 },
        etagOf.get(AWKWARD_KEYS[3] as string) as string,
      ),
      { kind: 'delete', rowKey: AWKWARD_KEYS[4] as string },
    ];
    const updated = new Map(rows);
    updated.set(AWKWARD_KEYS[1] as string, { ...(rows.get(AWKWARD_KEYS[1] as string) as Row), ports: 9 });
    updated.set(AWKWARD_KEYS[3] as string, { ...(rows.get(AWKWARD_KEYS[3] as string) as Row), ports: 8 });

    // Act
    await sdk.table.submitTransaction(second(sdkStored).map((op) => sdkAction(op, updated)));
    await new TableBatchWriter(ours.table).submit(PK, second(stored));

    // Assess: the ETags returned are the stored ones, the bodies and headers are the SDK's.
    expect(etags).toEqual(AWKWARD_KEYS.map((k) => stored.get(k)));
    expect(sdk.sent).toHaveLength(2);
    expect(ours.sent).toHaveLength(2);
    const sdkBodies = sdk.sent
      .map(normalizedBody)
      .map((b, i) =>
        i === 1 ? [...sdkStored].reduce((t, [k, etag]) => t.replaceAll(etag, `etag(${k})`), b) : b,
      );
    const ourBodies = ours.sent
      .map(normalizedBody)
      .map((b, i) =>
        i === 1 ? [...stored].reduce((t, [k, etag]) => t.replaceAll(etag, `etag(${k})`), b) : b,
      )
      .map((b) => b.replaceAll(ours.table.tableName, sdk.table.tableName));
    expect(ourBodies).toEqual(sdkBodies);
    const headers = (r: PipelineRequest) => {
      const h = r.headers.toJSON();
      // Per request (ids, date, signature, length with the table name) or per connection.
      for (const n of [
        'x-ms-client-request-id',
        'x-ms-date',
        'authorization',
        'content-type',
        'content-length',
      ])
        delete h[n];
      return h;
    };
    expect(ours.sent.map(headers)).toEqual(sdk.sent.map(headers));
    expect(ours.sent[0]?.headers.get('content-type')).toMatch(
      /^multipart\/mixed; boundary=batch_[0-9a-f-]{36}$/,
    );
    expect(ours.sent[0]?.headers.get('authorization')).toMatch(/^SharedKeyLite devstoreaccount1:/);
  });

  it('stores rows identical to those the SDK stores, large states included, read back with the SDK', async () => {
    const sdk = await freshTable();
    const ours = await freshTable();
    // 60 rows of up to 48 KiB of state: about 3.9 MB of base64, near the service's 4 MiB.
    const rows = new Map(
      Array.from({ length: 60 }, (_, i) => {
        const rowKey = `198.51.${i >> 4}.${i & 15}|${i % 4}`;
        return [
          rowKey,
          { rowKey, state: bytesOf(i % 3 === 0 ? 48 * 1024 : 1 + i * 7, 100 + i), ports: i * 1000 },
        ];
      }),
    );
    const creates = [...rows.values()].map(create);

    await sdk.table.submitTransaction(creates.map((op) => sdkAction(op, rows)));
    const etags = await new TableBatchWriter(ours.table).submit(PK, creates);

    expect(etags.every((e) => typeof e === 'string' && e.length > 0)).toBe(true);
    const mine = await storedRows(ours.table);
    expect(mine).toHaveLength(60);
    expect(mine).toEqual(await storedRows(sdk.table));
    // And the stored bytes are the bytes given (the oracle could share a mistake).
    const first = rows.get('198.51.0.0|0') as Row;
    const back = await ours.table.getEntity<{ state: Uint8Array; ports: number }>(PK, first.rowKey);
    expect(Buffer.from(back.state).equals(Buffer.from(first.state))).toBe(true);
    expect(back.ports).toBe(0);
  }, 30_000);

  it('replaces rows with their ETags and returns the new ETags, which the next replace needs', async () => {
    const { table } = await freshTable();
    const writer = new TableBatchWriter(table);
    const rows = AWKWARD_KEYS.map((rowKey, i) => ({ rowKey, state: bytesOf(10, i), ports: 1 }));
    const first = await writer.submit(PK, rows.map(create));

    const second = await writer.submit(
      PK,
      rows.map((r, i) => replace({ ...r, ports: 2 }, first[i] as string)),
    );

    expect(second.every((e, i) => typeof e === 'string' && e !== first[i])).toBe(true);
    for (const [i, r] of rows.entries()) {
      const e = await table.getEntity<{ ports: number }>(PK, r.rowKey);
      expect([e.ports, e.etag]).toEqual([2, second[i]]);
    }
    const third = await writer.submit(
      PK,
      rows.map((r, i) => replace({ ...r, ports: 3 }, second[i] as string)),
    );
    expect(third).toHaveLength(rows.length);
  });

  it.each<[string, StorageErrorKind, number, string]>([
    ['a create of a row that exists', 'exists', 409, 'EntityAlreadyExists'],
    ['a replace with an ETag that changed', 'changed', 412, 'UpdateConditionNotSatisfied'],
    ['a replace of a row that is gone', 'absent', 404, 'ResourceNotFound'],
  ])(
    'fails a change set holding %s as the SDK does, and writes none of it',
    async (_what, kind, status, code) => {
      // Prepare: the same stored rows in two tables; the change set's last operation fails.
      const failing = async (table: TableClient) => {
        const writer = new TableBatchWriter(table);
        const [etag] = await writer.submit(PK, [create({ rowKey: 'a|0', state: bytesOf(5, 1), ports: 1 })]);
        await writer.submit(PK, [replace({ rowKey: 'a|0', state: bytesOf(5, 2), ports: 2 }, etag as string)]);
        const last: BatchOperation =
          kind === 'exists'
            ? create({ rowKey: 'a|0', state: bytesOf(5, 3), ports: 3 })
            : kind === 'changed'
              ? replace({ rowKey: 'a|0', state: bytesOf(5, 3), ports: 3 }, etag as string)
              : replace({ rowKey: 'gone|0', state: bytesOf(5, 3), ports: 3 }, etag as string);
        return [create({ rowKey: 'new|0', state: bytesOf(5, 4), ports: 4 }), last];
      };
      const sdk = await freshTable();
      const ours = await freshTable();
      const sdkOps = await failing(sdk.table);
      const ourOps = await failing(ours.table);
      const rowsOf = (ops: BatchOperation[]) =>
        new Map(
          ops.flatMap((op) =>
            op.kind === 'delete'
              ? []
              : [[op.rowKey, { rowKey: op.rowKey, state: bytesOf(5, 3), ports: 3 }] as const],
          ),
        );

      // Act
      const theirs = await failureOf(() =>
        sdk.table.submitTransaction(sdkOps.map((op) => sdkAction(op, rowsOf(sdkOps)))),
      );
      const mine = await failureOf(() => new TableBatchWriter(ours.table).submit(PK, ourOps));

      // Assess
      expect(mine).toEqual(theirs);
      expect(mine).toMatchObject({ name: 'RestError', statusCode: status, code, kind });
      const keys = (await storedRows(ours.table)).map((r) => r.rowKey);
      expect(keys).toEqual(['a|0']);
    },
  );

  it('deletes rows, and fails a delete of a row that is gone as absent', async () => {
    const { table } = await freshTable();
    const writer = new TableBatchWriter(table);
    await writer.submit(
      PK,
      AWKWARD_KEYS.map((rowKey) => create({ rowKey, state: bytesOf(3, 1), ports: 0 })),
    );

    const etags = await writer.submit(
      PK,
      AWKWARD_KEYS.map((rowKey) => ({ kind: 'delete', rowKey })),
    );

    expect(etags).toEqual(AWKWARD_KEYS.map(() => undefined));
    expect(await storedRows(table)).toEqual([]);
    const error = await failureOf(() =>
      writer.submit(PK, [{ kind: 'delete', rowKey: AWKWARD_KEYS[0] as string }]),
    );
    expect(error).toMatchObject({ statusCode: 404, code: 'ResourceNotFound', kind: 'absent' });
  });
});
