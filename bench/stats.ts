/** A figure over several runs: the median, and the spread as the smallest and largest run. */
export interface RunStats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function medianAndSpread(values: readonly number[]): RunStats {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: values.length };
}

/** The same statistic over values computed from paired runs (a ratio of two timings, say). */
export function mapStats(stats: RunStats, f: (v: number) => number): RunStats {
  const a = f(stats.min);
  const b = f(stats.max);
  return { median: f(stats.median), min: Math.min(a, b), max: Math.max(a, b), runs: stats.runs };
}
