import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionConfig } from '../../lib/config/appSettings.js';
import { ConfigurationError } from '../../lib/errors.js';
import { AZURITE_KEY, type Azurite, startAzurite } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.js';
import { azuriteSettings, envelope, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver.js';
import { scan, session } from '../support/sessions.js';

const URL_TOKEN = 'sig-TOPSECRET-0123456789abcdef';
const SIGNING = `whsec_${Buffer.from('signing-secret-value-0123456789!!').toString('base64')}`;

let az: Azurite;
let receiver: HttpReceiver;
let proxy: FaultProxy;

beforeAll(async () => {
  az = await startAzurite();
  receiver = await startHttpReceiver({ kind: 'status', status: 500 });
  proxy = await startFaultProxy(az.tablePort);
});

afterAll(async () => {
  await proxy.close();
  await receiver.close();
  await az.stop();
});

/** Everything a secret could leak into: log lines, error messages and their causes' messages. */
function leaks(text: string): string[] {
  return [URL_TOKEN, SIGNING, SIGNING.slice(6), AZURITE_KEY].filter((s) => text.includes(s));
}

describe('Secrets: webhook URLs, signing secrets and storage keys never reach logs or errors', () => {
  it('names bad sink settings without quoting them', () => {
    let message = '';
    try {
      loadFunctionConfig({
        ...azuriteSettings(az),
        PORTSCAN_SINK_OPS_KIND: 'teams',
        PORTSCAN_SINK_OPS_URL: `ftp://example.invalid/${URL_TOKEN}`,
        PORTSCAN_SINK_HOOK_KIND: 'webhook',
        PORTSCAN_SINK_HOOK_URL: `https://example.invalid/${URL_TOKEN}`,
        PORTSCAN_SINK_HOOK_SECRET: `${SIGNING.slice(0, 20)}`,
        PortscanStorage__tableServiceUri: `not a url ${URL_TOKEN}`,
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/PORTSCAN_SINK_OPS_URL/);
    expect(message).toMatch(/PORTSCAN_SINK_HOOK_SECRET/);
    expect(leaks(message)).toEqual([]);
  });

  it('keeps them out of every log line of ingest and closeBins, through failing sinks and storage outages', async () => {
    const h = new FunctionsHarness(
      azuriteSettings(
        az,
        {
          PORTSCAN_SINK_TEAMS_KIND: 'teams',
          PORTSCAN_SINK_TEAMS_URL: receiver.url(`/workflows/${URL_TOKEN}`),
          PORTSCAN_SINK_HOOK_KIND: 'webhook',
          PORTSCAN_SINK_HOOK_URL: receiver.url(`/hook/${URL_TOKEN}`),
          PORTSCAN_SINK_HOOK_SECRET: SIGNING,
          PORTSCAN_DELIVERY_MAX_RUNS: '2',
        },
        proxy.port,
      ),
      az.connectionString(),
      '2026-11-01T11:00:00Z',
    );
    const errors: string[] = [];
    await h.ingest(
      '0',
      [
        envelope(scan('203.0.113.9', 60, '2026-11-01T10:00:00Z')),
        '{"broken":',
        jsonLines([session('198.51.100.1', 443, '2026-11-01T10:30:00Z')]),
      ],
      1,
      '2026-11-01T10:31:00Z',
    );
    await h.closeBins();
    await h.closeBins();
    proxy.mode = { kind: 'down' };
    await h
      .ingest(
        '0',
        [jsonLines([session('198.51.100.1', 443, '2026-11-01T10:32:00Z')])],
        5,
        '2026-11-01T10:33:00Z',
      )
      .catch((e: Error) => {
        errors.push(`${e.message} ${String((e.cause as Error | undefined)?.message)}`);
      });
    proxy.mode = { kind: 'pass' };
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(h.logged('alert parked').length).toBe(2);
    const everything = JSON.stringify(h.logs) + errors.join('\n');
    expect(everything).toMatch(/storage unavailable/);
    expect(leaks(everything)).toEqual([]);
  });
});
