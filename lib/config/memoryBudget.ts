/**
 * How an instance's memory is shared out, in one place. A Flex Consumption instance has 512, 2,048
 * or 4,096 MB (`functionInstanceMemoryMB` in infra/); the worker's JavaScript heap is capped below
 * that by V8. What one instance holds at most:
 *
 * - the row cache of the window store (`rowCacheBytes`): an eighth of the instance memory, and at
 *   most a quarter of the heap limit, so that a batch's windows, the SDK's buffers and the
 *   messages of the next batch always have room: 256 MB on a 2,048 MB instance;
 * - a batch's open windows are bounded separately, by `PORTSCAN_MAX_OPEN_WINDOWS` (limits.ts);
 * - the batch itself: host.json's `maxEventBatchSize` and `prefetchCount` are sized so that a batch
 *   of 1 MB messages (about 9 MB each in the worker, measured) and the host's prefetch fit a
 *   2,048 MB instance beside this cache (docs/scaling.md#memory-budget has the figures).
 */
export interface MemoryBudget {
  /** Memory of the instance (the container's limit, else the machine's). */
  readonly instanceBytes: number;
  /** The V8 heap limit of the worker process. */
  readonly heapLimitBytes: number;
  /** What the window store's row cache may hold (estimated heap bytes). */
  readonly rowCacheBytes: number;
}

const MIB = 1024 * 1024;

/**
 * The budget of an instance with `instanceBytes` of memory and a heap limit of `heapLimitBytes`;
 * `rowCacheMegabytes` (the `PORTSCAN_ROW_CACHE_MB` setting) overrides the row cache's share.
 */
export function memoryBudgetOf(
  instanceBytes: number,
  heapLimitBytes: number,
  rowCacheMegabytes?: number,
): MemoryBudget {
  const rowCacheBytes =
    rowCacheMegabytes !== undefined
      ? rowCacheMegabytes * MIB
      : Math.floor(Math.min(instanceBytes / 8, heapLimitBytes / 4));
  return { instanceBytes, heapLimitBytes, rowCacheBytes };
}
