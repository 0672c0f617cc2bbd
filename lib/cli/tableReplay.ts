import type { AlertSink } from '../alerts/AlertSink.js';
import type { DetectionSettings } from '../config/detectionSettings.js';
import { BatchAggregator } from '../detection/BatchAggregator.js';
import { closeBins } from '../detection/closeBins.js';
import { persistBatch } from '../detection/ingestBatch.js';
import { RowRouter } from '../detection/RowRouter.js';
import { InMemoryPartitionBacklog } from '../eventhub/InMemoryPartitionBacklog.js';
import { silentLogger } from '../observability/Logger.js';
import type { Alert } from '../schema/Alert.js';
import type { NetworkSession } from '../schema/NetworkSession.js';
import { TableAlertOutbox } from '../state/TableAlertOutbox.js';
import { TableChatConversationStore } from '../state/TableChatConversationStore.js';
import { TableWindowStore } from '../state/TableWindowStore.js';

/** Rows per batch written to Table Storage by the replay (the function's batches are Event Hub batches). */
const ROWS_PER_BATCH = 20_000;

/**
 * The CLI's `--state table` replay: the rows of the inputs go through the same persistence
 * (`persistBatch`: one conditional write per (source, bin) per batch) and the same closing use
 * case (`closeBins`, here closing every bin at the end) as the Azure Functions, against any Table
 * endpoint (Azurite locally), so that both paths can be compared on the same files.
 */
export class TableReplay {
  readonly router: RowRouter;
  readonly #store: TableWindowStore;
  readonly #outbox: TableAlertOutbox;
  readonly #conversations: TableChatConversationStore;
  readonly #settings: DetectionSettings;
  readonly #partition: string;
  #aggregator = new BatchAggregator(true);
  #batch = 0;
  #rows = 0;
  #maxEventTimeMs = 0;
  #minEventTimeMs = Number.MAX_SAFE_INTEGER;
  #pending: Promise<void> = Promise.resolve();
  rowsCounted = 0;
  entityWrites = 0;
  transactions = 0;

  constructor(
    connectionString: string,
    tablePrefix: string,
    settings: DetectionSettings,
    runStartedMs: number,
  ) {
    const connection = { kind: 'connectionString' as const, connectionString };
    this.#store = TableWindowStore.fromConnection(connection, tablePrefix);
    this.#outbox = TableAlertOutbox.fromConnection(connection, tablePrefix);
    this.#conversations = TableChatConversationStore.fromConnection(connection, tablePrefix);
    this.#settings = settings;
    this.router = new RowRouter(settings);
    // Each run writes as its own partition, so a second replay into the same tables adds its events.
    this.#partition = `cli-${runStartedMs}`;
  }

  /** Adds one row; returns a promise when a batch is being written (the caller awaits it between chunks). */
  add(session: NetworkSession): void {
    const row = this.router.route(session);
    if (row === undefined) return;
    this.#aggregator.add(row, this.#batch + 1);
    this.rowsCounted++;
    if (row.timeMs > this.#maxEventTimeMs) this.#maxEventTimeMs = row.timeMs;
    if (row.timeMs < this.#minEventTimeMs) this.#minEventTimeMs = row.timeMs;
    if (++this.#rows >= ROWS_PER_BATCH) this.#flush();
  }

  /** Waits for the batches written so far. */
  drain(): Promise<void> {
    return this.#pending;
  }

  /** Writes the last batch, closes every bin and returns the alerts recorded by this run. */
  async finish(clock: () => number, sinks: readonly AlertSink[]): Promise<Alert[]> {
    const nowMs = clock();
    this.#flush();
    await this.#pending;
    const summary = await closeBins({
      store: this.#store,
      outbox: this.#outbox,
      conversations: this.#conversations,
      sinks,
      settings: this.#settings,
      logger: silentLogger,
      nowMs,
      clock,
      runId: this.#partition,
      backlog: new InMemoryPartitionBacklog(),
      maxCloseDelayMs: 0,
      feedIdleMs: 15 * 60_000,
      deliveryMaxRuns: 1,
      closeAll: true,
    });
    return [...summary.alerts];
  }

  #flush(): void {
    if (this.#rows === 0) return;
    const groups = [...this.#aggregator.groups()];
    const progress = {
      partition: this.#partition,
      maxEventTimeMs: this.#maxEventTimeMs,
      minEventTimeMs: this.#minEventTimeMs,
      maxEnqueuedTimeMs: 0,
      lastSequenceNumber: ++this.#batch,
      updatedAtMs: 0,
    };
    this.#aggregator = new BatchAggregator(true);
    this.#rows = 0;
    const previous = this.#pending;
    this.#pending = previous.then(async () => {
      const { storage } = await persistBatch(this.#store, this.#partition, groups, progress, this.#settings);
      this.entityWrites += storage.entityWrites;
      this.transactions += storage.transactions;
    });
  }
}
