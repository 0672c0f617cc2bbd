import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { AzureSASCredential, TableClient, type TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { asStorageFailure, classifyStorageError } from '../../../lib/azure/storageErrors.js';
import {
  type BatchOperation,
  binaryProperty,
  int32Property,
  TableBatchWriter,
} from '../../../lib/azure/TableBatchWriter.js';
import { StorageRequestRejectedError } from '../../../lib/errors.js';

/*
 * The writer through clients that Azurite cannot stand for (an Entra ID token, a SAS), and the
 * service's answers read from the bytes the service sends: every request stops at the end of the
 * client's own pipeline (after its authentication) and gets a canned response, so what is checked
 * is exactly what would go on the wire. The SDK's `submitTransaction` through the same client is
 * the oracle for the request.
 */

const ACCOUNT = 'https://stx.table.core.windows.net';
const PK = '20261101T1000-0a';

/** A client whose pipeline answers every `$batch` with `answer`, recording what was sent. */
function answering(
  table: TableClient,
  answer: (request: PipelineRequest) => { status: number; body: string; headers?: Record<string, string> },
): PipelineRequest[] {
  const sent: PipelineRequest[] = [];
  table.pipeline.addPolicy(
    {
      name: 'cannedService',
      sendRequest: async (request): Promise<PipelineResponse> => {
        sent.push(request);
        const { status, body, headers = {} } = answer(request);
        return { request, status, headers: createHttpHeaders(headers), bodyAsText: body };
      },
    },
    { afterPhase: 'Sign' },
  );
  return sent;
}

/** The service's answer to a change set, its parts given as status lines and headers. */
function batchResponse(
  request: PipelineRequest,
  parts: string[],
): { status: number; body: string; headers: Record<string, string> } {
  const body = String(request.body);
  const batch = /--batch_([0-9a-f-]{36})/.exec(body)?.[1];
  const changeset = /--changeset_([0-9a-f-]{36})/.exec(body)?.[1];
  const text = [
    `--batchresponse_${batch}\r\nContent-Type: multipart/mixed; boundary=changesetresponse_${changeset}\r\n`,
    ...parts.map(
      (p) =>
        `--changesetresponse_${changeset}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${p}\r\n`,
    ),
    `--changesetresponse_${changeset}--\r\n--batchresponse_${batch}--\r\n`,
  ].join('\r\n');
  return {
    status: 202,
    body: text,
    headers: { 'content-type': `multipart/mixed; boundary=batchresponse_${batch}` },
  };
}

const created = (etag: string) =>
  `HTTP/1.1 204 No Content\r\nDataServiceVersion: 3.0;\r\nPreference-Applied: return-no-content\r\nETag: ${etag}\r\n`;
const failed = (status: string, code: string, index: number) =>
  `HTTP/1.1 ${status}\r\nContent-ID: ${index + 1}\r\nDataServiceVersion: 3.0;\r\nContent-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8\r\n\r\n{"odata.error":{"code":"${code}","message":{"lang":"en-US","value":"${index}:The specified entity already exists.\\nRequestId:5f8c2a1e-0002-0000-0000-000000000000\\nTime:2026-12-05T08:00:00.0000000Z"}}}`;

const ops: BatchOperation[] = [
  {
    kind: 'create',
    rowKey: 'fe80::1%eth0|0',
    properties: `${binaryProperty('state', Uint8Array.of(1, 2, 3))},${int32Property('ports', 1)}`,
  },
  {
    kind: 'replace',
    rowKey: "o'brien|0~9f0a8763-b626-4081-89b4-b26ab481498c",
    etag: `W/"datetime'2026-12-05T07%3A55%3A11.4611423Z'"`,
    properties: `${binaryProperty('state', Uint8Array.of(9))},${int32Property('ports', 2)}`,
  },
];
const sdkActions: TransactionAction[] = [
  ['create', { partitionKey: PK, rowKey: 'fe80::1%eth0|0', state: Uint8Array.of(1, 2, 3), ports: 1 }],
  [
    'update',
    {
      partitionKey: PK,
      rowKey: "o'brien|0~9f0a8763-b626-4081-89b4-b26ab481498c",
      state: Uint8Array.of(9),
      ports: 2,
    },
    'Replace',
    { etag: `W/"datetime'2026-12-05T07%3A55%3A11.4611423Z'"` },
  ],
];
const normalized = (request: PipelineRequest) => {
  const body = String(request.body);
  const ids = [...new Set(body.match(/(?:batch|changeset)_[0-9a-f-]{36}/g) ?? [])];
  return ids.reduce((text, id, i) => text.replaceAll(id, `boundary${i}`), body);
};

describe('TableBatchWriter: authentication and URLs are the client pipeline’s', () => {
  it('sends the bearer token of an Entra ID credential, to the account’s $batch, with the SDK’s body', async () => {
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: async (scope) => {
        scopes.push(...[scope].flat());
        return { token: 'token-from-entra', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const table = new TableClient(ACCOUNT, 'PortscanWindows', credential);
    const sent = answering(table, (request) =>
      batchResponse(request, [created('W/"e1"'), created('W/"e2"')]),
    );

    const etags = await new TableBatchWriter(table).submit(PK, ops);
    await table.submitTransaction(sdkActions);

    expect(etags).toEqual(['W/"e1"', 'W/"e2"']);
    expect(scopes).toContain('https://storage.azure.com/.default');
    const [ours, sdk] = sent as [PipelineRequest, PipelineRequest];
    expect(ours.url).toBe(`${ACCOUNT}/$batch`);
    expect(ours.headers.get('authorization')).toBe('Bearer token-from-entra');
    expect(ours.headers.get('x-ms-version')).toBe('2019-02-02');
    expect(ours.headers.get('user-agent')).toBe(sdk.headers.get('user-agent'));
    expect(normalized(ours)).toEqual(normalized(sdk));
    expect(String(ours.body)).toContain(
      `PUT ${ACCOUNT}/PortscanWindows(PartitionKey='${PK}',RowKey='o''brien%7C0~9f0a8763-b626-4081-89b4-b26ab481498c') HTTP/1.1`,
    );
  });

  it.each([
    [
      'in the URL',
      () => new TableClient(`${ACCOUNT}?sv=2019-02-02&sig=c2lnbmF0dXJl&se=2030-01-01`, 'PortscanWindows'),
    ],
    [
      'as a credential',
      () =>
        new TableClient(
          ACCOUNT,
          'PortscanWindows',
          new AzureSASCredential('sv=2019-02-02&sig=c2lnbmF0dXJl&se=2030-01-01'),
        ),
    ],
  ])('places a SAS %s where the SDK places it, never in a sub-request', async (_how, makeTable) => {
    const table = makeTable();
    const sent = answering(table, (request) =>
      batchResponse(request, [created('W/"e1"'), created('W/"e2"')]),
    );

    await new TableBatchWriter(table).submit(PK, ops);
    await table.submitTransaction(sdkActions);

    const [ours, sdk] = sent as [PipelineRequest, PipelineRequest];
    expect(ours.url).toBe(sdk.url);
    expect(ours.url).toMatch(/\$batch\?.*sig=c2lnbmF0dXJl/);
    expect(normalized(ours)).toEqual(normalized(sdk));
    expect(String(ours.body)).not.toContain('sig=');
  });
});

describe('TableBatchWriter: the service’s answers', () => {
  const writerAnswering = (answer: Parameters<typeof answering>[1]) => {
    const table = new TableClient(ACCOUNT, 'PortscanWindows', new AzureSASCredential('sv=2019-02-02&sig=x'), {
      retryOptions: { maxRetries: 0 },
    });
    answering(table, answer);
    return new TableBatchWriter(table);
  };

  it('reads a failed change set as the SDK does: the failing operation’s status and code', async () => {
    const writer = writerAnswering((request) =>
      batchResponse(request, [failed('409 Conflict', 'EntityAlreadyExists', 1)]),
    );
    const table = new TableClient(ACCOUNT, 'PortscanWindows', new AzureSASCredential('sv=2019-02-02&sig=x'));
    answering(table, (request) => batchResponse(request, [failed('409 Conflict', 'EntityAlreadyExists', 1)]));

    const ours = await writer.submit(PK, ops).catch((e: unknown) => e);
    const sdk = await table.submitTransaction(sdkActions).catch((e: unknown) => e);

    expect(ours).toMatchObject({ name: 'RestError', statusCode: 409, code: 'EntityAlreadyExists' });
    expect((ours as Error).message).toBe((sdk as Error).message);
    expect([(ours as { statusCode: number }).statusCode, (ours as { code: string }).code]).toEqual([
      (sdk as { statusCode: number }).statusCode,
      (sdk as { code: string }).code,
    ]);
    expect(classifyStorageError(ours)).toBe('exists');
  });

  it('fails a sub-response other than 2xx even without a body: never a row taken as written', async () => {
    const writer = writerAnswering((request) =>
      batchResponse(request, ['HTTP/1.1 412 Precondition Failed\r\nContent-ID: 1\r\n']),
    );

    const error = await writer.submit(PK, ops).catch((e: unknown) => e);

    expect(error).toMatchObject({ statusCode: 412 });
    expect(classifyStorageError(error)).toBe('changed');
  });

  it('reads a refused request (413, an XML body) by its status and the x-ms-error-code header', async () => {
    const writer = writerAnswering(() => ({
      status: 413,
      body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>RequestBodyTooLarge</Code></Error>',
      headers: { 'x-ms-error-code': 'RequestBodyTooLarge', 'content-type': 'application/xml' },
    }));

    const error = await writer.submit(PK, ops).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'RestError', statusCode: 413 });
    const failure = asStorageFailure(error, 'window write');
    expect(failure).toBeInstanceOf(StorageRequestRejectedError);
    expect(failure.message).toBe('Table Storage refused window write (HTTP 413 RequestBodyTooLarge)');
  });
});
