/**
 * Spaces requests at least `minIntervalMs` apart, in the order `acquire` was called: with 250 ms,
 * no 1-second window holds more than four requests (Teams Workflows throttles above four per
 * second); with 1000 ms, one per second (Slack, per webhook). It limits one process; several
 * Function instances together may exceed it, which the receivers answer with 429 and
 * `Retry-After`, honoured by `postJson`.
 */
export class RateLimiter {
  readonly minIntervalMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Earliest time the next request may start. */
  #nextMs = Number.NEGATIVE_INFINITY;

  constructor(minIntervalMs: number, clock: { now: () => number; sleep: (ms: number) => Promise<void> }) {
    this.minIntervalMs = minIntervalMs;
    this.#now = clock.now;
    this.#sleep = clock.sleep;
  }

  /** Resolves when the caller may send its request; the slot is reserved at once, so callers queue fairly. */
  async acquire(): Promise<void> {
    const now = this.#now();
    const startMs = Math.max(now, this.#nextMs);
    this.#nextMs = startMs + this.minIntervalMs;
    if (startMs > now) await this.#sleep(startMs - now);
  }
}
