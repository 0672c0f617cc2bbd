import { QueueClient, type StoragePipelineOptions } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertSinks } from '../../lib/alerts/createAlertSinks.js';
import {
  ALERT_QUEUE_NOT_FOUND,
  QUEUE_MESSAGE_MAX_CHARS,
  StorageQueueSink,
} from '../../lib/alerts/sinks/StorageQueueSink.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import { largeAlert, sampleAlert } from '../support/alerts.js';
import { AZURITE_KEY, type Azurite, freePort, startAzurite } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.js';

/** One try per call: the SDK's own retries are its business; these tests look at a single outcome. */
const ONE_TRY: StoragePipelineOptions = { retryOptions: { maxTries: 1, tryTimeoutInMs: 5000 } };

let azurite: Azurite;
let proxy: FaultProxy;
let queueNumber = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startFaultProxy(azurite.queuePort);
});

afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
});

/** A fresh queue name, so each test starts without a queue. */
function newQueueName(): string {
  return `portscan-alerts-${++queueNumber}`;
}

function queueSink(queueName: string, connectionString = azurite.connectionString()): StorageQueueSink {
  const [sink] = createAlertSinks(
    {
      queues: { kind: 'connectionString', connectionString },
      alertQueue: queueName,
      alertLinkTemplate: undefined,
      httpTimeoutMs: 10_000,
      sinks: [],
    },
    { queuePipeline: ONE_TRY },
  );
  return sink as StorageQueueSink;
}

/** Reads every message of a queue as a Functions queue trigger with the default messageEncoding (base64) would. */
async function readAsQueueTrigger(
  queueName: string,
): Promise<{ alert: Alert; dequeueCount: number; expiresOn: Date }[]> {
  const client = new QueueClient(azurite.connectionString(), queueName);
  const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
  return receivedMessageItems.map((m) => ({
    alert: AlertSchema.parse(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8'))),
    dequeueCount: m.dequeueCount,
    expiresOn: m.expiresOn,
  }));
}

describe('Storage queue sink: Azurite', () => {
  it('creates the queue and enqueues one base64 JSON message per alert that decodes to the alert', async () => {
    const queueName = newQueueName();
    const sink = queueSink(queueName);
    const alert = sampleAlert();
    expect(await sink.deliver(alert)).toEqual({ ok: true, attempts: 1 });
    const messages = await readAsQueueTrigger(queueName);
    expect(messages.map((m) => m.alert)).toEqual([alert]);
    expect(messages[0]?.dequeueCount).toBe(1);
    // Messages never expire (time-to-live -1): an alert waits for its consumer.
    expect(messages[0]?.expiresOn.getUTCFullYear()).toBe(9999);
  });

  it('keeps a 20,000-port alert within 64 KiB by listing fewer ports, and says so', async () => {
    const queueName = newQueueName();
    const alert = largeAlert(20_000, 20, 60);
    expect(await queueSink(queueName).deliver(alert)).toEqual({ ok: true, attempts: 1 });
    const peeked = await new QueueClient(azurite.connectionString(), queueName).peekMessages();
    const text = peeked.peekedMessageItems[0]?.messageText ?? '';
    expect(text.length).toBeLessThanOrEqual(QUEUE_MESSAGE_MAX_CHARS);
    expect(text.length).toBeGreaterThan(QUEUE_MESSAGE_MAX_CHARS - 200);
    const [message] = await readAsQueueTrigger(queueName);
    expect(message?.alert.AttemptedPortsTruncated).toBe(true);
    expect(message?.alert.AttemptedPortsCount).toBe(20_000);
    expect(message?.alert.AttemptedPorts).toEqual(
      alert.AttemptedPorts.slice(0, message?.alert.AttemptedPorts.length),
    );
  });

  it('uses the real bound: Azurite refuses one character more than 64 KiB', async () => {
    const client = new QueueClient(azurite.connectionString(), newQueueName(), ONE_TRY);
    await client.create();
    await expect(client.sendMessage('A'.repeat(QUEUE_MESSAGE_MAX_CHARS))).resolves.toBeDefined();
    await expect(client.sendMessage('A'.repeat(QUEUE_MESSAGE_MAX_CHARS + 1))).rejects.toMatchObject({
      statusCode: 413,
    });
  });

  it('recreates a queue deleted after first use, at the next call', async () => {
    const queueName = newQueueName();
    const sink = queueSink(queueName);
    expect(await sink.deliver(sampleAlert())).toMatchObject({ ok: true });
    await new QueueClient(azurite.connectionString(), queueName).delete();
    expect(await sink.deliver(sampleAlert())).toEqual({
      ok: false,
      attempts: 1,
      retryable: true,
      reason: 'HTTP 404 QueueNotFound',
    });
    expect(await sink.deliver(sampleAlert())).toEqual({ ok: true, attempts: 1 });
    expect(await readAsQueueTrigger(queueName)).toHaveLength(1);
  });
});

describe('Storage queue sink: with a managed identity (the queue belongs to the deployment)', () => {
  /** The sink as createAlertSinks builds it for an identity-based connection: it may not create its queue. */
  function sendOnlySink(queueName: string): StorageQueueSink {
    return new StorageQueueSink(new QueueClient(azurite.connectionString(), queueName, ONE_TRY), {
      createQueue: false,
    });
  }

  it('reports a missing queue by name, as retryable, and creates nothing', async () => {
    const queueName = newQueueName();
    const outcome = await sendOnlySink(queueName).deliver(sampleAlert());
    expect(outcome).toEqual({
      ok: false,
      attempts: 1,
      retryable: true,
      reason: `${ALERT_QUEUE_NOT_FOUND}: alert queue '${queueName}' does not exist (HTTP 404 QueueNotFound); the deployment creates it (azd provision) and the app's identity may only send to it, so the app never creates it`,
    });
    expect(await new QueueClient(azurite.connectionString(), queueName).exists()).toBe(false);
  });

  it('sends to the queue the deployment created, and delivers once it is created again', async () => {
    const queueName = newQueueName();
    const admin = new QueueClient(azurite.connectionString(), queueName);
    await admin.create();
    const sink = sendOnlySink(queueName);
    const alert = sampleAlert();
    expect(await sink.deliver(alert)).toEqual({ ok: true, attempts: 1 });
    await admin.delete();
    expect(await sink.deliver(alert)).toMatchObject({ ok: false, retryable: true });
    expect(await admin.exists()).toBe(false);
    await admin.create();
    expect(await sink.deliver(alert)).toEqual({ ok: true, attempts: 1 });
    expect((await readAsQueueTrigger(queueName)).map((m) => m.alert)).toEqual([alert]);
  });
});

describe('Storage queue sink: failures', () => {
  it('reports throttling as retryable and delivers once when it ends', async () => {
    const queueName = newQueueName();
    const sink = queueSink(queueName, azurite.connectionString({ queue: proxy.port }));
    expect(await sink.deliver(sampleAlert())).toMatchObject({ ok: true });
    proxy.mode = { kind: 'status', status: 503, count: 1 };
    const throttled = await sink.deliver({ ...sampleAlert(), SrcIpAddr: '203.0.113.99' });
    expect(throttled).toMatchObject({ ok: false, attempts: 1, retryable: true });
    expect(throttled.ok === false && throttled.reason).toMatch(/^HTTP 503/);
    proxy.mode = { kind: 'pass' };
    expect(await sink.deliver({ ...sampleAlert(), SrcIpAddr: '203.0.113.99' })).toMatchObject({ ok: true });
    const sources = (await readAsQueueTrigger(queueName)).map((m) => m.alert.SrcIpAddr).sort();
    expect(sources).toEqual(['203.0.113.50', '203.0.113.99']);
  });

  it('reports storage that is down as retryable, without the account key or the endpoint', async () => {
    const port = await freePort();
    const sink = queueSink(newQueueName(), azurite.connectionString({ queue: port }));
    const outcome = await sink.deliver(sampleAlert());
    expect(outcome).toEqual({ ok: false, attempts: 1, retryable: true, reason: 'connection refused' });
    const text = JSON.stringify(outcome);
    expect(text).not.toContain(AZURITE_KEY.slice(0, 20));
    expect(text).not.toContain(String(port));
  });
});
