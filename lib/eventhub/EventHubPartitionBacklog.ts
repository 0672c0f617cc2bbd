import { EventHubConsumerClient, RetryMode } from '@azure/event-hubs';
import { credentialFor } from '../azure/clients.js';
import type { ServiceConnection } from '../config/appSettings.js';
import { EventHubUnavailableError } from '../errors.js';
import type { PartitionBacklog, PartitionTail } from './PartitionBacklog.js';

/** Retries of one management request by the SDK (exponential backoff). */
export interface HubRetryOptions {
  readonly maxRetries: number;
  readonly retryDelayInMs: number;
  readonly maxRetryDelayInMs: number;
  readonly timeoutInMs: number;
}

/** A closing run waits about a minute at most for the hub before it goes on without it. */
export const DEFAULT_HUB_RETRY: HubRetryOptions = {
  maxRetries: 3,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 8000,
  timeoutInMs: 15_000,
};

/**
 * The tails of the flow-log hub's partitions, from the Event Hubs service: one
 * `getPartitionIds` and one `getPartitionProperties` per partition (management requests over one
 * AMQP connection, which the client keeps between runs). Reading them needs the Listen right,
 * which the ingest function's identity has through its Azure Event Hubs Data Receiver role.
 */
export class EventHubPartitionBacklog implements PartitionBacklog {
  readonly #client: EventHubConsumerClient;

  constructor(client: EventHubConsumerClient) {
    this.#client = client;
  }

  /** From a connection string (local runs, tests) or the namespace and the managed identity. */
  static fromConnection(
    connection: ServiceConnection,
    eventHubName: string,
    consumerGroup: string,
    retry: HubRetryOptions = DEFAULT_HUB_RETRY,
  ): EventHubPartitionBacklog {
    const options = { retryOptions: { ...retry, mode: RetryMode.Exponential } };
    return new EventHubPartitionBacklog(
      connection.kind === 'connectionString'
        ? new EventHubConsumerClient(consumerGroup, connection.connectionString, eventHubName, options)
        : new EventHubConsumerClient(
            consumerGroup,
            connection.endpoint,
            eventHubName,
            credentialFor(connection),
            options,
          ),
    );
  }

  /** @throws {EventHubUnavailableError} naming the SDK's error class and code, never a connection string */
  async readTails(): Promise<PartitionTail[]> {
    try {
      const ids = await this.#client.getPartitionIds();
      return await Promise.all(
        ids.map(async (id): Promise<PartitionTail> => {
          const p = await this.#client.getPartitionProperties(id);
          return {
            partition: p.partitionId,
            isEmpty: p.isEmpty,
            beginningSequenceNumber: p.beginningSequenceNumber,
            lastEnqueuedSequenceNumber: p.lastEnqueuedSequenceNumber,
            lastEnqueuedTimeMs: p.lastEnqueuedOnUtc.getTime(),
          };
        }),
      );
    } catch (error) {
      throw new EventHubUnavailableError(`Event Hubs partition properties unavailable (${describe(error)})`, {
        cause: error,
        context: { operation: 'getPartitionProperties' },
      });
    }
  }

  /** Closes the AMQP connection. */
  close(): Promise<void> {
    return this.#client.close();
  }
}

/**
 * `MessagingError ServerBusyError`: the error's class and code only (its message may quote an
 * address); for the SDK's AggregateError of retries, those of its last error.
 */
function describe(error: unknown): string {
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) return describe(errors[errors.length - 1]);
  const name = (error as { name?: unknown } | null)?.name;
  const code = (error as { code?: unknown } | null)?.code;
  const safe = (v: unknown) =>
    typeof v === 'string' && /^[A-Za-z][A-Za-z0-9:._-]{0,63}$/.test(v) ? v : undefined;
  return [safe(name), safe(code)].filter((v) => v !== undefined).join(' ') || 'unknown error';
}
