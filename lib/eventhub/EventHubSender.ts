import { type EventDataBatch, EventHubProducerClient, RetryMode } from '@azure/event-hubs';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { EventHubUnavailableError } from '../errors.js';
import type { HubRetryOptions } from './EventHubPartitionBacklog.js';

/** Where `portscan send` writes: a hub, reached with a connection string or with an Entra ID identity. */
export type HubTarget =
  | {
      readonly kind: 'connectionString';
      readonly connectionString: string;
      readonly namespace: string;
      readonly hub: string;
    }
  | { readonly kind: 'identity'; readonly namespace: string; readonly hub: string };

/** About three minutes of exponential backoff (1, 2, 4 … 30 s), enough to ride out throttling. */
export const SEND_RETRY: HubRetryOptions = {
  maxRetries: 9,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 30_000,
  timeoutInMs: 60_000,
};

/**
 * Sends message bodies to one hub, packed into as few SDK batches as their size allows
 * (`createBatch` / `tryAdd`), one batch in flight at a time. Partitions are left to the service.
 * Every failure, once the SDK's retries are spent, becomes an `EventHubUnavailableError` whose code
 * says what failed and whose message what to check.
 */
export class EventHubSender {
  /** The largest message body that fits a batch of this hub (the link's limit less the batch's overhead). */
  readonly maxEventBytes: number;
  batchesSent = 0;
  eventsSent = 0;
  bytesSent = 0;

  readonly #client: EventHubProducerClient;
  readonly #target: HubTarget;
  #batch: EventDataBatch;
  #batchBytes = 0;

  private constructor(
    client: EventHubProducerClient,
    target: HubTarget,
    batch: EventDataBatch,
    maxEventBytes: number,
  ) {
    this.#client = client;
    this.#target = target;
    this.#batch = batch;
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Connects and creates a first batch, which checks that the hub exists and that the identity may
   * send to it, and tells the hub's size limit.
   * @throws {EventHubUnavailableError} hub not found, access denied, unreachable
   */
  static async open(
    target: HubTarget,
    options: { readonly retry?: HubRetryOptions; readonly credential?: TokenCredential } = {},
  ): Promise<EventHubSender> {
    const retry = options.retry ?? SEND_RETRY;
    const clientOptions = { retryOptions: { ...retry, mode: RetryMode.Exponential } };
    const client =
      target.kind === 'connectionString'
        ? new EventHubProducerClient(target.connectionString, target.hub, clientOptions)
        : new EventHubProducerClient(
            target.namespace,
            target.hub,
            options.credential ?? new DefaultAzureCredential(),
            clientOptions,
          );
    try {
      const probe = await client.createBatch();
      const sample = 1024;
      if (!probe.tryAdd({ body: Buffer.alloc(sample) })) {
        throw new EventHubUnavailableError(`${describe(target)}: a 1 KB event does not fit a batch`);
      }
      // Bodies over 255 bytes all carry the same framing overhead, measured once here.
      let maxEventBytes = probe.maxSizeInBytes - (probe.sizeInBytes - sample);
      while (
        maxEventBytes > sample &&
        !(await client.createBatch()).tryAdd({ body: Buffer.alloc(maxEventBytes) })
      ) {
        maxEventBytes -= 16;
      }
      return new EventHubSender(client, target, await client.createBatch(), maxEventBytes);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw toEventHubError(error, target, 'connect');
    }
  }

  /** Queues one body; when the current batch is full it is sent first (the promise settles then). */
  async add(body: Buffer): Promise<void> {
    if (this.#batch.tryAdd({ body })) {
      this.#batchBytes += body.length;
      return;
    }
    await this.flush();
    if (!this.#batch.tryAdd({ body })) {
      throw new EventHubUnavailableError(
        `${describe(this.#target)}: a message of ${body.length} bytes does not fit an empty batch (limit ${this.maxEventBytes})`,
      );
    }
    this.#batchBytes += body.length;
  }

  /** Sends the current batch, if it holds anything. */
  async flush(): Promise<void> {
    const batch = this.#batch;
    if (batch.count === 0) return;
    try {
      await this.#client.sendBatch(batch);
      this.#batch = await this.#client.createBatch();
    } catch (error) {
      throw toEventHubError(error, this.#target, 'send');
    }
    this.batchesSent++;
    this.eventsSent += batch.count;
    this.bytesSent += this.#batchBytes;
    this.#batchBytes = 0;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

function describe(target: HubTarget): string {
  return `event hub "${target.hub}" in ${target.namespace}`;
}

/**
 * Classifies an SDK failure as the SDK does, by its error code (after retries the SDK throws an
 * AggregateError of the attempts' errors; the last one decides).
 */
export function toEventHubError(
  error: unknown,
  target: HubTarget,
  operation: string,
): EventHubUnavailableError {
  if (error instanceof EventHubUnavailableError) return error;
  const last = error instanceof AggregateError && error.errors.length > 0 ? error.errors.at(-1) : error;
  const code = (last as { code?: unknown } | null)?.code;
  const name = (last as { name?: unknown } | null)?.name;
  const attempts = error instanceof AggregateError ? error.errors.length : 1;
  const where = describe(target);
  const how =
    target.kind === 'identity'
      ? 'the signed-in identity needs the "Azure Event Hubs Data Sender" role on the hub or namespace'
      : 'check the connection string in EventHubConnection';
  const context = { operation, hub: target.hub, namespace: target.namespace, attempts };
  if (code === 'MessagingEntityNotFoundError') {
    return new EventHubUnavailableError(`${where} does not exist: check --hub and --namespace`, {
      code: 'EVENT_HUB_NOT_FOUND',
      cause: error,
      context,
    });
  }
  if (
    code === 'UnauthorizedError' ||
    name === 'AuthenticationError' ||
    name === 'CredentialUnavailableError'
  ) {
    const detail =
      name === 'CredentialUnavailableError' || name === 'AuthenticationError'
        ? 'no Azure credential could be used (sign in with "az login", or set EventHubConnection to a connection string)'
        : how;
    return new EventHubUnavailableError(`${where}: not authorized to ${operation}: ${detail}`, {
      code: 'EVENT_HUB_ACCESS_DENIED',
      cause: error,
      context,
    });
  }
  if (code === 'ServerBusyError') {
    return new EventHubUnavailableError(
      `${where}: still throttled after ${attempts} attempts: the namespace needs more throughput units (or send later)`,
      { code: 'EVENT_HUB_THROTTLED', cause: error, context },
    );
  }
  const message = last instanceof Error ? last.message.split('\n')[0]?.slice(0, 200) : String(last);
  return new EventHubUnavailableError(
    `${where}: ${operation} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (${typeof code === 'string' ? `${code}: ` : ''}${message})`,
    { cause: error, context },
  );
}
