import { EventHubConsumerClient, EventHubProducerClient } from '@azure/event-hubs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventHubsPeer } from '../support/eventHubsPeer.js';

// The peer in test/support stands in for Event Hubs (no emulator can run here); these tests hold
// it to what the real SDK expects, so that the product's tests against it mean something.
const FAST_RETRY = { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50, timeoutInMs: 10_000 };

describe('EventHubsPeer: the real @azure/event-hubs SDK against it', () => {
  let peer: EventHubsPeer;
  const clients: { close(): Promise<void> }[] = [];
  const producer = (hub = 'flows', connection?: string) => {
    const client = new EventHubProducerClient(connection ?? peer.connectionString(hub), {
      retryOptions: FAST_RETRY,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    peer = await EventHubsPeer.start({ hubs: { flows: { partitionIds: ['0', '1', '2'] } } });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  afterAll(async () => {
    await peer.stop();
  });

  it('accepts the SAS token of the connection string and answers the hub properties', async () => {
    const properties = await producer().getEventHubProperties();

    expect(properties.name).toBe('flows');
    expect(properties.partitionIds).toEqual(['0', '1', '2']);
    expect(properties.createdOn).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(peer.tokens.at(-1)).toMatchObject({
      tokenType: 'servicebus.windows.net:sastoken',
      accepted: true,
    });
  });

  it('refuses a token signed with another key, and the SDK reports it', async () => {
    const wrongKey = peer.connectionString('flows', Buffer.from('another key').toString('base64'));

    const error = await producer('flows', wrongKey)
      .getEventHubProperties()
      .catch((e: unknown) => e);

    // UnauthorizedError is retryable in the SDK (keys may be rotating): every attempt is refused.
    const errors = (error instanceof AggregateError ? error.errors : [error]) as {
      code?: string;
      message?: string;
    }[];
    expect(errors.map((e) => e.code)).toEqual([
      'UnauthorizedError',
      'UnauthorizedError',
      'UnauthorizedError',
    ]);
    expect(errors[0]?.message).toMatch(/invalid signature/);
    expect(peer.tokens.at(-1)).toMatchObject({ accepted: false });
  });

  it('answers partition properties as set, and as they move with received events', async () => {
    const client = producer();
    expect(await client.getPartitionProperties('2')).toMatchObject({
      partitionId: '2',
      isEmpty: true,
      lastEnqueuedSequenceNumber: -1,
    });

    peer.setPartition('flows', '2', {
      lastEnqueuedSequenceNumber: 41,
      lastEnqueuedOffset: '8192',
      lastEnqueuedTimeUtc: new Date('2026-03-01T10:05:00Z'),
    });
    const set = await client.getPartitionProperties('2');
    expect(set).toEqual({
      eventHubName: 'flows',
      partitionId: '2',
      beginningSequenceNumber: 0,
      lastEnqueuedSequenceNumber: 41,
      lastEnqueuedOffset: '8192',
      lastEnqueuedOnUtc: new Date('2026-03-01T10:05:00Z'),
      isEmpty: false,
    });

    const batch = await client.createBatch({ partitionId: '2' });
    expect(batch.tryAdd({ body: Buffer.from('one') })).toBe(true);
    expect(batch.tryAdd({ body: Buffer.from('two') })).toBe(true);
    await client.sendBatch(batch);
    const moved = await client.getPartitionProperties('2');
    expect(moved.lastEnqueuedSequenceNumber).toBe(43);
    expect(Number(moved.lastEnqueuedOffset)).toBeGreaterThan(8192);
    expect(moved.lastEnqueuedOnUtc.getTime()).toBeGreaterThan(Date.parse('2026-03-01T10:05:00Z'));
    expect(peer.received('flows', '2').map((e) => [e.sequenceNumber, e.body.toString()])).toEqual([
      [42, 'one'],
      [43, 'two'],
    ]);
  });

  it('records each event of a batch with its bytes, properties and partition', async () => {
    const client = producer();
    const before = peer.received('flows').length;
    const batch = await client.createBatch();
    expect(batch.maxSizeInBytes).toBe(EventHubsPeer.maxMessageBytes);
    batch.tryAdd({ body: Buffer.from('{"records":[]}\n'), properties: { source: 'test' } });
    batch.tryAdd({ body: Buffer.from([0xff, 0x00, 0x41]) });
    await client.sendBatch(batch);

    const events = peer.received('flows').slice(before);
    expect(events.map((e) => e.body)).toEqual([
      Buffer.from('{"records":[]}\n'),
      Buffer.from([0xff, 0x00, 0x41]),
    ]);
    expect(events[0]?.properties).toEqual({ source: 'test' });
    expect(new Set(events.map((e) => e.partitionId)).size).toBe(1);
  });

  it('spreads batches sent to the hub over its partitions and keeps a partition key on one', async () => {
    const client = producer();
    const before = peer.received('flows').length;
    for (let i = 0; i < 3; i++) await client.sendBatch([{ body: Buffer.from(`rr${i}`) }]);
    for (let i = 0; i < 3; i++)
      await client.sendBatch([{ body: Buffer.from(`k${i}`) }], { partitionKey: 'host-a' });

    const events = peer.received('flows').slice(before);
    const roundRobin = events.filter((e) => e.body.toString().startsWith('rr'));
    expect(new Set(roundRobin.map((e) => e.partitionId)).size).toBe(3);
    const keyed = events.filter((e) => e.partitionKey === 'host-a');
    expect(keyed).toHaveLength(3);
    expect(new Set(keyed.map((e) => e.partitionId)).size).toBe(1);
  });

  it('throttles with server-busy; the SDK retries and the events arrive once', async () => {
    const client = producer();
    const before = peer.received('flows').length;
    peer.injectFault({ operation: 'send', kind: 'server-busy', times: 2 });

    await client.sendBatch([{ body: Buffer.from('after throttling') }], { partitionId: '0' });

    expect(peer.transfers.slice(-3).map((t) => t.outcome)).toEqual([
      'com.microsoft:server-busy',
      'com.microsoft:server-busy',
      'accepted',
    ]);
    expect(
      peer
        .received('flows')
        .slice(before)
        .map((e) => e.body.toString()),
    ).toEqual(['after throttling']);
  });

  it('fails a send with ServerBusyError when throttling outlasts the retries', async () => {
    const client = producer();
    peer.injectFault({ operation: 'send', kind: 'server-busy', times: 3 });

    const error = await client.sendBatch([{ body: Buffer.from('x') }]).catch((e: unknown) => e);

    const errors = error instanceof AggregateError ? error.errors : [error];
    expect(errors.map((e: { code?: string }) => e.code)).toEqual([
      'ServerBusyError',
      'ServerBusyError',
      'ServerBusyError',
    ]);
  });

  it('reports a missing hub as MessagingEntityNotFoundError, without retrying', async () => {
    const client = producer('nosuchhub');

    const error = (await client.createBatch().catch((e: unknown) => e)) as {
      code?: string;
      message?: string;
    };

    expect(error.code).toBe('MessagingEntityNotFoundError');
    expect(error.message).toMatch(/nosuchhub' could not be found/);
    expect(peer.tokens.filter((t) => t.audience.endsWith('/nosuchhub'))).toHaveLength(1);
  });

  it('injects management faults: server-busy is retried, entity-not-found is reported', async () => {
    const client = producer();
    peer.injectFault({ operation: 'management', kind: 'server-busy', times: 1 });
    expect((await client.getPartitionProperties('1')).partitionId).toBe('1');

    peer.injectFault({ operation: 'management', kind: 'entity-not-found', times: 1 });
    await expect(client.getEventHubProperties()).rejects.toMatchObject({
      code: 'MessagingEntityNotFoundError',
    });
    expect(peer.managementRequests.slice(-3).map((r) => r.outcome)).toEqual([
      'server-busy',
      'ok',
      'entity-not-found',
    ]);
  });

  it('serves the consumer client its partition properties too', async () => {
    const consumer = new EventHubConsumerClient('$Default', peer.connectionString('flows'), {
      retryOptions: FAST_RETRY,
    });
    clients.push(consumer);
    peer.setPartition('flows', '1', {
      lastEnqueuedSequenceNumber: 7,
      lastEnqueuedTimeUtc: new Date('2026-05-05T05:05:05Z'),
    });

    expect(await consumer.getPartitionIds()).toEqual(['0', '1', '2']);
    expect(await consumer.getPartitionProperties('1')).toMatchObject({
      lastEnqueuedSequenceNumber: 7,
      lastEnqueuedOnUtc: new Date('2026-05-05T05:05:05Z'),
    });
  });
});
