import { EventHubUnavailableError } from '../errors.js';
import type { PartitionBacklog, PartitionTail } from './PartitionBacklog.js';

/**
 * The in-memory twin of `EventHubPartitionBacklog`: a hub whose partitions' tails a test sets as
 * it enqueues events, and which can be made unreachable.
 */
export class InMemoryPartitionBacklog implements PartitionBacklog {
  readonly #tails = new Map<string, PartitionTail>();
  /** When set, `readTails` fails as an unreachable hub does. */
  isUnavailable = false;
  /** Calls of `readTails`, for operation counts. */
  reads = 0;

  /** Declares partitions that exist but hold no event yet. */
  addPartitions(partitions: readonly string[]): void {
    for (const partition of partitions) {
      if (!this.#tails.has(partition)) {
        this.#tails.set(partition, {
          partition,
          isEmpty: true,
          beginningSequenceNumber: 0,
          lastEnqueuedSequenceNumber: -1,
          lastEnqueuedTimeMs: 0,
        });
      }
    }
  }

  /** Records that the partition's events up to `sequenceNumber`, the last enqueued at `enqueuedTimeMs`, exist. */
  enqueued(partition: string, sequenceNumber: number, enqueuedTimeMs: number): void {
    const current = this.#tails.get(partition);
    if (current !== undefined && !current.isEmpty && current.lastEnqueuedSequenceNumber >= sequenceNumber)
      return;
    this.#tails.set(partition, {
      partition,
      isEmpty: false,
      beginningSequenceNumber: current?.isEmpty === false ? current.beginningSequenceNumber : 0,
      lastEnqueuedSequenceNumber: sequenceNumber,
      lastEnqueuedTimeMs: enqueuedTimeMs,
    });
  }

  /** Events before `sequenceNumber` have expired from the hub's retention. */
  expireBefore(partition: string, sequenceNumber: number): void {
    const current = this.#tails.get(partition);
    if (current !== undefined)
      this.#tails.set(partition, { ...current, beginningSequenceNumber: sequenceNumber });
  }

  async readTails(): Promise<PartitionTail[]> {
    this.reads++;
    if (this.isUnavailable)
      throw new EventHubUnavailableError('Event Hubs unavailable (in-memory hub set unavailable)');
    return [...this.#tails.values()].sort((a, b) =>
      a.partition.localeCompare(b.partition, 'en', { numeric: true }),
    );
  }
}
