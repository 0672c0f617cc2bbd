import { app, type InvocationContext, trigger } from '@azure/functions';
import { ingestBatch } from '../lib/detection/ingestBatch.js';
import { StorageConflictError, StorageUnavailableError } from '../lib/errors.js';
import { LOG_MESSAGES } from '../lib/observability/Logger.js';
import { contextLogger, getServices } from './shared/composition.js';
import { attributeBatch, readBatchMetadata } from './shared/triggerMetadata.js';

/** Retries of an invocation that failed for a reason other than storage (a bug), before the batch is given up. */
const MAX_UNEXPECTED_RETRIES = 5;

/**
 * Event Hub trigger: one partition's batch of messages → window state in Table Storage.
 * Storage outages fail the invocation and are retried with backoff for as long as they last
 * (the checkpoint waits, the hub keeps the data); bad records never fail it.
 */
export async function ingest(messages: unknown[], context: InvocationContext): Promise<void> {
  const services = getServices();
  const logger = contextLogger(context);
  const meta = readBatchMetadata(context.triggerMetadata, messages.length);
  const batch = attributeBatch(meta, context.invocationId);
  if (!batch.isComplete) {
    // Never silent: the batch is counted (see attributeBatch), and the operator is told why its
    // redelivery could count events twice.
    logger.error(LOG_MESSAGES.triggerMetadataIncomplete, {
      invocationId: context.invocationId,
      partition: meta.partition ?? null,
      countedAs: batch.countsAs,
      messages: messages.length,
      problems: meta.problems,
    });
  }
  try {
    await ingestBatch(
      batch.countsAs,
      messages.map((body, i) => ({
        body,
        sequenceNumber: batch.sequenceNumbers[i] as number,
        enqueuedTimeMs: meta.enqueuedTimesMs[i],
      })),
      {
        store: services.store,
        settings: services.config.detection,
        decoders: services.decoders,
        fastPath: services.fastPath,
        logger,
        nowMs: services.now(),
        limits: services.config.limits,
        deadLetters: services.deadLetters,
        instance: context.invocationId,
        // The rows count under their own key; the progress still moves the partition's.
        ...(batch.isComplete
          ? {}
          : { feed: { partition: batch.progressPartition, kind: 'eventhub' as const, endMs: undefined } }),
      },
    );
  } catch (error) {
    // Storage down, a role not yet in effect, rows that kept changing: the batch succeeds
    // unchanged later, so it is retried for as long as it takes (the hub keeps the events).
    if (error instanceof StorageUnavailableError || error instanceof StorageConflictError) {
      logger.error(error instanceof StorageConflictError ? 'storage conflict' : 'storage unavailable', {
        partition: batch.countsAs,
        code: error.code,
        detail: error.message,
      });
      throw error;
    }
    // Anything else (a request storage refuses as such, a bug) would fail the same way for ever.
    const retryCount = context.retryContext?.retryCount ?? 0;
    logger.error('ingest failed', {
      partition: batch.countsAs,
      retryCount,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    if (retryCount < MAX_UNEXPECTED_RETRIES) throw error;
    // A bug that survives every retry must not stall the partition for ever: give the batch up, loudly.
    logger.error('batch given up', { partition: batch.countsAs, messages: messages.length });
  }
}

const eventHubOptions = {
  connection: 'EventHubConnection',
  eventHubName: '%PORTSCAN_EVENTHUB_NAME%',
  consumerGroup: '%PORTSCAN_EVENTHUB_CONSUMER_GROUP%',
  cardinality: 'many' as const,
};

app.eventHub('ingest', {
  ...eventHubOptions,
  // Bodies must reach the decoders untouched: with the default dataType the library JSON-parses
  // string payloads, so the trigger asks for binary and ingestBatch decodes UTF-8 itself.
  trigger: { ...trigger.eventHub(eventHubOptions), dataType: 'binary' },
  // Storage outages: retry until storage is back (the checkpoint does not move meanwhile).
  retry: {
    strategy: 'exponentialBackoff',
    maxRetryCount: -1,
    minimumInterval: 5_000,
    maximumInterval: 300_000,
  },
  handler: ingest,
});
