import { z } from 'zod';

/**
 * ISO-8601 UTC timestamp with millisecond precision, as produced by `Date.prototype.toISOString`
 * (`2026-11-29T01:40:55.000Z`). Every normalizer writes times in this one form.
 */
export const IsoUtcTimeSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    'an ISO-8601 UTC time such as 2026-11-29T01:40:55.000Z',
  );

/** A TCP/UDP port number: an integer from 0 to 65535. */
export const PortNumberSchema = z.number().int().min(0).max(65535);

/** ASIM `NetworkDirection` values (schema 0.2.x) plus `Listen`, which the Defender parser emits. */
export const NetworkDirectionSchema = z.enum([
  'Inbound',
  'Outbound',
  'Local',
  'External',
  'Listen',
  'Unknown',
  'NA',
]);

/** ASIM `DvcAction` values of the NetworkSession schema. */
export const DvcActionSchema = z.enum([
  'Allow',
  'Deny',
  'Drop',
  'Drop ICMP',
  'Reset',
  'Reset Source',
  'Reset Destination',
  'Encrypt',
  'Decrypt',
  'VPNroute',
]);

/** ASIM `EventResult` values. */
export const EventResultSchema = z.enum(['Success', 'Failure', 'Partial', 'NA']);

/**
 * The subset of the ASIM NetworkSession schema (0.2.x) every source normalizes to.
 *
 * Field names are ASIM's own so that output can be compared with Sentinel's. Optional fields are
 * absent (never `null`) when the source does not carry them. `SrcIpAddr` and `DstIpAddr` are kept
 * as the source wrote them (trimmed); the detection filter canonicalizes addresses (decision D1).
 *
 * Time (decision D3): `EventStartTime` is the flow or connection start when the source has one;
 * `TimeGenerated` is the device's event time, else the record's own TimeGenerated, else the Event
 * Hub enqueued time. The detector bins on `EventStartTime ?? TimeGenerated`.
 */
export const NetworkSessionSchema = z
  .object({
    TimeGenerated: IsoUtcTimeSchema,
    EventStartTime: IsoUtcTimeSchema.optional(),
    EventEndTime: IsoUtcTimeSchema.optional(),
    EventCount: z.number().int().min(1),
    EventVendor: z.string().min(1),
    EventProduct: z.string().min(1),
    EventSchema: z.literal('NetworkSession'),
    EventSchemaVersion: z.string().min(1),
    EventType: z.string().optional(),
    EventResult: EventResultSchema.optional(),
    EventOriginalType: z.string().optional(),
    EventOriginalUid: z.string().optional(),
    SrcIpAddr: z.string().optional(),
    SrcPortNumber: PortNumberSchema.optional(),
    DstIpAddr: z.string().optional(),
    DstPortNumber: PortNumberSchema.optional(),
    NetworkProtocol: z.string().optional(),
    NetworkDirection: NetworkDirectionSchema.optional(),
    NetworkRuleName: z.string().optional(),
    DvcAction: DvcActionSchema.optional(),
    Dvc: z.string().optional(),
    DvcHostname: z.string().optional(),
    DvcIpAddr: z.string().optional(),
    DvcId: z.string().optional(),
    DvcOs: z.string().optional(),
  })
  .strict();

export type NetworkSession = z.infer<typeof NetworkSessionSchema>;
export type NetworkDirection = z.infer<typeof NetworkDirectionSchema>;
export type DvcAction = z.infer<typeof DvcActionSchema>;
export type EventResult = z.infer<typeof EventResultSchema>;

/** The order in which NetworkSession fields are written, so JSON output and golden files read alike. */
export const NETWORK_SESSION_FIELD_ORDER = Object.keys(NetworkSessionSchema.shape) as ReadonlyArray<
  keyof NetworkSession
>;
