import { describe, expect, it } from 'vitest';
import {
  asStorageFailure,
  classifyStorageError,
  describeStorageError,
  type StorageErrorKind,
  storageErrorCodeOf,
} from '../../../lib/azure/storageErrors.js';
import { StorageRequestRejectedError, StorageUnavailableError } from '../../../lib/errors.js';

/**
 * The classification of storage errors, over errors shaped as the SDKs raise them (checked
 * against Azurite and a protocol-level peer in test/integration/storageErrors.test.ts): a Table
 * error carries its code in the parsed `odata.error` body and the `x-ms-error-code` header, a
 * Table transaction, Blob or Queue error in `code`, a network error a Node error code and no status.
 */
function tableError(statusCode: number, code: string) {
  return {
    name: 'RestError',
    statusCode,
    response: {
      parsedBody: {
        odataError: { code, message: { value: 'a message with https://account.table.core.windows.net/' } },
      },
      headers: { get: (n: string) => (n === 'x-ms-error-code' ? code : undefined) },
    },
  };
}
const sdkError = (statusCode: number, code: string) => ({ name: 'RestError', statusCode, code });
const networkError = (code: string) => ({ name: 'RestError', code });

describe('Storage errors: classification', () => {
  it.each<[string, unknown, StorageErrorKind]>([
    ['an entity not found', tableError(404, 'ResourceNotFound'), 'absent'],
    ['a blob not found', sdkError(404, 'BlobNotFound'), 'absent'],
    ['a table gone', tableError(404, 'TableNotFound'), 'unavailable'],
    ['an entity that exists', tableError(409, 'EntityAlreadyExists'), 'exists'],
    ['a transaction meeting an existing entity', sdkError(409, 'EntityAlreadyExists'), 'exists'],
    ['a table being deleted', tableError(409, 'TableBeingDeleted'), 'unavailable'],
    ['a queue being deleted', sdkError(409, 'QueueBeingDeleted'), 'unavailable'],
    ['an ETag that no longer matches', tableError(412, 'UpdateConditionNotSatisfied'), 'changed'],
    ['throttling', tableError(503, 'ServerBusy'), 'unavailable'],
    ['too many requests', tableError(429, 'TooManyRequests'), 'unavailable'],
    ['a timeout', tableError(408, 'OperationTimedOut'), 'unavailable'],
    ['an internal error', tableError(500, 'InternalError'), 'unavailable'],
    ['a missing role', tableError(403, 'AuthorizationPermissionMismatch'), 'denied'],
    ['a bad key', tableError(401, 'AuthenticationFailed'), 'denied'],
    ['no credential', { name: 'CredentialUnavailableError', message: 'no managed identity' }, 'denied'],
    ['a value too large', tableError(400, 'PropertyValueTooLarge'), 'rejected'],
    ['a body too large', sdkError(413, 'RequestBodyTooLarge'), 'rejected'],
    ['an unimplemented operation', tableError(501, 'NotImplemented'), 'rejected'],
    ['a refused connection', networkError('ECONNREFUSED'), 'unavailable'],
  ])('reads %s', (_what, error, kind) => {
    expect(classifyStorageError(error)).toBe(kind);
  });

  it('reads the service error code from wherever the SDK put it, and never a message', () => {
    expect(storageErrorCodeOf(tableError(409, 'TableBeingDeleted'))).toBe('TableBeingDeleted');
    expect(storageErrorCodeOf(sdkError(404, 'QueueNotFound'))).toBe('QueueNotFound');
    expect(storageErrorCodeOf(networkError('ECONNRESET'))).toBeUndefined();
    expect(describeStorageError(tableError(400, 'InvalidInput'))).toBe('HTTP 400 InvalidInput');
    expect(describeStorageError(networkError('ECONNRESET'))).toBe('ECONNRESET');
    expect(describeStorageError(new Error('boom'))).toBe('no response');
  });

  it('throws unavailable, access denied or rejected, with the operation and never the SDK message', () => {
    const unavailable = asStorageFailure(tableError(503, 'ServerBusy'), 'window write');
    const denied = asStorageFailure(tableError(403, 'AuthorizationPermissionMismatch'), 'bin scan');
    const rejected = asStorageFailure(tableError(400, 'PropertyValueTooLarge'), 'outbox record');
    const unexpected = asStorageFailure(tableError(412, 'UpdateConditionNotSatisfied'), 'dead-letter write');
    expect([unavailable, denied, rejected, unexpected].map((e) => [e.constructor, e.code])).toEqual([
      [StorageUnavailableError, 'STORAGE_UNAVAILABLE'],
      [StorageUnavailableError, 'STORAGE_ACCESS_DENIED'],
      [StorageRequestRejectedError, 'STORAGE_REQUEST_REJECTED'],
      [StorageRequestRejectedError, 'STORAGE_REQUEST_REJECTED'],
    ]);
    expect(unavailable.message).toBe('Table Storage unavailable during window write (HTTP 503 ServerBusy)');
    expect(rejected.context).toEqual({
      operation: 'outbox record',
      status: 400,
      storageCode: 'PropertyValueTooLarge',
    });
    for (const e of [unavailable, denied, rejected]) expect(e.message).not.toContain('core.windows.net');
  });
});
