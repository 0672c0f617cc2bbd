import { PortSet } from './PortSet.js';

/** Most reporters (`EventVendor/EventProduct`) a state keeps: the smallest ones, enough for any ReportedBy limit. */
export const MAX_REPORTERS_KEPT = 64;
/** Longest reporter string kept; longer ones (hostile input) are cut, so a state stays small. */
export const MAX_REPORTER_CHARS = 128;

/** Events one Event Hub partition (or one CLI input) contributed: its highest message sequence number applied and the event count up to it. */
export interface PartitionCount {
  readonly highWater: number;
  readonly count: number;
}

/**
 * The window state of one (source, bin): the exact distinct destination ports, the smallest
 * reporters, first and last event time, and the event count per partition.
 *
 * `mergeStates` is associative, commutative and idempotent: ports and reporters are set unions
 * (reporters keep the 64 smallest, which is exact for any limit up to 64), times are min and max,
 * and each partition's count is the one with the higher high-water mark. Because a partition's
 * messages are applied in sequence order, the entry with the higher high-water mark already
 * includes the other's events, so redelivered messages are never counted twice.
 */
export interface WindowState {
  readonly ports: PortSet;
  readonly reporters: readonly string[];
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly counts: ReadonlyMap<string, PartitionCount>;
}

export function emptyState(): WindowState {
  return {
    ports: new PortSet(),
    reporters: [],
    firstSeenMs: Number.POSITIVE_INFINITY,
    lastSeenMs: Number.NEGATIVE_INFINITY,
    counts: new Map(),
  };
}

/** Total event count over partitions. */
export function eventCountOf(state: WindowState): number {
  let total = 0;
  for (const c of state.counts.values()) total += c.count;
  return total;
}

/** The lattice join of two states (see `WindowState`). Neither input is modified. */
export function mergeStates(a: WindowState, b: WindowState): WindowState {
  const ports = a.ports.clone();
  ports.addAll(b.ports);
  const counts = new Map(a.counts);
  for (const [partition, theirs] of b.counts) {
    const ours = counts.get(partition);
    if (ours === undefined || dominates(theirs, ours)) counts.set(partition, theirs);
  }
  return {
    ports,
    reporters: mergeReporters(a.reporters, b.reporters),
    firstSeenMs: Math.min(a.firstSeenMs, b.firstSeenMs),
    lastSeenMs: Math.max(a.lastSeenMs, b.lastSeenMs),
    counts,
  };
}

function dominates(x: PartitionCount, y: PartitionCount): boolean {
  return x.highWater > y.highWater || (x.highWater === y.highWater && x.count > y.count);
}

/** Sorted union of two sorted reporter lists, keeping the `MAX_REPORTERS_KEPT` smallest. */
export function mergeReporters(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (out.length < MAX_REPORTERS_KEPT && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) {
      out.push(x as string);
      i++;
    } else if (x === undefined || y < x) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
      j++;
    }
  }
  return out;
}

/** `EventVendor/EventProduct`, as the rule's `strcat(EventVendor, "/", EventProduct)`, cut to a bounded length. */
export function reporterOf(vendor: string, product: string): string {
  // A stream repeats one or a few reporters: the last one is kept, so rows share one flat string
  // (cheap to hash in the window's set) instead of concatenating a new one each.
  if (vendor === lastVendor && product === lastProduct) return lastReporter;
  const r = `${vendor}/${product}`;
  lastReporter = r.length > MAX_REPORTER_CHARS ? r.slice(0, MAX_REPORTER_CHARS) : r;
  lastVendor = vendor;
  lastProduct = product;
  return lastReporter;
}

let lastVendor: string | undefined;
let lastProduct: string | undefined;
let lastReporter = '';

/**
 * Collects the rows of one (source, bin) from one partition while a batch (or the CLI's stream)
 * is read, then becomes a delta to apply to a stored state. Rows arrive in message order; rows of
 * one message share its sequence number.
 */
export class WindowAccumulator {
  readonly ports = new PortSet();
  /** The one reporter while there is only one (the common case), then a set of them. */
  #reporter: string | undefined;
  #reporters: Set<string> | undefined;
  firstSeenMs = Number.POSITIVE_INFINITY;
  lastSeenMs = Number.NEGATIVE_INFINITY;
  eventCount = 0;
  /** Flat pairs [sequenceNumber, count, …] in ascending sequence order, when the caller tracks messages. */
  readonly #messageCounts: number[] | undefined;

  /** @param tracksMessages keep per-message counts so that redelivered messages can be recognized (Event Hub path) */
  constructor(tracksMessages: boolean) {
    this.#messageCounts = tracksMessages ? [] : undefined;
  }

  /** Adds one row: its port (if any), reporter, event time and event count, from message `sequenceNumber`. */
  add(
    port: number | undefined,
    reporter: string,
    timeMs: number,
    eventCount: number,
    sequenceNumber: number,
  ): void {
    if (port !== undefined) this.ports.add(port);
    if (this.#reporters !== undefined) this.#reporters.add(reporter);
    else if (this.#reporter === undefined) this.#reporter = reporter;
    else if (this.#reporter !== reporter) this.#reporters = new Set([this.#reporter, reporter]);
    if (timeMs < this.firstSeenMs) this.firstSeenMs = timeMs;
    if (timeMs > this.lastSeenMs) this.lastSeenMs = timeMs;
    this.eventCount += eventCount;
    const mc = this.#messageCounts;
    if (mc !== undefined) {
      const n = mc.length;
      if (n > 0 && mc[n - 2] === sequenceNumber) mc[n - 1] = (mc[n - 1] as number) + eventCount;
      else mc.push(sequenceNumber, eventCount);
    }
  }

  /** Distinct reporters so far, sorted, at most `MAX_REPORTERS_KEPT`. */
  reporters(): string[] {
    if (this.#reporters === undefined) return this.#reporter === undefined ? [] : [this.#reporter];
    return [...this.#reporters].sort().slice(0, MAX_REPORTERS_KEPT);
  }

  /** The accumulated rows as a state of partition `partition` whose high-water mark is `highWater`. */
  toState(partition: string, highWater: number): WindowState {
    return {
      ports: this.ports.clone(),
      reporters: this.reporters(),
      firstSeenMs: this.firstSeenMs,
      lastSeenMs: this.lastSeenMs,
      counts: new Map([[partition, { highWater, count: this.eventCount }]]),
    };
  }

  /**
   * Applies this batch's rows to the stored state of the same (source, bin, partition): ports,
   * reporters and times merge as sets; the count adds only the messages above the stored
   * high-water mark, so replaying a batch, or part of one, never changes it.
   */
  applyTo(stored: WindowState, partition: string): WindowState {
    const mc = this.#messageCounts;
    if (mc === undefined) throw new TypeError('applyTo needs an accumulator that tracks messages');
    const previous = stored.counts.get(partition) ?? { highWater: Number.NEGATIVE_INFINITY, count: 0 };
    let added = 0;
    let highWater = previous.highWater;
    for (let i = 0; i < mc.length; i += 2) {
      const seq = mc[i] as number;
      if (seq > previous.highWater) added += mc[i + 1] as number;
      if (seq > highWater) highWater = seq;
    }
    const ports = stored.ports.clone();
    ports.addAll(this.ports);
    const counts = new Map(stored.counts);
    counts.set(partition, { highWater, count: previous.count + added });
    return {
      ports,
      reporters: mergeReporters(stored.reporters, this.reporters()),
      firstSeenMs: Math.min(stored.firstSeenMs, this.firstSeenMs),
      lastSeenMs: Math.max(stored.lastSeenMs, this.lastSeenMs),
      counts,
    };
  }
}
