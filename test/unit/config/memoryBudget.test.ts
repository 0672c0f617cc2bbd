import { describe, expect, it } from 'vitest';
import { loadFunctionConfig } from '../../../lib/config/appSettings.js';
import { memoryBudgetOf } from '../../../lib/config/memoryBudget.js';

const MIB = 1024 * 1024;
const BASE = {
  PortscanStorage: 'UseDevelopmentStorage=true',
  EventHubConnection__fullyQualifiedNamespace: 'flows.servicebus.windows.net',
  PORTSCAN_EVENTHUB_NAME: 'flows',
};

describe('Memory budget: the row cache sized to the instance', () => {
  it.each([
    [512, 4096, 64],
    [2048, 4096, 256],
    [4096, 4096, 512],
    // A heap capped below the instance memory caps the cache at a quarter of it.
    [4096, 1024, 256],
  ])('gives a %i MB instance with a %i MB heap a %i MB row cache', (instanceMb, heapMb, cacheMb) => {
    expect(memoryBudgetOf(instanceMb * MIB, heapMb * MIB).rowCacheBytes).toBe(cacheMb * MIB);
  });

  it('takes PORTSCAN_ROW_CACHE_MB over the computed share, and rejects a bad value by name', () => {
    const config = loadFunctionConfig({ ...BASE, PORTSCAN_ROW_CACHE_MB: '32' });
    expect(memoryBudgetOf(2048 * MIB, 4096 * MIB, config.rowCacheMegabytes).rowCacheBytes).toBe(32 * MIB);
    expect(loadFunctionConfig(BASE).rowCacheMegabytes).toBeUndefined();
    expect(() => loadFunctionConfig({ ...BASE, PORTSCAN_ROW_CACHE_MB: 'lots' })).toThrow(
      /PORTSCAN_ROW_CACHE_MB/,
    );
  });
});
