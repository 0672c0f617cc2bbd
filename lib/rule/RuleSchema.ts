import { z } from 'zod';

/** Alert severities of Sentinel analytic rules. */
export const SeveritySchema = z.enum(['Informational', 'Low', 'Medium', 'High']);
export type Severity = z.infer<typeof SeveritySchema>;

/** A KQL-style duration as the rule YAML writes it: `5m`, `1h`, `1d`. */
export const KqlDurationSchema = z.string().regex(/^\d{1,5}[smhd]$/, 'a duration such as 5m, 1h or 1d');

/** Converts a KQL-style duration (`5m`) to milliseconds. */
export function durationToMs(duration: string): number {
  const n = Number(duration.slice(0, -1));
  const unit = duration.slice(-1);
  const factor = unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000;
  return n * factor;
}

/**
 * The analytic rule as data: the Sentinel rule's own fields plus `parameters`, the values its KQL
 * hard-codes. Validated when the program starts; an unknown or missing field stops start-up.
 */
export const RuleSchema = z
  .object({
    $comment: z.string().optional(),
    id: z.uuid(),
    name: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'a version such as 1.0.6'),
    kind: z.literal('Scheduled'),
    status: z.string().optional(),
    description: z.string().min(1),
    severity: SeveritySchema,
    tactics: z.array(z.string().min(1)).min(1),
    relevantTechniques: z
      .array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'a MITRE technique id such as T1046'))
      .min(1),
    queryFrequency: KqlDurationSchema,
    queryPeriod: KqlDurationSchema,
    triggerOperator: z.literal('gt'),
    triggerThreshold: z.literal(0),
    parameters: z
      .object({
        portScanThreshold: z.number().int().min(1).max(65535),
        binSize: KqlDurationSchema,
        attemptedPortsLimit: z.number().int().min(1).max(65536),
        reportedByLimit: z.number().int().min(1).max(64),
      })
      .strict(),
    alertDetailsOverride: z
      .object({ alertDisplayNameFormat: z.string().min(1), alertDescriptionFormat: z.string().min(1) })
      .strict(),
    entityMappings: z
      .array(
        z
          .object({
            entityType: z.string().min(1),
            fieldMappings: z.array(
              z.object({ identifier: z.string().min(1), columnName: z.string().min(1) }).strict(),
            ),
          })
          .strict(),
      )
      .min(1),
    customDetails: z.record(z.string(), z.string()),
    query: z.string(),
    requiredDataConnectors: z
      .array(z.object({ connectorId: z.string(), dataTypes: z.array(z.string()) }).strict())
      .optional(),
  })
  .strict();

export type Rule = z.infer<typeof RuleSchema>;
