import type { QueueClient, StoragePipelineOptions } from '@azure/storage-queue';
import { classifyStorageError, describeStorageError, statusOf } from '../../azure/storageErrors.js';
import type { Alert } from '../../schema/Alert.js';
import { toCurrentAlert } from '../../schema/Alert.js';
import type { AlertSink, DeliveryOutcome } from '../AlertSink.js';
import { describeFetchError } from '../http/postJson.js';

/**
 * Largest queue message: 64 KiB of text (413 `RequestBodyTooLarge` above;
 * docs/platform.md#queue-message-size).
 */
export const QUEUE_MESSAGE_MAX_CHARS = 64 * 1024;

/** The SDK's own retries of one send: about 15 s of backoff, 30 s per try. */
export const DEFAULT_QUEUE_PIPELINE_OPTIONS: StoragePipelineOptions = {
  retryOptions: { maxTries: 4, retryDelayInMs: 1000, maxRetryDelayInMs: 8000, tryTimeoutInMs: 30_000 },
};

/** What the queue receives for an alert, or why it cannot. */
export type QueueMessage =
  | {
      readonly kind: 'message';
      /** base64 of the UTF-8 JSON, as the Functions queue trigger decodes by default. */
      readonly text: string;
      /** Ports listed in the message: fewer than the alert's when `AttemptedPortsTruncated` was set. */
      readonly portsListed: number;
    }
  | { readonly kind: 'too-large'; readonly chars: number };

function encode(alert: Alert): string {
  return Buffer.from(JSON.stringify(alert), 'utf8').toString('base64');
}

/**
 * The alert a queue message carries (the inverse of `toQueueMessage`: base64 of the UTF-8 JSON,
 * read as the current schema version by `toCurrentAlert`); undefined for a message that holds no
 * alert document (another writer's).
 */
export function fromQueueMessage(text: string): Alert | undefined {
  try {
    return toCurrentAlert(JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
  } catch {
    return undefined;
  }
}

/**
 * The queue message of an alert: its JSON, UTF-8, base64-encoded (host.json
 * `extensions.queues.messageEncoding` defaults to `base64`; the SDK's `sendMessage` sends text
 * as-is), at most 64 KiB. An alert that would not fit keeps the longest prefix of its
 * (ascending) `AttemptedPorts` (and as many of `Evidence.ReachedPorts`) that does, with
 * `AttemptedPortsTruncated: true`; one that does not fit even without ports (only possible with
 * huge log strings) is `too-large`.
 */
export function toQueueMessage(alert: Alert, maxChars = QUEUE_MESSAGE_MAX_CHARS): QueueMessage {
  const full = encode(alert);
  if (full.length <= maxChars)
    return { kind: 'message', text: full, portsListed: alert.AttemptedPorts.length };
  const evidence = alert.Evidence;
  const withPorts = (n: number) =>
    encode({
      ...alert,
      AttemptedPorts: alert.AttemptedPorts.slice(0, n),
      AttemptedPortsTruncated: true,
      ...(evidence === undefined
        ? {}
        : { Evidence: { ...evidence, ReachedPorts: evidence.ReachedPorts.slice(0, n) } }),
    });
  const none = withPorts(0);
  if (none.length > maxChars) return { kind: 'too-large', chars: none.length };
  // The encoded length grows with n: find the largest n that fits.
  let fits = 0;
  let tooMany = alert.AttemptedPorts.length;
  while (tooMany - fits > 1) {
    const mid = Math.floor((fits + tooMany) / 2);
    if (withPorts(mid).length <= maxChars) fits = mid;
    else tooMany = mid;
  }
  return { kind: 'message', text: fits === 0 ? none : withPorts(fits), portsListed: fits };
}

/** Queues already created in this process, by URL; a failed creation is forgotten and tried again. */
const createdQueues = new Map<string, Promise<void>>();

/** Whether the sink may create its queue. */
export interface StorageQueueSinkOptions {
  /**
   * True for a connection string (Azurite, local runs): the queue is created on first use (once
   * per process) and again after it was deleted. False with a managed identity: the deployment
   * creates the queue, and the identity holds only Storage Queue Data Message Sender on it, so a
   * missing queue is reported as such (`ALERT_QUEUE_NOT_FOUND`), never created.
   */
  readonly createQueue: boolean;
}

/**
 * Sends each alert to an Azure Storage queue, one message per alert (see `toQueueMessage`).
 * Messages never expire (`-1`): an alert waits for its consumer however long it is away. Retries
 * are the SDK's; `attempts` is 1.
 *
 * Failures are outcomes: 429, 5xx, network errors, a missing credential, 401/403 (a role
 * assignment can take minutes to apply) and 404 (the queue is missing: created again at the next
 * call when the sink may create it, else reported as `ALERT_QUEUE_NOT_FOUND` with what to do, and
 * retried until the alert is parked) are retryable; other 4xx are permanent. Reasons hold the
 * status and the storage error code, never an SDK message (it may contain the queue URL with a
 * SAS token).
 */
export class StorageQueueSink implements AlertSink {
  readonly name: string;
  readonly kind = 'queue' as const;
  /** Whether the sink creates its queue (`StorageQueueSinkOptions.createQueue`). */
  readonly createsQueue: boolean;
  readonly #client: QueueClient;

  constructor(client: QueueClient, options: StorageQueueSinkOptions, name = 'queue') {
    this.#client = client;
    this.createsQueue = options.createQueue;
    this.name = name;
  }

  async deliver(alert: Alert): Promise<DeliveryOutcome> {
    const message = toQueueMessage(alert);
    if (message.kind === 'too-large') {
      return {
        ok: false,
        attempts: 0,
        retryable: false,
        reason: `alert exceeds the 64 KiB queue message limit even without AttemptedPorts (${message.chars} characters)`,
      };
    }
    try {
      if (this.createsQueue) await this.#ensureQueue();
      await this.#client.sendMessage(message.text, { messageTimeToLive: -1 });
      return { ok: true, attempts: 1 };
    } catch (error) {
      const kind = classifyStorageError(error);
      if (kind === 'absent') createdQueues.delete(this.#client.url);
      // A missing queue is created again at the next call, or by the next deployment; a missing
      // role may be propagating.
      const retryable = kind === 'unavailable' || kind === 'denied' || kind === 'absent';
      const reason =
        kind === 'absent' && !this.createsQueue
          ? missingQueueReason(this.#client.name, error)
          : describeQueueError(error);
      return { ok: false, attempts: 1, retryable, reason };
    }
  }

  #ensureQueue(): Promise<void> {
    const url = this.#client.url;
    let created = createdQueues.get(url);
    if (created === undefined) {
      created = this.#client.createIfNotExists().then(() => undefined);
      createdQueues.set(url, created);
      void created.catch(() => createdQueues.delete(url));
    }
    return created;
  }
}

/** Code at the start of the reason a sink without the right to create its queue gives for a missing one. */
export const ALERT_QUEUE_NOT_FOUND = 'ALERT_QUEUE_NOT_FOUND';

/** What a missing queue means when the identity may only send to it: the deployment must create it. */
function missingQueueReason(queueName: string, error: unknown): string {
  return `${ALERT_QUEUE_NOT_FOUND}: alert queue '${queueName}' does not exist (${describeQueueError(error)}); the deployment creates it (azd provision) and the app's identity may only send to it, so the app never creates it`;
}

/** `HTTP 503 ServerBusy`, `connection refused`, `credential unavailable`: names and codes only. */
export function describeQueueError(error: unknown): string {
  if (statusOf(error) !== undefined || classifyStorageError(error) === 'denied')
    return describeStorageError(error);
  return describeFetchError(error, DEFAULT_QUEUE_PIPELINE_OPTIONS.retryOptions?.tryTimeoutInMs ?? 30_000);
}
