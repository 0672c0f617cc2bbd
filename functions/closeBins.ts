import { app, type InvocationContext, type Timer } from '@azure/functions';
import { readProcessEnv } from '../lib/config/processEnv.js';
import { closeBins } from '../lib/detection/closeBins.js';
import { contextLogger, getServices } from './shared/composition.js';

/**
 * Timer trigger: closes the bins behind the event-time watermark, records alerts in the outbox
 * and delivers them to the queue and webhooks. Hourly by default (the rule's queryFrequency).
 */
export async function closeBinsOnTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  const { config } = services;
  await closeBins({
    store: services.store,
    outbox: services.outbox,
    sinks: services.sinks,
    settings: config.detection,
    logger: contextLogger(context),
    nowMs: services.now(),
    clock: services.now,
    runId: context.invocationId,
    backlog: services.backlog,
    maxCloseDelayMs: config.maxCloseDelayMs,
    feedIdleMs: config.partitionIdleMs,
    deliveryMaxRuns: config.deliveryMaxRuns,
    maxBinsPerRun: 24 * 12,
  });
  await services.deadLetters.purge(services.now());
}

app.timer('closeBins', {
  // Read at registration so that the default applies without an app setting; validated with the
  // rest of the configuration when the worker starts (getServices).
  schedule: readProcessEnv().PORTSCAN_CLOSE_SCHEDULE?.trim() || '0 5 * * * *',
  runOnStartup: false,
  handler: closeBinsOnTimer,
});

// Validate the whole configuration when the worker starts, so a bad setting fails fast and is named.
app.hook.appStart(() => {
  getServices();
});
