import { z } from 'zod';
import { AlertEvidenceSchema } from './AlertEvidence.js';
import { IsoUtcTimeSchema, PortNumberSchema } from './NetworkSession.js';

/**
 * Version of the alert document: the major part changes on an incompatible change, the minor part
 * when fields are added (1.1: `Revision`, `MayBeIncomplete`; 1.2: `Evidence`; 1.3: `Suppression`;
 * 1.4: `IsTest`; 1.5: `Conversation`).
 */
export const ALERT_SCHEMA_VERSION = '1.5';

/**
 * The running totals of a source's conversation in the chat sinks: the alerts of one source within
 * the grouping window (`PORTSCAN_CHAT_GROUP_HOURS`) after the one whose card opened it. Per-window
 * maxima and sums, exact: the union of ports across windows is not kept.
 */
export const AlertConversationSchema = z
  .object({
    /** Start of the earliest bin of the conversation. */
    FirstBinStart: IsoUtcTimeSchema,
    /** End of the latest bin of the conversation. */
    LastBinEnd: IsoUtcTimeSchema,
    /** Bins of the source over the threshold in the conversation so far, this alert's included. */
    Bins: z.number().int().min(1),
    /** The most distinct ports of one bin. */
    AttemptedPortsCountMax: z.number().int().min(0),
    /** The most ports reached in one bin. */
    ReachedPortsCountMax: z.number().int().min(0),
    /** Events of every bin of the conversation. */
    EventCount: z.number().int().min(0),
  })
  .strict();
export type AlertConversation = z.infer<typeof AlertConversationSchema>;

/** Why an alert is suppressed: the known-scanner entry its source is in. */
export const AlertSuppressionSchema = z
  .object({
    /** Always `known scanner`: the only reason an alert is kept from chat sinks. */
    Kind: z.literal('known scanner'),
    Cidr: z.string(),
    Reason: z.string(),
    /** The entry's expiry as configured: a date (the end of that day, UTC) or an ISO-8601 UTC time. */
    Expires: z.string(),
  })
  .strict();

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
    /**
     * 1 for the first alert of a (source, bin); a correction (rows that arrived later changed the
     * port count, the listed ports or the reporters) carries the same AlertId, the next revision
     * and the exact figures. Receivers keep the highest revision of an AlertId.
     */
    Revision: z.number().int().min(1),
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
     * bound (a queue message is at most 64 KiB), in `AttemptedPorts` and `Evidence.ReachedPorts`;
     * the counts stay exact.
     */
    AttemptedPortsTruncated: z.boolean().optional(),
    /** Distinct `EventVendor/EventProduct`, sorted, at most the rule's limit (20). */
    ReportedBy: z.array(z.string()),
    FirstSeen: IsoUtcTimeSchema,
    LastSeen: IsoUtcTimeSchema,
    EventCount: z.number().int().min(0),
    /** True when the bin crossed the threshold only after it had been closed (late events). */
    IsLate: z.boolean(),
    /**
     * True when the bin was closed after the maximum delay while an Event Hub partition still had
     * unread events or was failing: rows of this window may be missing. When they arrive and
     * change the figures, a correction follows.
     */
    MayBeIncomplete: z.boolean(),
    /**
     * True for an alert of the smoke-test source (`PORTSCAN_SMOKE_SOURCE`, 192.0.2.250 unless set;
     * `portscan smoke` sends its synthetic scan from it): a test of the deployment, not a scan.
     * Every sink receives it, and the Teams and Slack cards say so; a receiver that pages people
     * skips it. False for every other alert, and for documents before 1.4.
     */
    IsTest: z.boolean(),
    /**
     * Beyond the rule: the ports reached, the reporting devices, the targets and the scan's shape.
     * Every alert of schema 1.2 and later has it; absent from older documents.
     */
    Evidence: AlertEvidenceSchema.optional(),
    /**
     * Present when the source is a known scanner (`PORTSCAN_KNOWN_SCANNERS`, an entry that had not
     * expired when the bin ended): the alert goes to the queue and the signed webhooks as usual,
     * marked so, and is not posted to Teams or Slack. Absent otherwise.
     */
    Suppression: AlertSuppressionSchema.optional(),
    /**
     * Present on a revision that updates the chat sinks on the conversation this alert opened
     * (later alerts of its source in the grouping window): the running totals. The chat sinks
     * post it as a short "still scanning" update; the alert's own figures are unchanged. Absent
     * otherwise.
     */
    Conversation: AlertConversationSchema.optional(),
  })
  .strict();

export type Alert = z.infer<typeof AlertSchema>;

/** An alert document of schema version 1.4 (before `Conversation`), as older outbox rows hold it. */
const AlertV1_4Schema = AlertSchema.omit({ SchemaVersion: true, Conversation: true })
  .extend({ SchemaVersion: z.literal('1.4') })
  .strict();

/** An alert document of schema version 1.3 (before `IsTest`), as older outbox rows hold it. */
const AlertV1_3Schema = AlertSchema.omit({ SchemaVersion: true, IsTest: true, Conversation: true })
  .extend({ SchemaVersion: z.literal('1.3') })
  .strict();

/** An alert document of schema version 1.2 (before `Suppression`). */
const AlertV1_2Schema = AlertSchema.omit({
  SchemaVersion: true,
  Suppression: true,
  IsTest: true,
  Conversation: true,
})
  .extend({ SchemaVersion: z.literal('1.2') })
  .strict();

/** An alert document of schema version 1.1 (before `Evidence`). */
const AlertV1_1Schema = AlertSchema.omit({
  SchemaVersion: true,
  Evidence: true,
  Suppression: true,
  IsTest: true,
  Conversation: true,
})
  .extend({ SchemaVersion: z.literal('1.1') })
  .strict();

/** An alert document of schema version 1.0 (before `Revision`, `MayBeIncomplete` and `Evidence`). */
const AlertV1_0Schema = AlertSchema.omit({
  SchemaVersion: true,
  Revision: true,
  MayBeIncomplete: true,
  Evidence: true,
  Suppression: true,
  IsTest: true,
  Conversation: true,
})
  .extend({ SchemaVersion: z.literal('1.0') })
  .strict();

/**
 * Reads a stored alert document of any known version as the current version: a 1.0 document is
 * a first revision that was not closed early (`Revision: 1`, `MayBeIncomplete: false`); 1.0 and
 * 1.1 documents have no `Evidence` (their rows were counted before the evidence was kept), no
 * document before 1.3 is suppressed, none before 1.4 is a test (`IsTest: false`), and none before
 * 1.5 updates a conversation.
 * @throws {z.ZodError} when the value is no alert document of a known version
 */
export function toCurrentAlert(value: unknown): Alert {
  const current = { SchemaVersion: ALERT_SCHEMA_VERSION, IsTest: false } as const;
  const old = AlertV1_0Schema.safeParse(value);
  if (old.success) return { ...old.data, ...current, Revision: 1, MayBeIncomplete: false };
  for (const schema of [AlertV1_1Schema, AlertV1_2Schema, AlertV1_3Schema]) {
    const earlier = schema.safeParse(value);
    if (earlier.success) return { ...earlier.data, ...current };
  }
  const before = AlertV1_4Schema.safeParse(value);
  if (before.success) return { ...before.data, SchemaVersion: ALERT_SCHEMA_VERSION };
  return AlertSchema.parse(value);
}
