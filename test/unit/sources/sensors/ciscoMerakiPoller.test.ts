import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { ciscoMerakiPoller } from '../../../../lib/sources/sensors/ciscoMerakiPoller.js';
import { normalizeText } from '../../../support/golden.js';
import { FOREIGN_RECORDS } from '../../../support/sensorLookalikes.js';

const NAME = 'cisco-meraki-poller';

function apiEvent(overrides: JsonObject = {}): JsonObject {
  return {
    ts: '2025-03-01T10:00:05.200000Z',
    eventType: 'IDS Alert',
    deviceMac: '00:18:0a:12:34:56',
    clientMac: '',
    srcIp: '198.51.100.23:51234',
    destIp: '10.0.20.15:8443',
    protocol: 'tcp/ip',
    priority: '1',
    classification: '4',
    blocked: true,
    message: 'SERVER-OTHER scan attempt',
    signature: '1:41944:2',
    sigSource: '',
    ruleId: 'meraki:intrusion/snort/GID/1/SID/41944',
    ...overrides,
  };
}

function pollerRow(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:05.2Z',
    EventVendor: 'Cisco',
    EventProduct: 'Meraki MX',
    Dvc: 'Meraki MX',
    EventType: 'Notable',
    EventSchema: 'NetworkSession',
    EventSchemaVersion: '0.2.2',
    EventOriginalType: 'IDS Alert',
    SrcIpAddr: '198.51.100.23',
    SrcPortNumber: 51234,
    DstIpAddr: '10.0.20.15',
    DstPortNumber: 8443,
    NetworkProtocol: 'TCP',
    DvcAction: 'Deny',
    EventSeverity: 'High',
    EventCount: 1,
    EventStartTime: '2025-03-01T10:00:05.2Z',
    EventEndTime: '2025-03-01T10:00:05.2Z',
    Type: 'CiscoMerakiNativePoller_CL',
    ...overrides,
  };
}

function lines(...records: JsonObject[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n');
}

const EXPECTED = {
  TimeGenerated: '2025-03-01T10:00:05.200Z',
  EventStartTime: '2025-03-01T10:00:05.200Z',
  EventEndTime: '2025-03-01T10:00:05.200Z',
  EventCount: 1,
  EventVendor: 'Cisco',
  EventProduct: 'Meraki MX',
  EventSchema: 'NetworkSession',
  EventSchemaVersion: '0.2.2',
  EventType: 'Notable',
  EventResult: 'Failure',
  EventOriginalType: 'IDS Alert',
  SrcIpAddr: '198.51.100.23',
  SrcPortNumber: 51234,
  DstIpAddr: '10.0.20.15',
  DstPortNumber: 8443,
  NetworkProtocol: 'TCP',
  DvcAction: 'Deny',
  Dvc: 'Meraki MX',
};

describe('Decoder: cisco-meraki-poller', () => {
  describe('recognition', () => {
    it.each([
      ['a security-events API element', apiEvent()],
      [
        'an API element of another event type (claimed, then skipped)',
        apiEvent({ eventType: 'File Scanned' }),
      ],
      ['a CiscoMerakiNativePoller_CL row', pollerRow()],
      ['a poller row exported without Type', { ...pollerRow(), Type: undefined }],
    ])('claims %s', (_label, record) => {
      expect(ciscoMerakiPoller.matchJson?.(JSON.parse(JSON.stringify(record)) as JsonObject)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(ciscoMerakiPoller.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['an ASIM row of another Cisco product', { ...pollerRow(), EventProduct: 'ASA', Type: undefined }],
      [
        'a record with eventType but no Meraki fields',
        { ts: '2025-03-01T10:00:00Z', eventType: 'login', user: 'x' },
      ],
      ['an API-like element without ts', { ...apiEvent(), ts: undefined }],
    ])('does not claim %s', (_label, record) => {
      expect(ciscoMerakiPoller.matchJson?.(JSON.parse(JSON.stringify(record)) as JsonObject)).toBe(false);
    });

    it('receives API elements through the real normalizer', () => {
      expect(normalizeText(JSON.stringify([apiEvent(), apiEvent()])).sources).toEqual({ [NAME]: 2 });
    });

    it('recognizes exported poller rows automatically although they carry ASIM columns', () => {
      // The asim decoder refuses rows whose Type names a vendor table.
      expect(normalizeText(lines(pollerRow())).sources).toEqual({ 'cisco-meraki-poller': 1 });
    });
  });

  describe('mapping of API elements (the connector DCR)', () => {
    it('maps an IDS Alert field by field', () => {
      const { records } = normalizeText(lines(apiEvent()));
      expect(records).toEqual([{ ...EXPECTED, NetworkRuleName: 'meraki:intrusion/snort/GID/1/SID/41944' }]);
    });

    it.each([
      [true, undefined, 'Deny', 'Failure'],
      [false, 'Blocked', 'Allow', 'Success'],
      ['true', undefined, 'Deny', 'Failure'],
      [undefined, 'Blocked', 'Deny', 'Failure'],
      [undefined, 'Allowed', 'Allow', 'Success'],
      [undefined, undefined, 'Allow', 'Success'],
    ])('maps blocked=%s, action=%s to %s / %s', (blocked, action, dvcAction, result) => {
      const { records } = normalizeText(lines(apiEvent({ blocked, action })));
      expect(records[0]).toMatchObject({ DvcAction: dvcAction, EventResult: result });
    });

    it.each([
      ['tcp/ip', 'TCP'],
      ['udp/ip', 'UDP'],
      ['icmp/ip', 'UDP'],
      [undefined, 'UDP'],
    ])('maps protocol %s to %s as the DCR does', (protocol, expected) => {
      const { records } = normalizeText(lines(apiEvent({ protocol })));
      expect(records[0]?.NetworkProtocol).toBe(expected);
    });

    it.each([
      ['srcIp with a port', { srcIp: '198.51.100.23:51234' }, ['198.51.100.23', 51234]],
      ['srcIp without a port', { srcIp: '198.51.100.23' }, ['198.51.100.23', undefined]],
      [
        'an empty srcIp, falling back to clientIp',
        { srcIp: '', clientIp: '203.0.113.77' },
        ['203.0.113.77', undefined],
      ],
      [
        'no srcIp, falling back to clientIp',
        { srcIp: undefined, clientIp: '203.0.113.77' },
        ['203.0.113.77', undefined],
      ],
      ['a bare IPv6 srcIp, kept whole', { srcIp: '2001:db8::7' }, ['2001:db8::7', undefined]],
      ['a bracketed IPv6 srcIp', { srcIp: '[2001:db8::7]:443' }, ['2001:db8::7', 443]],
    ])('reads %s', (_label, overrides, [ip, port]) => {
      const { records } = normalizeText(lines(apiEvent(overrides)));
      expect([records[0]?.SrcIpAddr, records[0]?.SrcPortNumber]).toEqual([ip, port]);
    });

    it('takes the destination port from destIp, else from destinationPort', () => {
      const { records } = normalizeText(
        lines(
          apiEvent({ destIp: '10.0.20.15', destinationPort: 53 }),
          apiEvent({ destIp: '10.0.20.15:25', destinationPort: 53 }),
        ),
      );
      expect(records.map((r) => r.DstPortNumber)).toEqual([53, 25]);
    });

    it('skips event types other than IDS Alert, case-sensitively', () => {
      const result = normalizeText(
        lines(apiEvent({ eventType: 'File Scanned' }), apiEvent({ eventType: 'ids alert' })),
      );
      expect(result.skipped).toEqual({ [`${NAME}: not an IDS Alert`]: 2 });
    });

    it('falls back to the enqueued time without ts, and reports an element with no time at all', () => {
      const { ts: _ts, ...noTs } = apiEvent();
      const withFallback = normalizeText(lines(noTs), {
        fallbackTime: '2025-03-01T10:09:00.000Z',
        format: NAME,
      });
      expect(withFallback.records[0]?.TimeGenerated).toBe('2025-03-01T10:09:00.000Z');
      const without = normalizeText(lines(noTs), { format: NAME });
      expect(without.invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });
  });

  describe('mapping of CiscoMerakiNativePoller_CL rows', () => {
    it('passes the DCR columns through and adds the parser EventResult', () => {
      const { records } = normalizeText(
        lines(pollerRow(), pollerRow({ DvcAction: 'Allow', NetworkRuleName: 'r1' })),
        {
          format: NAME,
        },
      );
      expect(records).toEqual([
        EXPECTED,
        { ...EXPECTED, DvcAction: 'Allow', EventResult: 'Success', NetworkRuleName: 'r1' },
      ]);
    });

    it('uses the DCR constants for EventVendor and EventProduct and accepts string ports', () => {
      const { records } = normalizeText(
        lines(pollerRow({ SrcPortNumber: '51234', DstPortNumber: '8443.0' })),
        {
          format: NAME,
        },
      );
      expect(records).toEqual([EXPECTED]);
    });

    it('skips rows of other event types', () => {
      const result = normalizeText(lines(pollerRow({ EventOriginalType: 'File Scanned' })), { format: NAME });
      expect(result.skipped).toEqual({ [`${NAME}: not an IDS Alert`]: 1 });
    });

    it('falls back from TimeGenerated to EventStartTime to the enqueued time', () => {
      const text = lines(
        pollerRow({ TimeGenerated: undefined }),
        pollerRow({ TimeGenerated: undefined, EventStartTime: undefined }),
      );
      const { records } = normalizeText(text, { format: NAME, fallbackTime: '2025-03-01T10:09:00.000Z' });
      expect(records.map((r) => r.TimeGenerated)).toEqual([
        '2025-03-01T10:00:05.200Z',
        '2025-03-01T10:09:00.000Z',
      ]);
    });
  });

  describe('bad input', () => {
    it.each([
      ['a hostile srcIp', apiEvent({ srcIp: '<img src=x>:80' }), 'invalid srcIp'],
      ['a srcIp port beyond 65535', apiEvent({ srcIp: '198.51.100.23:70000' }), 'invalid srcIp'],
      ['a non-string destIp', apiEvent({ destIp: 1234 }), 'invalid destIp'],
      ['an unreadable ts', apiEvent({ ts: 'last tuesday' }), 'invalid ts'],
      ['a blocked value that is not a boolean', apiEvent({ blocked: 'perhaps' }), 'invalid blocked'],
      [
        'a bad destinationPort',
        apiEvent({ destIp: '10.0.20.15', destinationPort: 'x' }),
        'invalid destinationPort',
      ],
      ['a huge ruleId', apiEvent({ ruleId: 'r'.repeat(2000) }), 'invalid ruleId'],
      ['a bad clientIp fallback', apiEvent({ srcIp: '', clientIp: 'not-an-ip' }), 'invalid clientIp'],
    ])('reports %s and still decodes the good elements beside it', (_label, bad, reason) => {
      const result = normalizeText(JSON.stringify([apiEvent(), bad, apiEvent()]));
      expect(result.records).toHaveLength(2);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect((result.normalizer.deadLetters[0]?.detail ?? '').length).toBeLessThanOrEqual(120);
    });

    it.each([
      ['a DvcAction outside Allow/Deny', pollerRow({ DvcAction: 'Maybe' }), 'invalid DvcAction'],
      ['an unreadable TimeGenerated', pollerRow({ TimeGenerated: '01/03/2025' }), 'invalid TimeGenerated'],
      ['a hostile SrcIpAddr', pollerRow({ SrcIpAddr: '198.51.100.23; rm -rf' }), 'invalid SrcIpAddr'],
      ['a port beyond 65535', pollerRow({ DstPortNumber: 65536 }), 'invalid DstPortNumber'],
    ])('reports a poller row with %s', (_label, bad, reason) => {
      const result = normalizeText(lines(pollerRow(), bad), { format: NAME });
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
    });

    it('reads a __proto__ key as data and never takes fields from it', () => {
      const text =
        '[{"__proto__":{"eventType":"File Scanned"},"ts":"2025-03-01T10:00:05Z","eventType":"IDS Alert","srcIp":"198.51.100.23:1","destIp":"10.0.20.15:2"}]';
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(({} as Record<string, unknown>).eventType).toBeUndefined();
    });
  });
});
