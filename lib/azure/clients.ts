import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient, type StoragePipelineOptions } from '@azure/storage-queue';
import type { ServiceConnection } from '../config/appSettings.js';
import { asStorageFailure, classifyStorageError } from './storageErrors.js';

/**
 * The Azure SDK clients of our own code (window state, outbox, dead letters, flow-log blobs, the
 * alert queue, the hub's partition tails), built in one place: from a connection string (Azurite,
 * local runs) or from a service endpoint and the managed identity.
 */

/** The credential of an identity-based connection: the user-assigned identity when its client id is set. */
export function credentialFor(connection: Extract<ServiceConnection, { kind: 'identity' }>): TokenCredential {
  return connection.clientId === undefined
    ? new DefaultAzureCredential()
    : new ManagedIdentityCredential({ clientId: connection.clientId });
}

/** Retry policy of our storage clients: exponential backoff on throttling (503/500) and network errors. */
export interface StorageRetryOptions {
  readonly maxRetries: number;
  readonly retryDelayInMs: number;
  readonly maxRetryDelayInMs: number;
}

/** Production retries: about a minute of backoff before an invocation fails and Event Hubs redelivers. */
export const DEFAULT_STORAGE_RETRY: StorageRetryOptions = {
  maxRetries: 6,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 30_000,
};

/** A TableClient for one table, from a connection string (Azurite, local) or an endpoint and the managed identity. */
export function createTableClient(
  connection: ServiceConnection,
  table: string,
  retry: StorageRetryOptions = DEFAULT_STORAGE_RETRY,
): TableClient {
  const retryOptions = {
    maxRetries: retry.maxRetries,
    retryDelayInMs: retry.retryDelayInMs,
    maxRetryDelayInMs: retry.maxRetryDelayInMs,
  };
  if (connection.kind === 'connectionString') {
    return TableClient.fromConnectionString(connection.connectionString, table, {
      allowInsecureConnection: /http:\/\//i.test(connection.connectionString),
      retryOptions,
    });
  }
  return new TableClient(connection.endpoint, table, credentialFor(connection), { retryOptions });
}

/** A BlobServiceClient for an account, with the storage retry policy (the blob SDK counts tries, not retries). */
export function createBlobServiceClient(
  connection: ServiceConnection,
  retry: StorageRetryOptions = DEFAULT_STORAGE_RETRY,
): BlobServiceClient {
  const retryOptions = {
    maxTries: retry.maxRetries + 1,
    retryDelayInMs: retry.retryDelayInMs,
    maxRetryDelayInMs: retry.maxRetryDelayInMs,
  };
  return connection.kind === 'connectionString'
    ? BlobServiceClient.fromConnectionString(connection.connectionString, { retryOptions })
    : new BlobServiceClient(connection.endpoint, credentialFor(connection), { retryOptions });
}

/**
 * A QueueClient for one queue: from a connection string (Azurite, local runs), or from the
 * queue endpoint and the managed identity (the user-assigned one when its client id is set,
 * else `DefaultAzureCredential`).
 */
export function createQueueClient(
  connection: ServiceConnection,
  queueName: string,
  options: StoragePipelineOptions,
): QueueClient {
  if (connection.kind === 'connectionString') {
    return new QueueClient(connection.connectionString, queueName, options);
  }
  return new QueueClient(
    `${connection.endpoint.replace(/\/+$/, '')}/${queueName}`,
    credentialFor(connection),
    options,
  );
}

/**
 * Creates a table if it does not exist. The SDK's `createTable` already ignores
 * `TableAlreadyExists`; a table being deleted (409 `TableBeingDeleted`, after someone deleted it)
 * cannot be created for a while, and fails as unavailable so that the caller tries again later.
 * @throws {StorageUnavailableError} when the table cannot be created yet, or storage is unavailable
 */
export async function ensureTable(client: TableClient): Promise<void> {
  try {
    await client.createTable();
  } catch (error) {
    if (classifyStorageError(error) !== 'exists')
      throw asStorageFailure(error, `create table ${client.tableName}`);
  }
}

/**
 * Whether a table adapter creates its table on first use (`create`: the functions, the CLI's table
 * replay) or uses the table the deployment created (`existing`: `portscan smoke`, whose identity
 * holds a data reader role, which may not create tables).
 */
export type TableUse = 'create' | 'existing';

/** An adapter's `ready`: creates the table once (see `ensureTable`), or, for an `existing` table, nothing. */
export function tableReady(client: TableClient, use: TableUse): () => Promise<void> {
  return use === 'create' ? onceSucceeded(() => ensureTable(client)) : () => Promise.resolve();
}

/**
 * Runs `create` once and remembers its success; a failure is forgotten so that the next call
 * tries again (a storage outage at start-up must not poison the worker for ever).
 */
export function onceSucceeded(create: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= create().catch((error: unknown) => {
      done = undefined;
      throw error;
    });
    return done;
  };
}

/** Most actions in one Table Storage entity-group transaction. */
export const TABLE_TRANSACTION_LIMIT = 100;
