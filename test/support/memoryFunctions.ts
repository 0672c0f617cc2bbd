import type { AlertSink, DeliveryOutcome } from '../../lib/alerts/AlertSink.js';
import { FUNCTION_DEFAULTS } from '../../lib/config/detectionSettings.js';
import { FUNCTION_LIMITS } from '../../lib/config/limits.js';
import type { CloseDependencies, CloseSummary } from '../../lib/detection/closeBins.js';
import { closeBins } from '../../lib/detection/closeBins.js';
import type { BatchMessage, IngestSummary } from '../../lib/detection/ingestBatch.js';
import { ingestBatch } from '../../lib/detection/ingestBatch.js';
import { InMemoryPartitionBacklog } from '../../lib/eventhub/InMemoryPartitionBacklog.js';
import { FastLinePath } from '../../lib/fastpath/FastLinePath.js';
import type { Logger } from '../../lib/observability/Logger.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import { InMemoryAlertOutbox } from '../../lib/state/InMemoryAlertOutbox.js';
import { InMemoryDeadLetterStore } from '../../lib/state/InMemoryDeadLetterStore.js';
import { InMemoryWindowStore } from '../../lib/state/InMemoryWindowStore.js';
import { testSettings } from './settings.js';

/** A sink that records what it is given, and fails while `failing` is set. */
export class RecordingSink implements AlertSink {
  readonly name: string;
  readonly kind = 'webhook' as const;
  readonly delivered: Alert[] = [];
  failing: { retryable: boolean } | undefined;

  constructor(name = 'recorder') {
    this.name = name;
  }

  async deliver(alert: Alert): Promise<DeliveryOutcome> {
    if (this.failing !== undefined)
      return { ok: false, attempts: 1, retryable: this.failing.retryable, reason: 'HTTP 503' };
    this.delivered.push(alert);
    return { ok: true, attempts: 1 };
  }
}

/** A logger that keeps every line. */
export class CollectingLogger implements Logger {
  readonly lines: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[] = [];
  info(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

/**
 * The Functions' use cases (`ingestBatch`, `closeBins`) over the in-memory twins of every port:
 * window store, outbox, dead letters and the hub's partition tails. Each batch handed to
 * `ingest` was enqueued in the hub (its tail moves on), as in `FunctionsHarness`.
 */
export class MemoryFunctions {
  readonly store = new InMemoryWindowStore();
  readonly outbox = new InMemoryAlertOutbox();
  readonly deadLetters = new InMemoryDeadLetterStore(FUNCTION_LIMITS.deadLettersPerMinute);
  readonly hub = new InMemoryPartitionBacklog();
  readonly sink = new RecordingSink();
  readonly logger = new CollectingLogger();
  /** As the Function App's composition root builds it. */
  readonly fastPath = new FastLinePath(SOURCE_DECODERS, FUNCTION_LIMITS.maxFieldChars);
  readonly settings;
  nowMs: number;

  constructor(nowIso: string, env: Record<string, string> = {}) {
    this.nowMs = Date.parse(nowIso);
    this.settings = testSettings(env, FUNCTION_DEFAULTS);
  }

  /** One batch of `bodies` from `partition`, sequence numbers from `firstSequence`. */
  ingest(
    partition: string,
    bodies: readonly unknown[],
    firstSequence: number,
    enqueuedIso?: string,
  ): Promise<IngestSummary> {
    const enqueuedTimeMs = enqueuedIso === undefined ? this.nowMs : Date.parse(enqueuedIso);
    const messages: BatchMessage[] = bodies.map((body, i) => ({
      body,
      sequenceNumber: firstSequence + i,
      enqueuedTimeMs,
    }));
    this.hub.enqueued(partition, firstSequence + bodies.length - 1, enqueuedTimeMs);
    return ingestBatch(partition, messages, {
      store: this.store,
      settings: this.settings,
      decoders: SOURCE_DECODERS,
      fastPath: this.fastPath,
      logger: this.logger,
      nowMs: this.nowMs,
      limits: FUNCTION_LIMITS,
      deadLetters: this.deadLetters,
      instance: 'test',
    });
  }

  /** One closing run at the current time. */
  close(options: Partial<CloseDependencies> = {}): Promise<CloseSummary> {
    return closeBins({
      store: this.store,
      outbox: this.outbox,
      sinks: [this.sink],
      settings: this.settings,
      logger: this.logger,
      nowMs: this.nowMs,
      clock: () => this.nowMs,
      runId: `run-${this.nowMs}`,
      backlog: this.hub,
      maxCloseDelayMs: 60 * 60_000,
      feedIdleMs: 15 * 60_000,
      deliveryMaxRuns: 3,
      ...options,
    });
  }
}
