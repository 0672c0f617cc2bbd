import { z } from 'zod';
import { ALERT_SCHEMA_VERSION, AlertSchema } from './Alert.js';

/** Where the published schema lives, relative to the repository root. */
export const ALERT_JSON_SCHEMA_PATH = 'schemas/alert.schema.json';

/**
 * The JSON Schema (draft 2020-12) of the alert document, generated from `AlertSchema` with zod's
 * `z.toJSONSchema`, as published in `schemas/alert.schema.json` (`npm run schema` writes it; a
 * test fails when the committed file differs from this). Deterministic: same schema, same text.
 */
export function generateAlertJsonSchema(): string {
  const { $schema, ...rest } = z.toJSONSchema(AlertSchema, { target: 'draft-2020-12' });
  const document = {
    $schema,
    title: `Port scan alert, schema version ${ALERT_SCHEMA_VERSION}`,
    description:
      'One alert of the rule "Port scan detected (ASIM Network Session schema)": a (source, bin) whose distinct destination port count is over the threshold. Generated from lib/schema/Alert.ts; do not edit.',
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
