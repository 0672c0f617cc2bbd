import { TableClient, type TableClient as TableClientType } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { ServiceConnection } from '../config/appSettings.js';
import { StorageUnavailableError } from '../errors.js';

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
): TableClientType {
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

/** HTTP status of an Azure SDK error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Maps an error from a storage call: 409/412/404 are returned for the caller to handle; any other
 * failure (throttling that outlived the SDK's retries, 5xx, network) becomes a
 * `StorageUnavailableError`, which fails the invocation so that Event Hubs redelivers the batch.
 */
export function asStorageFailure(
  error: unknown,
  operation: string,
  service: 'Table Storage' | 'Blob Storage' = 'Table Storage',
): StorageUnavailableError {
  const status = statusOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  const detail = status !== undefined ? `HTTP ${status}` : typeof code === 'string' ? code : 'no response';
  return new StorageUnavailableError(`${service} unavailable during ${operation} (${detail})`, {
    cause: error,
    context: { operation, ...(status === undefined ? {} : { status }) },
  });
}

/** Creates a table if it does not exist (once per process and table). */
export async function ensureTable(client: TableClientType): Promise<void> {
  try {
    await client.createTable();
  } catch (error) {
    if (statusOf(error) !== 409) throw asStorageFailure(error, `create table ${client.tableName}`);
  }
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
