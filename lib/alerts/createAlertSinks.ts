import type { StoragePipelineOptions } from '@azure/storage-queue';
import { createQueueClient } from '../azure/clients.js';
import type { FunctionConfig } from '../config/appSettings.js';
import type { Logger } from '../observability/Logger.js';
import type { AlertSink } from './AlertSink.js';
import type { HttpRuntime, RetryPolicy } from './http/postJson.js';
import { DEFAULT_RETRY_POLICY } from './http/postJson.js';
import type { WebhookHttpOptions } from './http/WebhookTransport.js';
import { SignedWebhookSink } from './sinks/SignedWebhookSink.js';
import { SlackWebhookSink } from './sinks/SlackWebhookSink.js';
import { DEFAULT_QUEUE_PIPELINE_OPTIONS, StorageQueueSink } from './sinks/StorageQueueSink.js';
import { TeamsWebhookSink } from './sinks/TeamsWebhookSink.js';

/**
 * The settings the sinks are built from. A `FunctionConfig` is one; the CLI passes webhook sinks
 * only (no `queues`), built from its flags by `sinkConfigsFromFlags`.
 */
export type AlertSinkSettings = Pick<FunctionConfig, 'sinks' | 'alertLinkTemplate' | 'httpTimeoutMs'> &
  Partial<Pick<FunctionConfig, 'queues' | 'alertQueue'>>;

/** Effects and tuning, all optional: production uses the defaults. */
export interface AlertSinkDependencies {
  readonly logger?: Logger;
  /** Effects of the webhook sinks (fetch, sleep, random, now). */
  readonly runtime?: HttpRuntime;
  /** Retry policy of the webhook sinks, except the timeout, which comes from the settings. */
  readonly retry?: Partial<Omit<RetryPolicy, 'timeoutMs'>>;
  /** Pipeline options of the queue client (retries, timeouts). */
  readonly queuePipeline?: StoragePipelineOptions;
}

/**
 * Builds the alert sinks: the Storage queue sink (named `queue`) when `queues` and `alertQueue`
 * are set (it creates its queue only with a connection string), then one sink per `SinkConfig`, in the order given (the `PORTSCAN_SINK_<NAME>_*`
 * settings, sorted by name). Builds clients but makes no request.
 *
 * @throws {ConfigurationError} when a webhook sink's signing secret is malformed (settings
 *   validated by `loadFunctionConfig` or `sinkConfigsFromFlags` never are)
 */
export function createAlertSinks(settings: AlertSinkSettings, deps: AlertSinkDependencies = {}): AlertSink[] {
  const http: WebhookHttpOptions = {
    policy: { ...DEFAULT_RETRY_POLICY, ...deps.retry, timeoutMs: settings.httpTimeoutMs },
    ...(deps.runtime === undefined ? {} : { runtime: deps.runtime }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  };
  const sinks: AlertSink[] = [];
  if (settings.queues !== undefined && settings.alertQueue !== undefined) {
    sinks.push(
      new StorageQueueSink(
        createQueueClient(
          settings.queues,
          settings.alertQueue,
          deps.queuePipeline ?? DEFAULT_QUEUE_PIPELINE_OPTIONS,
        ),
        // With a managed identity the deployment creates the queue and the identity may only send.
        { createQueue: settings.queues.kind === 'connectionString' },
      ),
    );
  }
  const linkTemplate = settings.alertLinkTemplate;
  for (const sink of settings.sinks) {
    switch (sink.kind) {
      case 'teams':
        sinks.push(new TeamsWebhookSink({ name: sink.name, url: sink.url, linkTemplate }, http));
        break;
      case 'slack':
        sinks.push(new SlackWebhookSink({ name: sink.name, url: sink.url, linkTemplate }, http));
        break;
      case 'webhook':
        sinks.push(
          new SignedWebhookSink({ name: sink.name, url: sink.url, secret: sink.secret ?? '' }, http),
        );
        break;
    }
  }
  return sinks;
}
