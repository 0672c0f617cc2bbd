import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../lib/errors.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.js';
import { azuriteSettings, envelope, FunctionsHarness, jsonLines } from '../support/functionsHarness.js';
import { scan, session } from '../support/sessions.js';

let az: Azurite;
let proxy: FaultProxy;

beforeAll(async () => {
  az = await startAzurite();
  proxy = await startFaultProxy(az.tablePort);
});

afterAll(async () => {
  await proxy.close();
  await az.stop();
});

function harness(now = '2026-11-01T11:00:00Z'): FunctionsHarness {
  proxy.mode = { kind: 'pass' };
  return new FunctionsHarness(azuriteSettings(az, {}, proxy.port), az.connectionString(), now);
}

const tail = session('198.51.100.250', 443, '2026-11-01T10:30:00Z');
const scanBatch = (src: string, ports: number) => [
  envelope(scan(src, ports, '2026-11-01T10:00:00Z')),
  jsonLines([tail]),
];
const counts = async (h: FunctionsHarness) =>
  (await h.queuedAlerts()).map((a) => [a.SrcIpAddr, a.AttemptedPortsCount, a.EventCount]);

describe('Faults: Table Storage throttling, outages and crashes', () => {
  it('answers throttling (503, then 500) with backoff and completes the batch', async () => {
    const h = harness();
    proxy.mode = { kind: 'status', status: 503, count: 1 };
    await h.ingest('0', scanBatch('203.0.113.1', 60), 1, '2026-11-01T10:31:00Z');
    proxy.mode = { kind: 'status', status: 500, count: 1 };
    await h.ingest(
      '0',
      [jsonLines(scan('203.0.113.1', 5, '2026-11-01T10:01:00Z', 900))],
      3,
      '2026-11-01T10:31:00Z',
    );
    await h.closeBins();
    expect(await counts(h)).toEqual([['203.0.113.1', 65, 65]]);
  });

  it('fails the invocation when storage stays down past the retry budget, without recording progress, and is exact after recovery', async () => {
    const h = harness();
    proxy.mode = { kind: 'down' };
    await expect(
      h.ingest('0', scanBatch('203.0.113.2', 70), 1, '2026-11-01T10:31:00Z'),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
    proxy.mode = { kind: 'pass' };
    expect(await h.services.store.readProgress()).toEqual([]);
    await h.ingest('0', scanBatch('203.0.113.2', 70), 1, '2026-11-01T10:31:00Z');
    await h.closeBins();
    expect(await counts(h)).toEqual([['203.0.113.2', 70, 70]]);
  });

  it('is exact when the process dies between the state write and the checkpoint (the batch is redelivered)', async () => {
    const h = harness();
    // The windows are written; the first write to the Control table (the progress) fails: the
    // invocation dies before it completes, so Event Hubs never checkpoints and redelivers.
    proxy.mode = { kind: 'failFrom', picks: (method, url) => method !== 'GET' && /Control/.test(url) };
    await expect(
      h.ingest('0', scanBatch('203.0.113.3', 80), 1, '2026-11-01T10:31:00Z'),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
    proxy.mode = { kind: 'pass' };
    const before = await h.services.store.readWindowRows('203.0.113.3', Date.parse('2026-11-01T10:00:00Z'));
    expect(before.map((r) => r.state.ports.size)).toEqual([80]);
    await h.ingest('0', scanBatch('203.0.113.3', 80), 1, '2026-11-01T10:31:00Z');
    await h.closeBins();
    expect(await counts(h)).toEqual([['203.0.113.3', 80, 80]]);
  });

  it('delivers each alert once when the timer dies after queueing some of them', async () => {
    const h = harness();
    await h.ingest(
      '0',
      [
        envelope([
          ...scan('203.0.113.4', 60, '2026-11-01T10:00:00Z'),
          ...scan('203.0.113.5', 61, '2026-11-01T10:00:00Z'),
        ]),
        jsonLines([tail]),
      ],
      1,
      '2026-11-01T10:31:00Z',
    );
    // Let the first alert be claimed, queued and recorded (two outbox updates), then die.
    let outboxUpdates = 0;
    proxy.mode = {
      kind: 'failFrom',
      picks: (method, url) => /Outbox\(/.test(url) && method !== 'GET' && ++outboxUpdates > 2,
    };
    await expect(h.closeBins()).rejects.toBeInstanceOf(StorageUnavailableError);
    proxy.mode = { kind: 'pass' };
    expect((await h.queuedAlerts()).map((a) => a.SrcIpAddr)).toHaveLength(1);
    await h.closeBins();
    const second = await h.queuedAlerts();
    expect(second).toHaveLength(1);
    await h.closeBins();
    expect(await h.queuedAlerts()).toEqual([]);
  });
});
