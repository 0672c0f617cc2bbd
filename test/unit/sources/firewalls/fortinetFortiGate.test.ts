import { describe, expect, it } from 'vitest';
import { fortinetFortiGate } from '../../../../lib/sources/firewalls/fortinetFortiGate.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/firewallLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'fortinet-fortigate';

function ctx(): DecodeContext {
  return {
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2025-03-01T12:00:00Z'),
    stream: new StreamState(),
  };
}

function row(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:05.9Z',
    Computer: 'FGT-A',
    DeviceVendor: 'Fortinet',
    DeviceProduct: 'Fortigate',
    Activity: 'traffic:forward deny',
    DeviceEventCategory: 'traffic:forward',
    DeviceExternalID: 'FGT5HD3915800610',
    SourceIP: '198.51.100.23',
    SourcePort: 51234,
    DestinationIP: '10.0.20.15',
    DestinationPort: 8443,
    Protocol: '6',
    DeviceAction: 'deny',
    Type: 'CommonSecurityLog',
    ...overrides,
  };
}

describe('Decoder: fortinet-fortigate', () => {
  describe('recognition', () => {
    it.each([['Fortigate'], ['FortiGate'], ['FortiGate-VM64'], ['FORTIGATE-60F']])(
      'claims rows and CEF lines of product %j',
      (product) => {
        expect(fortinetFortiGate.matchJson?.(row({ DeviceProduct: product }))).toBe(true);
        expect(
          fortinetFortiGate.matchText?.(
            `CEF:0|Fortinet|${product}|v7|00013|traffic:forward deny|4|act=deny`,
            ctx(),
          ),
        ).toBe(true);
      },
    );

    it.each([
      ['FortiWeb', row({ DeviceProduct: 'FortiWeb' })],
      ['a lower-case vendor', row({ DeviceVendor: 'fortinet' })],
      ['a row of another table', row({ Type: 'Syslog' })],
    ])('does not claim %s', (_label, record) => {
      expect(fortinetFortiGate.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(fortinetFortiGate.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, text) => {
      expect(fortinetFortiGate.matchText?.(text, ctx())).toBe(false);
    });
  });

  describe('mapping', () => {
    it('maps a traffic row', () => {
      expect(normalizeRows([row()]).records).toEqual([
        {
          TimeGenerated: '2025-03-01T10:00:05.900Z',
          EventStartTime: '2025-03-01T10:00:05.900Z',
          EventEndTime: '2025-03-01T10:00:05.900Z',
          EventCount: 1,
          EventVendor: 'Fortinet',
          EventProduct: 'Fortigate',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.3',
          EventType: 'NetworkSession',
          EventResult: 'Failure',
          SrcIpAddr: '198.51.100.23',
          SrcPortNumber: 51234,
          DstIpAddr: '10.0.20.15',
          DstPortNumber: 8443,
          NetworkProtocol: 'TCP',
          DvcAction: 'Deny',
          Dvc: 'FGT-A',
          DvcId: 'FGT5HD3915800610',
        },
      ]);
    });

    it.each([
      ['DeviceEventCategory traffic:forward', { DeviceEventCategory: 'traffic:forward' }, true],
      ['DeviceEventCategory traffic', { DeviceEventCategory: 'traffic' }, true],
      [
        'cat=traffic in AdditionalExtensions',
        { DeviceEventCategory: undefined, AdditionalExtensions: 'a=1;cat=traffic:local' },
        true,
      ],
      ['DeviceEventCategory utm:webfilter', { DeviceEventCategory: 'utm:webfilter' }, false],
      ['DeviceEventCategory trafficshaping', { DeviceEventCategory: 'trafficshaping' }, false],
      ['no category', { DeviceEventCategory: undefined }, false],
      [
        'cat=utm in AdditionalExtensions',
        { DeviceEventCategory: undefined, AdditionalExtensions: 'cat=utm:ips' },
        false,
      ],
    ])('keeps or skips a row by %s', (_label, overrides, kept) => {
      const result = normalizeRows([row(overrides)]);
      expect(result.records).toHaveLength(kept ? 1 : 0);
      expect(result.skipped).toEqual(kept ? {} : { [`${NAME}: not a traffic log`]: 1 });
    });

    it.each([
      ['DeviceAction dns', { DeviceAction: 'dns' }],
      ['Activity with the word dns', { Activity: 'traffic:local dns' }],
      ['Activity with DNS in capitals', { Activity: 'DNS query' }],
    ])('skips %s', (_label, overrides) => {
      expect(normalizeRows([row(overrides)]).skipped).toEqual({ [`${NAME}: DNS event`]: 1 });
    });

    it('keeps an Activity that only contains dns inside a word', () => {
      expect(normalizeRows([row({ Activity: 'traffic:forward dnsproxy-pass' })]).records).toHaveLength(1);
    });

    it.each([
      ['accept', 'Allow', 'Success'],
      ['close', undefined, 'Success'],
      ['deny', 'Deny', 'Failure'],
      ['client-rst', 'Reset Source', 'Failure'],
      ['server-rst', 'Reset Destination', 'Failure'],
      ['timeout', undefined, 'Failure'],
      ['ip-conn', undefined, 'Failure'],
      ['Accept', undefined, undefined],
    ])('maps DeviceAction %j to %s / %s', (action, dvcAction, result) => {
      const [record] = normalizeRows([row({ DeviceAction: action })]).records;
      expect(record?.DvcAction).toBe(dvcAction);
      expect(record?.EventResult).toBe(result);
    });

    it('takes the action from Activity when DeviceAction is empty', () => {
      const [record] = normalizeRows([
        row({ DeviceAction: undefined, Activity: 'traffic:forward accept' }),
      ]).records;
      expect(record).toMatchObject({ DvcAction: 'Allow', EventResult: 'Success' });
      const [local] = normalizeRows([
        row({ DeviceAction: undefined, Activity: 'traffic:local accept' }),
      ]).records;
      expect(local?.DvcAction).toBeUndefined();
    });

    it.each([
      ['FTNTFGTutmaction=allow', 'Success'],
      ['utmaction=allow', 'Success'],
      ['FTNTFGTutmaction=;utmaction=allow', 'Success'],
      ['FTNTFGTutmaction=block;utmaction=allow', 'Failure'],
      ['utmaction=Allow', 'Failure'],
    ])('forces EventResult with %j', (extensions, result) => {
      const [record] = normalizeRows([row({ AdditionalExtensions: `${extensions};cat=traffic` })]).records;
      expect(record?.EventResult).toBe(result);
      expect(record?.DvcAction).toBe('Deny');
    });

    it.each([
      ['6', ['TCP']],
      ['17', ['UDP']],
      ['84', ['TTP', 'IPTM']],
      ['61', ['Unassigned']],
      ['200', ['Unassigned']],
      ['TCP', ['Unassigned']],
      [undefined, ['Unassigned']],
      ['06', ['TCP']],
    ])('resolves Protocol %j like _ASIM_ResolveNetworkProtocol', (protocol, names) => {
      expect(normalizeRows([row({ Protocol: protocol })]).records.map((r) => r.NetworkProtocol)).toEqual(
        names,
      );
    });

    it('times a row by ReceiptTime, then FTNTFGTeventtime or eventtime, then TimeGenerated', () => {
      const times = [
        row({
          ReceiptTime: '2025-03-01T09:00:00Z',
          AdditionalExtensions: 'cat=traffic;FTNTFGTeventtime=1740819660',
        }),
        row({ AdditionalExtensions: 'FTNTFGTeventtime=1740819660' }),
        row({ AdditionalExtensions: 'eventtime=1740819720000000000' }),
        row({ AdditionalExtensions: 'FTNTFGTeventtime=garbage' }),
      ];
      expect(normalizeRows(times).records.map((r) => r.TimeGenerated)).toEqual([
        '2025-03-01T09:00:00.000Z',
        '2025-03-01T09:01:00.000Z',
        '2025-03-01T09:02:00.000Z',
        '2025-03-01T10:00:05.900Z',
      ]);
    });

    it('takes EventStartTime from FTNTFGTstart, start, StartTime, then TimeGenerated', () => {
      const rows = [
        row({ AdditionalExtensions: 'FTNTFGTstart=2025-03-01T09:00:00Z;start=2025-03-01T08:00:00Z' }),
        row({ AdditionalExtensions: 'start=2025-03-01T08:00:00Z' }),
        row({ StartTime: '1740812400000' }),
        row(),
      ];
      expect(normalizeRows(rows).records.map((r) => [r.EventStartTime, r.EventEndTime])).toEqual([
        ['2025-03-01T09:00:00.000Z', '2025-03-01T10:00:05.900Z'],
        ['2025-03-01T08:00:00.000Z', '2025-03-01T10:00:05.900Z'],
        ['2025-03-01T07:00:00.000Z', '2025-03-01T10:00:05.900Z'],
        ['2025-03-01T10:00:05.900Z', '2025-03-01T10:00:05.900Z'],
      ]);
    });
  });

  describe('bad input', () => {
    it.each([
      ['a port out of range', { DestinationPort: 70000 }, 'invalid DestinationPort'],
      ['an IPv6 address with a zone full of junk', { SourceIP: 'fe80::1%eth0;rm -rf' }, 'invalid SourceIP'],
      ['an object SourcePort', { SourcePort: {} }, 'invalid SourcePort'],
    ])('reports a row with %s as invalid and keeps the rows beside it', (_label, overrides, reason) => {
      const result = normalizeRows([row(), row(overrides as JsonObject), row({ DestinationPort: 22 })]);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([8443, 22]);
    });

    it('accepts an IPv6 address with a zone', () => {
      expect(normalizeRows([row({ SourceIP: 'fe80::1%eth0' })]).records[0]?.SrcIpAddr).toBe('fe80::1%eth0');
    });

    it('reports a traffic row without any time', () => {
      const { TimeGenerated: _t, ...untimed } = row();
      expect(normalizeRows([untimed]).invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('reports a CEF line with a header cut short', () => {
      const result = normalizeText(
        'Dec 27 11:07:55 FGT-A-LOG CEF: 0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward',
      );
      expect(result.invalid).toEqual({ [`${NAME}: truncated CEF header`]: 1 });
    });
  });
});
