import type { Logger } from '../../observability/Logger.js';
import type { DeliveryOutcome } from '../AlertSink.js';
import type { HttpRuntime, RetryPolicy } from './postJson.js';
import { postJson, SYSTEM_HTTP_RUNTIME } from './postJson.js';
import { RateLimiter } from './RateLimiter.js';

/** What every webhook sink needs besides its own settings: retry policy, effects and a logger. */
export interface WebhookHttpOptions {
  readonly policy: RetryPolicy;
  /** Defaults to the real fetch, timers, `Math.random` and `Date.now`. */
  readonly runtime?: HttpRuntime;
  readonly logger?: Logger;
}

/**
 * One webhook endpoint: its secret URL, its rate limiter and its recent health, shared by the
 * calls of one sink. The URL is held in a private field, which neither `JSON.stringify` nor
 * `util.inspect` shows. After a call ends in a retryable failure, calls during the next
 * `maxTotalMs` make a single attempt: when a receiver is down, a timer run with many pending
 * alerts spends one timeout on each instead of the whole retry budget; the outbox retries them
 * at the next run.
 */
export class WebhookTransport {
  readonly #url: string;
  readonly #sinkName: string;
  readonly #policy: RetryPolicy;
  readonly #runtime: HttpRuntime;
  readonly #logger: Logger | undefined;
  readonly #limiter: RateLimiter | undefined;
  #degradedUntilMs = Number.NEGATIVE_INFINITY;

  constructor(sinkName: string, url: string, minIntervalMs: number | undefined, options: WebhookHttpOptions) {
    this.#sinkName = sinkName;
    this.#url = url;
    this.#policy = options.policy;
    this.#runtime = options.runtime ?? SYSTEM_HTTP_RUNTIME;
    this.#logger = options.logger;
    this.#limiter = minIntervalMs === undefined ? undefined : new RateLimiter(minIntervalMs, this.#runtime);
  }

  /** POSTs a JSON body; `headers` is called before each attempt. Never throws for a failed delivery. */
  async send(body: string, headers?: () => Readonly<Record<string, string>>): Promise<DeliveryOutcome> {
    const isDegraded = this.#runtime.now() < this.#degradedUntilMs;
    const outcome = await postJson(
      { url: this.#url, body, ...(headers === undefined ? {} : { headers }) },
      {
        policy: isDegraded ? { ...this.#policy, maxAttempts: 1 } : this.#policy,
        runtime: this.#runtime,
        sinkName: this.#sinkName,
        ...(this.#limiter === undefined ? {} : { limiter: this.#limiter }),
        ...(this.#logger === undefined ? {} : { logger: this.#logger }),
      },
    );
    if (outcome.ok) this.#degradedUntilMs = Number.NEGATIVE_INFINITY;
    else if (outcome.retryable) this.#degradedUntilMs = this.#runtime.now() + this.#policy.maxTotalMs;
    return outcome;
  }
}
