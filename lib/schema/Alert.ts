import { z } from 'zod';
import { IsoUtcTimeSchema, PortNumberSchema } from './NetworkSession.js';

/** Version of the alert document; bumped on any incompatible change. */
export const ALERT_SCHEMA_VERSION = '1.0';

/**
 * One alert: a (source, bin) whose distinct destination port count is over the threshold.
 *
 * The rule's fields are rendered as Sentinel renders them (display name and description from the
 * rule's templates, severity, tactics, techniques, the IP entity from the entity mapping, custom
 * details as Sentinel's string arrays); the evidence is the window's state. `AlertId` is a UUID v5
 * derived from the rule id, the source and the bin start, so that every receiver can deduplicate.
 */
export const AlertSchema = z
  .object({
    SchemaVersion: z.literal(ALERT_SCHEMA_VERSION),
    AlertId: z.uuid(),
    AlertDisplayName: z.string(),
    AlertDescription: z.string(),
    Severity: z.enum(['Informational', 'Low', 'Medium', 'High']),
    Tactics: z.array(z.string()),
    Techniques: z.array(z.string()),
    Entities: z.array(z.object({ Type: z.literal('ip'), Address: z.string() }).strict()),
    CustomDetails: z.record(z.string(), z.array(z.string())),
    RuleId: z.uuid(),
    RuleName: z.string(),
    RuleVersion: z.string(),
    DetectionMode: z.enum(['default', 'sentinel-parity']),
    Threshold: z.number().int(),
    SrcIpAddr: z.string(),
    /** The bin start: the rule's `bin(TimeGenerated, 5m)`. */
    TimeGenerated: IsoUtcTimeSchema,
    BinStart: IsoUtcTimeSchema,
    BinEnd: IsoUtcTimeSchema,
    AttemptedPortsCount: z.number().int().min(0),
    /** The smallest ports, ascending, at most the rule's limit (100). */
    AttemptedPorts: z.array(PortNumberSchema),
    /**
     * Present and true only when a sink listed fewer ports than the alert had, to fit its size
     * bound (a queue message is at most 64 KiB); `AttemptedPortsCount` stays exact.
     */
    AttemptedPortsTruncated: z.boolean().optional(),
    /** Distinct `EventVendor/EventProduct`, sorted, at most the rule's limit (20). */
    ReportedBy: z.array(z.string()),
    FirstSeen: IsoUtcTimeSchema,
    LastSeen: IsoUtcTimeSchema,
    EventCount: z.number().int().min(0),
    /** True when the bin crossed the threshold only after it had been closed (late events). */
    IsLate: z.boolean(),
  })
  .strict();

export type Alert = z.infer<typeof AlertSchema>;
