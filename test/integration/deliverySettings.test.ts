import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../lib/errors.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { azuriteSettings, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver.js';
import { scan, session } from '../support/sessions.js';

let az: Azurite;
let receiver: HttpReceiver;

beforeAll(async () => {
  az = await startAzurite();
  receiver = await startHttpReceiver();
});

afterAll(async () => {
  await receiver.close();
  await az.stop();
});

/** What App Service leaves in a setting whose Key Vault reference it could not resolve. */
const UNRESOLVED = '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/teams-webhook-url/)';

describe('Functions: a bad sink setting stops closeBins, never ingest', () => {
  it('counts while a webhook URL is an unresolved Key Vault reference, fails closeBins loudly, and delivers once fixed', async () => {
    // Prepare: the Function App starts with a Teams sink whose URL did not resolve.
    const settings = azuriteSettings(az, {
      PORTSCAN_SINK_TEAMS_KIND: 'teams',
      PORTSCAN_SINK_TEAMS_URL: UNRESOLVED,
    });
    const broken = new FunctionsHarness(settings, az.connectionString(), '2026-11-01T11:00:00Z');

    // Act: ingest goes on.
    await broken.ingest(
      '0',
      [
        jsonLines(scan('203.0.113.77', 64, '2026-11-01T10:00:00Z')),
        jsonLines([session('198.51.100.250', 443, '2026-11-01T10:30:00Z')]),
      ],
      1,
      '2026-11-01T10:31:00Z',
    );
    expect(broken.logged('ingest summary')).toHaveLength(1);

    // closeBins fails, naming the setting, never its value, and sends nothing.
    await expect(broken.closeBins()).rejects.toBeInstanceOf(ConfigurationError);
    expect(broken.logged('configuration invalid')).toEqual([
      {
        event: 'configuration invalid',
        function: 'closeBins',
        issues: ['PORTSCAN_SINK_TEAMS_URL: expected the webhook URL (http or https); the value is not shown'],
      },
    ]);
    expect(JSON.stringify(broken.logs)).not.toContain('vault.azure.net');
    expect(await broken.queuedAlerts()).toEqual([]);

    // Once the reference resolves (the app restarts with the value), the bin closes and is delivered.
    const fixed = new FunctionsHarness(
      { ...settings, PORTSCAN_SINK_TEAMS_URL: receiver.url('/teams') },
      az.connectionString(),
      '2026-11-01T11:00:00Z',
    );
    await fixed.closeBins();
    expect((await fixed.queuedAlerts()).map((a) => [a.SrcIpAddr, a.AttemptedPortsCount])).toEqual([
      ['203.0.113.77', 64],
    ]);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/teams']);
  });
});
