import type { DeadLetter } from '../sources/pipeline/Normalizer.js';

/**
 * Where samples of records that could not be decoded are kept for operators (decision D6),
 * bounded and rate-limited per instance: beyond the rate, dead letters are only counted. Table
 * Storage in Azure (`TableDeadLetterStore`); an in-memory twin for tests.
 */
export interface DeadLetterStore {
  /**
   * Keeps as many samples as the rate allows; returns how many were kept.
   * @throws {StorageUnavailableError} when storage stays unavailable
   */
  write(samples: readonly DeadLetter[], nowMs: number, instance: string): Promise<number>;
  /** Deletes the samples older than the retention; returns how many. */
  purge(nowMs: number): Promise<number>;
}

/** How long dead-letter samples are kept. */
export const DEAD_LETTER_RETENTION_MS = 7 * 24 * 3_600_000;

/** Longest excerpt of a record kept in a sample. */
export const DEAD_LETTER_EXCERPT_CHARS = 256;

/** A per-minute budget of samples, counted from the first sample of each minute. */
export class SampleBudget {
  readonly #perMinute: number;
  #windowStartMs = 0;
  #used = 0;

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** How many of `wanted` samples fit at `nowMs` (not yet taken: see `take`). */
  allowance(wanted: number, nowMs: number): number {
    if (nowMs - this.#windowStartMs >= 60_000) {
      this.#windowStartMs = nowMs;
      this.#used = 0;
    }
    return Math.max(0, Math.min(wanted, this.#perMinute - this.#used));
  }

  /** Counts `n` samples as written. */
  take(n: number): void {
    this.#used += n;
  }
}
