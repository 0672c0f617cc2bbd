import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { InvocationContext } from '@azure/functions';
import type { AlertSink } from '../../lib/alerts/AlertSink.js';
import { createAlertSinks } from '../../lib/alerts/createAlertSinks.js';
import type { StorageRetryOptions } from '../../lib/azure/clients.js';
import type { DeliveryConfig, IngestConfig, ServiceConnection } from '../../lib/config/appSettings.js';
import {
  FLOW_LOG_STORAGE_CONNECTION,
  loadDeliveryConfig,
  loadFlowLogConnection,
  loadIngestConfig,
} from '../../lib/config/appSettings.js';
import { type MemoryBudget, memoryBudgetOf } from '../../lib/config/memoryBudget.js';
import { readProcessEnv } from '../../lib/config/processEnv.js';
import { ConfigurationError } from '../../lib/errors.js';
import { EventHubPartitionBacklog } from '../../lib/eventhub/EventHubPartitionBacklog.js';
import type { PartitionBacklog } from '../../lib/eventhub/PartitionBacklog.js';
import { FastLinePath } from '../../lib/fastpath/FastLinePath.js';
import { StorageBlockBlobReader } from '../../lib/flowlogs/StorageBlockBlobReader.js';
import type { Logger } from '../../lib/observability/Logger.js';
import { SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import type { SourceDecoder } from '../../lib/sources/pipeline/types.js';
import { TableAlertOutbox } from '../../lib/state/TableAlertOutbox.js';
import { TableChatConversationStore } from '../../lib/state/TableChatConversationStore.js';
import { TableDeadLetterStore } from '../../lib/state/TableDeadLetterStore.js';
import { TableFlowLogCursorStore } from '../../lib/state/TableFlowLogCursorStore.js';
import { TableWindowStore } from '../../lib/state/TableWindowStore.js';

/**
 * The composition root of the Function App: configuration read and validated once per worker,
 * SDK clients, stores and sinks built once and shared by every invocation.
 *
 * Each function depends only on the settings it uses: `ingest` (and `flowLogs`) on
 * `IngestConfig`, validated when the worker starts; `closeBins` also on `DeliveryConfig` (alert
 * queue, sinks), validated when it first asks for it, so that a bad sink setting fails `closeBins`
 * (logged and alerted on) while ingestion goes on.
 */
export interface Services {
  readonly config: IngestConfig;
  readonly store: TableWindowStore;
  readonly decoders: readonly SourceDecoder[];
  /** The lines read whole without the full decoders (identical rows and counts), built for `decoders`. */
  readonly fastPath: FastLinePath;
  readonly deadLetters: TableDeadLetterStore;
  /** How far the hub's partitions are written (the closing timer; tests set an in-memory hub). */
  readonly backlog: PartitionBacklog;
  /**
   * The outbox, the sinks and the delivery settings of closeBins, built on first use.
   * @throws {ConfigurationError} naming every bad delivery setting (never a secret value)
   */
  delivery(): DeliveryServices;
  /** The flow-log blob reader and cursors, built on first use: only the flowLogs function needs them. */
  flowLogs(): FlowLogServices;
  /** The wall clock (tests set their own). */
  readonly now: () => number;
}

/** What closeBins records and delivers alerts with. */
export interface DeliveryServices {
  readonly config: DeliveryConfig;
  readonly outbox: TableAlertOutbox;
  /**
   * The alert sinks of one invocation: the webhook sinks log their retries to `logger`, the
   * invocation's, so that they show under its operation in Application Insights.
   */
  sinks(logger: Logger): readonly AlertSink[];
  /** The chat conversations (one per scanner and grouping window), in the outbox table. */
  readonly conversations: TableChatConversationStore;
}

/** What the flowLogs function reads blobs with and keeps its cursors in. */
export interface FlowLogServices {
  readonly blobs: StorageBlockBlobReader;
  readonly cursors: TableFlowLogCursorStore;
}

/**
 * Builds the services from app settings as the functions read them: the ingest settings now
 * (a bad one throws), the delivery and flow-log settings when first used.
 * @throws {ConfigurationError} naming every bad ingest setting
 */
export function servicesFromSettings(
  env: Readonly<Record<string, string | undefined>>,
  retry?: StorageRetryOptions,
): Services {
  return buildServices(
    loadIngestConfig(env),
    () => loadDeliveryConfig(env),
    () => loadFlowLogConnection(env),
    retry,
  );
}

function buildServices(
  config: IngestConfig,
  readDelivery: () => DeliveryConfig,
  readFlowLogConnection: () => ServiceConnection | undefined,
  retry: StorageRetryOptions | undefined,
): Services {
  let delivery: DeliveryServices | undefined;
  let flowLogs: FlowLogServices | undefined;
  return {
    config,
    store: TableWindowStore.fromConnection(
      config.tables,
      config.tablePrefix,
      retry,
      instanceMemoryBudget(config.rowCacheMegabytes).rowCacheBytes,
    ),
    deadLetters: TableDeadLetterStore.fromConnection(
      config.tables,
      config.tablePrefix,
      config.limits.deadLettersPerMinute,
      retry,
    ),
    decoders: SOURCE_DECODERS,
    fastPath: new FastLinePath(SOURCE_DECODERS, config.limits.maxFieldChars),
    backlog: EventHubPartitionBacklog.fromConnection(
      config.eventHubs,
      config.eventHubName,
      config.consumerGroup,
    ),
    delivery: () => {
      if (delivery === undefined) {
        const settings = readDelivery();
        delivery = {
          config: settings,
          outbox: TableAlertOutbox.fromConnection(config.tables, config.tablePrefix, retry),
          sinks: (logger) => createAlertSinks(settings, { logger }),
          conversations: TableChatConversationStore.fromConnection(config.tables, config.tablePrefix, retry),
        };
      }
      return delivery;
    },
    flowLogs: () => {
      if (flowLogs === undefined) {
        const connection = readFlowLogConnection();
        if (connection === undefined) {
          throw new ConfigurationError([
            `${FLOW_LOG_STORAGE_CONNECTION}__blobServiceUri: required by the flowLogs function (the blob endpoint of the flow-log storage account)`,
          ]);
        }
        flowLogs = {
          blobs: StorageBlockBlobReader.fromConnection(connection, retry),
          cursors: TableFlowLogCursorStore.fromConnection(config.tables, config.tablePrefix, retry),
        };
      }
      return flowLogs;
    },
    now: () => Date.now(),
  };
}

/**
 * This instance's memory budget: the container's memory limit (Node's `process.constrainedMemory`,
 * the cgroup limit Flex Consumption sets to the instance memory), else the machine's, and V8's
 * heap limit.
 */
export function instanceMemoryBudget(rowCacheMegabytes?: number): MemoryBudget {
  const constrained = process.constrainedMemory();
  const instance = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return memoryBudgetOf(instance, getHeapStatistics().heap_size_limit, rowCacheMegabytes);
}

let services: Services | undefined;

/**
 * The services of this worker, built on first use from the app settings.
 * @throws {ConfigurationError} naming every bad ingest setting: the app fails fast at start-up
 */
export function getServices(): Services {
  services ??= servicesFromSettings(readProcessEnv());
  return services;
}

/** Replaces the worker's services (tests). */
export function setServices(next: Services | undefined): void {
  services = next;
}

/**
 * The `Logger` of lib/ over an invocation context: one JSON line per message,
 * `{"event":"ingest summary",…fields}`, so Application Insights queries can `parse_json(message)`
 * and chart any count (see the README's operating section).
 */
export function contextLogger(context: InvocationContext): Logger {
  const line = (message: string, fields: Readonly<Record<string, unknown>> | undefined) =>
    JSON.stringify({ event: message, ...fields });
  return {
    info: (message, fields) => context.info(line(message, fields)),
    warn: (message, fields) => context.warn(line(message, fields)),
    error: (message, fields) => context.error(line(message, fields)),
  };
}
