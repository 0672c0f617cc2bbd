/**
 * The Event Hubs trigger metadata of a batch (`cardinality: 'many'`) as the Functions host and the
 * Node worker really deliver it, read field by field so that one unexpected field never discards
 * the others.
 *
 * What arrives (the Event Hubs extension's binding contract, converted by `@azure/functions`'
 * `fromRpcTriggerMetadata`, which camel-cases every key and JSON-parses every string):
 * - `triggerPartitionContext` / `partitionContext`: `{ fullyQualifiedNamespace, eventHubName,
 *   consumerGroup, partitionId, … }`; `partitionId` is a string such as `"0"`.
 * - `sequenceNumberArray`: the 64-bit sequence numbers (`long[]`). Depending on the worker they are
 *   numbers, or Long-like objects `{ low, high, unsigned }` (protobuf `sint64` values after the
 *   camel-casing copy; Node worker 3.16.0 on Functions host 4.1053, Azure/azure-functions-nodejs-worker#844).
 *   Numeric strings and bigints are accepted too.
 * - `enqueuedTimeUtcArray`: .NET `DateTime` values, serialized as ISO strings with or without a
 *   zone (no zone means UTC), or already `Date`s or epoch milliseconds.
 * - anything else (`offsetArray`, `partitionKeyArray`, `propertiesArray`, …): ignored.
 */
export interface BatchMetadata {
  /** The Event Hub partition id, or undefined when the metadata carries none. */
  readonly partition: string | undefined;
  /** Per message its sequence number, or undefined where the metadata carries no usable one. */
  readonly sequenceNumbers: readonly (number | undefined)[];
  /** Per message its enqueued time in ms since the epoch, when known. */
  readonly enqueuedTimesMs: readonly (number | undefined)[];
  /** What was missing or unreadable, in plain words (empty when the metadata is complete). */
  readonly problems: readonly string[];
}

/** Reads the batch metadata of `count` messages. Never throws; what it cannot read is listed in `problems`. */
export function readBatchMetadata(triggerMetadata: unknown, count: number): BatchMetadata {
  const meta = isRecord(triggerMetadata) ? triggerMetadata : {};
  const problems: string[] = [];

  const partition =
    toPartitionId(field(meta.triggerPartitionContext, 'partitionId')) ??
    toPartitionId(field(meta.partitionContext, 'partitionId'));
  if (partition === undefined) problems.push('no partition id (triggerPartitionContext / partitionContext)');

  const sequenceArray = Array.isArray(meta.sequenceNumberArray) ? meta.sequenceNumberArray : undefined;
  if (sequenceArray === undefined) problems.push('no sequenceNumberArray');
  else if (sequenceArray.length !== count)
    problems.push(`sequenceNumberArray holds ${sequenceArray.length} values for ${count} messages`);
  const sequenceNumbers = Array.from({ length: count }, (_, i) => toSequenceNumber(sequenceArray?.[i]));
  const unreadable = sequenceArray === undefined ? 0 : sequenceNumbers.filter((n) => n === undefined).length;
  if (unreadable > 0 && sequenceArray?.length === count)
    problems.push(
      `${unreadable} sequence numbers unreadable (first: ${describe(firstUnreadable(sequenceArray))})`,
    );

  const timesArray = Array.isArray(meta.enqueuedTimeUtcArray) ? meta.enqueuedTimeUtcArray : [];
  const enqueuedTimesMs = Array.from({ length: count }, (_, i) => toUtcMs(timesArray[i]));

  return { partition, sequenceNumbers, enqueuedTimesMs, problems };
}

/**
 * A sequence number as a JavaScript number: a non-negative safe integer from a number, a decimal
 * string, a bigint or a Long-like `{ low, high, unsigned }`. Event Hubs sequence numbers are 64-bit
 * but grow by one per event in a partition, so 2^53 is out of reach in practice; a larger value
 * would lose precision and is refused rather than rounded.
 */
export function toSequenceNumber(value: unknown): number | undefined {
  let n: number | bigint | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string' && /^\d{1,20}$/.test(value.trim())) n = BigInt(value.trim());
  else if (isRecord(value) && Number.isInteger(value.low) && Number.isInteger(value.high)) {
    // Long.js layout: two 32-bit halves; `low` is stored signed, so take its unsigned bits.
    const low = BigInt((value.low as number) >>> 0);
    const high = BigInt(value.high as number);
    n = value.unsigned === true ? (BigInt.asUintN(32, high) << 32n) | low : (high << 32n) | low;
  }
  if (typeof n === 'bigint') {
    if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return Number(n);
  }
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** An enqueued time in ms: a `Date`, epoch milliseconds, or an ISO string whose missing zone means UTC. */
export function toUtcMs(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const text = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

function toPartitionId(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Under which partition key a batch's rows count and its progress is recorded. */
export interface BatchAttribution {
  /** The partition key the window rows carry (their high-water marks are per key). */
  readonly countsAs: string;
  /** Per message the sequence number the high-water marks compare. */
  readonly sequenceNumbers: readonly number[];
  /** The partition whose progress the batch moves (`unknown` when the metadata names none). */
  readonly progressPartition: string;
  /** False when the metadata was incomplete and the batch counts under its own key. */
  readonly isComplete: boolean;
}

/** Partition key of progress recorded for batches whose metadata names no partition. */
export const UNKNOWN_PARTITION = 'unknown';

/**
 * Decides how a batch is counted. With a partition id and a sequence number for every message, it
 * counts under its partition and redelivered messages are recognized by their sequence numbers.
 *
 * Otherwise the batch must not be compared with the partition's high-water marks: made-up sequence
 * numbers (array indexes, say) would sit below the stored marks and every event after the first
 * batch would be dropped. So it counts under a key of its own, `<partition>~<invocationId>`, whose
 * marks start empty: nothing is dropped, ports are exact (sets), and a redelivered batch can only
 * count its events twice (an overcount of EventCount, never an undercount). Its progress still
 * moves its partition's (or `unknown`'s) event time forward, so bins keep closing; rows of slower
 * partitions that arrive after a close are counted as late windows. The caller logs the problems
 * as an error with the invocation id.
 */
export function attributeBatch(meta: BatchMetadata, invocationId: string): BatchAttribution {
  const partition = meta.partition ?? UNKNOWN_PARTITION;
  if (meta.partition !== undefined && meta.problems.length === 0) {
    return {
      countsAs: partition,
      sequenceNumbers: meta.sequenceNumbers.filter((n): n is number => n !== undefined),
      progressPartition: partition,
      isComplete: true,
    };
  }
  return {
    countsAs: `${partition}~${invocationId}`,
    sequenceNumbers: meta.sequenceNumbers.map((_, i) => i),
    progressPartition: partition,
    isComplete: false,
  };
}

function firstUnreadable(values: readonly unknown[]): unknown {
  return values.find((v) => toSequenceNumber(v) === undefined);
}

/** A short description of a value for a log line (its type, and the value when it is short). */
function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  let text: string | undefined;
  try {
    text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return typeof value;
  return text.length > 60 ? `${typeof value} ${text.slice(0, 60)}…` : text;
}
