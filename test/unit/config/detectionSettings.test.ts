import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_DEFAULTS, resolveDetectionSettings } from '../../../lib/config/detectionSettings.js';
import { ConfigurationError } from '../../../lib/errors.js';
import { loadEmbeddedRule } from '../../../lib/rule/loadRule.js';

describe('Config: detection settings', () => {
  it('takes the seed rule values by default', () => {
    const s = resolveDetectionSettings({}, {}, FUNCTION_DEFAULTS);
    expect([s.threshold, s.binMs, s.attemptedPortsLimit, s.reportedByLimit, s.severity, s.mode]).toEqual([
      50,
      300_000,
      100,
      20,
      'Medium',
      'default',
    ]);
    expect([s.allowedLatenessMs, s.retentionMs]).toEqual([600_000, 86_400_000]);
    expect(s.rule.id).toBe('1da9853f-3dea-4ea9-b7e5-26730da3d537');
  });

  it('overrides every knob from app settings, and flags over settings', () => {
    const s = resolveDetectionSettings(
      {
        PORTSCAN_THRESHOLD: '10',
        PORTSCAN_BIN_MINUTES: '15',
        PORTSCAN_MODE: 'sentinel-parity',
        PORTSCAN_ATTEMPTED_PORTS_LIMIT: '5',
        PORTSCAN_REPORTED_BY_LIMIT: '3',
        PORTSCAN_EXCLUDE_CIDRS: '203.0.113.0/24, 2001:db8::/32',
        PORTSCAN_SEVERITY: 'High',
        PORTSCAN_ALLOWED_LATENESS_MINUTES: '0',
        PORTSCAN_RETENTION_HOURS: '48',
      },
      { '--threshold': '20', '--exclude': ['198.51.100.7'] },
      FUNCTION_DEFAULTS,
    );
    expect(s).toMatchObject({
      threshold: 20,
      binMs: 900_000,
      mode: 'sentinel-parity',
      attemptedPortsLimit: 5,
      reportedByLimit: 3,
      excludedSourceCidrs: ['198.51.100.7'],
      severity: 'High',
      allowedLatenessMs: 0,
      retentionMs: 48 * 3_600_000,
    });
  });

  it('names every bad setting and what it accepts, all at once', () => {
    let error: unknown;
    try {
      resolveDetectionSettings(
        { PORTSCAN_THRESHOLD: '0', PORTSCAN_SEVERITY: 'Critical' },
        { '--mode': 'x' },
        FUNCTION_DEFAULTS,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).issues).toEqual([
      '--mode "x": expected one of default, sentinel-parity',
      'PORTSCAN_THRESHOLD="0": expected an integer from 1 to 65535 (alert when the distinct port count is greater)',
      'PORTSCAN_SEVERITY="Critical": expected one of Informational, Low, Medium, High',
    ]);
  });

  it('loads a rule file and rejects an invalid one naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rule-'));
    const good = {
      ...loadEmbeddedRule(),
      name: 'Custom scan rule',
      parameters: { ...loadEmbeddedRule().parameters, portScanThreshold: 20 },
    };
    writeFileSync(join(dir, 'good.json'), JSON.stringify(good));
    const s = resolveDetectionSettings({ PORTSCAN_RULE_FILE: join(dir, 'good.json') }, {}, FUNCTION_DEFAULTS);
    expect([s.rule.name, s.threshold]).toEqual(['Custom scan rule', 20]);

    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...good, severity: 'Urgent' }));
    expect(() =>
      resolveDetectionSettings({}, { '--rule': join(dir, 'bad.json') }, FUNCTION_DEFAULTS),
    ).toThrow(/--rule .*bad\.json: severity: Invalid option/);
    expect(() =>
      resolveDetectionSettings({}, { '--rule': join(dir, 'missing.json') }, FUNCTION_DEFAULTS),
    ).toThrow(/--rule: cannot read the rule file/);
  });
});
