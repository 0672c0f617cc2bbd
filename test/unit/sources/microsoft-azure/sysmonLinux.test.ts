import { describe, expect, it } from 'vitest';
import { sysmonLinux } from '../../../../lib/sources/microsoft-azure/sysmonLinux.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/azurePlatformLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';
import { expectLinearTime } from '../../../support/growth.js';

const NAME = 'sysmon-linux';

interface EventOptions {
  readonly eventId?: string;
  readonly provider?: string;
  readonly initiated?: string;
  readonly sourceIp?: string;
  readonly sourcePort?: string;
  readonly destinationIp?: string;
  readonly destinationPort?: string;
  readonly protocol?: string;
  readonly utcTime?: string;
  /** Extra Data elements, or a replacement for the whole EventData body. */
  readonly data?: string;
}

function eventXml(o: EventOptions = {}): string {
  const data =
    o.data ??
    `<Data Name="RuleName">-</Data><Data Name="UtcTime">${o.utcTime ?? '2025-11-20 10:19:01.408'}</Data>` +
      '<Data Name="ProcessGuid">{c9eb4a87-4093-637f-789d-2406ab550000}</Data><Data Name="ProcessId">812</Data>' +
      '<Data Name="Image">/usr/sbin/sshd</Data><Data Name="User">root</Data>' +
      `<Data Name="Protocol">${o.protocol ?? 'tcp'}</Data><Data Name="Initiated">${o.initiated ?? 'false'}</Data>` +
      `<Data Name="SourceIsIpv6">false</Data><Data Name="SourceIp">${o.sourceIp ?? '203.0.113.45'}</Data>` +
      `<Data Name="SourceHostname">-</Data><Data Name="SourcePort">${o.sourcePort ?? '51722'}</Data>` +
      '<Data Name="SourcePortName">-</Data><Data Name="DestinationIsIpv6">false</Data>' +
      `<Data Name="DestinationIp">${o.destinationIp ?? '10.2.0.5'}</Data><Data Name="DestinationHostname">-</Data>` +
      `<Data Name="DestinationPort">${o.destinationPort ?? '22'}</Data><Data Name="DestinationPortName">-</Data>`;
  return (
    `<Event><System><Provider Name="${o.provider ?? 'Linux-Sysmon'}" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/>` +
    `<EventID>${o.eventId ?? '3'}</EventID><Version>5</Version><TimeCreated SystemTime="2025-11-20T10:19:01.403211000Z"/>` +
    '<EventRecordID>77012</EventRecordID><Channel>Linux-Sysmon/Operational</Channel><Computer>lnx-web-02</Computer>' +
    `</System><EventData>${data}</EventData></Event>`
  );
}

function syslogRow(message: string, overrides: JsonObject = {}): JsonObject {
  return {
    TenantId: '11111111-2222-3333-4444-555555555555',
    SourceSystem: 'Linux',
    TimeGenerated: '2025-11-20T10:19:02.512Z',
    Computer: 'lnx-web-02',
    Facility: 'user',
    HostName: 'lnx-web-02',
    SeverityLevel: 'info',
    ProcessName: 'sysmon',
    ProcessID: 1109,
    HostIP: '10.2.0.5',
    SyslogMessage: message,
    Type: 'Syslog',
    ...overrides,
  };
}

function ctx(): DecodeContext {
  return {
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2025-11-21T00:00:00Z'),
    stream: new StreamState(),
  };
}

describe('Decoder: sysmon-linux', () => {
  describe('recognition', () => {
    it.each([
      ['a Syslog row of event 3', syslogRow(eventXml())],
      ['a Syslog row of event 1', syslogRow(eventXml({ eventId: '1' }))],
      ['a Syslog row without Type', (({ Type: _, ...rest }) => rest)(syslogRow(eventXml()))],
      ['a provider name in another letter case', syslogRow(eventXml({ provider: 'LINUX-SYSMON' }))],
    ])('claims %s', (_label, record) => {
      expect(sysmonLinux.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(sysmonLinux.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['a row of another table carrying the XML', syslogRow(eventXml(), { Type: 'Event' })],
      ['a SyslogMessage that is not a string', syslogRow(eventXml(), { SyslogMessage: { xml: eventXml() } })],
      ['a message that only mentions Linux-Sysmon', syslogRow('restarting Linux-Sysmon service')],
    ])('does not claim %s', (_label, record) => {
      expect(sysmonLinux.matchJson?.(record)).toBe(false);
    });

    it.each([
      ['an RFC 3164 line', `Nov 20 10:19:01 lnx-web-02 sysmon: ${eventXml()}`],
      ['an RFC 5424 line', `<14>1 2025-11-20T10:19:01Z lnx-web-02 sysmon 1109 - - ${eventXml()}`],
      ['a bare event XML', eventXml()],
    ])('claims %s', (_label, line) => {
      expect(sysmonLinux.matchText?.(line, ctx())).toBe(true);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, line) => {
      expect(sysmonLinux.matchText?.(line, ctx())).toBe(false);
    });
  });

  describe('mapping', () => {
    it('maps an inbound connection row to a full row', () => {
      const result = normalizeRows([syslogRow(eventXml())]);
      expect(result.sources).toEqual({ [NAME]: 1 });
      expect(result.records).toEqual([
        {
          TimeGenerated: '2025-11-20T10:19:01.408Z',
          EventStartTime: '2025-11-20T10:19:01.408Z',
          EventEndTime: '2025-11-20T10:19:01.408Z',
          EventCount: 1,
          EventVendor: 'Microsoft',
          EventProduct: 'Sysmon for Linux',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.3',
          EventType: 'NetworkSession',
          EventResult: 'Success',
          EventOriginalType: '3',
          EventOriginalUid: '77012',
          SrcIpAddr: '203.0.113.45',
          SrcPortNumber: 51722,
          DstIpAddr: '10.2.0.5',
          DstPortNumber: 22,
          NetworkProtocol: 'TCP',
          NetworkDirection: 'Inbound',
          Dvc: 'lnx-web-02',
          DvcHostname: 'lnx-web-02',
          DvcIpAddr: '10.2.0.5',
          DvcOs: 'Linux',
        },
      ]);
    });

    it.each([
      [
        'SourceIp equals HostIP',
        { sourceIp: '10.2.0.5', destinationIp: '198.51.100.1', initiated: 'false' },
        'Outbound',
      ],
      ['SourceIp is 127.0.0.1', { sourceIp: '127.0.0.1', destinationIp: '127.0.0.53' }, 'Outbound'],
      ['SourceIp is 0.0.0.0', { sourceIp: '0.0.0.0' }, 'Outbound'],
      ['SourceIp differs from HostIP, even when Initiated is true', { initiated: 'true' }, 'Inbound'],
    ] as ReadonlyArray<readonly [string, EventOptions, string]>)(
      'sets NetworkDirection when %s, without swapping addresses',
      (_label, options, direction) => {
        const [row] = normalizeRows([syslogRow(eventXml(options))]).records;
        expect(row?.NetworkDirection).toBe(direction);
        expect(row?.SrcIpAddr).toBe(options.sourceIp ?? '203.0.113.45');
      },
    );

    it.each([
      ['true', 'Outbound'],
      ['false', 'Inbound'],
    ])('lets Initiated %s decide when HostIP is unknown', (initiated, direction) => {
      const rows = normalizeRows([
        syslogRow(eventXml({ initiated }), { HostIP: 'Unknown IP' }),
        (({ HostIP: _, ...rest }) => rest)(syslogRow(eventXml({ initiated }))),
      ]).records;
      expect(rows.map((r) => r.NetworkDirection)).toEqual([direction, direction]);
      expect(rows[0]).not.toHaveProperty('DvcIpAddr');
    });

    it('reads Data elements by name whatever their order and without Image and User', () => {
      const data =
        '<Data Name="DestinationPort">8080</Data><Data Name="SourceIp">203.0.113.46</Data><Data Name="Protocol">udp</Data>' +
        '<Data Name="UtcTime">2025-11-20 10:24:03.300</Data><Data Name="DestinationIp">10.2.0.5</Data><Data Name="SourcePort">5000</Data>';
      const [row] = normalizeRows([syslogRow(eventXml({ data }))]).records;
      expect(row).toMatchObject({
        SrcIpAddr: '203.0.113.46',
        SrcPortNumber: 5000,
        DstPortNumber: 8080,
        NetworkProtocol: 'UDP',
      });
    });

    it('decodes XML entities in values', () => {
      const data =
        '<Data Name="UtcTime">2025-11-20 10:19:01.408</Data><Data Name="SourceIp">&#50;03.0.113.45</Data><Data Name="DestinationPort">22</Data>';
      const [row] = normalizeRows([syslogRow(eventXml({ data }))]).records;
      expect(row?.SrcIpAddr).toBe('203.0.113.45');
    });

    it('passes IPv4-mapped and IPv6 addresses through', () => {
      const [row] = normalizeRows([
        syslogRow(eventXml({ sourceIp: '::ffff:203.0.113.47', destinationIp: 'fe80::1%eth0' })),
      ]).records;
      expect(row).toMatchObject({ SrcIpAddr: '::ffff:203.0.113.47', DstIpAddr: 'fe80::1%eth0' });
    });

    it('uses the Syslog TimeGenerated when the event has no UtcTime', () => {
      const data = '<Data Name="SourceIp">203.0.113.45</Data><Data Name="DestinationPort">22</Data>';
      const [row] = normalizeRows([syslogRow(eventXml({ data }))]).records;
      expect(row?.TimeGenerated).toBe('2025-11-20T10:19:02.512Z');
      expect(row).not.toHaveProperty('EventStartTime');
    });

    it.each([
      ['event 1', syslogRow(eventXml({ eventId: '1' }))],
      ['event 5', syslogRow(eventXml({ eventId: '5' }))],
      ['event 30 whose id only starts with 3', syslogRow(eventXml({ eventId: '30' }))],
    ])('skips %s', (_label, record) => {
      const result = normalizeRows([record]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: not a network connection event`]: 1 });
    });

    it('reads raw syslog lines with the header time as a fallback and the XML Computer as device', () => {
      const text = [
        `Nov 20 10:30:01 syslog-relay sysmon: ${eventXml({ initiated: 'true', sourceIp: '10.2.0.5', destinationIp: '198.51.100.9' })}`,
        `<14>1 2025-11-20T10:30:02.000Z lnx-web-02 sysmon 1109 - - ${eventXml({ data: '<Data Name="SourceIp">203.0.113.45</Data><Data Name="DestinationPort">25</Data>' })}`,
      ].join('\n');
      const result = normalizeText(text, { referenceTime: '2025-11-21T00:00:00.000Z' });
      expect(result.sources).toEqual({ [NAME]: 2 });
      expect(
        result.records.map((r) => [r.TimeGenerated, r.NetworkDirection, r.Dvc, r.DstPortNumber]),
      ).toEqual([
        ['2025-11-20T10:19:01.408Z', 'Outbound', 'lnx-web-02', 22],
        ['2025-11-20T10:30:02.000Z', 'Inbound', 'lnx-web-02', 25],
      ]);
      expect(result.records[0]).not.toHaveProperty('DvcIpAddr');
    });

    it('uses the syslog host name when the XML has no Computer', () => {
      const line = `Nov 20 10:30:01 lnx-db-01 sysmon: ${eventXml().replace('<Computer>lnx-web-02</Computer>', '')}`;
      const [row] = normalizeText(line, { referenceTime: '2025-11-21T00:00:00.000Z' }).records;
      expect(row?.DvcHostname).toBe('lnx-db-01');
    });
  });

  describe('bad input', () => {
    it.each([
      ['an XML cut before </EventData>', syslogRow(eventXml().slice(0, 600)), 'truncated event XML'],
      ['a DestinationPort of 70000', syslogRow(eventXml({ destinationPort: '70000' })), 'invalid port'],
      ['a SourcePort that is text', syslogRow(eventXml({ sourcePort: 'ssh' })), 'invalid port'],
      [
        'a SourceIp that is a host name',
        syslogRow(eventXml({ sourceIp: 'attacker.example' })),
        'invalid address',
      ],
      ['an unreadable UtcTime', syslogRow(eventXml({ utcTime: '20/11/2025' })), 'invalid time'],
      ['an unreadable TimeGenerated', syslogRow(eventXml(), { TimeGenerated: 'now' }), 'invalid time'],
      [
        'a Protocol of 10 000 characters',
        syslogRow(eventXml({ protocol: 't'.repeat(10_000) })),
        'oversized field',
      ],
    ])('reports a row with %s and keeps the rows beside it', (_label, bad, reason) => {
      const good = syslogRow(eventXml());
      const result = normalizeRows([good, bad, good]);
      expect(result.records).toHaveLength(2);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.normalizer.deadLetters[0]?.detail?.length ?? 0).toBeLessThan(120);
    });

    it('reports an event without any time when no enqueued time is known', () => {
      const data = '<Data Name="SourceIp">203.0.113.45</Data><Data Name="DestinationPort">22</Data>';
      const { TimeGenerated: _, ...row } = syslogRow(eventXml({ data }));
      const result = normalizeRows([row]);
      expect(result.invalid).toEqual({ [`${NAME}: no event time`]: 1 });
      const withFallback = normalizeRows([row], { fallbackTime: '2025-11-20T11:00:00.000Z' });
      expect(withFallback.records[0]?.TimeGenerated).toBe('2025-11-20T11:00:00.000Z');
    });

    it('ignores a SyslogMessage hidden under a __proto__ key', () => {
      const text = JSON.stringify({ Type: 'Syslog', HostIP: '10.2.0.5' }).replace(
        '{',
        `{"__proto__":{"SyslogMessage":${JSON.stringify(eventXml())}},`,
      );
      const result = normalizeText(text);
      expect(result.sources).not.toHaveProperty(NAME);
      expect(result.records).toEqual([]);
    });

    it('scans a long hostile message in linear time', () => {
      const hostile = (chars: number): string =>
        `<Provider Name="Linux-Sysmon"<EventID>3</EventID>${'<Data Name="'.repeat(chars / 11)}`;
      expect(normalizeRows([syslogRow(hostile(550_000))]).invalid).toEqual({
        [`${NAME}: truncated event XML`]: 1,
      });
      expectLinearTime((message: string) => normalizeRows([syslogRow(message)]), hostile);
    });
  });
});
