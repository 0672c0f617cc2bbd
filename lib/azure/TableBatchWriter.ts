import { randomUUID } from 'node:crypto';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

/**
 * One operation of an entity-group transaction, on a row of the transaction's PartitionKey:
 *
 * - `create`: insert; the change set fails with 409 `EntityAlreadyExists` when the row exists;
 * - `replace`: replace the whole row if its stored ETag is `etag`; 412 `UpdateConditionNotSatisfied`
 *   when it changed, 404 `ResourceNotFound` when there is none;
 * - `delete`: delete whatever is stored (`If-Match: *`); 404 when there is none.
 *
 * `properties` is the row's properties other than its keys, as JSON members written by
 * `binaryProperty` and `int32Property`.
 */
export type BatchOperation =
  | { readonly kind: 'create'; readonly rowKey: string; readonly properties: string }
  | { readonly kind: 'replace'; readonly rowKey: string; readonly etag: string; readonly properties: string }
  | { readonly kind: 'delete'; readonly rowKey: string };

/** An `Edm.Binary` property as a JSON member: base64, with its type annotation. */
export function binaryProperty(name: string, bytes: Uint8Array): string {
  return base64Property(name, base64Of(bytes));
}

/** `binaryProperty` of the bytes whose base64 text is `base64` (standard alphabet, padded, as `base64Of` writes it). */
export function base64Property(name: string, base64: string): string {
  return `${JSON.stringify(name)}:"${base64}",${JSON.stringify(`${name}@odata.type`)}:"Edm.Binary"`;
}

/** The base64 text of bytes, as an `Edm.Binary` property carries them. */
export function base64Of(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** An `Edm.Int32` property as a JSON member (a JSON integer needs no annotation). */
export function int32Property(name: string, value: number): string {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
    throw new RangeError(`${name} must be a 32-bit integer, got ${value}`);
  return `${JSON.stringify(name)}:${value}`;
}

const CRLF = '\r\n';

/**
 * The HTTP client of every writer: one pool of keep-alive connections per process, as the Azure
 * SDK's clients share one default client (`getCachedDefaultHttpClient` in `@azure/core-client`).
 */
let sharedHttpClient: HttpClient | undefined;

/**
 * Writes entity-group transactions of one table as single `$batch` requests whose multipart
 * change-set body is written here, sent through the `TableClient`'s own pipeline: its
 * authentication (shared key, SAS or Entra ID token), retries, user agent, request ids and
 * logging are the SDK's.
 *
 * Why not `TableClient.submitTransaction`: it builds every operation of a transaction as a
 * request of its own through a second client's pipeline (a tracing span, URL building and body
 * serialization per entity), the largest part of the ingest function's CPU before this writer
 * (bench/results/ingest-profile.md).
 *
 * The wire format is the SDK's, byte for byte (`@azure/data-tables` 13.3.2: `TableTransaction.js`,
 * `TablePolicies.js`, `utils/transactionHelpers.js`, `utils/transactionHeaders.js`), which follows
 * the service's batch format (docs/platform.md, "Entity-group transactions"); a test compares the
 * two bodies. Errors are the SDK's too: a response other than 2xx, and a change set that failed
 * (its one sub-response a 4xx with an `odata.error` body), throw a `RestError` with the status and
 * the service's error code as `parseTransactionResponse` does, so `classifyStorageError` reads them
 * alike; a request that got no response throws the pipeline's own error.
 */
export class TableBatchWriter {
  /** The `$batch` URL (with the SAS of a SAS URL after it, as the SDK places it). */
  readonly #batchUrl: string;
  /** The table's URL in the sub-requests, without any query (a SAS is never repeated there). */
  readonly #tableUrl: string;
  readonly #allowInsecureConnection: boolean;
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
    const [base = '', query] = table.url.split('?');
    const slash = base.endsWith('/') ? base : `${base}/`;
    this.#batchUrl = `${slash}$batch${query === undefined ? '' : `?${query}`}`;
    // The generated client's URL of an entity operation, `{url}/{table}` with the name encoded,
    // normalized as `getSubRequestUrl` normalizes it (`new URL(…).toString()`).
    this.#tableUrl = new URL(`${base.replace(/\/+$/, '')}/${encodeURIComponent(table.tableName)}`).toString();
    // Our clients allow http exactly for http endpoints (Azurite, local runs: createTableClient);
    // the bearer-token policy still refuses to send a token to a non-https URL.
    this.#allowInsecureConnection = /^http:/i.test(base);
  }

  /**
   * Submits `operations` on rows of `partitionKey` as one entity-group transaction (at most 100
   * operations, under 4 MiB: the caller bounds them). Returns, per operation, the ETag its
   * sub-response carried (undefined for a delete).
   * @throws {RestError} as the SDK's `submitTransaction` throws: the status and error code of the
   *   failed change set or of the whole request, or the pipeline's error when there was no response
   */
  async submit(partitionKey: string, operations: readonly BatchOperation[]): Promise<(string | undefined)[]> {
    const batchId = randomUUID();
    const changesetId = randomUUID();
    const request = createPipelineRequest({
      url: this.#batchUrl,
      method: 'POST',
      // As bytes: the shared-key policy measures a string body (Buffer.byteLength) and the socket
      // encodes it again; the bytes on the wire are the same.
      body: Buffer.from(this.#body(partitionKey, operations, batchId, changesetId), 'utf8'),
      // getTransactionHeaders (utils/transactionHeaders.js, utils/baseTransactionHeaders.js).
      headers: createHttpHeaders({
        accept: 'application/json',
        'x-ms-version': '2019-02-02',
        DataServiceVersion: '3.0;',
        MaxDataServiceVersion: '3.0;NetFx',
        'Content-Type': `multipart/mixed; boundary=batch_${batchId}`,
        'Accept-Charset': 'UTF-8',
        Connection: 'Keep-Alive',
      }),
      allowInsecureConnection: this.#allowInsecureConnection,
    });
    sharedHttpClient ??= createDefaultHttpClient();
    const response = await this.#table.pipeline.sendRequest(sharedHttpClient, request);
    return readTransactionResponse(response, request);
  }

  /**
   * The request body, as `getTransactionHttpRequestBody` joins the parts the SDK's interception
   * policy assembles (`getNextSubrequestBodyPart` in TablePolicies.js): each sub-request's start
   * line and the headers its operation's request carried, a line break, then its JSON body.
   */
  #body(
    partitionKey: string,
    operations: readonly BatchOperation[],
    batchId: string,
    changesetId: string,
  ): string {
    const changeset = `--changeset_${changesetId}${CRLF}content-type: application/http${CRLF}content-transfer-encoding: binary${CRLF}${CRLF}`;
    const keys = `{"PartitionKey":${JSON.stringify(partitionKey)},"RowKey":`;
    const pkInUrl = `${this.#tableUrl}(PartitionKey='${encodeKey(partitionKey)}',RowKey='`;
    let body = `--batch_${batchId}${CRLF}content-type: multipart/mixed; boundary=changeset_${changesetId}${CRLF}${CRLF}`;
    for (const op of operations) {
      body += CRLF + changeset;
      switch (op.kind) {
        case 'create':
          // TableClient.createEntity: insertEntity with `Prefer: return-no-content`.
          body += `POST ${this.#tableUrl} HTTP/1.1${CRLF}Content-Type: application/json;odata=nometadata${CRLF}Accept: application/json;odata=minimalmetadata${CRLF}DataServiceVersion: 3.0${CRLF}Prefer: return-no-content${CRLF}${CRLF}${CRLF}`;
          body += `${keys}${JSON.stringify(op.rowKey)},${op.properties}}`;
          break;
        case 'replace':
          // TableClient.updateEntity(entity, 'Replace', { etag }): updateEntity, a PUT with If-Match.
          body += `PUT ${pkInUrl}${encodeKey(op.rowKey)}') HTTP/1.1${CRLF}Content-Type: application/json${CRLF}DataServiceVersion: 3.0${CRLF}Accept: application/json${CRLF}If-Match: ${op.etag}${CRLF}${CRLF}${CRLF}`;
          body += `${keys}${JSON.stringify(op.rowKey)},${op.properties}}`;
          break;
        case 'delete':
          // TableClient.deleteEntity without an ETag: `If-Match: *`.
          body += `DELETE ${pkInUrl}${encodeKey(op.rowKey)}') HTTP/1.1${CRLF}Accept: application/json;odata=minimalmetadata${CRLF}DataServiceVersion: 3.0${CRLF}If-Match: *${CRLF}${CRLF}`;
          break;
      }
    }
    return `${body}${CRLF}--changeset_${changesetId}--${CRLF}--batch_${batchId}--${CRLF}`;
  }
}

/** A key in an entity's URL: quotes doubled (the SDK's `escapeQuotes`), then URI-encoded as the generated client encodes path parameters. */
function encodeKey(key: string): string {
  return encodeURIComponent(key.replaceAll("'", "''"));
}

const STATUS_LINE = /HTTP\/1.1 ([0-9]*)/;
const ERROR_BODY = /\{(.*)\}/;
const ETAG = /ETag: (.*)/;

/**
 * The ETag of each sub-response, read as `parseTransactionResponse` (TableTransaction.js) reads
 * them: the body split at `--changesetresponse_`, each part's status line, its one-line JSON
 * body when it has one, its `ETag:` header.
 * @throws {RestError} for a response other than 2xx, and for a sub-response other than 2xx (a
 *   failed change set), with its status and the `odata.error` code of its body
 */
export function readTransactionResponse(
  response: PipelineResponse,
  request: PipelineRequest,
): (string | undefined)[] {
  const text = response.bodyAsText ?? '';
  if (response.status < 200 || response.status >= 300)
    throw transactionError(text, response.status, request, response);
  const parts = text.split('--changesetresponse_');
  // The first part is the batch's own header, the last the change set's closing boundary.
  const etags: (string | undefined)[] = [];
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const status = Number.parseInt(STATUS_LINE.exec(part)?.[1] ?? '', 10);
    if (!Number.isInteger(status)) throw new Error('a transaction sub-response without a status line');
    const errorBody = ERROR_BODY.exec(part);
    // The SDK throws for any sub-response with a body; one other than 2xx without a body (never
    // seen) is a failed change set all the same, not a row written.
    if (errorBody !== null || status < 200 || status >= 300)
      throw transactionError(errorBody?.[0] ?? '', status, request, response);
    etags.push(ETAG.exec(part)?.[1]);
  }
  return etags;
}

/** The SDK's `handleBodyError`: the `odata.error` message and code when the body has them. */
function transactionError(
  body: string,
  statusCode: number,
  request: PipelineRequest,
  response: PipelineResponse,
): RestError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const odataError = (
    parsed as { 'odata.error'?: { code?: unknown; message?: { value?: unknown } } } | undefined
  )?.['odata.error'];
  const message =
    typeof odataError?.message?.value === 'string' ? odataError.message.value : 'Transaction Failed';
  const code = typeof odataError?.code === 'string' ? odataError.code : undefined;
  return new RestError(message, { ...(code === undefined ? {} : { code }), statusCode, request, response });
}
