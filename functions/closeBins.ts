import { app, type InvocationContext, type Timer } from '@azure/functions';
import { closeScheduleOf } from '../lib/config/appSettings.js';
import { readProcessEnv } from '../lib/config/processEnv.js';
import { closeBins } from '../lib/detection/closeBins.js';
import { ConfigurationError } from '../lib/errors.js';
import { LOG_MESSAGES } from '../lib/observability/Logger.js';
import { contextLogger, type DeliveryServices, getServices } from './shared/composition.js';

/**
 * Timer trigger: closes the bins behind the event-time watermark, records alerts in the outbox
 * and delivers them to the queue and webhooks. Hourly by default (the rule's queryFrequency).
 */
export async function closeBinsOnTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  const logger = contextLogger(context);
  let delivery: DeliveryServices;
  try {
    delivery = services.delivery();
  } catch (error) {
    // A bad delivery setting (an unresolved Key Vault reference for a webhook URL, say) fails this
    // function, loudly, and nothing else: ingest keeps counting, and the bins stay open until the
    // setting is fixed (evaluation resumes where it stopped).
    if (error instanceof ConfigurationError) {
      logger.error(LOG_MESSAGES.configurationInvalid, { function: 'closeBins', issues: error.issues });
    }
    throw error;
  }
  await closeBins({
    store: services.store,
    outbox: delivery.outbox,
    sinks: delivery.sinks(logger),
    conversations: delivery.conversations,
    settings: services.config.detection,
    logger,
    nowMs: services.now(),
    clock: services.now,
    runId: context.invocationId,
    backlog: services.backlog,
    maxCloseDelayMs: delivery.config.maxCloseDelayMs,
    feedIdleMs: delivery.config.partitionIdleMs,
    deliveryMaxRuns: delivery.config.deliveryMaxRuns,
    maxBinsPerRun: delivery.config.maxBinsPerRun,
  });
  await services.deadLetters.purge(services.now());
}

app.timer('closeBins', {
  // Read at registration so that the default applies without an app setting; validated with the
  // other delivery settings when the function first runs (services.delivery()).
  schedule: closeScheduleOf(readProcessEnv()),
  runOnStartup: false,
  handler: closeBinsOnTimer,
});

// Validate the settings every function needs when the worker starts, so a bad one fails fast and
// is named. The delivery settings are closeBins' own: a bad one fails closeBins, not ingestion.
app.hook.appStart(() => {
  getServices();
});
