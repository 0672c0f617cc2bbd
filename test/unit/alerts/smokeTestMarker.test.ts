import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toSlackMessage } from '../../../lib/alerts/cards/slackMessage.js';
import { toTeamsMessage } from '../../../lib/alerts/cards/teamsMessage.js';
import {
  DEFAULT_SMOKE_SOURCE,
  FUNCTION_DEFAULTS,
  resolveDetectionSettings,
} from '../../../lib/config/detectionSettings.js';
import { ConfigurationError } from '../../../lib/errors.js';
import { adaptiveCardProblems } from '../../support/adaptiveCards.js';
import { detectAlerts, detectOneAlert, sampleAlert } from '../../support/alerts.js';
import { scan } from '../../support/sessions.js';

const AT = '2026-11-01T10:01:00Z';

describe('Smoke-test marker: alerts', () => {
  it('marks the alert of the default smoke source as a test, and no other', () => {
    const alerts = detectAlerts([...scan(DEFAULT_SMOKE_SOURCE, 51, AT), ...scan('203.0.113.9', 51, AT)]);

    expect(alerts.map((a) => [a.SrcIpAddr, a.IsTest])).toEqual([
      ['192.0.2.250', true],
      ['203.0.113.9', false],
    ]);
    // The test marker changes nothing else: same id, figures and severity as any alert.
    expect(alerts[0]).toMatchObject({ AttemptedPortsCount: 51, Severity: 'Medium', Revision: 1 });
  });

  it('uses a default source that no bundled sample or fixture holds', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const files = ['samples', 'test/fixtures'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name)),
    );
    expect(files.length).toBeGreaterThan(50);
    const holding = files.filter((f) => {
      const bytes = readFileSync(f);
      const text = (f.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('latin1');
      return text.includes(DEFAULT_SMOKE_SOURCE);
    });
    expect(holding).toEqual([]);
  });

  it('follows PORTSCAN_SMOKE_SOURCE, in any spelling of the address', () => {
    const rows = [...scan('2001:db8::5', 51, AT), ...scan(DEFAULT_SMOKE_SOURCE, 51, AT)];

    const alerts = detectAlerts(rows, { PORTSCAN_SMOKE_SOURCE: '2001:DB8:0:0::5' });

    expect(alerts.map((a) => [a.SrcIpAddr, a.IsTest])).toEqual([
      ['192.0.2.250', false],
      ['2001:db8::5', true],
    ]);
  });

  it.each([
    ['10.1.2.3', /PORTSCAN_SMOKE_SOURCE=10\.1\.2\.3: the detector never counts this source \(private/],
    ['not-an-address', /PORTSCAN_SMOKE_SOURCE="not-an-address": expected an IPv4 or IPv6 address/],
  ])('refuses a smoke source %s at start-up', (value, message) => {
    expect(() => resolveDetectionSettings({ PORTSCAN_SMOKE_SOURCE: value }, {}, FUNCTION_DEFAULTS)).toThrow(
      message,
    );
  });

  it('refuses a smoke source the settings exclude, or sentinel-parity mode cannot count', () => {
    const excluded = () =>
      resolveDetectionSettings(
        { PORTSCAN_EXCLUDE_CIDRS: '198.51.100.0/24' },
        { '--smoke-source': '198.51.100.1' },
        FUNCTION_DEFAULTS,
      );
    const ipv6 = () =>
      resolveDetectionSettings(
        { PORTSCAN_MODE: 'sentinel-parity', PORTSCAN_SMOKE_SOURCE: '2001:db8::5' },
        {},
        FUNCTION_DEFAULTS,
      );

    expect(excluded).toThrow(ConfigurationError);
    expect(excluded).toThrow(/--smoke-source 198\.51\.100\.1: .*source in an excluded CIDR/);
    expect(ipv6).toThrow(/IPv6 source \(sentinel-parity\)/);
  });
});

describe('Smoke-test marker: cards', () => {
  const test = () => detectOneAlert(scan(DEFAULT_SMOKE_SOURCE, 51, AT));

  it('says "Test" first on the Teams card, without the severity colour', () => {
    const card = toTeamsMessage(test()).attachments[0].content;

    const header = card.body[0] as { style: string; items: { text: string; color?: string }[] };
    expect(header.style).toBe('default');
    expect(header.items.map((i) => i.text)).toEqual([
      'Test: Potential port scan from 192.0.2.250',
      'Medium severity · 51 ports in 5 minutes · smoke test, no action needed',
    ]);
    expect(header.items[1]?.color).toBe('Default');
    const facts = (card.body[1] as { facts: { title: string; value: string }[] }).facts;
    expect(facts.find((f) => f.title === 'Test')?.value).toMatch(/^a smoke test of this deployment/);
    expect(adaptiveCardProblems(card)).toEqual([]);
    // A real alert keeps its colour and has no Test fact.
    const real = toTeamsMessage(sampleAlert()).attachments[0].content;
    expect(real.body[0]).toMatchObject({ style: 'warning' });
    expect(JSON.stringify(real)).not.toContain('"title":"Test"');
  });

  it('says "Test" in the Slack notification text, header, summary and fields, within ten fields', () => {
    const message = toSlackMessage({ ...test(), Revision: 2, IsLate: true, MayBeIncomplete: true });

    expect(message.text).toBe(
      'Test: Update: Potential port scan from `192.0.2.250`: 51 ports in 5 minutes (Medium)',
    );
    const [header, summary, grid] = message.blocks as {
      text?: { text: string };
      fields?: { text: string }[];
    }[];
    expect(header?.text?.text).toBe('Test: Update: Potential port scan from 192.0.2.250');
    expect(summary?.text?.text).toBe(
      '*Medium* severity · 51 ports in 5 minutes · smoke test, no action needed · late alert · update 2 · may be incomplete',
    );
    // Slack refuses a section of more than 10 fields: every standing fact at once fits.
    expect(grid?.fields?.map((f) => f.text.split('\n')[0])).toEqual([
      '*Source*',
      '*Ports*',
      '*Window*',
      '*Seen*',
      '*Severity*',
      '*MITRE ATT&amp;CK*',
      '*Test*',
      '*Late*',
      '*Update*',
      '*Completeness*',
    ]);
  });
});
