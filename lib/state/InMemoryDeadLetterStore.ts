import type { DeadLetter } from '../sources/pipeline/Normalizer.js';
import type { DeadLetterStore } from './DeadLetterStore.js';
import { DEAD_LETTER_EXCERPT_CHARS, DEAD_LETTER_RETENTION_MS, SampleBudget } from './DeadLetterStore.js';

/** A kept sample and when it was written. */
export interface KeptDeadLetter {
  readonly letter: DeadLetter;
  readonly writtenAtMs: number;
  readonly instance: string;
}

/** The in-memory twin of `TableDeadLetterStore`: the same rate limit, excerpt bound and retention. */
export class InMemoryDeadLetterStore implements DeadLetterStore {
  readonly #budget: SampleBudget;
  readonly #kept: KeptDeadLetter[] = [];

  constructor(perMinute: number) {
    this.#budget = new SampleBudget(perMinute);
  }

  /** The samples kept, oldest first. */
  get samples(): readonly KeptDeadLetter[] {
    return this.#kept;
  }

  async write(samples: readonly DeadLetter[], nowMs: number, instance: string): Promise<number> {
    const allowed = samples.length === 0 ? 0 : this.#budget.allowance(samples.length, nowMs);
    for (const letter of samples.slice(0, allowed)) {
      this.#kept.push({
        letter: { ...letter, excerpt: letter.excerpt.slice(0, DEAD_LETTER_EXCERPT_CHARS) },
        writtenAtMs: nowMs,
        instance,
      });
    }
    this.#budget.take(allowed);
    return allowed;
  }

  async purge(nowMs: number): Promise<number> {
    const before = this.#kept.length;
    const kept = this.#kept.filter((k) => k.writtenAtMs >= nowMs - DEAD_LETTER_RETENTION_MS);
    this.#kept.splice(0, this.#kept.length, ...kept);
    return before - kept.length;
  }
}
