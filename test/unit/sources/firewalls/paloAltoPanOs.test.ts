import { describe, expect, it } from 'vitest';
import { paloAltoPanOs } from '../../../../lib/sources/firewalls/paloAltoPanOs.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/firewallLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'paloalto-panos';

function ctx(): DecodeContext {
  return {
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2025-03-01T12:00:00Z'),
    stream: new StreamState(),
  };
}

function row(overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:06.004Z',
    DeviceVendor: 'Palo Alto Networks',
    DeviceProduct: 'PAN-OS',
    DeviceEventClassID: 'drop',
    Activity: 'TRAFFIC',
    SourceIP: '198.51.100.23',
    DestinationIP: '10.0.20.15',
    SourcePort: 51234,
    DestinationPort: 8443,
    Protocol: 'tcp',
    DeviceAction: 'drop',
    DeviceCustomString1: 'interzone-default',
    DeviceName: 'PA-3220',
    StartTime: '2025-03-01T10:00:05Z',
    Type: 'CommonSecurityLog',
    ...overrides,
  };
}

const LINE =
  '<14>1 2025-03-01T10:00:05+00:00 PA-3220 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1.11|drop|TRAFFIC|1|rt=Mar 01 2025 10:00:05 GMT src=198.51.100.23 dst=10.0.20.15 cs1Label=Rule cs1=interzone-default spt=51234 dpt=8443 proto=tcp act=drop start=Mar 01 2025 10:00:04 GMT dvchost=PA-3220';

describe('Decoder: paloalto-panos', () => {
  describe('recognition', () => {
    it('claims PAN-OS CommonSecurityLog rows and CEF lines of any log type', () => {
      expect(paloAltoPanOs.matchJson?.(row())).toBe(true);
      expect(paloAltoPanOs.matchJson?.(row({ Activity: 'THREAT' }))).toBe(true);
      expect(paloAltoPanOs.matchText?.(LINE, ctx())).toBe(true);
    });

    it.each([
      ['another product', row({ DeviceProduct: 'Cortex Data Lake' })],
      ['a lower-case vendor', row({ DeviceVendor: 'palo alto networks' })],
      ['a row of another table', row({ Type: 'PaloAltoCDL_CL' })],
    ])('does not claim %s', (_label, record) => {
      expect(paloAltoPanOs.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(paloAltoPanOs.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, text) => {
      expect(paloAltoPanOs.matchText?.(text, ctx())).toBe(false);
    });
  });

  describe('mapping', () => {
    it('maps a TRAFFIC line', () => {
      expect(normalizeText(LINE).records).toEqual([
        {
          TimeGenerated: '2025-03-01T10:00:05.000Z',
          EventStartTime: '2025-03-01T10:00:04.000Z',
          EventEndTime: '2025-03-01T10:00:04.000Z',
          EventCount: 1,
          EventVendor: 'Palo Alto',
          EventProduct: 'PanOS',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.3',
          EventType: 'NetworkSession',
          EventResult: 'Failure',
          SrcIpAddr: '198.51.100.23',
          SrcPortNumber: 51234,
          DstIpAddr: '10.0.20.15',
          DstPortNumber: 8443,
          NetworkProtocol: 'TCP',
          NetworkRuleName: 'interzone-default',
          DvcAction: 'Drop',
          Dvc: 'PA-3220',
          DvcHostname: 'PA-3220',
        },
      ]);
    });

    it.each([['THREAT'], ['SYSTEM'], ['traffic'], ['end'], ['']])('skips Activity %j', (activity) => {
      const result = normalizeRows([row({ Activity: activity })]);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: not a TRAFFIC log`]: 1 });
    });

    it.each([
      ['allow', 'Allow', 'Success'],
      ['deny', 'Deny', 'Failure'],
      ['drop', 'Drop', 'Failure'],
      ['drop ICMP', 'Drop ICMP', 'Failure'],
      ['drop-icmp', 'Drop ICMP', 'Failure'],
      ['reset client', 'Reset Source', 'Failure'],
      ['reset-client', 'Reset Source', 'Failure'],
      ['reset server', 'Reset Destination', 'Failure'],
      ['reset-server', 'Reset Destination', 'Failure'],
      ['reset both', 'Reset', 'Failure'],
      ['reset-both', 'Reset', 'Failure'],
      ['Allow', undefined, 'Failure'],
      ['sinkhole', undefined, 'Failure'],
    ])('maps DeviceAction %j to %s / %s', (action, dvcAction, result) => {
      const [record] = normalizeRows([row({ DeviceAction: action })]).records;
      expect(record?.DvcAction).toBe(dvcAction);
      expect(record?.EventResult).toBe(result);
    });

    it('upper-cases Protocol', () => {
      expect(normalizeRows([row({ Protocol: 'icmp' })]).records[0]?.NetworkProtocol).toBe('ICMP');
      expect(normalizeRows([row({ Protocol: 6 })]).records[0]?.NetworkProtocol).toBe('6');
    });

    it('takes the start from StartTime, then from `start=` in AdditionalExtensions', () => {
      const fromColumn = normalizeRows([row({ AdditionalExtensions: 'start=Mar 01 2025 09:00:00 GMT' })])
        .records[0];
      expect(fromColumn).toMatchObject({
        EventStartTime: '2025-03-01T10:00:05.000Z',
        EventEndTime: '2025-03-01T10:00:05.000Z',
      });
      const fromExtensions = normalizeRows([
        row({
          StartTime: undefined,
          AdditionalExtensions: 'PanOSPacketsSent=1;start=Mar 01 2025 09:00:00 GMT',
        }),
      ]).records[0];
      expect(fromExtensions).toMatchObject({
        EventStartTime: '2025-03-01T09:00:00.000Z',
        EventEndTime: '2025-03-01T09:00:00.000Z',
      });
      const none = normalizeRows([row({ StartTime: 'garbage' })]).records[0];
      expect(none?.EventStartTime).toBeUndefined();
      expect(none?.EventEndTime).toBeUndefined();
      expect(none?.TimeGenerated).toBe('2025-03-01T10:00:06.004Z');
    });

    it.each([
      ['PA-3220', 'PA-3220'],
      ['pa-fw.contoso.com', 'pa-fw'],
      ['10.0.0.1', undefined],
      ['2001:db8::1', undefined],
    ])('derives DvcHostname from DeviceName %s', (deviceName, hostname) => {
      const [record] = normalizeRows([row({ DeviceName: deviceName })]).records;
      expect(record?.Dvc).toBe(deviceName);
      expect(record?.DvcHostname).toBe(hostname);
    });
  });

  describe('bad input', () => {
    it.each([
      ['a port out of range', { DestinationPort: 1_000_000 }, 'invalid DestinationPort'],
      ['a fractional port', { SourcePort: 1.5 }, 'invalid SourcePort'],
      ['a hostname as SourceIP', { SourceIP: 'attacker.example.com' }, 'invalid SourceIP'],
      ['an array DestinationIP', { DestinationIP: ['10.0.20.15'] }, 'invalid DestinationIP'],
    ])('reports a row with %s as invalid and keeps the rows beside it', (_label, overrides, reason) => {
      const result = normalizeRows([row(), row(overrides as JsonObject), row({ DestinationPort: 22 })]);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records.map((r) => r.DstPortNumber)).toEqual([8443, 22]);
    });

    it('reports a TRAFFIC row without any time', () => {
      const { TimeGenerated: _t, ...untimed } = row();
      expect(normalizeRows([untimed]).invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('reports a malformed extension on a PAN-OS line', () => {
      const result = normalizeText('CEF:0|Palo Alto Networks|PAN-OS|10.1.11|drop|TRAFFIC|1| = src=1.2.3.4');
      expect(result.invalid).toEqual({ [`${NAME}: malformed CEF extension`]: 1 });
    });
  });
});
