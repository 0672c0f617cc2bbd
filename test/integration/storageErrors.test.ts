import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient, ensureTable } from '../../lib/azure/clients.js';
import { BatchAggregator } from '../../lib/detection/BatchAggregator.js';
import {
  StorageConflictError,
  StorageRequestRejectedError,
  StorageUnavailableError,
} from '../../lib/errors.js';
import { TableAlertOutbox } from '../../lib/state/TableAlertOutbox.js';
import { TableWindowStore } from '../../lib/state/TableWindowStore.js';
import { sampleAlert } from '../support/alerts.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.js';

/**
 * Storage errors by class, through the real Table SDK against Azurite behind a proxy that answers
 * chosen requests with the status and error code the Table service sends: what is retried, what
 * is a conflict, what is refused for good, and what a table being deleted means.
 */
let az: Azurite;
let proxy: FaultProxy;
let counter = 0;

beforeAll(async () => {
  az = await startAzurite();
  proxy = await startFaultProxy(az.tablePort);
});

afterAll(async () => {
  await proxy.close();
  await az.stop();
});

const RETRY = { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 20 };
const BIN = Date.parse('2026-11-01T10:00:00Z');
const connection = () => ({
  kind: 'connectionString' as const,
  connectionString: az.connectionString({ table: proxy.port }),
});
const prefix = () => `Errors${process.pid}x${++counter}`;

function oneWindow(): BatchAggregator {
  const agg = new BatchAggregator(true);
  agg.add(
    {
      source: '203.0.113.1',
      binStartMs: BIN,
      timeMs: BIN,
      port: 22,
      reporter: 'Test/Firewall',
      eventCount: 1,
      target: '10.0.0.1',
      reached: false,
      device: 'fw-1',
    },
    1,
  );
  return agg;
}

/** A store whose tables exist, with the proxy passing everything. */
async function readyStore(): Promise<TableWindowStore> {
  proxy.mode = { kind: 'pass' };
  const store = TableWindowStore.fromConnection(connection(), prefix(), RETRY);
  await store.ready();
  return store;
}

/** Runs `act` with the next matching request answered `status` / `code`; returns its error and the requests the SDK made. */
async function failing(
  status: number,
  code: string,
  picks: (method: string, url: string) => boolean,
  act: () => Promise<unknown>,
): Promise<{ error: unknown; requests: number }> {
  proxy.requests = 0;
  proxy.mode = { kind: 'status', status, code, count: 10, picks };
  try {
    await act();
    return { error: undefined, requests: proxy.requests };
  } catch (error) {
    return { error, requests: proxy.requests };
  } finally {
    proxy.mode = { kind: 'pass' };
  }
}

const isBatch = (method: string, url: string) => method === 'POST' && url.includes('$batch');

describe('Storage errors: classified by status and code', () => {
  it('fails a table being deleted as unavailable, and accepts one that already exists', async () => {
    const table = createTableClient(connection(), prefix(), RETRY);
    const deleting = await failing(
      409,
      'TableBeingDeleted',
      (m, u) => m === 'POST' && u.includes('/Tables'),
      () => ensureTable(table),
    );
    expect(deleting.error).toBeInstanceOf(StorageUnavailableError);
    expect((deleting.error as StorageUnavailableError).message).toMatch(/HTTP 409 TableBeingDeleted/);
    await ensureTable(table);
    await expect(ensureTable(table)).resolves.toBeUndefined();
  });

  it('retries throttling within the SDK, then fails the call as unavailable', async () => {
    const store = await readyStore();
    const { error, requests } = await failing(503, 'ServerBusy', isBatch, () =>
      store.applyWindows('0', oneWindow().groups()),
    );
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as StorageUnavailableError).code).toBe('STORAGE_UNAVAILABLE');
    expect(requests).toBe(RETRY.maxRetries + 1);
  });

  it('fails a denied request at once as access denied, naming the role', async () => {
    const store = await readyStore();
    const { error, requests } = await failing(403, 'AuthorizationPermissionMismatch', isBatch, () =>
      store.applyWindows('0', oneWindow().groups()),
    );
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as StorageUnavailableError).code).toBe('STORAGE_ACCESS_DENIED');
    expect((error as Error).message).toMatch(/HTTP 403 AuthorizationPermissionMismatch.*role/);
    expect(requests).toBe(1);
  });

  it('fails a request refused as such with a rejection that is not retried for ever', async () => {
    const store = await readyStore();
    const { error, requests } = await failing(400, 'PropertyValueTooLarge', isBatch, () =>
      store.applyWindows('0', oneWindow().groups()),
    );
    expect(error).toBeInstanceOf(StorageRequestRejectedError);
    expect((error as StorageRequestRejectedError).code).toBe('STORAGE_REQUEST_REJECTED');
    expect((error as Error).message).toMatch(/HTTP 400 PropertyValueTooLarge/);
    expect(requests).toBe(1);
    // Nothing was written: the next batch writes as if it never happened.
    await store.applyWindows('0', oneWindow().groups());
    expect((await store.readWindowRows('203.0.113.1', BIN)).map((r) => r.state.ports.size)).toEqual([1]);
  });

  it('reports a closer row that keeps changing as a conflict, not as storage unavailable', async () => {
    const store = await readyStore();
    const closer = await store.advanceCloser(
      { announcedMs: BIN, evaluatedMs: 0, sweptMs: 0 },
      await store.readCloser(),
    );
    const { error } = await failing(
      412,
      'UpdateConditionNotSatisfied',
      (m, u) => m === 'PUT' && u.includes("RowKey='state'"),
      () => store.advanceCloser({ announcedMs: BIN + 300_000, evaluatedMs: 0, sweptMs: 0 }, closer),
    );
    expect(error).toBeInstanceOf(StorageConflictError);
    expect((error as Error).message).toMatch(/closer row kept changing/);
    expect((await store.readCloser()).announcedMs).toBe(BIN);
  });

  it('never takes a table being deleted for an alert already recorded', async () => {
    proxy.mode = { kind: 'pass' };
    const outbox = TableAlertOutbox.fromConnection(connection(), prefix(), RETRY);
    await outbox.ready();
    const alert = sampleAlert();
    const { error } = await failing(
      409,
      'TableBeingDeleted',
      (m, u) => m === 'POST' && !u.includes('/Tables'),
      () => outbox.record(alert, ['queue'], BIN),
    );
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(await outbox.record(alert, ['queue'], BIN)).toBe(true);
    expect(await outbox.record(alert, ['queue'], BIN)).toBe(false);
  });
});
