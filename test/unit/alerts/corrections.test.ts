import { describe, expect, it } from 'vitest';
import { isCorrectionOf } from '../../../lib/alerts/buildAlert.js';
import { webhookIdOf } from '../../../lib/alerts/sinks/SignedWebhookSink.js';
import { ALERT_SCHEMA_VERSION, AlertSchema, toCurrentAlert } from '../../../lib/schema/Alert.js';
import { detectOneAlert, sampleAlert } from '../../support/alerts.js';
import { scan, session } from '../../support/sessions.js';

describe('Alert corrections: when a later evaluation is a new revision', () => {
  const base = () => detectOneAlert(scan('203.0.113.9', 60, '2026-11-01T10:00:00Z'));

  it('is a correction when ports or reporters were added', () => {
    const morePorts = detectOneAlert(scan('203.0.113.9', 61, '2026-11-01T10:00:00Z'));
    const newReporter = detectOneAlert([
      ...scan('203.0.113.9', 60, '2026-11-01T10:00:00Z'),
      session('203.0.113.9', 1, '2026-11-01T10:04:00Z', { EventVendor: 'Zeek', EventProduct: 'conn' }),
    ]);
    expect(isCorrectionOf(morePorts, base())).toBe(true);
    expect(isCorrectionOf(newReporter, base())).toBe(true);
  });

  it('is no correction when only events were added, or when the later evaluation saw less', () => {
    const moreEvents = detectOneAlert([
      ...scan('203.0.113.9', 60, '2026-11-01T10:00:00Z'),
      session('203.0.113.9', 1, '2026-11-01T10:04:00Z'),
    ]);
    expect(moreEvents.EventCount).toBe(61);
    expect(isCorrectionOf(moreEvents, base())).toBe(false);
    const morePorts = detectOneAlert(scan('203.0.113.9', 61, '2026-11-01T10:00:00Z'));
    expect(isCorrectionOf(base(), morePorts)).toBe(false);
    expect(isCorrectionOf(base(), base())).toBe(false);
  });
});

describe('Alert revisions: identities and stored versions', () => {
  it('gives each revision its own webhook-id, the AlertId for the first', () => {
    const alert = sampleAlert();
    expect(webhookIdOf(alert)).toBe(alert.AlertId);
    expect(webhookIdOf({ ...alert, Revision: 3 })).toBe(`${alert.AlertId}:r3`);
  });

  it('reads a stored 1.0 document as a first revision of the current version', () => {
    const { Revision: _r, MayBeIncomplete: _m, Evidence: _e, IsTest: _t, ...rest } = sampleAlert();
    const old = { ...rest, SchemaVersion: '1.0' };
    expect(() => AlertSchema.parse(old)).toThrow();
    // A 1.0 document predates the evidence: it is read without it.
    const { Evidence: _evidence, ...current } = sampleAlert();
    expect(toCurrentAlert(old)).toEqual({ ...current, SchemaVersion: ALERT_SCHEMA_VERSION });
    expect(toCurrentAlert(JSON.parse(JSON.stringify(sampleAlert())))).toEqual(sampleAlert());
    expect(() => toCurrentAlert({ ...old, SchemaVersion: '0.9' })).toThrow();
  });
});
