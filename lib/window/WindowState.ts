import type { DeviceTally } from './DeviceTally.js';
import { addToTally, EMPTY_TALLY } from './DeviceTally.js';
import { PortSet } from './PortSet.js';
import type { TargetSample } from './TargetSample.js';
import {
  EMPTY_TARGETS,
  MAX_TARGET_PORTS_KEPT,
  mergeTargetSamples,
  singleTargetSample,
  TargetCollector,
} from './TargetSample.js';

/** Most reporters (`EventVendor/EventProduct`) a state keeps: the smallest ones, enough for any ReportedBy limit. */
export const MAX_REPORTERS_KEPT = 64;
/** Longest reporter string kept; longer ones (hostile input) are cut, so a state stays small. */
export const MAX_REPORTER_CHARS = 128;

/**
 * Events one Event Hub partition (or one CLI input) contributed: its highest message sequence
 * number applied, the event count up to it, and which devices reported those events.
 */
export interface PartitionCount {
  readonly highWater: number;
  readonly count: number;
  readonly devices: DeviceTally;
}

/**
 * The window state of one (source, bin): the exact distinct destination ports, the smallest
 * reporters, first and last event time, and the event count per partition; and the evidence
 * beyond the rule: the exact ports reached (rows whose `DvcAction` is Allow or whose
 * `EventResult` is Success), a bounded sample of the targets with their ports (`TargetSample`),
 * and per partition the reporting devices with their event counts (`DeviceTally`).
 *
 * `mergeStates` is associative, commutative and idempotent: ports, reached ports and reporters
 * are set unions (reporters keep the 64 smallest, which is exact for any limit up to 64), the
 * target samples join as "the k smallest of a union", times are min and max, and each
 * partition's entry (count and device tally) is the one with the higher high-water mark. Because
 * a partition's messages are applied in sequence order, the entry with the higher high-water
 * mark already includes the other's events, so redelivered messages are never counted twice.
 */
export interface WindowState {
  readonly ports: PortSet;
  readonly reporters: readonly string[];
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly counts: ReadonlyMap<string, PartitionCount>;
  readonly reached: PortSet;
  readonly targets: TargetSample;
}

export function emptyState(): WindowState {
  return {
    ports: new PortSet(),
    reporters: [],
    firstSeenMs: Number.POSITIVE_INFINITY,
    lastSeenMs: Number.NEGATIVE_INFINITY,
    counts: new Map(),
    reached: new PortSet(),
    targets: EMPTY_TARGETS,
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
  const reached = a.reached.clone();
  reached.addAll(b.reached);
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
    reached,
    targets: mergeTargetSamples(a.targets, b.targets),
  };
}

/**
 * The total order that picks a partition's entry: higher high-water mark, then higher count, then
 * the tally (a tie only between two readings of the same prefix, which agree; the order makes the
 * choice independent of the merge order all the same).
 */
function dominates(x: PartitionCount, y: PartitionCount): boolean {
  if (x.highWater !== y.highWater) return x.highWater > y.highWater;
  if (x.count !== y.count) return x.count > y.count;
  return compareTallies(x.devices, y.devices) > 0;
}

function compareTallies(x: DeviceTally, y: DeviceTally): number {
  if (x.otherEvents !== y.otherEvents) return x.otherEvents - y.otherEvents;
  const n = Math.max(x.devices.length, y.devices.length);
  for (let i = 0; i < n; i++) {
    const p = x.devices[i];
    const q = y.devices[i];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p.name !== q.name) return p.name < q.name ? -1 : 1;
    if (p.events !== q.events) return p.events - q.events;
  }
  return 0;
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

/** What one counted row brings to its window. */
export interface WindowRow {
  /** DstPortNumber, when the row has one. */
  readonly port: number | undefined;
  /** `reporterOf(EventVendor, EventProduct)`. */
  readonly reporter: string;
  readonly timeMs: number;
  readonly eventCount: number;
  /** DstIpAddr as the source wrote it, when it has one. */
  readonly target: string | undefined;
  /** The row's `DvcAction` is Allow or its `EventResult` is Success: the port was reached. */
  readonly reached: boolean;
  /** `deviceOf(Dvc, DvcHostname, DvcIpAddr, DvcId)`: '' when the row names no device. */
  readonly device: string;
}

/**
 * A window of the CLI's engine in the form almost every window keeps (see `WindowAccumulator`):
 * one reporter, one device, at most one target, every port reached or none, no message
 * tracking. `OpenWindows` holds windows in this form in columns; `WindowAccumulator.fromCheap`
 * turns one into an accumulator when a row breaks the form.
 */
export interface CheapWindow {
  /** The distinct ports in the order they first came. */
  readonly ports: readonly number[];
  /** Undefined before the first row, like the device. */
  readonly reporter: string | undefined;
  readonly device: string | undefined;
  /** The target text while every row with a port had it; undefined before the first. */
  readonly target: string | undefined;
  /** The ports reached: none yet decided (no row had a port), every port, or none. */
  readonly reached: 'no port yet' | 'every port' | 'no port';
  readonly hasPortsWithoutTarget: boolean;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly eventCount: number;
}

/** How the ports reached relate to the ports while the accumulator is cheap (bits 0–1 of its flags). */
const REACHED_NO_PORT_YET = 0;
const REACHED_EVERY_PORT = 1;
const REACHED_NO_PORT = 2;
const REACHED_IN_SET = 3;
const REACHED_MODE = 3;
/** Flag: some row had a port and no destination address. */
const PORTS_WITHOUT_TARGET = 4;

/**
 * What an accumulator holds beyond the common case (one reporter, one target, one device, one
 * outcome; no message tracking), allocated only when needed so that a benign window of the CLI
 * stays small.
 */
interface AccumulatorExtra {
  /** The reporters, once there is more than one. */
  reporters?: Set<string>;
  /** Flat pairs [sequenceNumber, count, …] in ascending sequence order, when the caller tracks messages. */
  messageCounts?: number[];
  /** The ports reached, once some rows reached their port and others did not. */
  reached?: PortSet;
  /** The targets, once there is more than one (or a port without a target beside one). */
  targets?: TargetCollector;
  /** Without message tracking (CLI): the events of each device other than the first. */
  deviceEvents?: Map<string, number>;
  /** With message tracking: a slot per device other than the first... */
  deviceSlots?: Map<string, number>;
  /** ...and flat triples [sequenceNumber, slot, events] in message order. */
  deviceRows?: number[];
}

/**
 * Collects the rows of one (source, bin) from one partition while a batch (or the CLI's stream)
 * is read, then becomes a delta to apply to a stored state. Rows arrive in message order; rows of
 * one message share its sequence number.
 *
 * The evidence costs a benign window (one target, one device, every row allowed or every row
 * denied: nearly all of them) four fields and no allocation: while every row with a port had
 * the first row's target, that target's ports are the window's; while every port was reached (or
 * none), the ports reached are the window's (or none); while one device reported, its events are
 * the window's. Only a window that breaks one of these allocates what it needs.
 */
export class WindowAccumulator {
  readonly ports = new PortSet();
  /** The one reporter while there is only one (the common case), then a set of them in `#extra`. */
  #reporter: string | undefined;
  firstSeenMs = Number.POSITIVE_INFINITY;
  lastSeenMs = Number.NEGATIVE_INFINITY;
  eventCount = 0;
  /** The first row's device ('' when it named none); other devices' rows are counted in `#extra`. */
  #device: string | undefined;
  /** The first target while every row with a port had it (then its ports are the window's). */
  #target: string | undefined;
  #flags = 0;
  #extra: AccumulatorExtra | undefined;

  /** @param tracksMessages keep per-message counts so that redelivered messages can be recognized (Event Hub path) */
  constructor(tracksMessages: boolean) {
    if (tracksMessages) this.#extra = { messageCounts: [] };
  }

  /**
   * The accumulator, without message tracking, that holds what `cheap` describes: the one an
   * accumulator that was given the same rows holds, field for field, so that the rows after it
   * give the same state as if the window had always been an accumulator.
   */
  static fromCheap(cheap: CheapWindow): WindowAccumulator {
    const a = new WindowAccumulator(false);
    for (const p of cheap.ports) a.ports.add(p);
    a.#reporter = cheap.reporter;
    a.firstSeenMs = cheap.firstSeenMs;
    a.lastSeenMs = cheap.lastSeenMs;
    a.eventCount = cheap.eventCount;
    a.#device = cheap.device;
    a.#target = cheap.target;
    a.#flags =
      (cheap.reached === 'every port'
        ? REACHED_EVERY_PORT
        : cheap.reached === 'no port'
          ? REACHED_NO_PORT
          : 0) | (cheap.hasPortsWithoutTarget ? PORTS_WITHOUT_TARGET : 0);
    return a;
  }

  /** Adds one row from message `sequenceNumber`. */
  add(row: WindowRow, sequenceNumber: number): void {
    const port = row.port;
    // The evidence reads the ports before this row's port is added.
    if (port !== undefined) this.#addReached(port, row.reached);
    this.#addTarget(row.target, port);
    if (port !== undefined) this.ports.add(port);
    const reporter = row.reporter;
    if (reporter !== this.#reporter) {
      if (this.#reporter === undefined) this.#reporter = reporter;
      else {
        const extra = this.#extraOf();
        if (extra.reporters === undefined) extra.reporters = new Set([this.#reporter]);
        extra.reporters.add(reporter);
      }
    }
    const timeMs = row.timeMs;
    if (timeMs < this.firstSeenMs) this.firstSeenMs = timeMs;
    if (timeMs > this.lastSeenMs) this.lastSeenMs = timeMs;
    const eventCount = row.eventCount;
    this.eventCount += eventCount;
    const mc = this.#extra?.messageCounts;
    if (mc !== undefined) {
      const n = mc.length;
      if (n > 0 && mc[n - 2] === sequenceNumber) mc[n - 1] = (mc[n - 1] as number) + eventCount;
      else mc.push(sequenceNumber, eventCount);
    }
    if (this.#device === undefined) this.#device = row.device;
    else if (row.device !== this.#device) this.#addOtherDevice(row.device, eventCount, sequenceNumber);
  }

  #extraOf(): AccumulatorExtra {
    if (this.#extra === undefined) this.#extra = {};
    return this.#extra;
  }

  #addReached(port: number, reached: boolean): void {
    const mode = this.#flags & REACHED_MODE;
    if (mode === REACHED_IN_SET) {
      if (reached) this.#extra?.reached?.add(port);
    } else if (mode === REACHED_NO_PORT_YET) {
      this.#flags |= reached ? REACHED_EVERY_PORT : REACHED_NO_PORT;
    } else if (mode === REACHED_EVERY_PORT ? !reached : reached) {
      // The first row of the other outcome: the set so far is every port, or none.
      this.#extraOf().reached = reached ? PortSet.from([port]) : this.ports.clone();
      this.#flags = (this.#flags & ~REACHED_MODE) | REACHED_IN_SET;
    }
  }

  #addTarget(text: string | undefined, port: number | undefined): void {
    const collector = this.#extra?.targets;
    if (collector !== undefined) {
      if ((text === undefined || !collector.add(text, port)) && port !== undefined)
        this.#flags |= PORTS_WITHOUT_TARGET;
      return;
    }
    if (text === undefined) {
      if (port === undefined) return;
      if (this.#target === undefined) {
        this.#flags |= PORTS_WITHOUT_TARGET;
        return;
      }
    } else if (text === this.#target) {
      return;
    } else if (this.#target === undefined && this.ports.size === 0) {
      this.#target = text.length < 13 ? text : `${text} `.slice(0, -1);
      return;
    }
    // A second target, or a port without a target beside one: collect per target from here on.
    const targets = new TargetCollector();
    if (
      this.#target !== undefined &&
      !targets.addPorts(this.#target, this.ports.smallest(MAX_TARGET_PORTS_KEPT)) &&
      this.ports.size > 0
    )
      this.#flags |= PORTS_WITHOUT_TARGET;
    this.#target = undefined;
    this.#extraOf().targets = targets;
    if ((text === undefined || !targets.add(text, port)) && port !== undefined)
      this.#flags |= PORTS_WITHOUT_TARGET;
  }

  #addOtherDevice(device: string, events: number, sequenceNumber: number): void {
    const extra = this.#extraOf();
    if (extra.messageCounts === undefined) {
      if (extra.deviceEvents === undefined) extra.deviceEvents = new Map();
      extra.deviceEvents.set(device, (extra.deviceEvents.get(device) ?? 0) + events);
      return;
    }
    if (extra.deviceSlots === undefined) extra.deviceSlots = new Map();
    let slot = extra.deviceSlots.get(device);
    if (slot === undefined) {
      slot = extra.deviceSlots.size;
      extra.deviceSlots.set(device, slot);
    }
    if (extra.deviceRows === undefined) extra.deviceRows = [];
    const rows = extra.deviceRows;
    const n = rows.length;
    if (n > 0 && rows[n - 3] === sequenceNumber && rows[n - 2] === slot)
      rows[n - 1] = (rows[n - 1] as number) + events;
    else rows.push(sequenceNumber, slot, events);
  }

  /** Distinct reporters so far, sorted, at most `MAX_REPORTERS_KEPT`. */
  reporters(): string[] {
    const reporters = this.#extra?.reporters;
    if (reporters === undefined) return this.#reporter === undefined ? [] : [this.#reporter];
    return [...reporters].sort().slice(0, MAX_REPORTERS_KEPT);
  }

  /** The ports reached so far (a new set). */
  reached(): PortSet {
    const mode = this.#flags & REACHED_MODE;
    if (mode === REACHED_EVERY_PORT) return this.ports.clone();
    const set = this.#extra?.reached;
    return mode === REACHED_IN_SET && set !== undefined ? set.clone() : new PortSet();
  }

  /** The targets so far. */
  targets(): TargetSample {
    const hasPortsWithoutTarget = (this.#flags & PORTS_WITHOUT_TARGET) !== 0;
    const collector = this.#extra?.targets;
    if (collector !== undefined) return collector.toSample(hasPortsWithoutTarget);
    return singleTargetSample(
      this.#target,
      this.ports.smallest(MAX_TARGET_PORTS_KEPT),
      hasPortsWithoutTarget,
    );
  }

  /**
   * Events per device of the messages above `aboveSequenceNumber`, whose events total
   * `totalEvents`: the first device has what the others do not.
   */
  #deviceEventsAbove(aboveSequenceNumber: number, totalEvents: number): Map<string, number> {
    const out = new Map<string, number>();
    const extra = this.#extra;
    let others = 0;
    if (extra?.deviceEvents !== undefined) {
      for (const [device, events] of extra.deviceEvents) {
        out.set(device, events);
        others += events;
      }
    }
    if (extra?.deviceSlots !== undefined && extra.deviceRows !== undefined) {
      const names = [...extra.deviceSlots.keys()];
      const rows = extra.deviceRows;
      for (let i = 0; i < rows.length; i += 3) {
        if ((rows[i] as number) <= aboveSequenceNumber) continue;
        const name = names[rows[i + 1] as number] as string;
        const events = rows[i + 2] as number;
        out.set(name, (out.get(name) ?? 0) + events);
        others += events;
      }
    }
    if (this.#device !== undefined)
      out.set(this.#device, (out.get(this.#device) ?? 0) + totalEvents - others);
    return out;
  }

  /** The accumulated rows as a state of partition `partition` whose high-water mark is `highWater`. */
  toState(partition: string, highWater: number): WindowState {
    return {
      ports: this.ports.clone(),
      reporters: this.reporters(),
      firstSeenMs: this.firstSeenMs,
      lastSeenMs: this.lastSeenMs,
      counts: new Map([
        [
          partition,
          {
            highWater,
            count: this.eventCount,
            devices: addToTally(
              EMPTY_TALLY,
              this.#deviceEventsAbove(Number.NEGATIVE_INFINITY, this.eventCount),
            ),
          },
        ],
      ]),
      reached: this.reached(),
      targets: this.targets(),
    };
  }

  /**
   * Applies this batch's rows to the stored state of the same (source, bin, partition): ports,
   * reporters, times, ports reached and targets merge as sets; the count and the devices' events
   * add only the messages above the stored high-water mark, so replaying a batch, or part of
   * one, never changes them.
   */
  applyTo(stored: WindowState, partition: string): WindowState {
    const mc = this.#extra?.messageCounts;
    if (mc === undefined) throw new TypeError('applyTo needs an accumulator that tracks messages');
    const previous = stored.counts.get(partition) ?? {
      highWater: Number.NEGATIVE_INFINITY,
      count: 0,
      devices: EMPTY_TALLY,
    };
    let added = 0;
    let highWater = previous.highWater;
    for (let i = 0; i < mc.length; i += 2) {
      const seq = mc[i] as number;
      if (seq > previous.highWater) added += mc[i + 1] as number;
      if (seq > highWater) highWater = seq;
    }
    const ports = stored.ports.clone();
    ports.addAll(this.ports);
    const reached = this.reached();
    reached.addAll(stored.reached);
    const counts = new Map(stored.counts);
    counts.set(partition, {
      highWater,
      count: previous.count + added,
      devices: addToTally(previous.devices, this.#deviceEventsAbove(previous.highWater, added)),
    });
    return {
      ports,
      reporters: mergeReporters(stored.reporters, this.reporters()),
      firstSeenMs: Math.min(stored.firstSeenMs, this.firstSeenMs),
      lastSeenMs: Math.max(stored.lastSeenMs, this.lastSeenMs),
      counts,
      reached,
      targets: mergeTargetSamples(stored.targets, this.targets()),
    };
  }
}
