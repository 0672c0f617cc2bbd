import type { HttpRuntime } from '../../lib/alerts/http/postJson.js';
import type { Logger } from '../../lib/observability/Logger.js';

/** A virtual clock: `sleep` advances `now` at once and records the delay. */
export interface FakeClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  readonly sleeps: number[];
}

export function fakeClock(startMs = Date.parse('2026-11-01T10:15:00.000Z')): FakeClock {
  let t = startMs;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

/** What a scripted fetch does for one call: answer with a status, or throw. */
export type FetchStep =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly error: unknown };

/** A runtime whose fetch plays `steps` in order (the last one repeats), on a fake clock, with `random` fixed. */
export function scriptedRuntime(
  steps: readonly FetchStep[],
  random = 0.5,
): HttpRuntime & { clock: FakeClock; calls: { url: string; init: RequestInit | undefined }[] } {
  const clock = fakeClock();
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  return {
    clock,
    calls,
    now: clock.now,
    sleep: clock.sleep,
    random: () => random,
    fetch: async (input, init) => {
      calls.push({ url: String(input), init });
      const step = steps[Math.min(calls.length - 1, steps.length - 1)];
      if (step === undefined) throw new Error('no step');
      if ('error' in step) throw step.error;
      return new Response(step.body ?? null, { status: step.status, headers: step.headers ?? {} });
    },
  };
}

/** A logger that keeps every call, for assertions and secret scans. */
export function recordingLogger(): Logger & { readonly entries: unknown[][] } {
  const entries: unknown[][] = [];
  return {
    entries,
    info: (...args) => entries.push(['info', ...args]),
    warn: (...args) => entries.push(['warn', ...args]),
    error: (...args) => entries.push(['error', ...args]),
  };
}
