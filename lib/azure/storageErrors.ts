import { StorageRequestRejectedError, StorageUnavailableError } from '../errors.js';

/**
 * What a failed storage request means, read from its HTTP status and the service's error code as
 * the Azure SDK reads them. The SDK's retry policies have already retried what they retry (no
 * response, 408, 429, and 5xx other than 501 and 505: `exponentialRetryStrategy` and
 * `throttlingRetryStrategy` in `@azure/core-rest-pipeline`); `createTable` has already ignored
 * `TableAlreadyExists` (`handleTableAlreadyExists` in `@azure/data-tables`).
 *
 * - `absent`: 404 for the entity, blob or queue named (`ResourceNotFound`, `BlobNotFound`, …);
 * - `exists`: 409 for a create that met an existing entity (`EntityAlreadyExists`, …);
 * - `changed`: 412, a condition on the ETag not met (`UpdateConditionNotSatisfied`, …);
 * - `unavailable`: no response, 408, 429, 5xx (but 501 and 505), a table, queue or container
 *   being deleted (409 `TableBeingDeleted`, …: it can be created again once the deletion
 *   completes), a table gone (404 `TableNotFound`): repeating the request later may succeed;
 * - `denied`: 401 or 403, or no credential: a key or role assignment is missing or not yet in
 *   effect (a new role assignment can take minutes); an operator fixes it, and the request may
 *   then succeed unchanged;
 * - `rejected`: any other status (400 `PropertyValueTooLarge`, 413, 501, …): the request itself is
 *   refused, and sending it again gives the same answer.
 */
export type StorageErrorKind = 'absent' | 'exists' | 'changed' | 'unavailable' | 'denied' | 'rejected';

/** HTTP status of an Azure SDK error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** 409 codes of a resource being deleted: it can be created again once the deletion completes. */
const BEING_DELETED = new Set(['TableBeingDeleted', 'QueueBeingDeleted', 'ContainerBeingDeleted']);

/**
 * The storage service's error code of an SDK error: the error's `code` (Blob and Queue errors,
 * Table transactions), else the Table service's `odata.error` code, else the `x-ms-error-code`
 * response header. Undefined when there is none (a network error carries no service code).
 */
export function storageErrorCodeOf(error: unknown): string | undefined {
  const e = error as {
    statusCode?: unknown;
    code?: unknown;
    response?: {
      parsedBody?: { odataError?: { code?: unknown } };
      headers?: { get?: (n: string) => unknown };
    };
  } | null;
  if (e === null || typeof e !== 'object' || typeof e.statusCode !== 'number') return undefined;
  const candidates = [
    e.code,
    e.response?.parsedBody?.odataError?.code,
    e.response?.headers?.get?.('x-ms-error-code'),
  ];
  const code = candidates.find((c): c is string => typeof c === 'string' && ERROR_CODE.test(c));
  return code;
}

/** Whether the error is a credential that could not get a token (no status: it never reached the service). */
function isCredentialFailure(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'CredentialUnavailableError' || name === 'AuthenticationError';
}

/** Reads a failed storage request (see `StorageErrorKind`). */
export function classifyStorageError(error: unknown): StorageErrorKind {
  if (isCredentialFailure(error)) return 'denied';
  const status = statusOf(error);
  if (status === undefined) return 'unavailable';
  const code = storageErrorCodeOf(error);
  if (status === 404) return code === 'TableNotFound' ? 'unavailable' : 'absent';
  if (status === 409) return code !== undefined && BEING_DELETED.has(code) ? 'unavailable' : 'exists';
  if (status === 412) return 'changed';
  if (status === 401 || status === 403) return 'denied';
  if (status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505))
    return 'unavailable';
  return 'rejected';
}

/** `HTTP 503 ServerBusy`, `HTTP 403`, `ECONNREFUSED`, `no response`: the status and codes only, never a message (it may hold a URL). */
export function describeStorageError(error: unknown): string {
  if (isCredentialFailure(error)) return 'credential unavailable';
  const status = statusOf(error);
  if (status === undefined) {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'no response';
  }
  const code = storageErrorCodeOf(error);
  return code === undefined ? `HTTP ${status}` : `HTTP ${status} ${code}`;
}

/**
 * The error to throw for a storage call that failed in a way its caller does not handle:
 *
 * - `unavailable` → `StorageUnavailableError` (`STORAGE_UNAVAILABLE`): the invocation fails and
 *   is retried (Event Hubs redelivers the batch, Event Grid the event, the timer runs again);
 * - `denied` → `StorageUnavailableError` (`STORAGE_ACCESS_DENIED`): retried the same way, since
 *   the batch succeeds unchanged once the role is in effect, and the message names the cause;
 * - anything else (`rejected`, and an `absent`, `exists` or `changed` the caller did not expect)
 *   → `StorageRequestRejectedError`: repeating the request cannot help.
 */
export function asStorageFailure(
  error: unknown,
  operation: string,
  service: 'Table Storage' | 'Blob Storage' | 'Queue Storage' = 'Table Storage',
): StorageUnavailableError | StorageRequestRejectedError {
  const kind = classifyStorageError(error);
  const status = statusOf(error);
  const detail = describeStorageError(error);
  const context = {
    operation,
    ...(status === undefined ? {} : { status }),
    ...(storageErrorCodeOf(error) === undefined ? {} : { storageCode: storageErrorCodeOf(error) }),
  };
  if (kind === 'unavailable')
    return new StorageUnavailableError(`${service} unavailable during ${operation} (${detail})`, {
      cause: error,
      context,
    });
  if (kind === 'denied')
    return new StorageUnavailableError(
      `${service} denied access during ${operation} (${detail}): the app's identity needs its data role on the account (a new role assignment can take minutes to apply)`,
      { cause: error, context, code: 'STORAGE_ACCESS_DENIED' },
    );
  return new StorageRequestRejectedError(`${service} refused ${operation} (${detail})`, {
    cause: error,
    context,
  });
}
