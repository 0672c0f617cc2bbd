import { describe, expect, it } from 'vitest';
import { readBlobCreatedEvent } from '../../../lib/flowlogs/blobCreatedEvent.js';
import { blobCreated, VNET_CONTAINER, vnetBlobName } from '../../support/flowLogRecords.js';

const ACCOUNT = 'https://flowlogs.blob.core.windows.net/';
const NAME = vnetBlobName('2026-11-01T10');

describe('blobCreatedEvent: readBlobCreatedEvent', () => {
  it('reads the container, blob name, URL and sequencer of a BlobCreated event', () => {
    expect(readBlobCreatedEvent(blobCreated(ACCOUNT, VNET_CONTAINER, NAME, 26))).toEqual({
      ok: true,
      event: {
        id: 'event-26',
        container: VNET_CONTAINER,
        name: NAME,
        url: `https://flowlogs.blob.core.windows.net/${VNET_CONTAINER}/${NAME}`,
        contentLength: 0,
        sequencer: '00000000000000000000000000000000000000000000001a',
      },
    });
  });

  it.each([
    ['another event type', { eventType: 'Microsoft.Storage.BlobDeleted' }, 'not a BlobCreated event'],
    ['no data', { data: undefined }, 'not a BlobCreated event'],
    ['a subject that names no blob', { subject: '/blobServices/default/containers/x' }, 'not a blob subject'],
    [
      'a CloudEvents event',
      { subject: undefined, type: 'Microsoft.Storage.BlobCreated' },
      'not a BlobCreated event',
    ],
  ])('refuses %s', (_label, overrides, reason) => {
    const reading = readBlobCreatedEvent(blobCreated(ACCOUNT, VNET_CONTAINER, NAME, 1, overrides));
    expect(reading).toMatchObject({ ok: false, reason });
  });

  it('refuses an append blob, and anything that is not an object', () => {
    const event = blobCreated(ACCOUNT, VNET_CONTAINER, NAME, 1) as { data: Record<string, unknown> };
    event.data.blobType = 'AppendBlob';
    expect(readBlobCreatedEvent(event)).toMatchObject({ ok: false, reason: 'not a block blob' });
    for (const raw of [null, 'text', 42, []]) expect(readBlobCreatedEvent(raw)).toMatchObject({ ok: false });
  });
});
