import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { azuriteSettings, envelope, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver.js';
import { scan, session } from '../support/sessions.js';

let az: Azurite;
let teams: HttpReceiver;
let slack: HttpReceiver;

beforeAll(async () => {
  az = await startAzurite();
  teams = await startHttpReceiver();
  slack = await startHttpReceiver({ kind: 'status', status: 200, body: 'ok' });
});

afterAll(async () => {
  await teams.close();
  await slack.close();
  await az.stop();
});

describe('Outbox: delivery across timer runs', () => {
  it('delivers to a receiver that was down at the first run exactly once at the second, without resending to the others', async () => {
    const h = new FunctionsHarness(
      azuriteSettings(az, {
        PORTSCAN_SINK_TEAMS_KIND: 'teams',
        PORTSCAN_SINK_TEAMS_URL: teams.url('/workflow'),
        PORTSCAN_SINK_SLACK_KIND: 'slack',
        PORTSCAN_SINK_SLACK_URL: slack.url('/services/T/B/x'),
      }),
      az.connectionString(),
      '2026-11-01T11:00:00Z',
    );
    await h.ingest(
      '0',
      [
        envelope(scan('203.0.113.77', 64, '2026-11-01T10:00:00Z')),
        jsonLines([session('198.51.100.2', 443, '2026-11-01T10:30:00Z')]),
      ],
      1,
      '2026-11-01T10:31:00Z',
    );
    // Run 1: Teams answers 503 to every attempt; Slack and the queue take the alert.
    teams.fallback = { kind: 'status', status: 503 };
    await h.closeBins();
    expect(teams.requests.length).toBeGreaterThan(0);
    // Each retried attempt is logged under the invocation, with the sink's name and never its URL.
    const retried = h.logged('webhook attempt failed');
    expect(retried.length).toBe(teams.requests.length - 1);
    expect(retried[0]).toMatchObject({ sink: 'TEAMS', reason: 'HTTP 503' });
    expect(JSON.stringify(retried)).not.toContain('/workflow');
    expect(slack.requests).toHaveLength(1);
    expect(await h.queuedAlerts()).toHaveLength(1);
    const [pending] = await h.services.delivery().outbox.listPending();
    expect(pending?.sinks).toMatchObject({
      queue: { state: 'delivered' },
      SLACK: { state: 'delivered' },
      TEAMS: { state: 'pending', failedRuns: 1 },
    });

    // Run 2, an hour later: Teams is back.
    teams.requests.length = 0;
    teams.fallback = { kind: 'status', status: 202 };
    h.nowMs = Date.parse('2026-11-01T12:00:00Z');
    await h.closeBins();
    expect(teams.requests).toHaveLength(1);
    expect(JSON.parse(teams.requests[0]?.body ?? '{}').attachments[0].content.type).toBe('AdaptiveCard');
    expect(slack.requests).toHaveLength(1);
    expect(await h.queuedAlerts()).toEqual([]);
    expect(await h.services.delivery().outbox.listPending()).toEqual([]);

    // Run 3: nothing left to send.
    await h.closeBins();
    expect(teams.requests).toHaveLength(1);
  });
});
