import { describe, expect, it } from 'vitest';
import { awsVpcFlow } from '../../../../lib/sources/firewalls/awsVpcFlow.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/firewallLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'aws-vpc-flow';
const HEADER_V2 =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE_V2 =
  '2 123456789010 eni-0a1b2c3d4e5f67890 198.51.100.23 10.0.1.15 51234 8443 6 1 44 1740823200 1740823260 REJECT OK';
const HEADER_V5 =
  'version srcaddr dstaddr srcport dstport protocol start end action flow-direction vpc-id log-status';

function ctx(): DecodeContext {
  return {
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2025-03-01T12:00:00Z'),
    stream: new StreamState(),
  };
}

function v5(fields: Partial<Record<string, string>>): string {
  const values: Record<string, string> = {
    version: '5',
    srcaddr: '198.51.100.23',
    dstaddr: '10.0.1.15',
    srcport: '51234',
    dstport: '8443',
    protocol: '6',
    start: '1740823200',
    end: '1740823260',
    action: 'REJECT',
    'flow-direction': 'ingress',
    'vpc-id': 'vpc-0123',
    'log-status': 'OK',
    ...fields,
  };
  return HEADER_V5.split(' ')
    .map((name) => values[name] ?? '-')
    .join(' ');
}

function row(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:30Z',
    AccountId: '123456789010',
    InterfaceId: 'eni-0a1b2c3d4e5f67890',
    SrcAddr: '198.51.100.23',
    DstAddr: '10.0.1.15',
    SrcPort: 51234,
    DstPort: 8443,
    Protocol: 6,
    Start: '2025-03-01T10:00:00Z',
    End: '2025-03-01T10:01:00Z',
    Action: 'REJECT',
    LogStatus: 'OK',
    Type: 'AWSVPCFlow',
    ...overrides,
  };
}

describe('Decoder: aws-vpc-flow', () => {
  describe('recognition', () => {
    it('claims AWSVPCFlow rows by Type, and rows without Type by their columns', () => {
      expect(awsVpcFlow.matchJson?.(row())).toBe(true);
      const { Type: _type, ...untyped } = row();
      expect(awsVpcFlow.matchJson?.(untyped)).toBe(true);
    });

    it('does not claim a row whose Type names another table', () => {
      expect(awsVpcFlow.matchJson?.(row({ Type: 'CommonSecurityLog' }))).toBe(false);
    });

    it('claims header lines and headerless default-format records', () => {
      expect(awsVpcFlow.matchText?.(HEADER_V2, ctx())).toBe(true);
      expect(awsVpcFlow.matchText?.(HEADER_V5, ctx())).toBe(true);
      expect(awsVpcFlow.matchText?.(LINE_V2, ctx())).toBe(true);
    });

    it('does not claim a custom-format record without its header', () => {
      expect(awsVpcFlow.matchText?.(v5({}), ctx())).toBe(false);
    });

    it.each([
      ['a header without srcaddr', 'version account-id interface-id dstaddr dstport'],
      ['a header with a repeated name', 'srcaddr dstaddr srcaddr dstport'],
      ['a header of unknown words', 'srcaddr dstaddr foo bar'],
      ['a version 3 line without header', '3 123456789010 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1 2 ACCEPT OK'],
      ['a default line with a short account id', '2 12345 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1 2 ACCEPT OK'],
      ['a default line with a tab', '2 123456789010 eni-1\t1.2.3.4 5.6.7.8 1 2 6 1 1 1 2 ACCEPT OK'],
    ])('does not claim %s', (_label, line) => {
      expect(awsVpcFlow.matchText?.(line, ctx())).toBe(false);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(awsVpcFlow.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, line) => {
      expect(awsVpcFlow.matchText?.(line, ctx())).toBe(false);
    });

    it('offers the lines after a header to this decoder, and gives other lines back', () => {
      const result = normalizeText(
        [
          HEADER_V5,
          v5({}),
          'CEF:0|Security|threatmanager|1.0|100|worm stopped|10|src=10.0.0.1',
          v5({ dstport: '22' }),
        ].join('\n'),
      );
      expect(result.sources).toEqual({ [NAME]: 3, cef: 1 });
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([8443, 22]);
    });

    it('reads each header for the records after it', () => {
      const result = normalizeText([HEADER_V5, v5({}), HEADER_V2, LINE_V2].join('\n'));
      expect(result.skipped).toEqual({ [`${NAME}: header line`]: 2 });
      expect(result.records.map((r) => r.Dvc)).toEqual(['vpc-0123', undefined]);
    });

    it('keeps layouts per stream', () => {
      normalizeText(HEADER_V5);
      const next = normalizeText(v5({}));
      expect(next.sources).toEqual({});
      expect(next.invalid).toEqual({ 'unknown: unrecognized text line': 1 });
    });
  });

  describe('mapping', () => {
    it('maps a default-format record', () => {
      const [record] = normalizeText(LINE_V2).records;
      expect(record).toEqual({
        TimeGenerated: '2025-03-01T10:00:00.000Z',
        EventStartTime: '2025-03-01T10:00:00.000Z',
        EventEndTime: '2025-03-01T10:01:00.000Z',
        EventCount: 1,
        EventVendor: 'AWS',
        EventProduct: 'VPC',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventResult: 'Failure',
        SrcIpAddr: '198.51.100.23',
        SrcPortNumber: 51234,
        DstIpAddr: '10.0.1.15',
        DstPortNumber: 8443,
        NetworkProtocol: 'TCP',
        DvcAction: 'Deny',
      });
    });

    it.each([
      ['ACCEPT', 'Allow', 'Success'],
      ['REJECT', 'Deny', 'Failure'],
      ['-', undefined, 'Failure'],
      ['DROP', undefined, 'Failure'],
    ])('maps action %s to %s / %s', (action, dvcAction, result) => {
      const [record] = normalizeText([HEADER_V5, v5({ action })].join('\n')).records;
      expect(record?.DvcAction).toBe(dvcAction);
      expect(record?.EventResult).toBe(result);
    });

    it.each([
      ['ingress', 'Inbound'],
      ['egress', 'Outbound'],
      ['unknown', undefined],
      ['-', undefined],
    ])('maps flow-direction %s to %s', (direction, expected) => {
      const [record] = normalizeText([HEADER_V5, v5({ 'flow-direction': direction })].join('\n')).records;
      expect(record?.NetworkDirection).toBe(expected);
    });

    it.each([
      ['17', ['UDP']],
      ['1', ['ICMP']],
      ['58', ['IPv6-ICMP']],
      ['84', ['TTP', 'IPTM']],
      ['61', [undefined]],
      ['200', [undefined]],
      ['-', [undefined]],
    ])('maps protocol %s through the IANA table', (protocol, names) => {
      const result = normalizeText([HEADER_V5, v5({ protocol })].join('\n'));
      expect(result.records.map((r) => r.NetworkProtocol)).toEqual(names);
    });

    it('uses the VPC id as Dvc and DvcId', () => {
      const [record] = normalizeText([HEADER_V5, v5({})].join('\n')).records;
      expect(record).toMatchObject({ Dvc: 'vpc-0123', DvcId: 'vpc-0123' });
    });

    it('reads `-` as no value', () => {
      const [record] = normalizeText(
        [HEADER_V5, v5({ srcport: '-', dstport: '-', 'vpc-id': '-', end: '-' })].join('\n'),
      ).records;
      expect(record?.SrcPortNumber).toBeUndefined();
      expect(record?.DstPortNumber).toBeUndefined();
      expect(record?.Dvc).toBeUndefined();
      expect(record?.EventEndTime).toBeUndefined();
    });

    it('skips NODATA, SKIPDATA and other log statuses', () => {
      const result = normalizeText(
        [
          HEADER_V5,
          v5({ 'log-status': 'NODATA' }),
          v5({ 'log-status': 'SKIPDATA' }),
          v5({ 'log-status': '-' }),
        ].join('\n'),
      );
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({
        [`${NAME}: header line`]: 1,
        [`${NAME}: NODATA record`]: 1,
        [`${NAME}: SKIPDATA record`]: 1,
        [`${NAME}: log status not OK`]: 1,
      });
    });

    it('keeps the records of a custom format without log-status', () => {
      const result = normalizeText('srcaddr dstaddr dstport start\n198.51.100.23 10.0.1.15 22 1740823200');
      expect(result.records).toHaveLength(1);
      expect(result.records[0]).toMatchObject({ SrcIpAddr: '198.51.100.23', DstPortNumber: 22 });
    });

    it('times a record without start by the enqueued time, and reports none at all', () => {
      const text = 'srcaddr dstaddr dstport action\n198.51.100.23 10.0.1.15 22 REJECT';
      const withFallback = normalizeText(text, { fallbackTime: '2025-03-01T10:09:00.000Z' });
      expect(withFallback.records[0]).toMatchObject({
        TimeGenerated: '2025-03-01T10:09:00.000Z',
        EventStartTime: '2025-03-01T10:09:00.000Z',
      });
      expect(normalizeText(text).invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('maps an AWSVPCFlow row like the raw record, timed by Start', () => {
      const [record] = normalizeRows([row({ FlowDirection: 'egress', VpcId: 'vpc-9' })]).records;
      expect(record).toEqual({
        TimeGenerated: '2025-03-01T10:00:00.000Z',
        EventStartTime: '2025-03-01T10:00:00.000Z',
        EventEndTime: '2025-03-01T10:01:00.000Z',
        EventCount: 1,
        EventVendor: 'AWS',
        EventProduct: 'VPC',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.3',
        EventType: 'NetworkSession',
        EventResult: 'Failure',
        SrcIpAddr: '198.51.100.23',
        SrcPortNumber: 51234,
        DstIpAddr: '10.0.1.15',
        DstPortNumber: 8443,
        NetworkProtocol: 'TCP',
        NetworkDirection: 'Outbound',
        DvcAction: 'Deny',
        Dvc: 'vpc-9',
        DvcId: 'vpc-9',
      });
    });

    it('times a row without Start by its TimeGenerated, then by the enqueued time', () => {
      const { Start: _start, End: _end, ...noStart } = row();
      expect(normalizeRows([noStart]).records[0]?.TimeGenerated).toBe('2025-03-01T10:00:30.000Z');
      const { TimeGenerated: _tg, ...noTime } = noStart;
      expect(
        normalizeRows([noTime], { fallbackTime: '2025-03-01T11:00:00Z' }).records[0]?.TimeGenerated,
      ).toBe('2025-03-01T11:00:00.000Z');
      expect(normalizeRows([noTime]).invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('accepts a Start in epoch seconds and numbers as strings', () => {
      const [record] = normalizeRows([row({ Start: 1740823200, SrcPort: '51234', Protocol: '17' })]).records;
      expect(record).toMatchObject({
        EventStartTime: '2025-03-01T10:00:00.000Z',
        SrcPortNumber: 51234,
        NetworkProtocol: 'UDP',
      });
    });

    it('skips rows whose LogStatus is not OK, including a missing one', () => {
      const { LogStatus: _status, ...noStatus } = row();
      const result = normalizeRows([row({ LogStatus: 'NODATA' }), noStatus]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: NODATA record`]: 1, [`${NAME}: log status not OK`]: 1 });
    });
  });

  describe('bad input', () => {
    it.each([
      ['a port out of range', v5({ dstport: '70000' }), 'invalid dstport'],
      ['a non-numeric port', v5({ srcport: 'http' }), 'invalid srcport'],
      ['a protocol out of range', v5({ protocol: '300' }), 'invalid protocol'],
      ['a huge start', v5({ start: '99999999999999999' }), 'invalid start'],
      ['a non-numeric end', v5({ end: 'soon' }), 'invalid end'],
      ['an address that is not one', v5({ srcaddr: 'host.example' }), 'invalid srcaddr'],
    ])('reports %s as invalid and keeps the good records beside it', (_label, bad, reason) => {
      const result = normalizeText([HEADER_V5, v5({}), bad, v5({ dstport: '22' })].join('\n'));
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([8443, 22]);
      const letter = result.normalizer.deadLetters[0];
      expect(letter?.source).toBe(NAME);
      expect(letter?.detail?.length).toBeLessThan(100);
    });

    it('reports a truncated record after a header as a field count mismatch', () => {
      const result = normalizeText([HEADER_V5, v5({}).slice(0, 30), v5({})].join('\n'));
      expect(result.invalid).toEqual({ [`${NAME}: field count mismatch`]: 1 });
      expect(result.records).toHaveLength(1);
    });

    it.each([
      ['an object port', { DstPort: { $gt: 1 } }, 'invalid dstport'],
      ['a negative port', { DstPort: -1 }, 'invalid dstport'],
      ['an array address', { SrcAddr: ['1.2.3.4'] }, 'invalid srcaddr'],
      ['a hostile address', { SrcAddr: `1.2.3.4\u0000${'x'.repeat(10_000)}` }, 'invalid srcaddr'],
      ['a boolean protocol', { Protocol: true }, 'invalid protocol'],
      ['an unreadable Start', { Start: 'yesterday' }, 'invalid start'],
      ['an End past the year 9999', { End: '9999-12-31T23:59:59-01:00' }, 'invalid end'],
      ['an object VpcId', { VpcId: { id: 1 } }, 'invalid vpc-id'],
    ])('reports a row with %s as invalid', (_label, overrides, reason) => {
      const result = normalizeRows([row(), row(overrides as JsonObject), row({ DstPort: 22 })]);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([8443, 22]);
      const detail = result.normalizer.deadLetters[0]?.detail ?? '';
      expect(detail.length).toBeLessThan(100);
      expect(detail).not.toContain('\u0000');
    });

    it('reports a huge number that JSON reads as Infinity', () => {
      const text = `${JSON.stringify(row()).slice(0, -1)},"DstPort":1e400}`;
      expect(normalizeText(text).invalid).toEqual({ [`${NAME}: invalid dstport`]: 1 });
    });

    it('decodes a row with `__proto__` and `constructor` keys without touching prototypes', () => {
      const text = `{"__proto__":{"polluted":1},"constructor":"x",${JSON.stringify(row()).slice(1)}`;
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
