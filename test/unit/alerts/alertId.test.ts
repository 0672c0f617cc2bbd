import { describe, expect, it } from 'vitest';
import { alertIdOf, uuidV5 } from '../../../lib/alerts/alertId.js';
import { renderTemplate } from '../../../lib/alerts/buildAlert.js';

describe('Alerts: deterministic id', () => {
  it('computes the RFC 9562 UUID v5 test vector', () => {
    // RFC 9562 Appendix A.4: name "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('derives the same id from the same rule, source and bin, and different ids otherwise', () => {
    const rule = '1da9853f-3dea-4ea9-b7e5-26730da3d537';
    const t = Date.parse('2026-11-01T10:00:00Z');
    expect(alertIdOf(rule, '203.0.113.1', t)).toBe(alertIdOf(rule, '203.0.113.1', t));
    expect(alertIdOf(rule, '203.0.113.1', t)).not.toBe(alertIdOf(rule, '203.0.113.2', t));
    expect(alertIdOf(rule, '203.0.113.1', t)).not.toBe(alertIdOf(rule, '203.0.113.1', t + 300_000));
  });
});

describe('Alerts: templates', () => {
  it('replaces known placeholders and keeps unknown ones', () => {
    expect(
      renderTemplate('{{SrcIpAddr}} over {{AttemptedPortsCount}} ({{Other}})', {
        SrcIpAddr: '1.2.3.4',
        AttemptedPortsCount: 51,
      }),
    ).toBe('1.2.3.4 over 51 ({{Other}})');
  });
});
