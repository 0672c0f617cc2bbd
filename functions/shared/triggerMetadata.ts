import { z } from 'zod';

/**
 * The Event Hubs trigger metadata of a batch (`cardinality: 'many'`), validated once: the
 * partition, and per message its sequence number and enqueued time. The extension writes
 * `EnqueuedTimeUtc` as a .NET DateTime without a zone; it is UTC.
 */
const MetadataSchema = z.looseObject({
  partitionContext: z.looseObject({ partitionId: z.union([z.string(), z.number()]).optional() }).optional(),
  triggerPartitionContext: z
    .looseObject({ partitionId: z.union([z.string(), z.number()]).optional() })
    .optional(),
  sequenceNumberArray: z.array(z.union([z.number(), z.string()])).optional(),
  enqueuedTimeUtcArray: z.array(z.union([z.string(), z.number(), z.date()])).optional(),
});

export interface BatchMetadata {
  readonly partition: string;
  readonly sequenceNumbers: readonly number[];
  readonly enqueuedTimesMs: readonly (number | undefined)[];
}

/** Reads the batch metadata; missing values fall back so that the batch is still processed. */
export function readBatchMetadata(triggerMetadata: unknown, count: number): BatchMetadata {
  const parsed = MetadataSchema.safeParse(triggerMetadata ?? {});
  const meta = parsed.success ? parsed.data : {};
  const partitionId = meta.partitionContext?.partitionId ?? meta.triggerPartitionContext?.partitionId;
  const sequenceNumbers = Array.from({ length: count }, (_, i) => {
    const v = meta.sequenceNumberArray?.[i];
    const n = typeof v === 'string' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) ? n : i;
  });
  const enqueuedTimesMs = Array.from({ length: count }, (_, i) => toUtcMs(meta.enqueuedTimeUtcArray?.[i]));
  return {
    partition: partitionId === undefined ? 'unknown' : String(partitionId),
    sequenceNumbers,
    enqueuedTimesMs,
  };
}

function toUtcMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
