import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { vectraStream } from '../../../../lib/sources/sensors/vectraStream.js';
import { normalizeText } from '../../../support/golden.js';
import { FOREIGN_RECORDS } from '../../../support/sensorLookalikes.js';

const NAME = 'vectra-stream';

function raw(overrides: JsonObject = {}): JsonObject {
  return {
    metadata_type: 'metadata_isession',
    ts: 1740823205123,
    session_start_time: 1740823205001,
    uid: 'CMdzit1AMNsmfAIiQc',
    'id.orig_h': '198.51.100.23',
    'id.orig_p': 51234,
    'id.resp_h': '10.0.20.15',
    'id.resp_p': 8443,
    protoName: 'tcp',
    local_orig: false,
    local_resp: true,
    sensor_uid: 'sns-7f2a',
    hostname: 'vectra-brain01',
    ...overrides,
  };
}

function row(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:36Z',
    Computer: 'collector01',
    metadata_type_s: 'metadata_isession',
    ts_d: 1740823205123,
    session_start_time_d: 1740823205001,
    id_orig_h_s: '198.51.100.23',
    id_orig_p_d: 51234,
    id_resp_h_s: '10.0.20.15',
    id_resp_p_d: 8443,
    protoName_s: 'tcp',
    local_orig_b: false,
    local_resp_b: true,
    sensor_uid_s: 'sns-7f2a',
    hostname_s: 'collector01',
    Type: 'VectraStream_CL',
    ...overrides,
  };
}

function without(record: JsonObject, ...keys: string[]): JsonObject {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

function lines(...records: JsonObject[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n');
}

const EXPECTED = {
  TimeGenerated: '2025-03-01T10:00:05.123Z',
  EventStartTime: '2025-03-01T10:00:05.001Z',
  EventEndTime: '2025-03-01T10:00:05.123Z',
  EventCount: 1,
  EventVendor: 'Vectra AI',
  EventProduct: 'Vectra Stream',
  EventSchema: 'NetworkSession',
  EventSchemaVersion: '0.2.2',
  EventType: 'NetworkSession',
  EventResult: 'Success',
  SrcIpAddr: '198.51.100.23',
  SrcPortNumber: 51234,
  DstIpAddr: '10.0.20.15',
  DstPortNumber: 8443,
  NetworkProtocol: 'TCP',
  NetworkDirection: 'Inbound',
  Dvc: 'sns-7f2a',
  DvcId: 'sns-7f2a',
};

describe('Decoder: vectra-stream', () => {
  describe('recognition', () => {
    it.each([
      ['a raw metadata_isession record', raw()],
      [
        'a raw record of another metadata type (claimed, then skipped)',
        raw({ metadata_type: 'metadata_dns' }),
      ],
      ['a VectraStream_CL row', row()],
      ['a VectraStream_CL row exported without Type', without(row(), 'Type')],
    ])('claims %s', (_label, record) => {
      expect(vectraStream.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(vectraStream.matchJson?.(record)).toBe(false);
    });

    it.each([
      [
        'a Corelight conn record',
        { _path: 'conn', ts: 1, uid: 'C', 'id.orig_h': '1.2.3.4', conn_state: 'S0' },
      ],
      ['a row of another table carrying metadata_type_s', { ...row(), Type: 'Other_CL' }],
      ['a record whose metadata_type is not a Vectra one', raw({ metadata_type: 'isession' })],
      ['a record whose metadata_type is not a string', raw({ metadata_type: 7 })],
    ])('does not claim %s', (_label, record) => {
      expect(vectraStream.matchJson?.(record as JsonObject)).toBe(false);
    });

    it('is chosen by the real normalizer for every shape', () => {
      expect(normalizeText(lines(raw(), row(), without(row(), 'Type'))).sources).toEqual({ [NAME]: 3 });
    });
  });

  describe('mapping', () => {
    it('maps a raw record and a VectraStream_CL row field by field to the same row', () => {
      const { records } = normalizeText(lines(raw(), row({ hostname_s: 'vectra-brain01' })));
      expect(records).toEqual([
        { ...EXPECTED, DvcHostname: 'vectra-brain01' },
        { ...EXPECTED, DvcHostname: 'vectra-brain01' },
      ]);
    });

    it.each([
      [false, true, 'Inbound'],
      [true, false, 'Outbound'],
      [true, true, 'Local'],
      [false, false, 'External'],
      ['false', 'false', 'External'],
    ])('maps local_orig=%s, local_resp=%s to %s', (localOrig, localResp, direction) => {
      const { records } = normalizeText(lines(raw({ local_orig: localOrig, local_resp: localResp })));
      expect(records[0]?.NetworkDirection).toBe(direction);
    });

    it('leaves the direction empty without the locality flags', () => {
      const { records } = normalizeText(lines(without(raw(), 'local_orig', 'local_resp')));
      expect(records[0]).not.toHaveProperty('NetworkDirection');
    });

    it.each([
      ['vectra-brain01', 'vectra-brain01'],
      ['IP-10-0-0-1', undefined],
      ['ip-brain', undefined],
      ['brain.example.com', undefined],
      ['x'.repeat(62), undefined],
      ['x'.repeat(61), 'x'.repeat(61)],
    ])('applies the parser host-name rule to hostname %s', (hostname, expected) => {
      const { records } = normalizeText(lines(raw({ hostname })));
      expect(records[0]?.DvcHostname).toBe(expected);
    });

    it('upper-cases protoName and ignores the numeric proto', () => {
      const { records } = normalizeText(lines(raw({ protoName: 'udp', proto: 6 })));
      expect(records[0]?.NetworkProtocol).toBe('UDP');
    });

    it('accepts numbers and booleans that an export wrote as strings', () => {
      const { records } = normalizeText(
        lines(
          row({
            ts_d: '1740823205123.0',
            session_start_time_d: '1740823205001',
            id_orig_p_d: '51234.0',
            id_resp_p_d: '8443',
            local_orig_b: 'False',
            local_resp_b: 'True',
            hostname_s: undefined,
          }),
        ),
      );
      expect(records).toEqual([EXPECTED]);
    });

    it('takes TimeGenerated from ts, else the session start, else the row, else the enqueued time', () => {
      const text = lines(
        without(raw(), 'ts'),
        without(row(), 'ts_d', 'session_start_time_d'),
        without(raw(), 'ts', 'session_start_time'),
      );
      const { records } = normalizeText(text, { fallbackTime: '2025-03-01T10:09:00.000Z' });
      expect(records.map((r) => r.TimeGenerated)).toEqual([
        '2025-03-01T10:00:05.001Z',
        '2025-03-01T10:00:36.000Z',
        '2025-03-01T10:09:00.000Z',
      ]);
      expect(records[1]).not.toHaveProperty('EventStartTime');
    });

    it('reports a record with no time at all as invalid', () => {
      const result = normalizeText(lines(without(raw(), 'ts', 'session_start_time')));
      expect(result.invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('skips every metadata type but metadata_isession, case-sensitively', () => {
      const result = normalizeText(
        lines(
          raw({ metadata_type: 'metadata_dns' }),
          raw({ metadata_type: 'metadata_ISESSION' }),
          row({ metadata_type_s: 'metadata_beacon' }),
        ),
      );
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: not metadata_isession`]: 3 });
    });
  });

  describe('bad input', () => {
    it.each([
      ['a missing id.orig_h', without(raw(), 'id.orig_h'), 'missing id.orig_h'],
      ['a missing id_resp_p_d column', without(row(), 'id_resp_p_d'), 'missing id_resp_p_d'],
      ['a hostile address', raw({ 'id.resp_h': "10.0.0.1' OR 1=1" }), 'invalid id.resp_h'],
      ['a port beyond 65535', raw({ 'id.resp_p': 65536 }), 'invalid id.resp_p'],
      ['a fractional port', row({ id_orig_p_d: 80.5 }), 'invalid id_orig_p_d'],
      ['a ts that is not epoch ms', raw({ ts: '2025-03-01' }), 'invalid ts'],
      ['a huge ts', raw({ ts: 9.9e300 }), 'invalid ts'],
      ['a ts past the year 9999', raw({ ts: 999_999_999_999_999 }), 'invalid ts'],
      ['a negative session start', raw({ session_start_time: -5 }), 'invalid session_start_time'],
      ['a non-boolean locality flag', row({ local_orig_b: 2 }), 'invalid local_orig_b'],
      ['a protoName with spaces', raw({ protoName: 'tcp udp' }), 'invalid protoName'],
      ['a huge sensor_uid', raw({ sensor_uid: 's'.repeat(1000) }), 'invalid sensor_uid'],
    ])('reports %s and still decodes the good records beside it', (_label, bad, reason) => {
      const result = normalizeText(lines(raw(), bad, row()));
      expect(result.records).toHaveLength(2);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect((result.normalizer.deadLetters[0]?.detail ?? '').length).toBeLessThanOrEqual(120);
    });

    it('reads a __proto__ key as data and never takes fields from it', () => {
      const text =
        '{"__proto__":{"id.orig_h":"203.0.113.1"},"metadata_type":"metadata_isession","ts":1740823205123,"id.orig_p":1,"id.resp_h":"10.0.20.15","id.resp_p":2}';
      const result = normalizeText(text);
      expect(result.invalid).toEqual({ [`${NAME}: missing id.orig_h`]: 1 });
      expect(({} as Record<string, unknown>)['id.orig_h']).toBeUndefined();
    });
  });
});
