import { describe, expect, it } from 'vitest';
import { createAlertSinks } from '../../../lib/alerts/createAlertSinks.js';
import type { StorageQueueSink } from '../../../lib/alerts/sinks/StorageQueueSink.js';
import { ConfigurationError } from '../../../lib/errors.js';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

describe('Alert sinks: factory', () => {
  it('builds the queue sink first, then one sink per configured webhook, in order', () => {
    const sinks = createAlertSinks({
      queues: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      alertQueue: 'portscan-alerts',
      alertLinkTemplate: undefined,
      httpTimeoutMs: 10_000,
      sinks: [
        { name: 'HOOK', kind: 'webhook', url: 'https://receiver.example/', secret: SECRET },
        { name: 'OPS', kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x' },
        { name: 'SOC', kind: 'teams', url: 'https://prod.logic.azure.com/workflows/1?sig=x' },
      ],
    });
    expect(sinks.map((s) => [s.name, s.kind, s.constructor.name])).toEqual([
      ['queue', 'queue', 'StorageQueueSink'],
      ['HOOK', 'webhook', 'SignedWebhookSink'],
      ['OPS', 'slack', 'SlackWebhookSink'],
      ['SOC', 'teams', 'TeamsWebhookSink'],
    ]);
  });

  it('builds only webhook sinks without a queue connection (the CLI)', () => {
    const sinks = createAlertSinks({
      alertLinkTemplate: undefined,
      httpTimeoutMs: 10_000,
      sinks: [{ name: 'TEAMS1', kind: 'teams', url: 'https://prod.logic.azure.com/workflows/1?sig=x' }],
    });
    expect(sinks.map((s) => s.kind)).toEqual(['teams']);
  });

  it('builds the identity-based queue client without a request', () => {
    const [sink] = createAlertSinks({
      queues: {
        kind: 'identity',
        endpoint: 'https://st.queue.core.windows.net/',
        clientId: '00000000-0000-0000-0000-000000000001',
      },
      alertQueue: 'portscan-alerts',
      alertLinkTemplate: undefined,
      httpTimeoutMs: 10_000,
      sinks: [],
    });
    expect(sink?.kind).toBe('queue');
    // The deployment creates the queue; the identity may only send to it.
    expect((sink as StorageQueueSink).createsQueue).toBe(false);
  });

  it('lets the queue sink create its queue only with a connection string (Azurite, local runs)', () => {
    const [sink] = createAlertSinks({
      queues: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      alertQueue: 'portscan-alerts',
      alertLinkTemplate: undefined,
      httpTimeoutMs: 10_000,
      sinks: [],
    });
    expect((sink as StorageQueueSink).createsQueue).toBe(true);
  });

  it('rejects a malformed signing secret without quoting it', () => {
    const build = () =>
      createAlertSinks({
        alertLinkTemplate: undefined,
        httpTimeoutMs: 10_000,
        sinks: [
          { name: 'HOOK', kind: 'webhook', url: 'https://receiver.example/', secret: 'whsec_tooShortS3cr3t' },
        ],
      });
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(
      'sink HOOK: expected a Standard Webhooks secret "whsec_<base64 of 24 to 64 bytes>"; the value is not shown',
    );
  });

  it('shows neither URL nor secret when a sink is inspected or serialized', async () => {
    const { inspect } = await import('node:util');
    const sinks = createAlertSinks({
      alertLinkTemplate: undefined,
      httpTimeoutMs: 10_000,
      sinks: [
        { name: 'HOOK', kind: 'webhook', url: 'https://receiver.example/s3cr3t-path', secret: SECRET },
        { name: 'SOC', kind: 'teams', url: 'https://prod.logic.azure.com/workflows/1?sig=s3cr3t-sig' },
      ],
    });
    for (const sink of sinks) {
      for (const text of [inspect(sink, { depth: 10, showHidden: true }), JSON.stringify(sink)]) {
        expect(text).not.toContain('s3cr3t');
        expect(text).not.toContain(SECRET.slice(6));
      }
    }
  });
});
