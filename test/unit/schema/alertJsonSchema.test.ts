import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_SCHEMA_VERSION, AlertSchema, toCurrentAlert } from '../../../lib/schema/Alert.js';
import {
  ALERT_JSON_SCHEMA_PATH,
  generateAlertJsonSchema,
} from '../../../lib/schema/generateAlertJsonSchema.js';
import { sampleAlert } from '../../support/alerts.js';

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
    const optional = ['AttemptedPortsTruncated', 'Evidence', 'Suppression', 'Conversation'];
    expect(schema.required).toEqual(fields.filter((f) => !optional.includes(f)));
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('Alert schema: versions', () => {
  it('reads a 1.1 document (an outbox row written before the evidence) as the current version without evidence', () => {
    const { Evidence: _evidence, IsTest: _t, ...rest } = sampleAlert();
    const old = { ...rest, SchemaVersion: '1.1' };
    expect(() => AlertSchema.parse(old)).toThrow();
    expect(toCurrentAlert(old)).toEqual({ ...rest, SchemaVersion: ALERT_SCHEMA_VERSION, IsTest: false });
  });

  it('reads a 1.0 document as a first revision without evidence', () => {
    const { Evidence: _e, Revision: _r, MayBeIncomplete: _m, IsTest: _t, ...rest } = sampleAlert();
    expect(toCurrentAlert({ ...rest, SchemaVersion: '1.0' })).toEqual({
      ...rest,
      SchemaVersion: ALERT_SCHEMA_VERSION,
      Revision: 1,
      MayBeIncomplete: false,
      IsTest: false,
    });
  });

  it('reads a current document unchanged and refuses an older document that claims evidence', () => {
    const alert = sampleAlert();
    expect(alert.SchemaVersion).toBe('1.5');
    expect(toCurrentAlert(alert)).toEqual(alert);
    const { IsTest: _t, ...withoutTest } = alert;
    expect(() => toCurrentAlert({ ...withoutTest, SchemaVersion: '1.1' })).toThrow();
  });

  it('reads a 1.2 document as the current version, and refuses one that claims a suppression', () => {
    const { IsTest: _t, ...old } = sampleAlert();
    expect(toCurrentAlert({ ...old, SchemaVersion: '1.2' })).toEqual(sampleAlert());
    const suppression = { Kind: 'known scanner', Cidr: '203.0.113.0/24', Reason: 'x', Expires: '2026-12-31' };
    expect(() => toCurrentAlert({ ...old, SchemaVersion: '1.2', Suppression: suppression })).toThrow();
    expect(toCurrentAlert({ ...sampleAlert(), Suppression: suppression }).Suppression).toEqual(suppression);
  });

  it('reads a 1.3 document as no test, and refuses one that claims to be a test', () => {
    const { IsTest: _t, ...old } = sampleAlert();
    expect(toCurrentAlert({ ...old, SchemaVersion: '1.3' })).toEqual({ ...sampleAlert(), IsTest: false });
    expect(() => toCurrentAlert({ ...old, SchemaVersion: '1.3', IsTest: true })).toThrow();
    expect(() => AlertSchema.parse({ ...old, SchemaVersion: '1.4' })).toThrow();
  });

  it('reads a 1.4 document as the current version, and refuses one that claims a conversation', () => {
    const conversation = {
      FirstBinStart: '2026-11-01T10:00:00.000Z',
      LastBinEnd: '2026-11-01T10:15:00.000Z',
      Bins: 3,
      AttemptedPortsCountMax: 63,
      ReachedPortsCountMax: 2,
      EventCount: 190,
    };
    expect(toCurrentAlert({ ...sampleAlert(), SchemaVersion: '1.4' })).toEqual(sampleAlert());
    expect(() =>
      toCurrentAlert({ ...sampleAlert(), SchemaVersion: '1.4', Conversation: conversation }),
    ).toThrow();
    expect(toCurrentAlert({ ...sampleAlert(), Conversation: conversation }).Conversation).toEqual(
      conversation,
    );
  });
});
