import { describe, expect, it } from 'vitest';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import {
  ciscoMerakiSyslog,
  findMerakiMessage,
  readMerakiPairs,
} from '../../../../lib/sources/sensors/ciscoMerakiSyslog.js';
import { normalizeText } from '../../../support/golden.js';
import { expectLinearTime } from '../../../support/growth.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/sensorLookalikes.js';

const NAME = 'cisco-meraki-syslog';

const FLOW =
  '<134>1 1740823205.123456789 MX84_HQ flows allow src=198.51.100.23 dst=10.0.20.15 mac=00:18:0A:12:34:56 protocol=tcp sport=51234 dport=8443';
const FIREWALL =
  '<134>1 1740823205.123456789 MX84_HQ firewall src=198.51.100.23 dst=10.0.20.15 mac=00:18:0A:12:34:56 protocol=tcp sport=51234 dport=8443 pattern: deny all';
const IDS =
  '<134>1 1740823205.223456789 MX84_HQ security_event ids_alerted signature=1:41944:2 priority=1 timestamp=1740823205.200 dhost=98:5A:EB:E1:81:2F direction=ingress protocol=tcp/ip src=198.51.100.23:51234 dst=10.0.20.15:8443 decision=blocked message: SERVER-OTHER scan attempt';

function syslogRow(message: string, overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:36Z',
    Computer: '10.0.0.1',
    HostName: 'meraki-device',
    SyslogMessage: message,
    Type: 'Syslog',
    ...overrides,
  };
}

function context(): DecodeContext {
  return { fallbackTimeMs: undefined, referenceTimeMs: 0, stream: new StreamState() };
}

function decodeOne(line: string) {
  const result = normalizeText(line);
  expect(result.sources).toEqual({ [NAME]: 1 });
  return result;
}

describe('Decoder: cisco-meraki-syslog', () => {
  describe('recognition', () => {
    it.each([
      ['a flows line with <PRI>1', FLOW],
      ['a line without PRI (SyslogMessage form)', FLOW.replace('<134>1 ', '1 ')],
      ['a bare Meraki message', FLOW.replace('<134>1 ', '')],
      ['a relayed line', `Mar  1 10:00:06 192.0.2.10 1 ${FLOW.replace('<134>1 ', '')}`],
      ['an octet-counted line', `171 ${FLOW}`],
      [
        'a urls line (claimed, then skipped)',
        '<134>1 1740823208.1 MX84 urls src=10.0.20.15:50123 dst=198.51.100.80:443 request: GET',
      ],
      ['an events line (claimed, then skipped)', '<134>1 1740823208.1 MR42 events type=association radio=1'],
    ])('claims %s', (_label, line) => {
      expect(ciscoMerakiSyslog.matchText?.(line, context())).toBe(true);
      expect(ciscoMerakiSyslog.matchJson?.(syslogRow(line))).toBe(true);
    });

    it('claims a Syslog row exported without Type', () => {
      const { Type: _type, ...row } = syslogRow(FLOW);
      expect(ciscoMerakiSyslog.matchJson?.(row)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(ciscoMerakiSyslog.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, line) => {
      expect(ciscoMerakiSyslog.matchText?.(line, context())).toBe(false);
    });

    it.each([
      ['an unknown log type', '<134>1 1740823205.1 MX84 telemetry src=1.2.3.4'],
      ['an epoch not preceded by the syslog version', 'took 1740823205.12 seconds flows fine'],
      ['a short epoch', '<134>1 17408.1 MX84 flows allow src=1.2.3.4'],
      ['a header with nothing after the log type', '<134>1 1740823205.1 MX84 flows'],
      [
        'a Meraki message in a row of another table',
        JSON.stringify(syslogRow(FLOW, { Type: 'CommonSecurityLog' })),
      ],
    ])('does not claim %s', (_label, text) => {
      const isRow = text.startsWith('{');
      const claimed = isRow
        ? ciscoMerakiSyslog.matchJson?.(JSON.parse(text) as JsonObject)
        : ciscoMerakiSyslog.matchText?.(text, context());
      expect(claimed).toBe(false);
    });

    it('routes raw lines and Syslog rows to this decoder through the real normalizer', () => {
      const { Type: _type, ...untyped } = syslogRow(FIREWALL);
      const text = [
        FLOW,
        `171 ${FLOW}`,
        JSON.stringify([FLOW]),
        JSON.stringify(syslogRow(FIREWALL)),
        JSON.stringify(untyped),
      ].join('\n');
      expect(normalizeText(text).sources).toEqual({ [NAME]: 5 });
    });
  });

  describe('header and pairs', () => {
    it('finds the epoch, device, log type and body', () => {
      expect(findMerakiMessage(FIREWALL)).toEqual({
        epoch: '1740823205.123456789',
        device: 'MX84_HQ',
        logType: 'firewall',
        body: 'src=198.51.100.23 dst=10.0.20.15 mac=00:18:0A:12:34:56 protocol=tcp sport=51234 dport=8443 pattern: deny all',
      });
    });

    it('reads key=value pairs, quoted values with spaces, first occurrence winning', () => {
      const pairs = readMerakiPairs("allow src=1.2.3.4 name='a b c' src=9.9.9.9 pattern: x= =y k=");
      expect(Object.fromEntries(pairs)).toEqual({ src: '1.2.3.4', name: 'a b c', x: '', k: '' });
    });

    it('reads an unterminated quote up to the next space', () => {
      expect(Object.fromEntries(readMerakiPairs("name='abc def k=v"))).toEqual({ name: 'abc', k: 'v' });
    });
  });

  describe('mapping', () => {
    it('maps a flows allow line field by field', () => {
      const { records } = decodeOne(FLOW);
      expect(records).toEqual([
        {
          TimeGenerated: '2025-03-01T10:00:05.000Z',
          EventStartTime: '2025-03-01T10:00:05.000Z',
          EventEndTime: '2025-03-01T10:00:05.000Z',
          EventCount: 1,
          EventVendor: 'Cisco',
          EventProduct: 'Meraki',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.6',
          EventType: 'Flow',
          EventResult: 'Success',
          EventOriginalType: 'flows',
          SrcIpAddr: '198.51.100.23',
          SrcPortNumber: 51234,
          DstIpAddr: '10.0.20.15',
          DstPortNumber: 8443,
          NetworkProtocol: 'TCP',
          DvcAction: 'Allow',
          Dvc: 'MX84_HQ',
          DvcHostname: 'MX84_HQ',
        },
      ]);
    });

    it.each([
      ['flows deny src=', 'Deny', 'Failure'],
      ["flows 'allow' src=", 'Allow', 'Success'],
      ['flows Blocked src=', 'Deny', 'Failure'],
      ['flows Allow src=', undefined, undefined],
      ['firewall src=', undefined, undefined],
    ])('reads the verdict of "%s…"', (prefix, action, result) => {
      const line = `<134>1 1740823205.1 MX84 ${prefix}198.51.100.23 dst=10.0.20.15 protocol=tcp sport=1 dport=22`;
      const { records } = decodeOne(line);
      expect(records[0]?.DvcAction).toBe(action);
      expect(records[0]?.EventResult).toBe(result);
    });

    it.each([
      ['pattern: deny all', 'Deny'],
      ['pattern: allow (dst 8.8.8.8/32)', 'Allow'],
      ['pattern: 1 all', undefined],
      ['pattern: 0 all', undefined],
      ['pattern: deny', undefined],
    ])('reads the verdict after "%s"', (pattern, action) => {
      const line = `<134>1 1740823205.1 MX84 firewall src=198.51.100.23 dst=10.0.20.15 protocol=tcp sport=1 dport=22 ${pattern}`;
      expect(decodeOne(line).records[0]?.DvcAction).toBe(action);
    });

    it.each(['flows', 'firewall', 'cellular_firewall', 'vpn_firewall', 'ip_flow_start', 'ip_flow_end'])(
      'maps the flow log type %s with EventType Flow',
      (type) => {
        const { records } = decodeOne(
          `<134>1 1740823205.1 MX84 ${type} src=198.51.100.23 dst=10.0.20.15 protocol=udp dport=53`,
        );
        expect(records[0]).toMatchObject({ EventType: 'Flow', EventOriginalType: type, DstPortNumber: 53 });
      },
    );

    it('maps a security_event ids_alerted line field by field', () => {
      const { records } = decodeOne(IDS);
      expect(records).toEqual([
        {
          TimeGenerated: '2025-03-01T10:00:05.000Z',
          EventStartTime: '2025-03-01T10:00:05.000Z',
          EventEndTime: '2025-03-01T10:00:05.000Z',
          EventCount: 1,
          EventVendor: 'Cisco',
          EventProduct: 'Meraki',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.6',
          EventType: 'NetworkSession',
          EventResult: 'Success',
          EventOriginalType: 'security_event',
          SrcIpAddr: '198.51.100.23',
          SrcPortNumber: 51234,
          DstIpAddr: '10.0.20.15',
          DstPortNumber: 8443,
          NetworkProtocol: 'TCP',
          NetworkDirection: 'Inbound',
          Dvc: 'MX84_HQ',
          DvcHostname: 'MX84_HQ',
        },
      ]);
    });

    it.each([
      ['ingress', 'Inbound'],
      ['egress', 'Outbound'],
      ['Unknown', 'NA'],
      ['sideways', undefined],
    ])('maps the IDS direction %s to %s', (direction, expected) => {
      const line = IDS.replace('direction=ingress', `direction=${direction}`).replace(
        'security_event ids_alerted',
        'security_event ids-alerted',
      );
      expect(decodeOne(line).records[0]?.NetworkDirection).toBe(expected);
    });

    it('maps the older ids-alerts log type', () => {
      const line = IDS.replace('security_event ids_alerted', 'ids-alerts');
      expect(decodeOne(line).records[0]).toMatchObject({
        EventOriginalType: 'ids-alerts',
        EventType: 'NetworkSession',
      });
    });

    it('skips security_event messages that are not IDS alerts and the other Meraki log types', () => {
      const result = normalizeText(
        [
          '<134>1 1740823209.5 MX84 security_event security_filtering_file_scanned src=198.51.100.80:80 dst=10.0.20.15:5 action=block',
          '<134>1 1740823209.5 MX84 security_event ids_alertedX src=198.51.100.80:80',
          '<134>1 1740823209.5 MR42 events type=association radio=1 ip_src=203.0.113.7',
          '<134>1 1740823209.5 MR42 airmarshal_events type=rogue_ssid_detected src=aa:bb:cc:dd:ee:ff',
          '<134>1 1740823209.5 MX84 urls src=10.0.20.15:50123 dst=198.51.100.80:443 request: GET',
          '<134>1 1740823209.5 MX84 bridge_anyconnect_client_vpn_firewall src=10.0.0.1 dst=10.0.0.2 pattern: allow all',
        ].join('\n'),
      );
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({
        [`${NAME}: not an IDS alert`]: 2,
        [`${NAME}: not a flow or IDS message`]: 4,
      });
    });

    it.each([
      ['tcp', 'TCP'],
      ['tcp/ip', 'TCP'],
      ['udp', 'UDP'],
      ['udp/ip', 'UDP'],
      ['icmp', 'ICMP'],
      ['icmp6', 'ICMP'],
      ['"udp"', 'UDP'],
      ['6', 'TCP'],
      ['17', 'UDP'],
      ['200', 'Unassigned'],
      ['TCP', undefined],
      ['gre', undefined],
    ])('maps protocol=%s to %s', (protocol, expected) => {
      const line = `<134>1 1740823205.1 MX84 flows allow src=198.51.100.23 dst=10.0.20.15 protocol=${protocol} dport=22`;
      expect(decodeOne(line).records[0]?.NetworkProtocol).toBe(expected);
    });

    it.each([
      ['84', ['TTP', 'IPTM']],
      ['61', ['Unassigned']],
      ['254', ['Unassigned']],
      ['006', ['TCP']],
    ])('resolves the numeric protocol=%s like _ASIM_ResolveNetworkProtocol, to %j', (protocol, names) => {
      const line = `<134>1 1740823205.1 MX84 flows allow src=198.51.100.23 dst=10.0.20.15 protocol=${protocol} dport=22`;
      expect(decodeOne(line).records.map((r) => r.NetworkProtocol)).toEqual(names);
    });

    it.each([
      [
        'a.b.c.d:port addresses',
        'src=198.51.100.23:1111 dst=10.0.20.15:22',
        ['198.51.100.23', 1111, '10.0.20.15', 22],
      ],
      [
        'sport/dport before the address port',
        'src=198.51.100.23:1111 dst=10.0.20.15:22 sport=5 dport=6',
        ['198.51.100.23', 5, '10.0.20.15', 6],
      ],
      [
        '[v6]:port addresses',
        'src=[2001:db8::1]:1111 dst=[2001:db8::2]:443',
        ['2001:db8::1', 1111, '2001:db8::2', 443],
      ],
      [
        'bare IPv6 addresses',
        'src=2001:db8::1 dst=2001:db8::2 dport=443',
        ['2001:db8::1', undefined, '2001:db8::2', 443],
      ],
      [
        'quoted addresses',
        'src="198.51.100.23" dst=\'10.0.20.15\' dport=22',
        ['198.51.100.23', undefined, '10.0.20.15', 22],
      ],
      ['redacted addresses (`src= dst=`)', 'src= dst= dport=22', [undefined, undefined, undefined, 22]],
      [
        'translated_dst_ip and translated_port as fallbacks',
        'src=198.51.100.23 translated_dst_ip=10.0.20.99 translated_port=8080',
        ['198.51.100.23', undefined, '10.0.20.99', 8080],
      ],
      [
        'translated_port before an a.b.c.d:port port',
        'src=198.51.100.23 dst=10.0.20.15:22 translated_port=8080',
        ['198.51.100.23', undefined, '10.0.20.15', 8080],
      ],
      [
        'a source equal to the MAC (blanked)',
        'src=00:18:0A:12:34:56 mac=00:18:0A:12:34:56 dst=10.0.20.15 dport=22',
        [undefined, undefined, '10.0.20.15', 22],
      ],
    ])('reads %s', (_label, pairs, [srcIp, srcPort, dstIp, dstPort]) => {
      const { records } = decodeOne(`<134>1 1740823205.1 MX84 flows allow ${pairs}`);
      expect([
        records[0]?.SrcIpAddr,
        records[0]?.SrcPortNumber,
        records[0]?.DstIpAddr,
        records[0]?.DstPortNumber,
      ]).toEqual([srcIp, srcPort, dstIp, dstPort]);
    });

    it('takes the device epoch in whole seconds for every time field, not the row TimeGenerated', () => {
      const { records } = normalizeText(
        JSON.stringify(
          syslogRow('1 1740823499.999999999 MX84 flows allow src=198.51.100.23 dst=10.0.20.15 dport=22'),
        ),
      );
      expect(records[0]).toMatchObject({
        TimeGenerated: '2025-03-01T10:04:59.000Z',
        EventStartTime: '2025-03-01T10:04:59.000Z',
        EventEndTime: '2025-03-01T10:04:59.000Z',
      });
    });

    it('reads the largest ten-digit epoch', () => {
      const { records } = decodeOne(
        '1 9999999999.5 MX84 flows allow src=198.51.100.23 dst=10.0.20.15 dport=22',
      );
      expect(records[0]?.TimeGenerated).toBe('2286-11-20T17:46:39.000Z');
    });

    it('prefers timestamp= and falls back to the leading epoch when it is unreadable', () => {
      const unreadable = IDS.replace('timestamp=1740823205.200', 'timestamp=TIMESTAMPEPOCH.647461');
      const later = IDS.replace('timestamp=1740823205.200', 'timestamp=1740823300.5');
      const { records } = normalizeText([later, unreadable].join('\n'));
      expect(records[0]).toMatchObject({
        TimeGenerated: '2025-03-01T10:01:40.000Z',
        EventStartTime: '2025-03-01T10:01:40.000Z',
      });
      expect(records[1]?.TimeGenerated).toBe('2025-03-01T10:00:05.000Z');
      expect(records[1]).not.toHaveProperty('EventStartTime');
    });
  });

  describe('bad input', () => {
    it.each([
      ['a hostile source', 'src=<script>x</script> dst=10.0.20.15 dport=22', 'invalid src'],
      ['a destination that is a host name', 'src=198.51.100.23 dst=evil.example dport=22', 'invalid dst'],
      ['a non-numeric dport', 'src=198.51.100.23 dst=10.0.20.15 dport=http', 'invalid dport'],
      ['a port beyond 65535', 'src=198.51.100.23 dst=10.0.20.15 dport=99999', 'invalid dport'],
      ['a bad port inside the address', 'src=198.51.100.23:x dst=10.0.20.15 dport=22', 'invalid src'],
      ['a huge mac', `src=198.51.100.23 dst=10.0.20.15 dport=22 mac=${'A'.repeat(400)}`, 'invalid mac'],
      [
        'a protocol with odd characters',
        'src=198.51.100.23 dst=10.0.20.15 dport=22 protocol=tc$p',
        'invalid protocol',
      ],
      [
        'a huge translated_dst_ip',
        `src=198.51.100.23 translated_dst_ip=${'1'.repeat(300)}`,
        'invalid translated_dst_ip',
      ],
    ])('reports %s and still decodes the good lines beside it', (_label, pairs, reason) => {
      const bad = `<134>1 1740823205.1 MX84 flows allow ${pairs}`;
      const result = normalizeText([FLOW, bad, FIREWALL].join('\n'));
      expect(result.records).toHaveLength(2);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      const letter = result.normalizer.deadLetters[0];
      expect((letter?.detail ?? '').length).toBeLessThanOrEqual(120);
      expect(letter?.detail).not.toContain('MX84 flows allow');
    });

    it('ignores a timestamp= past the year 9999 and times the row by its header', () => {
      const [record] = decodeOne(IDS.replace('timestamp=1740823205.200', 'timestamp=999999999999')).records;
      expect(record?.TimeGenerated).toBe('2025-03-01T10:00:05.000Z');
      expect(record?.EventStartTime).toBeUndefined();
    });

    it('reports Syslog rows without a usable SyslogMessage when the format is forced', () => {
      const text = [
        JSON.stringify(syslogRow(FLOW)),
        JSON.stringify({ TimeGenerated: '2025-03-01T10:00:00Z', Type: 'Syslog' }),
        JSON.stringify(syslogRow('Accepted publickey for admin')),
      ].join('\n');
      const result = normalizeText(text, { format: NAME });
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({
        [`${NAME}: missing SyslogMessage`]: 1,
        [`${NAME}: no Meraki header`]: 1,
      });
    });

    it('ignores __proto__ pairs and keys', () => {
      const line =
        '<134>1 1740823205.1 MX84 flows allow __proto__=x constructor=y src=198.51.100.23 dst=10.0.20.15 dport=22';
      const { records } = decodeOne(line);
      expect(records[0]?.DstPortNumber).toBe(22);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });

    it('stays linear on a long line of words without equals signs', () => {
      const hostile = (chars: number): string =>
        `<134>1 1740823205.1 MX84 flows allow ${'word '.repeat(chars / 5)}src=198.51.100.23 dport=22`;
      expect(normalizeText(hostile(2_000_000)).records[0]?.DstPortNumber).toBe(22);
      expectLinearTime(normalizeText, hostile);
    });

    it('stays linear on a long line of spaces, equals signs and quotes', () => {
      const hostile = (chars: number): string =>
        `<134>1 1740823205.1 MX84 flows allow ${"a='b ".repeat(chars / 20)}${'= '.repeat(chars / 8)}${' '.repeat(chars / 4)}src=198.51.100.23`;
      expect(normalizeText(hostile(400_000)).sources).toEqual({ [NAME]: 1 });
      expectLinearTime(normalizeText, hostile);
    });
  });
});
