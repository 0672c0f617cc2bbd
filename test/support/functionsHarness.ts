import { type EventGridEvent, InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { closeBinsOnTimer } from '../../functions/closeBins.js';
import { flowLogs } from '../../functions/flowLogs.js';
import { ingest } from '../../functions/ingest.js';
import { type Services, servicesFromSettings, setServices } from '../../functions/shared/composition.js';
import { InMemoryPartitionBacklog } from '../../lib/eventhub/InMemoryPartitionBacklog.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import type { Azurite } from './azurite.js';

let tableCounter = 0;

/** App settings for a Function App running against Azurite; each harness gets its own tables and queue. */
export function azuriteSettings(
  az: Azurite,
  overrides: Record<string, string> = {},
  tablePort?: number,
): Record<string, string> {
  tableCounter++;
  return {
    PortscanStorage: az.connectionString(tablePort === undefined ? {} : { table: tablePort }),
    EventHubConnection__fullyQualifiedNamespace: 'flows.servicebus.windows.net',
    PORTSCAN_EVENTHUB_NAME: 'flows',
    PORTSCAN_EVENTHUB_CONSUMER_GROUP: 'portscan',
    PORTSCAN_TABLE_PREFIX: `T${process.pid}x${tableCounter}`,
    PORTSCAN_ALERT_QUEUE: `alerts-${process.pid}-${tableCounter}`,
    FlowLogStorage: az.connectionString(),
    ...overrides,
  };
}

/**
 * The two functions wired to Azurite exactly as in Azure (the composition root builds the
 * stores and sinks from app settings), with a controllable clock, fast storage retries and an
 * in-memory hub: every batch handed to `ingest` was enqueued in it (its tail moves on), and a
 * test enqueues events that no invocation has read yet with `hub.enqueued`.
 */
export class FunctionsHarness {
  readonly services: Services;
  readonly hub: InMemoryPartitionBacklog;
  readonly queue: QueueClient;
  readonly logs: unknown[][] = [];
  nowMs: number;
  #invocation = 0;

  constructor(
    settings: Record<string, string>,
    queueConnection: string,
    nowIso: string,
    hub = new InMemoryPartitionBacklog(),
  ) {
    this.nowMs = Date.parse(nowIso);
    this.hub = hub;
    // The composition root as in Azure: ingest settings now, delivery settings on first use.
    const base = servicesFromSettings(settings, {
      maxRetries: 1,
      retryDelayInMs: 20,
      maxRetryDelayInMs: 50,
    });
    this.services = { ...base, backlog: hub, now: () => this.nowMs };
    setServices(this.services);
    this.queue = new QueueClient(queueConnection, settings.PORTSCAN_ALERT_QUEUE as string);
  }

  /** Invokes `ingest` with one partition's batch, as the Event Hubs extension does (binary bodies). */
  async ingest(
    partition: string,
    bodies: readonly (string | Uint8Array)[],
    firstSequenceNumber: number,
    enqueuedIso: string,
  ): Promise<void> {
    this.hub.enqueued(partition, firstSequenceNumber + bodies.length - 1, Date.parse(enqueuedIso));
    await this.invoke(
      partition,
      bodies.map((body, i) => ({
        body,
        sequenceNumber: firstSequenceNumber + i,
        enqueuedTimeMs: Date.parse(enqueuedIso),
      })),
    );
  }

  /**
   * Invokes `ingest` with events as the Event Hubs extension delivers a batch (`cardinality:
   * 'many'`, `dataType: 'binary'`): the bodies as buffers, and the trigger metadata the host sends
   * (partition context, per-message sequence numbers, offsets, enqueued times as .NET UTC
   * DateTimes without a zone, system properties), with plain numbers for sequence numbers.
   */
  async invoke(
    partition: string,
    events: readonly { body: string | Uint8Array; sequenceNumber: number; enqueuedTimeMs: number }[],
  ): Promise<void> {
    setServices(this.services);
    const enqueued = events.map((e) => new Date(e.enqueuedTimeMs).toISOString().replace('Z', ''));
    const context = new InvocationContext({
      invocationId: `ingest-${++this.#invocation}`,
      functionName: 'ingest',
      triggerMetadata: {
        partitionContext: {
          partitionId: partition,
          eventHubName: 'flows',
          consumerGroup: 'portscan',
          fullyQualifiedNamespace: 'flows.servicebus.windows.net',
        },
        sequenceNumberArray: events.map((e) => e.sequenceNumber),
        enqueuedTimeUtcArray: enqueued,
        offsetArray: events.map((e) => String(e.sequenceNumber * 1000)),
        partitionKeyArray: events.map(() => null),
        propertiesArray: events.map(() => ({})),
        systemPropertiesArray: events.map((e, i) => ({
          SequenceNumber: e.sequenceNumber,
          Offset: String(e.sequenceNumber * 1000),
          EnqueuedTimeUtc: enqueued[i],
          PartitionKey: null,
        })),
      },
      logHandler: (level, ...args) => this.logs.push([level, ...args]),
    });
    await ingest(
      events.map((e) => (typeof e.body === 'string' ? Buffer.from(e.body, 'utf8') : Buffer.from(e.body))),
      context,
    );
  }

  /** Invokes `ingest` with trigger metadata given as is (shapes other hosts send); returns the invocation id. */
  async ingestWithMetadata(
    bodies: readonly (string | Uint8Array)[],
    triggerMetadata: Record<string, unknown>,
  ): Promise<string> {
    setServices(this.services);
    const invocationId = `ingest-${++this.#invocation}`;
    const context = new InvocationContext({
      invocationId,
      functionName: 'ingest',
      triggerMetadata,
      logHandler: (level, ...args) => this.logs.push([level, ...args]),
    });
    await ingest(
      bodies.map((b) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b))),
      context,
    );
    return invocationId;
  }

  /** Invokes `flowLogs` with one Event Grid event, as the Event Grid extension does. */
  async flowLogs(event: object): Promise<void> {
    setServices(this.services);
    const context = new InvocationContext({
      invocationId: `flowlogs-${++this.#invocation}`,
      functionName: 'flowLogs',
      logHandler: (level, ...args) => this.logs.push([level, ...args]),
    });
    await flowLogs(event as EventGridEvent, context);
  }

  /** Invokes the `closeBins` timer. */
  async closeBins(): Promise<void> {
    setServices(this.services);
    const context = new InvocationContext({
      invocationId: `close-${++this.#invocation}`,
      functionName: 'closeBins',
      logHandler: (level, ...args) => this.logs.push([level, ...args]),
    });
    await closeBinsOnTimer(
      {
        isPastDue: false,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: '', next: '', lastUpdated: '' },
      },
      context,
    );
  }

  /** Every message on the alert queue, decoded as a Functions queue trigger decodes it (base64 → JSON). */
  async queuedAlerts(): Promise<Alert[]> {
    const out: Alert[] = [];
    await this.queue.createIfNotExists();
    for (;;) {
      const r = await this.queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 600 });
      if (r.receivedMessageItems.length === 0) break;
      for (const m of r.receivedMessageItems) {
        out.push(AlertSchema.parse(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8'))));
      }
    }
    return out.sort((a, b) => (a.BinStart + a.SrcIpAddr < b.BinStart + b.SrcIpAddr ? -1 : 1));
  }

  /** The structured log lines (`{"event":…}`) with a given event name. */
  logged(event: string): Record<string, unknown>[] {
    return this.logs
      .map((l) => {
        try {
          return JSON.parse(String(l[1])) as Record<string, unknown>;
        } catch {
          return {};
        }
      })
      .filter((l) => l.event === event);
  }
}

export { envelope, jsonLines } from './sessions.js';
