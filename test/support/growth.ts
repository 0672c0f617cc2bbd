/**
 * Linear-time checks for parsers that read attacker-controlled text: a catastrophic regular
 * expression or a rescan from every position turns a 4 MB line into minutes of CPU. No check here
 * compares a duration with a fixed budget, which a loaded machine breaks: each compares the CPU
 * time of one large input with the CPU time of the same amount of text in small inputs, measured
 * back to back in the same process. CPU time (`process.cpuUsage`) leaves out the time the process
 * waits while other processes run, so the ratio holds on a busy machine: about 1 for a linear
 * parser, about `large / small` (100 by default) for a quadratic one.
 */

/** CPU milliseconds this process has used (all its threads: the test's and the garbage collector's). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds taken by `run`, the least of `trials`. */
export function bestCpuMs(run: () => void, trials: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let t = 0; t < trials; t++) {
    const start = cpuMs();
    run();
    best = Math.min(best, cpuMs() - start);
  }
  return best;
}

/** What {@link measureGrowth} found for one adversarial input. */
export interface Growth {
  /** CPU time of one decode of the large input, ms. */
  readonly largeMs: number;
  /** CPU time of `largeChars / smallChars` decodes of the small input (the same amount of text), ms. */
  readonly smallBatchMs: number;
  /** largeMs / smallBatchMs: about 1 when linear, about `largeChars / smallChars` when quadratic. */
  readonly ratio: number;
}

export interface GrowthOptions<T> {
  /** Size of the small input, characters (1,000 by default). */
  readonly smallChars?: number;
  /** Size of the large input, characters (100,000 by default). */
  readonly largeChars?: number;
  /** A large decode under this many CPU ms passes without the comparison (2 by default). */
  readonly fastMs?: number;
  /** An input's size in characters (a string's length by default). */
  readonly sizeOf?: (input: T) => number;
}

/**
 * Compares the CPU time of one large input with that of the same amount of text in small inputs
 * (best of three each); `undefined` when the large decode is faster than `fastMs`.
 */
export function measureGrowth<T>(
  decode: (input: T) => void,
  make: (chars: number) => T,
  options: GrowthOptions<T> = {},
): Growth | undefined {
  const sizeOf = options.sizeOf ?? ((input: T) => String(input).length);
  const small = make(options.smallChars ?? 1_000);
  const large = make(options.largeChars ?? 100_000);
  const repeats = Math.max(1, Math.round(sizeOf(large) / Math.max(1, sizeOf(small))));
  decode(small);
  const first = bestCpuMs(() => decode(large), 1);
  if (first < (options.fastMs ?? 2)) return undefined;
  const largeMs = Math.min(
    first,
    bestCpuMs(() => decode(large), 2),
  );
  const smallBatchMs = bestCpuMs(() => {
    for (let i = 0; i < repeats; i++) decode(small);
  }, 3);
  return { largeMs, smallBatchMs, ratio: largeMs / Math.max(smallBatchMs, 0.05) };
}

/**
 * Largest accepted {@link Growth.ratio}: linear parsers stay under 2; quadratic ones reach 100 with
 * the default sizes when their inner loop costs as much as their per-call work, and about 23 when
 * it is a memory-speed `indexOf` (the self-test in test/fuzz/linearTime.fuzz.test.ts measures such
 * a one at 300 KB, about 65). The margin covers what CPU time still shares with other processes
 * (caches, a sibling hyperthread) and a garbage collection falling in one measurement.
 */
export const MAX_GROWTH_RATIO = 20;

/**
 * The growth of `decode` when it is super-linear: measured, and measured up to twice more before
 * it is reported, so that one disturbed measurement never fails a run. `undefined` when linear.
 */
export function superlinearGrowth<T>(
  decode: (input: T) => void,
  make: (chars: number) => T,
  options: GrowthOptions<T> = {},
): Growth | undefined {
  let growth: Growth | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    growth = measureGrowth(decode, make, options);
    if (growth === undefined || growth.ratio <= MAX_GROWTH_RATIO) return undefined;
  }
  return growth;
}

/** Throws, naming the measurements, when `decode` takes super-linear time in its input's size. */
export function expectLinearTime<T>(
  decode: (input: T) => void,
  make: (chars: number) => T,
  options: GrowthOptions<T> = {},
): void {
  const growth = superlinearGrowth(decode, make, options);
  if (growth === undefined) return;
  const large = options.largeChars ?? 100_000;
  const small = options.smallChars ?? 1_000;
  throw new Error(
    `super-linear time: one input of ${large} characters took ${growth.largeMs.toFixed(1)} ms of CPU, ` +
      `the same text as inputs of ${small} characters ${growth.smallBatchMs.toFixed(1)} ms (ratio ` +
      `${growth.ratio.toFixed(1)}, at most ${MAX_GROWTH_RATIO} accepted)`,
  );
}
