import { InMemoryPartitionBacklog } from '../../lib/eventhub/InMemoryPartitionBacklog.js';
import type { Alert } from '../../lib/schema/Alert.js';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import type { Azurite } from './azurite.js';
import type { FaultProxy } from './faultProxy.js';
import { azuriteSettings, envelope, FunctionsHarness, jsonLines } from './functionsHarness.js';

/** One event in a partition of the simulated hub. */
export interface HubEvent {
  readonly sequenceNumber: number;
  readonly enqueuedTimeMs: number;
  readonly body: string;
  /** The rows the body carries (what the oracle counts). */
  readonly rows: readonly NetworkSession[];
}

/**
 * The flow-log hub: partitions of numbered, timestamped events, and the tails the closing timer
 * reads (an `InMemoryPartitionBacklog` kept in step with every event enqueued).
 */
export class SimulatedHub {
  readonly backlog = new InMemoryPartitionBacklog();
  readonly partitions: ReadonlyMap<string, HubEvent[]>;

  constructor(partitionIds: readonly string[]) {
    this.partitions = new Map(partitionIds.map((id) => [id, []]));
    this.backlog.addPartitions(partitionIds);
  }

  /** Enqueues one event carrying `rows`, as JSON lines or in a diagnostic-settings envelope. */
  enqueue(
    partition: string,
    rows: readonly NetworkSession[],
    enqueuedTimeMs: number,
    asEnvelope: boolean,
  ): HubEvent {
    const events = this.partitions.get(partition);
    if (events === undefined) throw new Error(`no partition ${partition}`);
    const event = {
      sequenceNumber: events.length,
      enqueuedTimeMs,
      body: asEnvelope ? envelope(rows) : jsonLines(rows),
      rows,
    };
    events.push(event);
    this.backlog.enqueued(partition, event.sequenceNumber, enqueuedTimeMs);
    return event;
  }

  /** The number of events of a partition (the next sequence number). */
  length(partition: string): number {
    return this.partitions.get(partition)?.length ?? 0;
  }

  rowsOf(partition: string): NetworkSession[] {
    return (this.partitions.get(partition) ?? []).flatMap((e) => e.rows);
  }

  allRows(): NetworkSession[] {
    return [...this.partitions.keys()].flatMap((p) => this.rowsOf(p));
  }
}

/** What a simulated host did, for the round's report. */
export interface HostStats {
  invocations: number;
  failedInvocations: number;
  redeliveries: number;
  ownershipMoves: number;
  rewinds: number;
  closerRuns: number;
  failedCloserRuns: number;
}

/**
 * A Functions host simulated around the exported handlers: several instances (each a
 * `FunctionsHarness`, so each its own services and row cache) on the same tables, queue and hub,
 * one shared clock. Each partition has an owner instance and a checkpoint; `deliver` invokes the
 * owner's `ingest` with a batch read from the checkpoint (a new size each time, so redeliveries
 * get new batch boundaries) and moves the checkpoint only when the invocation succeeded, as the
 * Event Hubs extension does with `batchCheckpointFrequency: 1`. Ownership moves, crashes before
 * the checkpoint, and rewinds of the checkpoint into old batches are the test's to call.
 */
export class SimulatedHost {
  readonly hub: SimulatedHub;
  readonly instances: readonly FunctionsHarness[];
  readonly stats: HostStats = {
    invocations: 0,
    failedInvocations: 0,
    redeliveries: 0,
    ownershipMoves: 0,
    rewinds: 0,
    closerRuns: 0,
    failedCloserRuns: 0,
  };
  readonly #checkpoints = new Map<string, number>();
  readonly #owners = new Map<string, number>();
  /** Sequence numbers already delivered once per partition (to count redeliveries). */
  readonly #delivered = new Map<string, number>();
  #nowMs: number;

  constructor(
    az: Azurite,
    proxy: FaultProxy,
    options: {
      readonly partitions: readonly string[];
      readonly instances: number;
      readonly startMs: number;
      readonly settings?: Record<string, string>;
    },
  ) {
    this.hub = new SimulatedHub(options.partitions);
    this.#nowMs = options.startMs;
    const settings = azuriteSettings(az, options.settings ?? {}, proxy.port);
    const start = new Date(options.startMs).toISOString();
    this.instances = Array.from(
      { length: options.instances },
      () => new FunctionsHarness(settings, az.connectionString(), start, this.hub.backlog),
    );
    options.partitions.forEach((p, i) => {
      this.#checkpoints.set(p, 0);
      this.#owners.set(p, i % options.instances);
      this.#delivered.set(p, 0);
    });
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  set nowMs(ms: number) {
    this.#nowMs = ms;
    for (const h of this.instances) h.nowMs = ms;
  }

  get partitions(): string[] {
    return [...this.hub.partitions.keys()];
  }

  checkpoint(partition: string): number {
    return this.#checkpoints.get(partition) ?? 0;
  }

  /** Events enqueued and not yet checkpointed. */
  pending(partition: string): number {
    return this.hub.length(partition) - this.checkpoint(partition);
  }

  owner(partition: string): number {
    return this.#owners.get(partition) ?? 0;
  }

  /** The partition's lease moves to another instance (which reads from the checkpoint). */
  moveOwner(partition: string, instance: number): void {
    if (this.owner(partition) !== instance) this.stats.ownershipMoves++;
    this.#owners.set(partition, instance);
  }

  /** The checkpoint goes back `events` events (a checkpoint store restored, a consumer rewound). */
  rewind(partition: string, events: number): void {
    this.#checkpoints.set(partition, Math.max(0, this.checkpoint(partition) - events));
    this.stats.rewinds++;
  }

  /**
   * Delivers up to `maxBatch` events of a partition from its checkpoint to its owner's `ingest`;
   * `checkpoint: false` is a host that dies after the invocation and before the checkpoint.
   * Returns false when the invocation failed (nothing moves; the host retries later).
   */
  async deliver(partition: string, maxBatch: number, checkpoint = true): Promise<boolean> {
    const from = this.checkpoint(partition);
    const events = (this.hub.partitions.get(partition) ?? []).slice(from, from + maxBatch);
    if (events.length === 0) return true;
    const delivered = this.#delivered.get(partition) ?? 0;
    if (from < delivered) this.stats.redeliveries++;
    this.stats.invocations++;
    try {
      await (this.instances[this.owner(partition)] as FunctionsHarness).invoke(partition, events);
    } catch {
      this.stats.failedInvocations++;
      return false;
    }
    const last = (events[events.length - 1] as HubEvent).sequenceNumber;
    this.#delivered.set(partition, Math.max(delivered, last + 1));
    if (checkpoint) this.#checkpoints.set(partition, last + 1);
    return true;
  }

  /** Runs the closing timer on an instance; false when the run failed (the next run carries on). */
  async closeBins(instance = 0): Promise<boolean> {
    this.stats.closerRuns++;
    try {
      await (this.instances[instance] as FunctionsHarness).closeBins();
      return true;
    } catch {
      this.stats.failedCloserRuns++;
      return false;
    }
  }

  /** Every alert message on the queue so far (taken off the queue). */
  queuedAlerts(): Promise<Alert[]> {
    return (this.instances[0] as FunctionsHarness).queuedAlerts();
  }
}
