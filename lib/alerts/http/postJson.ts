import type { Logger } from '../../observability/Logger.js';
import type { DeliveryOutcome } from '../AlertSink.js';
import type { RateLimiter } from './RateLimiter.js';

/** How hard one `deliver` call tries: attempts, per-request timeout, backoff and a total budget. */
export interface RetryPolicy {
  /** Per-request timeout (`PORTSCAN_HTTP_TIMEOUT_SECONDS`). */
  readonly timeoutMs: number;
  /** Attempts within one call, the first included. */
  readonly maxAttempts: number;
  /** No attempt starts, and no wait is taken, past this much time after the call began. */
  readonly maxTotalMs: number;
  /** The backoff before retry n is uniform in [0, min(maxDelayMs, baseDelayMs·2^(n-1))) ("full jitter"). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Four attempts, backoff from 0.5 s capped at 8 s, within 45 s: a timer run with several sinks stays short. */
export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, 'timeoutMs'> = {
  maxAttempts: 4,
  maxTotalMs: 45_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
};

/** The effects `postJson` uses, injected so that tests control time and randomness. */
export interface HttpRuntime {
  readonly fetch: typeof globalThis.fetch;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), as `Math.random`. */
  readonly random: () => number;
  /** Milliseconds since the epoch, as `Date.now`. */
  readonly now: () => number;
}

/** The real effects: global fetch, timers, `Math.random`, `Date.now`. */
export const SYSTEM_HTTP_RUNTIME: HttpRuntime = {
  fetch: (input, init) => globalThis.fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
  now: () => Date.now(),
};

/** One JSON POST. `url` is a secret; `headers` is called before every attempt (signatures carry a timestamp). */
export interface JsonPost {
  readonly url: string;
  readonly body: string;
  readonly headers?: () => Readonly<Record<string, string>>;
}

export interface PostJsonOptions {
  readonly policy: RetryPolicy;
  readonly runtime: HttpRuntime;
  /** Taken before every attempt, retries included. */
  readonly limiter?: RateLimiter;
  /** Told about each failed attempt that will be retried; never given the URL. */
  readonly logger?: Logger;
  /** Names the sink in log fields. */
  readonly sinkName?: string;
}

const USER_AGENT = 'portscan-detector';
/** Characters of a response body read for its error code. */
const MAX_RESPONSE_TEXT = 256;
/** Slack answers errors with a bare code (`invalid_payload`); nothing else of a body is ever repeated. */
const ERROR_CODE = /^[a-z][a-z0-9_]{1,63}$/;

type AttemptResult =
  | { readonly kind: 'success' }
  | {
      readonly kind: 'failure';
      readonly retryable: boolean;
      readonly reason: string;
      readonly retryAfterMs?: number;
    };

/**
 * POSTs a JSON body with retries, and returns the outcome; never throws for a failed delivery.
 *
 * 2xx is success. 408, 429, 5xx, timeouts and network errors are retried with exponential
 * backoff and full jitter, within `maxAttempts` and `maxTotalMs`; on 429 and 503 a `Retry-After`
 * (seconds or an HTTP date) replaces the backoff, and one that would outlast the budget ends the
 * call at once with a retryable outcome. Any other status (4xx, 3xx: redirects are not followed,
 * so that a signed body never goes to another host) is permanent.
 *
 * The URL is a secret: no outcome reason, log field or error this function produces contains
 * it or any part of an error message that could (Node's fetch puts the URL in some messages).
 */
export async function postJson(post: JsonPost, options: PostJsonOptions): Promise<DeliveryOutcome> {
  const { policy, runtime } = options;
  const startedMs = runtime.now();
  const deadlineMs = startedMs + policy.maxTotalMs;
  let attempts = 0;
  for (;;) {
    if (options.limiter !== undefined) await options.limiter.acquire();
    // A retry never outlives the budget by more than a second; the first attempt gets the full timeout.
    const timeoutMs =
      attempts === 0
        ? policy.timeoutMs
        : Math.min(policy.timeoutMs, Math.max(1000, deadlineMs - runtime.now()));
    attempts++;
    const result = await attempt(post, timeoutMs, runtime);
    if (result.kind === 'success') return { ok: true, attempts };
    if (!result.retryable) return { ok: false, attempts, retryable: false, reason: result.reason };
    if (attempts >= policy.maxAttempts)
      return { ok: false, attempts, retryable: true, reason: result.reason };
    const delayMs =
      result.retryAfterMs ??
      Math.floor(runtime.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1)));
    if (runtime.now() + delayMs >= deadlineMs) {
      const reason =
        result.retryAfterMs === undefined
          ? result.reason
          : `${result.reason}, retry after ${Math.ceil(result.retryAfterMs / 1000)} s`;
      return { ok: false, attempts, retryable: true, reason };
    }
    options.logger?.warn('webhook attempt failed', {
      sink: options.sinkName,
      attempt: attempts,
      reason: result.reason,
      retryInMs: delayMs,
    });
    await runtime.sleep(delayMs);
  }
}

async function attempt(post: JsonPost, timeoutMs: number, runtime: HttpRuntime): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await runtime.fetch(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...(post.headers?.() ?? {}) },
      body: post.body,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    return { kind: 'failure', retryable: !isInvalidUrl(error), reason: describeFetchError(error, timeoutMs) };
  }
  const status = response.status;
  // Read (a little of) the body under the same timeout so the connection is released.
  const text = await readText(response);
  if (status >= 200 && status <= 299) return { kind: 'success' };
  const code = text.trim();
  const reason = ERROR_CODE.test(code) ? `HTTP ${status} ${code}` : `HTTP ${status}`;
  const retryable = status === 408 || status === 429 || status >= 500;
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), runtime.now());
    if (retryAfterMs !== undefined) return { kind: 'failure', retryable, reason, retryAfterMs };
  }
  return { kind: 'failure', retryable, reason };
}

async function readText(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.slice(0, MAX_RESPONSE_TEXT);
  } catch {
    return '';
  }
}

/**
 * Milliseconds to wait from a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP-date; undefined when absent or unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const dateMs = Date.parse(trimmed);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

/**
 * True when fetch refused to build the request: an unparsable URL, or one with credentials in it.
 * Network failures are `TypeError('fetch failed')` with a `cause`; these have no network cause.
 */
function isInvalidUrl(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return cause === undefined || cause?.code === 'ERR_INVALID_URL';
}

/** Error codes of Node's fetch (undici) and of the sockets under it, as short reasons. */
const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the receiver',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body timed out',
};

/**
 * A short reason for a fetch that threw. Only names and codes are used, never `message`, which
 * may contain the URL.
 */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `timeout after ${formatSeconds(timeoutMs)}`;
  if (isInvalidUrl(error)) return 'invalid URL';
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause !== undefined && cause !== null; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      const known = NETWORK_REASONS[code];
      if (known !== undefined) return known;
      if (/^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code))
        return `TLS error (${code})`;
      if (/^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return `network error (${code})`;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return 'network error';
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
