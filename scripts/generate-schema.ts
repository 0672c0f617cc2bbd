// Writes schemas/alert.schema.json from the zod schema: `npm run schema`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ALERT_JSON_SCHEMA_PATH, generateAlertJsonSchema } from '../lib/schema/generateAlertJsonSchema.js';

const target = join(import.meta.dirname, '..', ALERT_JSON_SCHEMA_PATH);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, generateAlertJsonSchema());
process.stdout.write(`wrote ${ALERT_JSON_SCHEMA_PATH}\n`);
