import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../../../lib/alerts/http/postJson.js';
import { describeFetchError, parseRetryAfter, postJson } from '../../../../lib/alerts/http/postJson.js';
import { RateLimiter } from '../../../../lib/alerts/http/RateLimiter.js';
import { fakeClock, recordingLogger, scriptedRuntime } from '../../../support/fakeHttp.js';

const SECRET_URL = 'https://hooks.example/services/T000/B000/s3cr3t-t0ken?sig=SIGSECRET';
const POLICY: RetryPolicy = {
  timeoutMs: 10_000,
  maxAttempts: 4,
  maxTotalMs: 45_000,
  baseDelayMs: 500,
  maxDelayMs: 8000,
};
const post = { url: SECRET_URL, body: '{"a":1}' };

/** Node's fetch wraps socket errors in `TypeError('fetch failed')`; causes carry the code and, sometimes, the URL. */
function fetchFailed(code: string): TypeError {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error(`connect ${code} 127.0.0.1:443 ${SECRET_URL}`), { code }),
  });
}

describe('HTTP delivery: outcomes', () => {
  it.each([200, 202, 204])('treats %d as success at the first attempt', async (status) => {
    const runtime = scriptedRuntime([{ status }]);
    expect(await postJson(post, { policy: POLICY, runtime })).toEqual({ ok: true, attempts: 1 });
    expect(runtime.clock.sleeps).toEqual([]);
  });

  it.each([
    [400, 'HTTP 400'],
    [401, 'HTTP 401'],
    [403, 'HTTP 403'],
    [404, 'HTTP 404'],
    [410, 'HTTP 410'],
    [413, 'HTTP 413'],
    [301, 'HTTP 301'],
    [302, 'HTTP 302'],
  ])('treats %d as permanent without retrying', async (status, reason) => {
    const runtime = scriptedRuntime([
      { status, headers: status < 400 ? { location: 'https://elsewhere.example/' } : {} },
    ]);
    expect(await postJson(post, { policy: POLICY, runtime })).toEqual({
      ok: false,
      attempts: 1,
      retryable: false,
      reason,
    });
  });

  it.each([408, 429, 500, 502, 503, 504])('retries %d up to the attempt limit', async (status) => {
    const runtime = scriptedRuntime([{ status }]);
    expect(await postJson(post, { policy: POLICY, runtime })).toEqual({
      ok: false,
      attempts: 4,
      retryable: true,
      reason: `HTTP ${status}`,
    });
  });

  it('succeeds after a 500', async () => {
    const runtime = scriptedRuntime([{ status: 500 }, { status: 200, body: 'ok' }]);
    expect(await postJson(post, { policy: POLICY, runtime })).toEqual({ ok: true, attempts: 2 });
  });

  it("repeats Slack's error code, and nothing else of a body", async () => {
    const slack = scriptedRuntime([{ status: 400, body: 'invalid_payload' }]);
    expect(await postJson(post, { policy: POLICY, runtime: slack })).toMatchObject({
      reason: 'HTTP 400 invalid_payload',
    });
    const page = scriptedRuntime([{ status: 404, body: `<html>No route for ${SECRET_URL}</html>` }]);
    expect(await postJson(post, { policy: POLICY, runtime: page })).toMatchObject({ reason: 'HTTP 404' });
  });

  it('sends JSON with our user agent, no redirects followed, and fresh headers for every attempt', async () => {
    const runtime = scriptedRuntime([{ status: 503 }, { status: 202 }]);
    let n = 0;
    await postJson({ ...post, headers: () => ({ 'x-attempt': String(++n) }) }, { policy: POLICY, runtime });
    expect(
      runtime.calls.map((c) => [c.init?.method, c.init?.redirect, c.init?.body, c.init?.headers]),
    ).toEqual([
      [
        'POST',
        'manual',
        '{"a":1}',
        { 'content-type': 'application/json', 'user-agent': 'portscan-detector', 'x-attempt': '1' },
      ],
      [
        'POST',
        'manual',
        '{"a":1}',
        { 'content-type': 'application/json', 'user-agent': 'portscan-detector', 'x-attempt': '2' },
      ],
    ]);
    expect(runtime.calls[0]?.init?.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('HTTP delivery: backoff', () => {
  it('waits with full jitter: uniform below 500, 1000, 2000 ms', async () => {
    const high = scriptedRuntime([{ status: 500 }], 0.999);
    await postJson(post, { policy: POLICY, runtime: high });
    expect(high.clock.sleeps).toEqual([499, 999, 1998]);
    const low = scriptedRuntime([{ status: 500 }], 0);
    await postJson(post, { policy: POLICY, runtime: low });
    expect(low.clock.sleeps).toEqual([0, 0, 0]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const runtime = scriptedRuntime([{ status: 500 }], 0.999);
    await postJson(post, { policy: { ...POLICY, maxAttempts: 8, maxTotalMs: 600_000 }, runtime });
    expect(runtime.clock.sleeps).toEqual([499, 999, 1998, 3996, 7992, 7992, 7992]);
  });

  it('stops when the next wait would pass the total budget', async () => {
    const runtime = scriptedRuntime([{ status: 500 }], 0.999);
    const outcome = await postJson(post, {
      policy: { ...POLICY, maxAttempts: 10, maxTotalMs: 2000 },
      runtime,
    });
    expect(runtime.clock.sleeps).toEqual([499, 999]);
    expect(outcome).toEqual({ ok: false, attempts: 3, retryable: true, reason: 'HTTP 500' });
  });

  it('logs each failed attempt it retries, without the URL', async () => {
    const logger = recordingLogger();
    const runtime = scriptedRuntime([{ status: 503 }, { status: 202 }]);
    await postJson(post, { policy: POLICY, runtime, logger, sinkName: 'TEAMS1' });
    expect(logger.entries).toEqual([
      ['warn', 'webhook attempt failed', { sink: 'TEAMS1', attempt: 1, reason: 'HTTP 503', retryInMs: 250 }],
    ]);
  });

  it('takes the rate limiter before every attempt', async () => {
    const runtime = scriptedRuntime([{ status: 500 }, { status: 500 }, { status: 200 }], 0);
    const limiter = new RateLimiter(1000, runtime.clock);
    await postJson(post, { policy: POLICY, runtime, limiter });
    // Backoff of 0 ms, so the limiter spaces the three attempts by 1000 ms.
    expect(runtime.clock.sleeps).toEqual([0, 1000, 0, 1000]);
  });
});

describe('HTTP delivery: Retry-After', () => {
  it.each([429, 503])('waits the seconds a %d asks for instead of the backoff', async (status) => {
    const runtime = scriptedRuntime([{ status, headers: { 'retry-after': '7' } }, { status: 202 }]);
    expect(await postJson(post, { policy: POLICY, runtime })).toEqual({ ok: true, attempts: 2 });
    expect(runtime.clock.sleeps).toEqual([7000]);
  });

  it('waits until an HTTP date', async () => {
    const runtime = scriptedRuntime([]);
    const at = new Date(runtime.now() + 12_000).toUTCString();
    const scripted = scriptedRuntime([{ status: 429, headers: { 'retry-after': at } }, { status: 202 }]);
    await postJson(post, { policy: POLICY, runtime: scripted });
    expect(scripted.clock.sleeps).toEqual([12_000]);
  });

  it('ignores Retry-After on a 500 (backoff applies)', async () => {
    const runtime = scriptedRuntime([{ status: 500, headers: { 'retry-after': '30' } }, { status: 202 }]);
    await postJson(post, { policy: POLICY, runtime });
    expect(runtime.clock.sleeps).toEqual([250]);
  });

  it('gives up at once, retryable, when Retry-After outlasts the budget', async () => {
    const runtime = scriptedRuntime([{ status: 429, headers: { 'retry-after': '120' } }]);
    expect(await postJson(post, { policy: POLICY, runtime })).toEqual({
      ok: false,
      attempts: 1,
      retryable: true,
      reason: 'HTTP 429, retry after 120 s',
    });
    expect(runtime.clock.sleeps).toEqual([]);
  });

  it.each([
    ['5', 5000],
    [' 0 ', 0],
    ['Sun, 01 Nov 2026 10:15:30 GMT', 30_000],
    ['Sun, 01 Nov 2026 10:00:00 GMT', 0],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
  ])('parses Retry-After %j as %j ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-01T10:15:00.000Z'))).toBe(ms);
  });
});

describe('HTTP delivery: network errors', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ECONNRESET', 'connection reset'],
    ['ENOTFOUND', 'host not found'],
    ['UND_ERR_SOCKET', 'connection closed by the receiver'],
    ['CERT_HAS_EXPIRED', 'TLS error (CERT_HAS_EXPIRED)'],
    ['ESOMETHING', 'network error (ESOMETHING)'],
  ])('describes %s as "%s", retryable, without the message', async (code, reason) => {
    const runtime = scriptedRuntime([{ error: fetchFailed(code) }]);
    const outcome = await postJson(post, { policy: POLICY, runtime });
    expect(outcome).toEqual({ ok: false, attempts: 4, retryable: true, reason });
    expect(JSON.stringify(outcome)).not.toContain('s3cr3t');
  });

  it('describes a timeout with its length', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const runtime = scriptedRuntime([{ error: timeout }]);
    expect(await postJson(post, { policy: { ...POLICY, maxAttempts: 1 }, runtime })).toEqual({
      ok: false,
      attempts: 1,
      retryable: true,
      reason: 'timeout after 10 s',
    });
  });

  it('treats an unparsable URL as permanent and never repeats it', async () => {
    const outcome = await postJson(
      { url: 'https://exa mple.invalid/s3cr3t', body: '{}' },
      { policy: POLICY, runtime: { ...scriptedRuntime([]), fetch: globalThis.fetch } },
    );
    expect(outcome).toEqual({ ok: false, attempts: 1, retryable: false, reason: 'invalid URL' });
  });

  it('treats a URL with credentials, which fetch refuses to send, as permanent', async () => {
    const outcome = await postJson(
      { url: 'https://user:s3cr3t@hooks.example/x', body: '{}' },
      { policy: POLICY, runtime: { ...scriptedRuntime([]), fetch: globalThis.fetch } },
    );
    expect(outcome).toEqual({ ok: false, attempts: 1, retryable: false, reason: 'invalid URL' });
  });

  it('falls back to "network error" for an unknown error', () => {
    expect(describeFetchError(new Error(`boom ${SECRET_URL}`), 1000)).toBe('network error');
    expect(describeFetchError(undefined, 1000)).toBe('network error');
  });
});

describe('HTTP delivery: rate limiter', () => {
  it('spaces requests by the interval, in call order', async () => {
    const clock = fakeClock(0);
    const limiter = new RateLimiter(250, clock);
    const started: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      started.push(clock.now());
    }
    expect(started).toEqual([0, 250, 500, 750, 1000]);
  });

  it('gives requests made together consecutive slots, in call order', async () => {
    // A clock that stands still while they queue: each wait is the slot's distance from now.
    const waits: number[] = [];
    const limiter = new RateLimiter(250, { now: () => 0, sleep: async (ms) => void waits.push(ms) });
    await Promise.all(Array.from({ length: 6 }, () => limiter.acquire()));
    expect(waits).toEqual([250, 500, 750, 1000, 1250]);
  });

  it('does not wait when requests are already far apart', async () => {
    const clock = fakeClock(0);
    const limiter = new RateLimiter(1000, clock);
    await limiter.acquire();
    await clock.sleep(5000);
    await limiter.acquire();
    expect(clock.sleeps).toEqual([5000]);
  });
});
