import { createHmac } from 'node:crypto';
import { ConfigurationError } from '../../errors.js';
import type { Alert } from '../../schema/Alert.js';
import type { AlertSink, DeliveryOutcome } from '../AlertSink.js';
import type { WebhookHttpOptions } from '../http/WebhookTransport.js';
import { WebhookTransport } from '../http/WebhookTransport.js';

export interface SignedWebhookSinkConfig {
  readonly name: string;
  /** The receiver's URL: a secret. */
  readonly url: string;
  /** Standard Webhooks secret: `whsec_` + base64 of 24 to 64 random bytes. */
  readonly secret: string;
}

/** `whsec_` + base64 of 24 to 64 bytes (Standard Webhooks, "Symmetric"). */
const SECRET_FORMAT = /^whsec_([A-Za-z0-9+/]{32,88}={0,2})$/;

/**
 * The HMAC key of a Standard Webhooks secret: the base64-decoded part after `whsec_`.
 *
 * @throws {ConfigurationError} when the secret is not `whsec_` + base64 of 24 to 64 bytes; the
 *   message names the sink, never the value
 */
export function signingKeyOf(sinkName: string, secret: string): Buffer {
  const m = SECRET_FORMAT.exec(secret);
  const key = m === null ? undefined : Buffer.from(m[1] as string, 'base64');
  if (key === undefined || key.length < 24 || key.length > 64) {
    throw new ConfigurationError([
      `sink ${sinkName}: expected a Standard Webhooks secret "whsec_<base64 of 24 to 64 bytes>"; the value is not shown`,
    ]);
  }
  return key;
}

/**
 * The Standard Webhooks headers of one message: `webhook-id`, `webhook-timestamp` (unix seconds)
 * and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (spec
 * `standard-webhooks/spec/standard-webhooks.md`, "Signature scheme").
 */
export function standardWebhookHeaders(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

/**
 * The `webhook-id` of an alert's message: the `AlertId` for its first revision, `<AlertId>:r<n>`
 * for correction n. Standard Webhooks receivers drop a message whose id they have seen, so each
 * revision is a message of its own, and each redelivery of one revision repeats its id.
 */
export function webhookIdOf(alert: Pick<Alert, 'AlertId' | 'Revision'>): string {
  return alert.Revision === 1 ? alert.AlertId : `${alert.AlertId}:r${alert.Revision}`;
}

/**
 * POSTs each alert, as the alert JSON document itself, to any HTTP receiver, signed per Standard
 * Webhooks. `webhook-id` identifies the alert's revision (`webhookIdOf`), so a receiver
 * deduplicates redeliveries with it; every attempt is signed afresh with the current time, so a
 * retry is never rejected as stale by the receiver's ±5-minute tolerance.
 */
export class SignedWebhookSink implements AlertSink {
  readonly name: string;
  readonly kind = 'webhook' as const;
  readonly #transport: WebhookTransport;
  readonly #key: Buffer;
  readonly #now: () => number;

  /** @throws {ConfigurationError} when the secret is malformed (see `signingKeyOf`) */
  constructor(config: SignedWebhookSinkConfig, http: WebhookHttpOptions) {
    this.name = config.name;
    this.#key = signingKeyOf(config.name, config.secret);
    this.#transport = new WebhookTransport(config.name, config.url, undefined, http);
    this.#now = http.runtime?.now ?? (() => Date.now());
  }

  deliver(alert: Alert): Promise<DeliveryOutcome> {
    const body = JSON.stringify(alert);
    return this.#transport.send(body, () =>
      standardWebhookHeaders(this.#key, webhookIdOf(alert), Math.floor(this.#now() / 1000), body),
    );
  }
}
