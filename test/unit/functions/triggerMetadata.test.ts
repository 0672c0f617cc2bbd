import { describe, expect, it } from 'vitest';
import {
  attributeBatch,
  readBatchMetadata,
  toSequenceNumber,
  toUtcMs,
} from '../../../functions/shared/triggerMetadata.js';

/** A Long.js value as the Node worker 3.16.0 exposes it after camel-casing (a plain object). */
const long = (value: bigint, unsigned = false) => ({
  low: Number(BigInt.asIntN(32, value)),
  high: Number(BigInt.asIntN(32, value >> 32n)),
  unsigned,
});

/**
 * Trigger metadata of a 3-message batch as `@azure/functions` 4.x hands it over: every key
 * camel-cased (nested ones too), plus the fields the extension sends that the detector ignores.
 */
const hostMetadata = (overrides: Record<string, unknown> = {}) => ({
  triggerPartitionContext: {
    fullyQualifiedNamespace: 'evhns-x.servicebus.windows.net',
    eventHubName: 'flowlogs',
    consumerGroup: 'portscan-ingest',
    partitionId: '3',
    isCheckpointingAfterInvocation: true,
  },
  partitionContext: {
    fullyQualifiedNamespace: 'evhns-x.servicebus.windows.net',
    eventHubName: 'flowlogs',
    consumerGroup: 'portscan-ingest',
    partitionId: '3',
  },
  sequenceNumberArray: [2251, 2252, 2253],
  enqueuedTimeUtcArray: ['2026-11-01T10:31:00.123', '2026-11-01T10:31:00.5', '2026-11-01T10:31:01'],
  offsetArray: ['4294970000', '4294971000', '4294972000'],
  offsetStringArray: ['4294970000', '4294971000', '4294972000'],
  partitionKeyArray: [null, null, null],
  propertiesArray: [{}, { 'x-opt': 1 }, {}],
  systemPropertiesArray: [{ 'x-opt-sequence-number': 2251 }, {}, {}],
  sys: { methodName: 'ingest', utcNow: '2026-11-01T10:31:02.000Z', randGuid: 'b0e8…' },
  ...overrides,
});

describe('triggerMetadata: toSequenceNumber', () => {
  it.each([
    ['a number', 2251, 2251],
    ['zero', 0, 0],
    ['a numeric string', '2251', 2251],
    ['a numeric string with spaces', ' 2251 ', 2251],
    ['a bigint', 2251n, 2251],
    ['a Long-like (Node worker 3.16.0)', { low: 2251, high: 0, unsigned: false }, 2251],
    ['a Long-like above 2^31 (low stored signed)', long(2n ** 31n + 5n), 2 ** 31 + 5],
    ['a Long-like above 2^32', long(7n * 2n ** 32n + 9n), 7 * 2 ** 32 + 9],
    ['an unsigned Long-like', long(2n ** 40n + 1n, true), 2 ** 40 + 1],
    [
      'the largest safe integer as a Long-like',
      long(BigInt(Number.MAX_SAFE_INTEGER)),
      Number.MAX_SAFE_INTEGER,
    ],
  ])('reads %s', (_name, value, expected) => {
    expect(toSequenceNumber(value)).toBe(expected);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
    ['a number past 2^53', 2 ** 53 + 2],
    ['a bigint past 2^53', 2n ** 60n],
    ['a negative Long-like', long(-5n)],
    ['a Long-like past 2^53', long(2n ** 60n)],
    ['a non-numeric string', '12a'],
    ['an empty string', ''],
    ['an object without halves', { value: 3 }],
    ['a Long-like with fractional halves', { low: 1.5, high: 0 }],
  ])('refuses %s', (_name, value) => {
    expect(toSequenceNumber(value)).toBeUndefined();
  });
});

describe('triggerMetadata: toUtcMs', () => {
  it.each([
    [
      'a .NET DateTime without zone (UTC)',
      '2026-11-01T10:31:00.1234567',
      Date.parse('2026-11-01T10:31:00.123Z'),
    ],
    ['an ISO string with Z', '2026-11-01T10:31:00Z', Date.parse('2026-11-01T10:31:00Z')],
    ['an ISO string with an offset', '2026-11-01T11:31:00+01:00', Date.parse('2026-11-01T10:31:00Z')],
    ['a Date', new Date('2026-11-01T10:31:00Z'), Date.parse('2026-11-01T10:31:00Z')],
    ['epoch milliseconds', 1_793_529_060_000, 1_793_529_060_000],
  ])('reads %s', (_name, value, expected) => {
    expect(toUtcMs(value)).toBe(expected);
  });

  it.each([
    ['garbage', 'yesterday'],
    ['an invalid Date', new Date(Number.NaN)],
    ['a Long-like', { low: 1, high: 0 }],
    ['a bare number string', '12345'],
  ])('gives up on %s', (_name, value) => {
    expect(toUtcMs(value)).toBeUndefined();
  });
});

describe('triggerMetadata: readBatchMetadata', () => {
  it('reads the metadata the host sends, ignoring the fields it does not use', () => {
    const meta = readBatchMetadata(hostMetadata(), 3);
    expect(meta).toEqual({
      partition: '3',
      sequenceNumbers: [2251, 2252, 2253],
      enqueuedTimesMs: [
        Date.parse('2026-11-01T10:31:00.123Z'),
        Date.parse('2026-11-01T10:31:00.500Z'),
        Date.parse('2026-11-01T10:31:01.000Z'),
      ],
      problems: [],
    });
  });

  it('reads Long-like sequence numbers (Azure/azure-functions-nodejs-worker#844)', () => {
    const meta = readBatchMetadata(
      hostMetadata({
        sequenceNumberArray: [
          { low: 2251, high: 0, unsigned: false },
          { low: 2252, high: 0, unsigned: false },
          { low: 2253, high: 0, unsigned: false },
        ],
      }),
      3,
    );
    expect(meta.sequenceNumbers).toEqual([2251, 2252, 2253]);
    expect(meta.problems).toEqual([]);
  });

  it('reads each field on its own: unknown and odd fields elsewhere change nothing', () => {
    const meta = readBatchMetadata(
      hostMetadata({
        sequenceNumberArray: ['2251', 2252n, { low: 2253, high: 0 }],
        enqueuedTimeUtcArray: [new Date('2026-11-01T10:31:00Z'), 'not a time', 1_793_529_061_000],
        offsetArray: 'not an array',
        propertiesArray: [{ deeply: { nested: [1n] } }],
        somethingNew: { shape: 'unexpected' },
      }),
      3,
    );
    expect(meta.partition).toBe('3');
    expect(meta.sequenceNumbers).toEqual([2251, 2252, 2253]);
    expect(meta.enqueuedTimesMs).toEqual([Date.parse('2026-11-01T10:31:00Z'), undefined, 1_793_529_061_000]);
    expect(meta.problems).toEqual([]);
  });

  it('takes the partition from partitionContext when triggerPartitionContext has none', () => {
    const meta = readBatchMetadata(
      hostMetadata({ triggerPartitionContext: undefined, partitionContext: { partitionId: 7 } }),
      3,
    );
    expect(meta.partition).toBe('7');
  });

  it.each([
    [
      'no partition id',
      { triggerPartitionContext: { eventHubName: 'x' }, partitionContext: { partitionId: '' } },
      ['no partition id (triggerPartitionContext / partitionContext)'],
    ],
    ['no sequence numbers', { sequenceNumberArray: undefined }, ['no sequenceNumberArray']],
    [
      'too few sequence numbers',
      { sequenceNumberArray: [2251, 2252] },
      ['sequenceNumberArray holds 2 values for 3 messages'],
    ],
    [
      'an unreadable sequence number',
      { sequenceNumberArray: [2251, { low: 'x' }, 2253] },
      ['1 sequence numbers unreadable (first: {"low":"x"})'],
    ],
  ])('names the problem when the metadata has %s', (_name, overrides, problems) => {
    expect(readBatchMetadata(hostMetadata(overrides), 3).problems).toEqual(problems);
  });

  it('lists every problem of metadata that is not an object at all', () => {
    expect(readBatchMetadata(undefined, 2)).toEqual({
      partition: undefined,
      sequenceNumbers: [undefined, undefined],
      enqueuedTimesMs: [undefined, undefined],
      problems: ['no partition id (triggerPartitionContext / partitionContext)', 'no sequenceNumberArray'],
    });
  });
});

describe('triggerMetadata: attributeBatch', () => {
  it('counts a complete batch under its partition with its own sequence numbers', () => {
    expect(attributeBatch(readBatchMetadata(hostMetadata(), 3), 'inv-1')).toEqual({
      countsAs: '3',
      sequenceNumbers: [2251, 2252, 2253],
      progressPartition: '3',
      isComplete: true,
    });
  });

  it('counts a batch without sequence numbers under a key of its own, and keeps its partition progress', () => {
    const batch = attributeBatch(
      readBatchMetadata(hostMetadata({ sequenceNumberArray: [2251, null, 2253] }), 3),
      'inv-2',
    );
    expect(batch).toEqual({
      countsAs: '3~inv-2',
      sequenceNumbers: [0, 1, 2],
      progressPartition: '3',
      isComplete: false,
    });
  });

  it('counts a batch without partition under a key of its own and records progress as unknown', () => {
    const batch = attributeBatch(
      readBatchMetadata(hostMetadata({ triggerPartitionContext: {}, partitionContext: {} }), 3),
      'inv-3',
    );
    expect(batch.countsAs).toBe('unknown~inv-3');
    expect(batch.progressPartition).toBe('unknown');
    expect(batch.isComplete).toBe(false);
  });
});
