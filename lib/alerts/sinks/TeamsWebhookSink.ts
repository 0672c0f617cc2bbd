import type { Alert } from '../../schema/Alert.js';
import type { AlertSink, DeliveryOutcome } from '../AlertSink.js';
import { toTeamsMessage } from '../cards/teamsMessage.js';
import type { WebhookHttpOptions } from '../http/WebhookTransport.js';
import { WebhookTransport } from '../http/WebhookTransport.js';

/** Teams Workflows throttles a webhook above four requests per second: one every 250 ms. */
export const TEAMS_MIN_INTERVAL_MS = 250;

export interface TeamsWebhookSinkConfig {
  readonly name: string;
  /** The Workflows trigger URL (it carries a `sig=` signature): a secret. */
  readonly url: string;
  readonly linkTemplate?: string | undefined;
}

/**
 * Posts each alert to a Teams channel or chat through a Workflows webhook ("When a Teams webhook
 * request is received" → "Post card in a chat or channel"), as one Adaptive Card (see
 * `toTeamsMessage`). Workflows answers 202 on acceptance, even when posting the card fails
 * later (that shows only in the flow's run history), so `ok` means "accepted by the flow".
 */
export class TeamsWebhookSink implements AlertSink {
  readonly name: string;
  readonly kind = 'teams' as const;
  readonly #transport: WebhookTransport;
  readonly #linkTemplate: string | undefined;

  constructor(config: TeamsWebhookSinkConfig, http: WebhookHttpOptions) {
    this.name = config.name;
    this.#linkTemplate = config.linkTemplate;
    this.#transport = new WebhookTransport(config.name, config.url, TEAMS_MIN_INTERVAL_MS, http);
  }

  deliver(alert: Alert): Promise<DeliveryOutcome> {
    return this.#transport.send(JSON.stringify(toTeamsMessage(alert, { linkTemplate: this.#linkTemplate })));
  }
}
