import { StorageUnavailableError } from '../errors.js';

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
