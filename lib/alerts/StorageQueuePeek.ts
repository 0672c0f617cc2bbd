import type { QueueClient, StoragePipelineOptions } from '@azure/storage-queue';
import { createQueueClient } from '../azure/clients.js';
import { asStorageFailure } from '../azure/storageErrors.js';
import type { ServiceConnection } from '../config/appSettings.js';
import type { Alert } from '../schema/Alert.js';
import { DEFAULT_QUEUE_PIPELINE_OPTIONS, fromQueueMessage } from './sinks/StorageQueueSink.js';

/** Most messages one peek returns (the Queue service's limit). */
export const PEEK_MAX_MESSAGES = 32;

/** The front of the alert queue as a peek saw it. */
export interface PeekedAlerts {
  /** The alerts of the messages peeked, in queue order. */
  readonly alerts: readonly Alert[];
  /** Messages peeked, alerts or not: `PEEK_MAX_MESSAGES` means more may wait behind them. */
  readonly messages: number;
}

/**
 * Reads the front of the alert queue without taking anything off it (Peek Messages: no message
 * becomes invisible and none is dequeued, so the queue's consumers get every alert as before).
 * Needs the Storage Queue Data Reader role. A peek sees at most the first 32 messages.
 */
export class StorageQueuePeek {
  readonly queueName: string;
  readonly #client: QueueClient;

  constructor(client: QueueClient) {
    this.#client = client;
    this.queueName = client.name;
  }

  static fromConnection(
    connection: ServiceConnection,
    queueName: string,
    options: StoragePipelineOptions = DEFAULT_QUEUE_PIPELINE_OPTIONS,
  ): StorageQueuePeek {
    return new StorageQueuePeek(createQueueClient(connection, queueName, options));
  }

  /**
   * Peeks the first messages of the queue and decodes the alerts among them.
   * @throws {StorageUnavailableError} storage unavailable, or access denied (`STORAGE_ACCESS_DENIED`)
   * @throws {StorageRequestRejectedError} the queue does not exist (`QueueNotFound` in its context)
   */
  async peekAlerts(): Promise<PeekedAlerts> {
    let texts: string[];
    try {
      const response = await this.#client.peekMessages({ numberOfMessages: PEEK_MAX_MESSAGES });
      texts = response.peekedMessageItems.map((m) => m.messageText);
    } catch (error) {
      throw asStorageFailure(error, 'queue peek', 'Queue Storage');
    }
    const alerts: Alert[] = [];
    for (const text of texts) {
      const alert = fromQueueMessage(text);
      if (alert !== undefined) alerts.push(alert);
    }
    return { alerts, messages: texts.length };
  }
}
