import type { Alert } from '../../schema/Alert.js';
import type { AlertSink, DeliveryOutcome } from '../AlertSink.js';
import { toSlackMessage } from '../cards/slackMessage.js';
import type { WebhookHttpOptions } from '../http/WebhookTransport.js';
import { WebhookTransport } from '../http/WebhookTransport.js';

/** Slack accepts about one message per second per incoming webhook. */
export const SLACK_MIN_INTERVAL_MS = 1000;

export interface SlackWebhookSinkConfig {
  readonly name: string;
  /** The incoming-webhook URL (`https://hooks.slack.com/services/…`): a secret. */
  readonly url: string;
  readonly linkTemplate?: string | undefined;
}

/**
 * Posts each alert to a Slack incoming webhook as Block Kit blocks with a `text` fallback (see
 * `toSlackMessage`). Slack answers 200 `ok`, or a 4xx with a bare error code
 * (`invalid_payload`, `channel_not_found`) that the outcome's reason repeats.
 */
export class SlackWebhookSink implements AlertSink {
  readonly name: string;
  readonly kind = 'slack' as const;
  readonly #transport: WebhookTransport;
  readonly #linkTemplate: string | undefined;

  constructor(config: SlackWebhookSinkConfig, http: WebhookHttpOptions) {
    this.name = config.name;
    this.#linkTemplate = config.linkTemplate;
    this.#transport = new WebhookTransport(config.name, config.url, SLACK_MIN_INTERVAL_MS, http);
  }

  deliver(alert: Alert): Promise<DeliveryOutcome> {
    return this.#transport.send(JSON.stringify(toSlackMessage(alert, { linkTemplate: this.#linkTemplate })));
  }
}
