import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { cursorHorizonMs, ingestFlowLogEvent } from '../lib/detection/ingestFlowLogEvent.js';
import { contextLogger, getServices } from './shared/composition.js';

/** The horizon this worker last purged flow-log cursors before (once an hour is plenty). */
let purgedBeforeMs = 0;

/**
 * Event Grid trigger: one `Microsoft.Storage.BlobCreated` event for a Network Watcher flow-log
 * blob (`PT1H.json`) → the records committed since the last read, counted into the window state
 * like an Event Hub batch (docs/flow-logs.md).
 *
 * An Event Grid trigger rather than the blob trigger with `source: 'EventGrid'`: the blob trigger
 * hands the function the whole blob at every commit, and an hourly blob commits about sixty
 * times; the event names the blob and the function reads only the blocks committed since.
 *
 * Bad input (an event for another container or account, a deleted or foreign blob, a malformed
 * record) is counted and dead-lettered, and the event acknowledged. Any failure (storage
 * unavailable, a bug) throws: the Event Grid extension then answers 500 and Event Grid delivers
 * the event again with backoff, up to the subscription's retry policy, then dead-letters it.
 */
export async function flowLogs(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const services = getServices();
  const { blobs, cursors } = services.flowLogs();
  const logger = contextLogger(context);
  const nowMs = services.now();
  try {
    await ingestFlowLogEvent(event, {
      store: services.store,
      settings: services.config.detection,
      decoders: services.decoders,
      fastPath: services.fastPath,
      logger,
      nowMs,
      limits: services.config.limits,
      deadLetters: services.deadLetters,
      instance: context.invocationId,
      blobs,
      cursors,
      accountUrl: blobs.url,
    });
    const horizon = cursorHorizonMs(nowMs, services.config.detection.retentionMs);
    if (horizon > purgedBeforeMs) {
      await cursors.purgeBefore(horizon);
      purgedBeforeMs = horizon;
    }
  } catch (error) {
    logger.error('flow log event failed', {
      subject: typeof event?.subject === 'string' ? event.subject.slice(0, 300) : undefined,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    throw error;
  }
}

app.eventGrid('flowLogs', { handler: flowLogs });
