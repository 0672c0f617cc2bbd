/**
 * What the hub itself knows of one Event Hub partition: the last event enqueued in it. Compared
 * with the progress ingest recorded for the partition, it tells a partition that is behind
 * (unread events, or failing invocations) from one that is idle (everything read).
 */
export interface PartitionTail {
  readonly partition: string;
  /** True when the partition holds no event (never written to, or everything expired). */
  readonly isEmpty: boolean;
  /** Sequence number of the oldest event still retained. */
  readonly beginningSequenceNumber: number;
  /** Sequence number of the last event enqueued (-1 when the partition is empty). */
  readonly lastEnqueuedSequenceNumber: number;
  /** Enqueued time of the last event, in ms since the epoch. */
  readonly lastEnqueuedTimeMs: number;
}

/**
 * Reads the tail of every partition of the flow-log hub. The Event Hubs SDK adapter
 * (`EventHubPartitionBacklog`) asks the service; the in-memory twin serves tests.
 */
export interface PartitionBacklog {
  /**
   * The tail of every partition of the hub.
   * @throws {EventHubUnavailableError} when the hub cannot be asked (network, authorization, throttling)
   */
  readTails(): Promise<PartitionTail[]>;
}
