import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertSink } from '../../lib/alerts/AlertSink.js';
import { createAlertSinks } from '../../lib/alerts/createAlertSinks.js';
import type { HttpRuntime, RetryPolicy } from '../../lib/alerts/http/postJson.js';
import { SYSTEM_HTTP_RUNTIME } from '../../lib/alerts/http/postJson.js';
import type { WebhookHttpOptions } from '../../lib/alerts/http/WebhookTransport.js';
import { SignedWebhookSink } from '../../lib/alerts/sinks/SignedWebhookSink.js';
import { SLACK_MIN_INTERVAL_MS, SlackWebhookSink } from '../../lib/alerts/sinks/SlackWebhookSink.js';
import { TEAMS_MIN_INTERVAL_MS, TeamsWebhookSink } from '../../lib/alerts/sinks/TeamsWebhookSink.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import { adaptiveCardProblems } from '../support/adaptiveCards.js';
import { readAlertGolden } from '../support/alertGolden.js';
import { detectAlerts, sampleAlert } from '../support/alerts.js';
import { freePort } from '../support/azurite.js';
import { fakeClock, recordingLogger } from '../support/fakeHttp.js';
import type { HttpReceiver } from '../support/httpReceiver.js';
import { startHttpReceiver } from '../support/httpReceiver.js';
import { scan } from '../support/sessions.js';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 bytes (the spec allows 24 to 64). */
const SECRET = `whsec_${Buffer.from('portscan-test-signing-key-32-byt').toString('base64')}`;
/** Retries fast: real HTTP and real timers, short waits. */
const FAST: RetryPolicy = {
  timeoutMs: 2000,
  maxAttempts: 4,
  maxTotalMs: 10_000,
  baseDelayMs: 10,
  maxDelayMs: 40,
};
const http = (policy: Partial<RetryPolicy> = {}, logger = recordingLogger()): WebhookHttpOptions => ({
  policy: { ...FAST, ...policy },
  logger,
});
/** Real fetch and timeouts, but no waiting for backoff or rate limits (both have their own tests). */
const NO_WAIT = { ...SYSTEM_HTTP_RUNTIME, sleep: async () => undefined };
const httpNoWait = (policy: Partial<RetryPolicy> = {}): WebhookHttpOptions => ({
  policy: { ...FAST, ...policy },
  runtime: NO_WAIT,
});

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('Webhook sinks: payloads over the wire', () => {
  it('posts the golden Teams message as JSON, and the card parses cleanly', async () => {
    const golden = readAlertGolden('teams-card');
    const sink = new TeamsWebhookSink(
      { name: 'SOC', url: receiver.url('/workflows/abc?sig=x'), linkTemplate: golden.linkTemplate },
      http(),
    );
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 1 });
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/workflows/abc?sig=x');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '') as { attachments: [{ content: { version: string } }] };
    expect(body).toEqual(golden.expected);
    expect(adaptiveCardProblems(body.attachments[0].content)).toEqual([]);
  });

  it('posts the golden Slack message as JSON', async () => {
    receiver.fallback = { kind: 'status', status: 200, body: 'ok' };
    const golden = readAlertGolden('slack-blocks');
    const sink = new SlackWebhookSink(
      { name: 'OPS', url: receiver.url('/services/T0/B0/x'), linkTemplate: golden.linkTemplate },
      http(),
    );
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 1 });
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(receiver.requests[0]?.body ?? '')).toEqual(golden.expected);
  });

  it('posts the alert document with the golden headers, signed so the reference library verifies it', async () => {
    const golden = readAlertGolden('webhook-request').expected as {
      method: string;
      headers: Record<string, string>;
      body: unknown;
    };
    const sink = new SignedWebhookSink(
      { name: 'HOOK', url: receiver.url('/portscan'), secret: SECRET },
      http(),
    );
    const alert = sampleAlert();
    const before = Math.floor(Date.now() / 1000);
    expect(await sink.deliver(alert)).toEqual({ ok: true, attempts: 1 });
    const request = receiver.requests[0];
    if (request === undefined) throw new Error('no request');
    expect(request.method).toBe(golden.method);
    expect(request.headers).toMatchObject(golden.headers);
    expect(JSON.parse(request.body)).toEqual(golden.body);
    expect(AlertSchema.parse(JSON.parse(request.body))).toEqual(alert);
    const timestamp = Number(request.headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(SECRET).verify(request.body, headers)).toEqual(golden.body);
    // The same check rejects a changed body, another secret and a replayed old timestamp.
    expect(() =>
      new Webhook(SECRET).verify(request.body.replace('203.0.113.50', '203.0.113.51'), headers),
    ).toThrow(WebhookVerificationError);
    const other = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    expect(() => new Webhook(other).verify(request.body, headers)).toThrow(WebhookVerificationError);
    expect(() =>
      new Webhook(SECRET).verify(request.body, { ...headers, 'webhook-timestamp': String(timestamp - 600) }),
    ).toThrow(WebhookVerificationError);
  });

  it('signs each retry afresh with the same webhook-id', async () => {
    receiver.replies.push({ kind: 'status', status: 500 });
    let clockMs = Date.now();
    const sink = new SignedWebhookSink(
      { name: 'HOOK', url: receiver.url(), secret: SECRET },
      // A clock that moves 2 s per reading, so the two attempts carry different timestamps.
      { policy: FAST, runtime: { ...SYSTEM_HTTP_RUNTIME, now: () => (clockMs += 2000) } },
    );
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 2 });
    const [first, second] = receiver.requests;
    expect(first?.headers['webhook-id']).toBe(second?.headers['webhook-id']);
    expect(first?.headers['webhook-timestamp']).not.toBe(second?.headers['webhook-timestamp']);
    expect(first?.headers['webhook-signature']).not.toBe(second?.headers['webhook-signature']);
    expect(first?.body).toBe(second?.body);
  });
});

describe('Webhook sinks: failures and retries', () => {
  const sinks = (url: string, policy: Partial<RetryPolicy> = {}): AlertSink[] => [
    new TeamsWebhookSink({ name: 'SOC', url }, httpNoWait(policy)),
    new SlackWebhookSink({ name: 'OPS', url }, httpNoWait(policy)),
    new SignedWebhookSink({ name: 'HOOK', url, secret: SECRET }, httpNoWait(policy)),
  ];

  it('delivers after a 500, with the same body twice', async () => {
    for (const sink of sinks(receiver.url())) {
      receiver.requests.length = 0;
      receiver.replies.push({ kind: 'status', status: 500 });
      expect(await sink.deliver(sampleAlert()), sink.kind).toEqual({ ok: true, attempts: 2 });
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests[0]?.body).toBe(receiver.requests[1]?.body);
    }
  });

  /** Real fetch on a fake clock, which advances by each wait instead of sleeping it. */
  const fakeClockRuntime = () => {
    const clock = fakeClock(Date.parse('2026-11-01T10:15:00.000Z'));
    const runtime: HttpRuntime = { ...SYSTEM_HTTP_RUNTIME, now: clock.now, sleep: clock.sleep };
    return { clock, runtime };
  };

  it('waits the Retry-After of a 429 before trying again', async () => {
    receiver.replies.push({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const { clock, runtime } = fakeClockRuntime();
    const sink = new SlackWebhookSink({ name: 'OPS', url: receiver.url() }, { policy: FAST, runtime });
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 2 });
    expect(receiver.requests).toHaveLength(2);
    // Retry-After: 7 means 7000 ms (the backoff alone is at most 10 ms); Slack's one-second slot
    // has passed by then.
    expect(clock.sleeps).toEqual([7000]);
  });

  it('waits until the HTTP date of a 503 Retry-After', async () => {
    const { clock, runtime } = fakeClockRuntime();
    receiver.replies.push({
      kind: 'status',
      status: 503,
      headers: { 'retry-after': new Date(clock.now() + 4000).toUTCString() },
    });
    const sink = new SignedWebhookSink(
      { name: 'HOOK', url: receiver.url(), secret: SECRET },
      { policy: FAST, runtime },
    );
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 2 });
    expect(receiver.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([4000]);
  });

  it('ends a call at once when Retry-After outlasts the budget, retryable', async () => {
    receiver.fallback = { kind: 'status', status: 429, headers: { 'retry-after': '3600' } };
    const sink = new TeamsWebhookSink({ name: 'SOC', url: receiver.url() }, http());
    expect(await sink.deliver(sampleAlert())).toEqual({
      ok: false,
      attempts: 1,
      retryable: true,
      reason: 'HTTP 429, retry after 3600 s',
    });
  });

  it('times out on a receiver that never answers: retryable', async () => {
    receiver.fallback = { kind: 'hang' };
    for (const sink of sinks(receiver.url(), { timeoutMs: 300, maxAttempts: 2 })) {
      expect(await sink.deliver(sampleAlert()), sink.kind).toEqual({
        ok: false,
        attempts: 2,
        retryable: true,
        reason: 'timeout after 0.3 s',
      });
    }
  });

  it('reports a receiver that is down as connection refused: retryable', async () => {
    const url = `http://127.0.0.1:${await freePort()}/hook`;
    for (const sink of sinks(url)) {
      expect(await sink.deliver(sampleAlert()), sink.kind).toEqual({
        ok: false,
        attempts: 4,
        retryable: true,
        reason: 'connection refused',
      });
    }
  });

  it('reports a receiver that drops the connection: retryable', async () => {
    receiver.fallback = { kind: 'destroy' };
    const [teams] = sinks(receiver.url(), { maxAttempts: 2 });
    const outcome = await teams?.deliver(sampleAlert());
    expect(outcome).toMatchObject({ ok: false, attempts: 2, retryable: true });
    expect(outcome?.ok === false && outcome.reason).toMatch(/^connection (reset|closed by the receiver)$/);
  });

  it('treats a 400 as permanent: one attempt, with Slack-style error codes', async () => {
    receiver.fallback = { kind: 'status', status: 400, body: 'invalid_payload' };
    for (const sink of sinks(receiver.url())) {
      receiver.requests.length = 0;
      expect(await sink.deliver(sampleAlert()), sink.kind).toEqual({
        ok: false,
        attempts: 1,
        retryable: false,
        reason: 'HTTP 400 invalid_payload',
      });
      expect(receiver.requests).toHaveLength(1);
    }
  });

  it('delivers once, in one attempt, when a receiver that was down is back', async () => {
    const port = await freePort();
    const sink = new TeamsWebhookSink({ name: 'SOC', url: `http://127.0.0.1:${port}/hook` }, http());
    expect(await sink.deliver(sampleAlert())).toMatchObject({ ok: false, retryable: true });
    const back = await startHttpReceiver(undefined, port);
    try {
      expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 1 });
      expect(back.requests).toHaveLength(1);
    } finally {
      await back.close();
    }
  });

  it('makes a single attempt while a receiver is known to be failing, then retries fully again', async () => {
    receiver.fallback = { kind: 'status', status: 502 };
    const sink = new SlackWebhookSink({ name: 'OPS', url: receiver.url() }, httpNoWait());
    expect(await sink.deliver(sampleAlert())).toMatchObject({ ok: false, attempts: 4 });
    expect(await sink.deliver(sampleAlert())).toMatchObject({ ok: false, attempts: 1 });
    receiver.fallback = { kind: 'status', status: 200, body: 'ok' };
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 1 });
    receiver.replies.push({ kind: 'status', status: 500 });
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 2 });
  });
});

describe('Webhook sinks: rate limits', () => {
  /**
   * Real fetch on a clock that stands still. The limiter's waits are recorded, not slept: they
   * are its schedule (the request of slot k starts k intervals after the first). The wait of slot
   * k returns once the receiver holds k requests, so requests arrive one at a time in the order of
   * their slots, and the test proves the schedule without waiting for it (the limiter's timing on
   * a real clock: test/unit/alerts/http/postJson.test.ts).
   */
  const pacedByReceiver = (intervalMs: number) => {
    const waits: number[] = [];
    const frozenMs = Date.parse('2026-11-01T10:15:00.000Z');
    const runtime: HttpRuntime = {
      ...SYSTEM_HTTP_RUNTIME,
      now: () => frozenMs,
      sleep: async (ms) => {
        waits.push(ms);
        await receiver.whenReceived(ms / intervalMs);
      },
    };
    return { waits, runtime };
  };
  const sourcesReceived = () => receiver.requests.map((r) => /203\.0\.113\.\d+/.exec(r.body)?.[0]);

  it('keeps a Teams webhook at four requests per second or fewer, delivering every alert in order', async () => {
    const alerts = manyAlerts(9);
    const { waits, runtime } = pacedByReceiver(TEAMS_MIN_INTERVAL_MS);
    const sink = new TeamsWebhookSink({ name: 'SOC', url: receiver.url() }, { policy: FAST, runtime });
    const outcomes = await Promise.all(alerts.map((a) => sink.deliver(a)));
    expect(outcomes).toEqual(alerts.map(() => ({ ok: true, attempts: 1 })));
    // Slots 250 ms apart: any five requests span at least a second.
    expect(waits).toEqual([250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
    expect(sourcesReceived()).toEqual(alerts.map((a) => a.SrcIpAddr));
  });

  it('keeps a Slack webhook at one request per second, delivering every alert in order', async () => {
    receiver.fallback = { kind: 'status', status: 200, body: 'ok' };
    const alerts = manyAlerts(3);
    const { waits, runtime } = pacedByReceiver(SLACK_MIN_INTERVAL_MS);
    const sink = new SlackWebhookSink({ name: 'OPS', url: receiver.url() }, { policy: FAST, runtime });
    const outcomes = await Promise.all(alerts.map((a) => sink.deliver(a)));
    expect(outcomes).toEqual(alerts.map(() => ({ ok: true, attempts: 1 })));
    expect(waits).toEqual([1000, 2000]);
    expect(sourcesReceived()).toEqual(alerts.map((a) => a.SrcIpAddr));
  });

  it('leaves a signed webhook unlimited', async () => {
    const alerts = manyAlerts(5);
    const { waits, runtime } = pacedByReceiver(1);
    const sink = new SignedWebhookSink(
      { name: 'HOOK', url: receiver.url(), secret: SECRET },
      { policy: FAST, runtime },
    );
    expect((await Promise.all(alerts.map((a) => sink.deliver(a)))).every((o) => o.ok)).toBe(true);
    expect(waits).toEqual([]);
    expect(sourcesReceived().sort()).toEqual(alerts.map((a) => a.SrcIpAddr).sort());
  });
});

describe('Webhook sinks: secrets', () => {
  it('never logs, returns or throws the URL or the secret, whatever the receiver does', async () => {
    const token = 'T0KEN-9f8e7d6c5b4a';
    const signature = 'SIG-1a2b3c4d5e6f';
    const secretKey = Buffer.from(`k3y-${'x'.repeat(28)}`).toString('base64');
    const secret = `whsec_${secretKey}`;
    const downPort = await freePort();
    // The receiver echoes the URL in its error pages, as some proxies do.
    const echo = `Cannot POST /services/${token}?sig=${signature}`;
    const urls = [
      `http://127.0.0.1:${receiver.port}/services/${token}?sig=${signature}`,
      `http://127.0.0.1:${downPort}/services/${token}?sig=${signature}`,
      `http://${token}.invalid/services/${token}?sig=${signature}`,
      `http://127.0.0.1:${receiver.port}/ser vices/${token}?sig=${signature}`,
      `http://user:${token}@127.0.0.1:${receiver.port}/x?sig=${signature}`,
    ];
    const replies = [
      { kind: 'status', status: 500, body: echo },
      { kind: 'status', status: 404, body: echo },
      {
        kind: 'status',
        status: 302,
        headers: { location: `https://elsewhere.example/${token}` },
        body: echo,
      },
      { kind: 'status', status: 429, headers: { 'retry-after': '9999' }, body: echo },
      { kind: 'hang' },
      { kind: 'destroy' },
    ] as const;
    const logger = recordingLogger();
    const seen: unknown[] = [];
    const written: string[] = [];
    const restore = captureOutput(written);
    try {
      for (const url of urls) {
        for (const reply of replies) {
          receiver.fallback = reply;
          const built = createAlertSinks(
            {
              alertLinkTemplate: `https://portal.example.com/{{AlertId}}`,
              httpTimeoutMs: 300,
              sinks: [
                { name: 'SOC', kind: 'teams', url },
                { name: 'OPS', kind: 'slack', url },
                { name: 'HOOK', kind: 'webhook', url, secret },
              ],
            },
            {
              logger,
              runtime: NO_WAIT,
              retry: { maxAttempts: 2, maxTotalMs: 3000 },
            },
          );
          for (const sink of built) {
            try {
              const outcome = await sink.deliver(sampleAlert());
              expect(outcome.ok, `${sink.kind} ${reply.kind}`).toBe(false);
              seen.push(outcome, sink);
            } catch (error) {
              seen.push(error, (error as Error)?.stack, (error as Error)?.cause);
            }
          }
        }
      }
    } finally {
      restore();
    }
    expect(seen.filter((s) => s instanceof Error)).toEqual([]);
    expect(logger.entries.length).toBeGreaterThan(0);
    const { inspect } = await import('node:util');
    const haystack = [
      ...seen.map((s) => inspect(s, { depth: 10, showHidden: true })),
      ...seen.map((s) => JSON.stringify(s) ?? ''),
      ...logger.entries.map((e) => inspect(e, { depth: 10 })),
      ...written,
    ].join('\n');
    for (const needle of [token, signature, secretKey, secret, '/services/', 'sig=']) {
      expect(haystack).not.toContain(needle);
    }
    // And the outcomes did see the failures they stand for.
    expect(haystack).toContain('connection refused');
    expect(haystack).toContain('HTTP 500');
    expect(haystack).toContain('invalid URL');
  });
});

/** Alerts of distinct sources, one per 5-minute bin, for rate tests. */
function manyAlerts(n: number): Alert[] {
  const rows = Array.from({ length: n }, (_, i) =>
    scan(
      `203.0.113.${100 + i}`,
      51,
      new Date(Date.parse('2026-11-01T10:00:00Z') + i * 300_000).toISOString(),
    ),
  ).flat();
  const alerts = detectAlerts(rows);
  expect(alerts).toHaveLength(n);
  return alerts;
}

/** Collects whatever is written to stdout, stderr or the console until the returned function is called. */
function captureOutput(into: string[]): () => void {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  const capture = (chunk: unknown) => {
    into.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  for (const m of methods) console[m] = (...args: unknown[]) => into.push(args.map(String).join(' '));
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
    methods.forEach((m, i) => {
      console[m] = saved[i] as (typeof console)[typeof m];
    });
  };
}
