import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, windowPartitionKey, windowRowKey } from '../../lib/state/keys.js';
import {
  actionPayloadBytes,
  splitByBytes,
  TRANSACTION_PAYLOAD_BUDGET_BYTES,
} from '../../lib/state/TableWindowRows.js';
import { TableWindowStore } from '../../lib/state/TableWindowStore.js';
import type { BatchGroup } from '../../lib/state/WindowStore.js';
import { encodeState } from '../../lib/window/stateCodec.js';
import { emptyState, WindowAccumulator } from '../../lib/window/WindowState.js';
import { type Azurite, startAzurite } from '../support/azurite.js';

/*
 * A window-write transaction is bounded by bytes as well as by count: 100 rows of one
 * PartitionKey at their worst case (every port attempted and reached, 64 reporters of 128
 * three-byte characters, 16 devices, 64 IPv6 targets) are about 6.5 MB in a batch's payload,
 * more than the 4 MiB an entity-group transaction may carry, so they are written in parts.
 */

let az: Azurite;
beforeAll(async () => {
  az = await startAzurite();
});
afterAll(async () => {
  await az.stop();
});

const BIN = Date.parse('2026-11-01T10:00:00Z');

/** An accumulator whose state is near a stored row's worst case. */
function worstCase(): WindowAccumulator {
  const acc = new WindowAccumulator(true);
  const wide = (i: number, n: number) => `${String(i).padStart(2, '0')}${'€'.repeat(n - 2)}`;
  for (let port = 0; port < 65536; port++) {
    acc.add(
      {
        port,
        reporter: wide(port % 64, 128),
        timeMs: BIN + (port % 300_000),
        eventCount: 1,
        target: `2a01:db8a:${(port % 64).toString(16).padStart(4, 'f')}:ffff:ffff:ffff:ffff:ffff`,
        reached: port !== 0,
        device: wide(port % 16, 64),
      },
      1,
    );
  }
  return acc;
}

/** `n` sources whose rows of one bin share a PartitionKey. */
function sourcesOfOneBucket(n: number): string[] {
  const bucket = bucketOf('203.0.113.1');
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const source = `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    if (bucketOf(source) === bucket) out.push(source);
  }
  return out;
}

describe('Table window state: transactions bounded by bytes', () => {
  it('writes 100 worst-case rows of one PartitionKey in transactions under 4 MiB, every row exact', async () => {
    const accumulator = worstCase();
    const stateBytes = encodeState(accumulator.applyTo(emptyState(), '0')).length;
    expect(stateBytes).toBeGreaterThan(45_000);
    const sources = sourcesOfOneBucket(100);
    const groups: BatchGroup[] = sources.map((source) => ({ source, binStartMs: BIN, accumulator }));
    const store = TableWindowStore.fromConnection(
      { kind: 'connectionString', connectionString: az.connectionString() },
      `Bytes${process.pid}`,
    );

    const counts = await store.applyWindows('0', groups);

    // Prepare the expectation: the rows' payload, split as the store splits it.
    const payload = sources.map((s) =>
      actionPayloadBytes(stateBytes, windowPartitionKey(s, BIN), windowRowKey(s, '0')),
    );
    expect(payload.reduce((a, b) => a + b, 0)).toBeGreaterThan(4 * 1024 * 1024);
    const parts = splitByBytes(sources, payload, TRANSACTION_PAYLOAD_BUDGET_BYTES);
    expect(parts.length).toBeGreaterThan(1);
    expect(counts).toMatchObject({ entityWrites: 100, transactions: parts.length, conflicts: 0 });
    const rows = [];
    for await (const row of store.listBinWindows(BIN)) rows.push(row);
    expect(rows.map((r) => r.source).sort()).toEqual([...sources].sort());
    for (const r of rows) {
      expect(r.state.ports.size).toBe(65536);
      expect(r.state.reached.size).toBe(65535);
    }
  }, 60_000);

  it('splits items into runs within the budget, in order, a too-large item alone', () => {
    expect(splitByBytes(['a', 'b', 'c', 'd'], [3, 3, 5, 1], 6)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(splitByBytes(['a', 'b'], [9, 1], 6)).toEqual([['a'], ['b']]);
    expect(splitByBytes([], [], 6)).toEqual([]);
  });
});
