import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertSchema } from '../../../lib/schema/Alert.js';
import {
  ALERT_JSON_SCHEMA_PATH,
  generateAlertJsonSchema,
} from '../../../lib/schema/generateAlertJsonSchema.js';

const committed = readFileSync(join(import.meta.dirname, '..', '..', '..', ALERT_JSON_SCHEMA_PATH), 'utf8');

describe('Alert JSON Schema: published file', () => {
  it('is exactly what the zod schema generates (run "npm run schema" after changing lib/schema/Alert.ts)', () => {
    expect(committed).toBe(generateAlertJsonSchema());
  });

  it('describes every field of the zod schema, requires the non-optional ones and allows no others', () => {
    const schema = JSON.parse(committed) as {
      $schema: string;
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    const fields = Object.keys(AlertSchema.shape);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(fields);
    expect(schema.required).toEqual(fields.filter((f) => f !== 'AttemptedPortsTruncated'));
    expect(schema.additionalProperties).toBe(false);
  });
});
