import type { Alert } from '../schema/Alert.js';

/** The result of one delivery attempt (with its in-call retries) of one alert to one sink. */
export type DeliveryOutcome =
  | { readonly ok: true; readonly attempts: number }
  | {
      readonly ok: false;
      readonly attempts: number;
      /** True when a later run may succeed (timeout, 429, 5xx, network); false for a permanent refusal (400, 404). */
      readonly retryable: boolean;
      /** Short, secret-free reason: `HTTP 503`, `timeout after 10 s`, `connection refused`. Never the URL. */
      readonly reason: string;
    };

/**
 * Where alerts go: the alert queue, a Teams Workflows webhook, a Slack incoming webhook, a
 * signed generic webhook. One sink never blocks another: the outbox calls each independently
 * and records each one's success.
 *
 * `deliver` never throws for a failed delivery: every failure is an outcome. It must be safe to
 * call again for the same alert (receivers deduplicate on `AlertId`), and must never log or
 * return the sink's URL or secret.
 */
export interface AlertSink {
  /** Stable name, recorded in the outbox: `queue`, or the `<NAME>` of `PORTSCAN_SINK_<NAME>_*`. */
  readonly name: string;
  readonly kind: 'queue' | 'teams' | 'slack' | 'webhook';
  deliver(alert: Alert): Promise<DeliveryOutcome>;
}
