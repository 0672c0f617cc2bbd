import { describe, expect, it } from 'vitest';
import type { NetworkSession } from '../../../../lib/schema/NetworkSession.js';
import { ciscoAsa } from '../../../../lib/sources/firewalls/ciscoAsa.js';
import {
  ASA_SESSION_MESSAGE_IDS,
  findAsaTag,
  parseAsaMessage,
} from '../../../../lib/sources/firewalls/ciscoAsaMessage.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/firewallLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';
import { expectLinearTime } from '../../../support/growth.js';

const NAME = 'cisco-asa';
const REFERENCE = '2025-03-01T12:00:00.000Z';

function ctx(): DecodeContext {
  return { fallbackTimeMs: undefined, referenceTimeMs: Date.parse(REFERENCE), stream: new StreamState() };
}

function asaLine(id: string, text: string, tag = `%ASA-6-${id}`): string {
  return `<166>Mar 01 2025 10:00:05 asa-fw01 : ${tag}: ${text}`;
}

function decodeLine(id: string, text: string): NetworkSession[] {
  return normalizeText(asaLine(id, text), { referenceTime: REFERENCE }).records;
}

function row(id: string, text: string, overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:05.871Z',
    Computer: 'asa-fw01',
    DeviceVendor: 'Cisco',
    DeviceProduct: 'ASA',
    DeviceEventClassID: id,
    Message: `%ASA-6-${id}: ${text}`,
    Type: 'CommonSecurityLog',
    ...overrides,
  };
}

interface Expected {
  src: string;
  sp?: number;
  dst: string;
  dp?: number;
  protocol?: string;
  action?: string;
  result?: string;
}

/** One message of each id the parser keeps, with what it says (docs/sources/firewalls.md#cisco-asa-message-formats). */
const MESSAGES: ReadonlyArray<readonly [id: string, text: string, expected: Expected]> = [
  [
    '106001',
    'Inbound TCP connection denied from 198.51.100.23/51301 to 10.0.20.15/22 flags SYN  on interface outside',
    {
      src: '198.51.100.23',
      sp: 51301,
      dst: '10.0.20.15',
      dp: 22,
      protocol: 'TCP',
      action: 'Deny',
      result: 'Failure',
    },
  ],
  [
    '106002',
    'udp Connection denied by outbound list acl_out src 10.0.20.15 dest 198.51.100.53',
    { src: '10.0.20.15', dst: '198.51.100.53', protocol: 'UDP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106006',
    'Deny inbound UDP from 198.51.100.23/5353 to 10.0.20.15/161 on interface outside',
    {
      src: '198.51.100.23',
      sp: 5353,
      dst: '10.0.20.15',
      dp: 161,
      protocol: 'UDP',
      action: 'Deny',
      result: 'Failure',
    },
  ],
  [
    '106007',
    'Deny inbound UDP from 198.51.100.23/53 to 10.0.20.15/53 due to DNS Response',
    {
      src: '198.51.100.23',
      sp: 53,
      dst: '10.0.20.15',
      dp: 53,
      protocol: 'UDP',
      action: 'Deny',
      result: 'Failure',
    },
  ],
  [
    '106010',
    'Deny inbound tcp src outside:198.51.100.23/51302 dst inside:10.0.20.15/445',
    {
      src: '198.51.100.23',
      sp: 51302,
      dst: '10.0.20.15',
      dp: 445,
      protocol: 'TCP',
      action: 'Deny',
      result: 'Failure',
    },
  ],
  [
    '106012',
    'Deny IP from 198.51.100.23 to 10.0.20.15, IP options: "Router Alert"',
    { src: '198.51.100.23', dst: '10.0.20.15', protocol: 'IP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106013',
    'Dropping echo request from 198.51.100.23 to PAT address 203.0.113.15',
    { src: '198.51.100.23', dst: '203.0.113.15', action: 'Drop', result: 'Failure' },
  ],
  [
    '106014',
    'Deny inbound icmp src outside:198.51.100.23 dst inside:10.0.20.15 (type 8, code 0)',
    { src: '198.51.100.23', dst: '10.0.20.15', protocol: 'ICMP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106015',
    'Deny TCP (no connection) from 198.51.100.23/51303 to 10.0.20.15/80 flags RST  on interface outside',
    {
      src: '198.51.100.23',
      sp: 51303,
      dst: '10.0.20.15',
      dp: 80,
      protocol: 'TCP',
      action: 'Deny',
      result: 'Failure',
    },
  ],
  [
    '106016',
    'Deny IP spoof from (10.0.0.1) to 10.0.20.15 on interface outside',
    { src: '10.0.0.1', dst: '10.0.20.15', protocol: 'IP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106017',
    'Deny IP due to Land Attack from 10.0.20.15 to 10.0.20.15',
    { src: '10.0.20.15', dst: '10.0.20.15', protocol: 'IP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106018',
    'ICMP packet type 8 denied by outbound list acl_out src 10.0.20.15 dest 198.51.100.53',
    { src: '10.0.20.15', dst: '198.51.100.53', protocol: 'ICMP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106020',
    'Deny IP teardrop fragment (size = 28, offset = 0) from 198.51.100.23 to 10.0.20.15',
    { src: '198.51.100.23', dst: '10.0.20.15', protocol: 'IP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106021',
    'Deny TCP reverse path check from 198.51.100.23 to 10.0.20.15 on interface outside',
    { src: '198.51.100.23', dst: '10.0.20.15', protocol: 'TCP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106022',
    'Deny TCP connection spoof from 198.51.100.23 to 10.0.20.15 on interface outside',
    { src: '198.51.100.23', dst: '10.0.20.15', protocol: 'TCP', action: 'Deny', result: 'Failure' },
  ],
  [
    '106023',
    'Deny udp src outside:198.51.100.23/5060 dst inside:10.0.20.15/5060(LOCAL\\alice) by access-group "acl_in" [0x0, 0x0]',
    {
      src: '198.51.100.23',
      sp: 5060,
      dst: '10.0.20.15',
      dp: 5060,
      protocol: 'UDP',
      action: 'Deny',
      result: 'Failure',
    },
  ],
  [
    '106100',
    'access-list acl_in permitted udp outside/198.51.100.23(5353) -> inside/10.0.20.15(53) hit-cnt 1 first hit [0x1, 0x0]',
    {
      src: '198.51.100.23',
      sp: 5353,
      dst: '10.0.20.15',
      dp: 53,
      protocol: 'UDP',
      action: 'Allow',
      result: 'Success',
    },
  ],
  [
    '302013',
    'Built inbound TCP connection 1234567 for outside:198.51.100.23/51240 (198.51.100.23/51240) to inside:10.0.20.15/443 (203.0.113.15/443)',
    {
      src: '198.51.100.23',
      sp: 51240,
      dst: '10.0.20.15',
      dp: 443,
      protocol: 'TCP',
      action: 'Allow',
      result: 'Success',
    },
  ],
  [
    '302014',
    'Teardown TCP connection 1234567 for outside:198.51.100.23/51240 to inside:10.0.20.15/443 duration 0:00:30 bytes 1024 TCP FINs from outside',
    { src: '198.51.100.23', sp: 51240, dst: '10.0.20.15', dp: 443, protocol: 'TCP', result: 'Success' },
  ],
  [
    '302015',
    'Built inbound UDP connection 77 for outside:198.51.100.23/5353 (198.51.100.23/5353) to inside:10.0.20.15/53 (203.0.113.15/53)',
    {
      src: '198.51.100.23',
      sp: 5353,
      dst: '10.0.20.15',
      dp: 53,
      protocol: 'UDP',
      action: 'Allow',
      result: 'Success',
    },
  ],
  [
    '302016',
    'Teardown UDP connection 77 for outside:198.51.100.23/5353 to inside:10.0.20.15/53 duration 0:02:01 bytes 120',
    {
      src: '198.51.100.23',
      sp: 5353,
      dst: '10.0.20.15',
      dp: 53,
      protocol: 'UDP',
      action: 'Allow',
      result: 'Success',
    },
  ],
  [
    '302020',
    'Built outbound ICMP connection for faddr 198.51.100.53/0 gaddr 203.0.113.15/512 laddr 10.0.20.15/512 type 8 code 0',
    { src: '198.51.100.53', dst: '10.0.20.15', protocol: 'ICMP', action: 'Allow', result: 'Success' },
  ],
  [
    '302021',
    'Teardown ICMP connection for faddr 198.51.100.23/0 gaddr 203.0.113.15/0 laddr 10.0.20.15/0 type 8 code 0',
    { src: '198.51.100.23', dst: '10.0.20.15', protocol: 'ICMP', action: 'Allow', result: 'Success' },
  ],
  [
    '710002',
    'UDP access permitted from 198.51.100.23/51310 to outside:203.0.113.1/161',
    {
      src: '198.51.100.23',
      sp: 51310,
      dst: '203.0.113.1',
      dp: 161,
      protocol: 'UDP',
      action: 'Allow',
      result: 'Success',
    },
  ],
  [
    '710003',
    'TCP access denied by ACL from 198.51.100.23/51302 to outside:203.0.113.15/23',
    {
      src: '198.51.100.23',
      sp: 51302,
      dst: '203.0.113.15',
      dp: 23,
      protocol: 'TCP',
      action: 'Deny',
      result: 'Failure',
    },
  ],
  [
    '710004',
    'TCP connection limit exceeded from 198.51.100.23/51311 to outside:203.0.113.1/22 (current connections/connection limit = 5/5)',
    {
      src: '198.51.100.23',
      sp: 51311,
      dst: '203.0.113.1',
      dp: 22,
      protocol: 'TCP',
      action: 'Drop',
      result: 'Failure',
    },
  ],
  [
    '710005',
    'UDP request discarded from 198.51.100.23/51312 to outside:203.0.113.1/500',
    {
      src: '198.51.100.23',
      sp: 51312,
      dst: '203.0.113.1',
      dp: 500,
      protocol: 'UDP',
      action: 'Drop',
      result: 'Failure',
    },
  ],
];

function pick(record: NetworkSession | undefined): Expected {
  const out: Record<string, unknown> = {
    src: record?.SrcIpAddr,
    sp: record?.SrcPortNumber,
    dst: record?.DstIpAddr,
    dp: record?.DstPortNumber,
    protocol: record?.NetworkProtocol,
    action: record?.DvcAction,
    result: record?.EventResult,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as unknown as Expected;
}

describe('Decoder: cisco-asa', () => {
  describe('recognition', () => {
    it.each([
      ['an ASA tag', '<166>Mar 01 2025 10:00:05 asa-fw01 : %ASA-6-302013: Built'],
      ['an FTD tag', '<166>1 2025-03-01T10:00:05Z ftd01 - - - - %FTD-6-302013: Built'],
      ['a tag with a message class', '%ASA-session-6-302013: Built'],
      ['a tag without syslog header', '%ASA-4-106023: Deny'],
      ['a Cisco ASA CEF line', 'CEF:0|Cisco|ASA|9.8|106023|Deny|4|src=198.51.100.23 dst=10.0.20.15'],
    ])('claims a line with %s', (_label, line) => {
      expect(ciscoAsa.matchText?.(line, ctx())).toBe(true);
    });

    it.each([
      [
        'a CEF line of another vendor quoting an ASA tag',
        'CEF:0|Acme|Relay|1|1|x|1|msg=%ASA-6-302013: Built',
      ],
      ['a tag with a short id', '%ASA-6-30201: Built'],
      ['a tag without colon', '%ASA-6-302013 Built'],
      ['a tag of another product', '%PIX-6-302013: Built'],
    ])('does not claim %s', (_label, line) => {
      expect(ciscoAsa.matchText?.(line, ctx())).toBe(false);
    });

    it('claims Cisco ASA CommonSecurityLog rows, not rows of other products or tables', () => {
      expect(ciscoAsa.matchJson?.(row('106023', 'x'))).toBe(true);
      expect(ciscoAsa.matchJson?.(row('106023', 'x', { DeviceProduct: 'Firepower' }))).toBe(false);
      expect(ciscoAsa.matchJson?.(row('106023', 'x', { Type: 'Syslog' }))).toBe(false);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(ciscoAsa.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, line) => {
      expect(ciscoAsa.matchText?.(line, ctx())).toBe(false);
    });

    it('finds the tag and its id', () => {
      expect(findAsaTag('<166>Mar 01 2025 10:00:05 asa : %ASA-6-302013: Built')).toEqual({
        index: 32,
        severity: '6',
        id: '302013',
        textStart: 46,
      });
      expect(findAsaTag('100% sure %FTD-4-106023: x')?.id).toBe('106023');
    });

    it('lists the 27 message ids of the ASIM parser', () => {
      expect(ASA_SESSION_MESSAGE_IDS.size).toBe(27);
      expect([...ASA_SESSION_MESSAGE_IDS].sort()).toEqual(MESSAGES.map(([id]) => id).sort());
    });
  });

  describe('messages', () => {
    it.each(MESSAGES)('reads %s from a raw line', (id, text, expected) => {
      const records = decodeLine(id, text);
      expect(records).toHaveLength(1);
      expect(pick(records[0])).toEqual(expected);
      expect(records[0]).toMatchObject({
        TimeGenerated: '2025-03-01T10:00:05.000Z',
        EventStartTime: '2025-03-01T10:00:05.000Z',
        EventEndTime: '2025-03-01T10:00:05.000Z',
        EventVendor: 'Cisco',
        EventProduct: 'ASA',
        EventSchemaVersion: '0.2.4',
        EventOriginalType: id,
        Dvc: 'asa-fw01',
      });
    });

    it.each(MESSAGES)('reads %s from a row without address columns the same way', (id, text, expected) => {
      const [record] = normalizeRows([row(id, text)]).records;
      expect(pick(record)).toEqual(expected);
    });

    it('reads a 106023 ICMP variant without ports and the `protocol 41` variant', () => {
      const icmp = decodeLine(
        '106023',
        'Deny icmp src outside:198.51.100.23 dst inside:10.0.20.15 (type 8, code 0) by access-group "acl_in" [0x0, 0x0]',
      );
      expect(pick(icmp[0])).toEqual({
        src: '198.51.100.23',
        dst: '10.0.20.15',
        protocol: 'ICMP',
        action: 'Deny',
        result: 'Failure',
      });
      const tunnel = decodeLine(
        '106023',
        'Deny protocol 41 src outside:2001:db8::23 dst inside:2001:db8:1::15 by access-group "acl_in"',
      );
      expect(pick(tunnel[0])).toMatchObject({ src: '2001:db8::23', dst: '2001:db8:1::15', protocol: 'IPv6' });
    });

    it('takes NetworkRuleName from the access-group, access-list and outbound list names', () => {
      expect(decodeLine('106023', MESSAGES[15]?.[1] ?? '')[0]?.NetworkRuleName).toBe('acl_in');
      expect(decodeLine('106100', MESSAGES[16]?.[1] ?? '')[0]?.NetworkRuleName).toBe('acl_in');
      expect(decodeLine('106018', MESSAGES[11]?.[1] ?? '')[0]?.NetworkRuleName).toBe('acl_out');
      expect(decodeLine('106001', MESSAGES[0]?.[1] ?? '')[0]?.NetworkRuleName).toBeUndefined();
    });

    it('prefers DeviceCustomString2 over the message for NetworkRuleName', () => {
      const [record] = normalizeRows([
        row('106023', MESSAGES[15]?.[1] ?? '', { DeviceCustomString2: 'from-column' }),
      ]).records;
      expect(record?.NetworkRuleName).toBe('from-column');
    });

    it.each([
      ['permitted', 'Allow', 'Success', 'hit-cnt 1 first hit'],
      ['est-allowed', 'Allow', 'Success', 'hit-cnt 4 300-second interval'],
      ['denied', 'Deny', 'Failure', 'hit-cnt 12 300-second interval'],
    ])('maps a 106100 %s to %s / %s with its hit count', (verdict, action, result, hits) => {
      const [record] = decodeLine(
        '106100',
        `access-list acl_in ${verdict} tcp outside/198.51.100.23(51300) -> inside/10.0.20.15(3389) ${hits} [0x1, 0x0]`,
      );
      expect(record).toMatchObject({ DvcAction: action, EventResult: result });
      expect(record?.EventCount).toBe(Number(hits.split(' ')[1]));
    });

    it.each([
      ['TCP FINs', undefined, 'Success'],
      ['Conn-timeout', undefined, 'Success'],
      ['SYN Timeout', undefined, 'Failure'],
      ['TCP Reset-I from inside', undefined, 'Failure'],
      ['TCP Reset-O from outside (LOCAL\\bob)', undefined, 'Failure'],
      ['Deny Terminate', 'Deny', 'Failure'],
      ['Flow closed by inspection', 'Deny', 'Failure'],
      ['Flow reset by IPS', 'Reset', 'Failure'],
      ['Flow timed out with reset', 'Reset', 'Failure'],
      ['No valid adjacency', 'Drop', 'Failure'],
      ['Flow terminated by TCP Intercept', undefined, 'Failure'],
      ['Xlate Clear', undefined, undefined],
      ['Something new', undefined, undefined],
      ['', undefined, undefined],
    ])('maps the 302014 teardown reason %j to %s / %s', (reason, action, result) => {
      const [record] = decodeLine(
        '302014',
        `Teardown TCP connection 9 for outside:198.51.100.23/51240 to inside:10.0.20.15/443 duration 0:00:01 bytes 0 ${reason}`,
      );
      expect(record?.DvcAction).toBe(action);
      expect(record?.EventResult).toBe(result);
    });
  });

  describe('orientation (decision D4) and direction', () => {
    const OUTBOUND =
      'Built outbound TCP connection 9 for outside:192.0.2.80/443 (192.0.2.80/443) to inside:10.1.1.2/53496 (203.0.113.15/40001)';

    it('turns a raw Built outbound message so that the inside initiator is the source', () => {
      const [record] = decodeLine('302013', OUTBOUND);
      expect(pick(record)).toMatchObject({ src: '10.1.1.2', sp: 53496, dst: '192.0.2.80', dp: 443 });
      expect(record?.NetworkDirection).toBe('Outbound');
    });

    it('turns a prefilled Built outbound row still in the literal order, and keeps one already turned', () => {
      const literal = row('302013', OUTBOUND, {
        SourceIP: '192.0.2.80',
        SourcePort: 443,
        DestinationIP: '10.1.1.2',
        DestinationPort: 53496,
      });
      const turned = row('302013', OUTBOUND, {
        SourceIP: '10.1.1.2',
        SourcePort: 53496,
        DestinationIP: '192.0.2.80',
        DestinationPort: 443,
      });
      const records = normalizeRows([literal, turned]).records;
      expect(records.map((r) => [r.SrcIpAddr, r.DstPortNumber])).toEqual([
        ['10.1.1.2', 443],
        ['10.1.1.2', 443],
      ]);
    });

    it('keeps inbound, teardown and ICMP messages in their literal order', () => {
      expect(decodeLine('302013', MESSAGES[17]?.[1] ?? '')[0]?.SrcIpAddr).toBe('198.51.100.23');
      expect(
        decodeLine(
          '302014',
          'Teardown TCP connection 9 for outside:192.0.2.80/443 to inside:10.1.1.2/53496 duration 0:00:01 bytes 9 TCP FINs',
        )[0]?.SrcIpAddr,
      ).toBe('192.0.2.80');
      expect(decodeLine('302020', MESSAGES[21]?.[1] ?? '')[0]?.SrcIpAddr).toBe('198.51.100.53');
    });

    it.each([
      ['Inbound', 'Inbound'],
      ['Outbound', 'Outbound'],
      ['Local', 'Local'],
      ['1', undefined],
    ])('takes CommunicationDirection %j as %s', (column, direction) => {
      const [record] = normalizeRows([
        row('106023', MESSAGES[15]?.[1] ?? '', { CommunicationDirection: column, SourceIP: '198.51.100.23' }),
      ]).records;
      expect(record?.NetworkDirection).toBe(direction);
    });

    it('leaves NetworkDirection empty for messages without a Built keyword', () => {
      expect(decodeLine('106023', MESSAGES[15]?.[1] ?? '')[0]?.NetworkDirection).toBeUndefined();
      expect(decodeLine('302020', MESSAGES[21]?.[1] ?? '')[0]?.NetworkDirection).toBeUndefined();
    });
  });

  describe('prefilled rows', () => {
    const TEXT =
      'Deny tcp src outside:198.51.100.23/51234 dst inside:10.0.20.15/8443 by access-group "acl_in" [0x0, 0x0]';

    it('takes the 4-tuple and Protocol from the columns', () => {
      const [record] = normalizeRows([
        row('106023', TEXT, {
          SourceIP: '203.0.113.99',
          SourcePort: '40000',
          DestinationIP: '10.0.20.16',
          DestinationPort: '22',
          Protocol: 'tcp',
        }),
      ]).records;
      expect(pick(record)).toEqual({
        src: '203.0.113.99',
        sp: 40000,
        dst: '10.0.20.16',
        dp: 22,
        protocol: 'TCP',
        action: 'Deny',
        result: 'Failure',
      });
      expect(record?.NetworkRuleName).toBe('acl_in');
    });

    it.each([
      ['6', ['TCP']],
      ['84', ['TTP', 'IPTM']],
      ['61', ['61']],
      ['150', ['150']],
      ['icmp', ['ICMP']],
      [undefined, [undefined]],
    ])('resolves Protocol %j', (protocol, names) => {
      const records = normalizeRows([
        row('106023', TEXT, { SourceIP: '198.51.100.23', Protocol: protocol }),
      ]).records;
      expect(records.map((r) => r.NetworkProtocol)).toEqual(names);
    });

    it('keeps a prefilled row whose message cannot be read, without the extras', () => {
      const [record] = normalizeRows([
        row('106100', 'garbled', {
          SourceIP: '198.51.100.23',
          DestinationIP: '10.0.20.15',
          DestinationPort: 3389,
        }),
      ]).records;
      expect(record).toMatchObject({
        SrcIpAddr: '198.51.100.23',
        DstPortNumber: 3389,
        EventCount: 1,
        DvcAction: 'Allow',
      });
    });

    it('reads a Cisco ASA CEF line through the same columns', () => {
      const [record] = normalizeText(
        'CEF:0|Cisco|ASA|9.8|106023|Deny|4|rt=1740823205000 src=198.51.100.23 spt=51234 dst=10.0.20.15 dpt=8443 proto=6 msg=%ASA-4-106023: Deny tcp src outside:198.51.100.23/51234 dst inside:10.0.20.15/8443 by access-group "acl_in" [0x0, 0x0]',
      ).records;
      expect(record).toMatchObject({
        TimeGenerated: '2025-03-01T10:00:05.000Z',
        SrcIpAddr: '198.51.100.23',
        DstPortNumber: 8443,
        NetworkProtocol: 'TCP',
        NetworkRuleName: 'acl_in',
        EventOriginalType: '106023',
      });
    });
  });

  describe('skips and bad input', () => {
    it('skips unhandled message ids from lines and rows', () => {
      const lines = normalizeText(
        asaLine('305011', 'Built dynamic TCP translation from inside:10.0.0.1/1 to outside:1.2.3.4/1'),
      );
      expect(lines.skipped).toEqual({ [`${NAME}: unhandled ASA message id`]: 1 });
      const rows = normalizeRows([row('113004', 'AAA user authentication Successful'), row('', 'x')]);
      expect(rows.skipped).toEqual({ [`${NAME}: unhandled ASA message id`]: 2 });
    });

    it.each([
      ['a message cut short', '106023', 'Deny tcp src outside:198.51.100.23/51234 dst'],
      [
        'a port out of range',
        '106001',
        'Inbound TCP connection denied from 198.51.100.23/99999 to 10.0.20.15/22 flags SYN',
      ],
      [
        'an address that is not one',
        '710003',
        'TCP access denied by ACL from evil.example/1 to outside:203.0.113.15/23',
      ],
      ['a missing interface', '106010', 'Deny inbound tcp src 198.51.100.23/1 dst inside:10.0.20.15/445'],
      [
        'a wrong direction word',
        '302013',
        'Built sideways TCP connection 9 for outside:1.2.3.4/1 to inside:10.0.0.1/2',
      ],
      [
        'a 106100 without arrow',
        '106100',
        'access-list acl_in denied tcp outside/198.51.100.23(1) inside/10.0.20.15(2) hit-cnt 1',
      ],
      [
        'a hostile message',
        '106023',
        `Deny tcp src outside:${'9'.repeat(100_000)}/1 dst inside:10.0.20.15/2`,
      ],
    ])('reports %s as invalid and keeps the lines beside it', (_label, id, text) => {
      const good = asaLine('106023', MESSAGES[15]?.[1] ?? '');
      const result = normalizeText([good, asaLine(id, text), good].join('\n'));
      expect(result.invalid).toEqual({ [`${NAME}: unparseable ASA message`]: 1 });
      expect(result.records).toHaveLength(2);
      expect(result.normalizer.deadLetters[0]?.detail?.length ?? 0).toBeLessThan(100);
    });

    it.each([
      ['a hostile SourceIP', { SourceIP: 'x'.repeat(1000) }, 'invalid SourceIP'],
      [
        'a port out of range',
        { SourceIP: '198.51.100.23', DestinationPort: 123456 },
        'invalid DestinationPort',
      ],
      ['an object Protocol', { SourceIP: '198.51.100.23', Protocol: { tcp: true } }, 'invalid Protocol'],
    ])('reports a prefilled row with %s as invalid', (_label, overrides, reason) => {
      const result = normalizeRows([row('106023', 'x', overrides as JsonObject)]);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
    });

    it('reports a row without any time', () => {
      const { TimeGenerated: _t, ...untimed } = row('106023', MESSAGES[15]?.[1] ?? '');
      expect(normalizeRows([untimed]).invalid).toEqual({ [`${NAME}: no event time`]: 1 });
      expect(normalizeText(`%ASA-4-106023: ${MESSAGES[15]?.[1]}`).invalid).toEqual({
        [`${NAME}: no event time`]: 1,
      });
      expect(
        normalizeText(`%ASA-4-106023: ${MESSAGES[15]?.[1]}`, { fallbackTime: '2025-03-01T11:00:00Z' })
          .records[0]?.TimeGenerated,
      ).toBe('2025-03-01T11:00:00.000Z');
    });

    it('reads a non-string Message as empty', () => {
      const result = normalizeRows([row('106023', '', { Message: { text: 'x' } })]);
      expect(result.invalid).toEqual({ [`${NAME}: unparseable ASA message`]: 1 });
    });

    it('decodes a row with `__proto__` keys without touching prototypes', () => {
      const text = `{"__proto__":{"SourceIP":"1.1.1.1","polluted":1},${JSON.stringify(row('106023', MESSAGES[15]?.[1] ?? '')).slice(1)}`;
      const [record] = normalizeText(text).records;
      expect(record?.SrcIpAddr).toBe('198.51.100.23');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('reads every message text in time linear in its length', () => {
      const hostile = (chars: number): string => `Deny tcp src ${'outside:1.2.3.4/5 '.repeat(chars / 18)}`;
      expect(parseAsaMessage('106023', hostile(360_000)).ok).toBe(false);
      expectLinearTime((text: string) => parseAsaMessage('106023', text), hostile);
    });
  });
});
