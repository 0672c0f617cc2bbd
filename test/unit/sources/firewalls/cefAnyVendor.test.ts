import { describe, expect, it } from 'vitest';
import { cefAnyVendor } from '../../../../lib/sources/firewalls/cefAnyVendor.js';
import { FIREWALL_SOURCES } from '../../../../lib/sources/firewalls/firewallSources.js';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/firewallLookalikes.js';
import { normalizeRows, normalizeText } from '../../../support/golden.js';

const NAME = 'cef';

function ctx(): DecodeContext {
  return {
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2025-03-01T12:00:00Z'),
    stream: new StreamState(),
  };
}

const LINES = {
  zscaler:
    'CEF:0|Zscaler|NSSFWlog|5.7|Block/Drop|Rule|3|act=Block/Drop src=198.51.100.23 spt=1 dst=203.0.113.80 dpt=3389 proto=TCP rt=1740823205000',
  panos:
    'CEF:0|Palo Alto Networks|PAN-OS|10.1.11|drop|TRAFFIC|1|rt=1740823205000 src=198.51.100.23 dst=10.0.20.15 spt=1 dpt=8443 proto=tcp act=drop',
  asa: 'CEF:0|Cisco|ASA|9.8|106023|Deny|4|rt=1740823205000 src=198.51.100.23 dst=10.0.20.15 dpt=22 proto=6 msg=x',
  checkpoint:
    'CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Drop rt=1740823205000 src=198.51.100.23 dst=10.0.20.15 dpt=443 proto=6',
  fortigate:
    'CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward deny|4|cat=traffic:forward FTNTFGTeventtime=1740823205 src=198.51.100.23 dst=10.0.20.15 dpt=8443 proto=6 act=deny',
  proxy: 'CEF:0|Zscaler|NSSWeblog|5.7|Allowed|Allowed|3|act=Allowed src=10.1.2.3 dst=203.0.113.80',
  edr: 'CEF:0|CrowdStrike|FalconHost|1.0|FirewallMatchEvent|Firewall Match Event|5|src=198.51.100.23 dst=10.0.20.15 dpt=445',
};

describe('Decoder: cef', () => {
  describe('recognition', () => {
    it('claims every CEF line and every CommonSecurityLog row', () => {
      for (const line of Object.values(LINES)) expect(cefAnyVendor.matchText?.(line, ctx())).toBe(true);
      expect(cefAnyVendor.matchJson?.({ DeviceVendor: 'Acme', DeviceProduct: 'Widget' })).toBe(true);
      expect(cefAnyVendor.matchJson?.({ Type: 'CommonSecurityLog' })).toBe(true);
    });

    it('does not claim rows of other tables or rows without vendor and product', () => {
      expect(
        cefAnyVendor.matchJson?.({ DeviceVendor: 'Acme', DeviceProduct: 'Widget', Type: 'Syslog' }),
      ).toBe(false);
      expect(cefAnyVendor.matchJson?.({ DeviceVendor: 'Acme' })).toBe(false);
      expect(cefAnyVendor.matchJson?.({ DeviceVendor: 1, DeviceProduct: 2 })).toBe(false);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(cefAnyVendor.matchJson?.(record)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, line) => {
      expect(cefAnyVendor.matchText?.(line, ctx())).toBe(false);
    });

    it('comes last, so that vendor decoders recognize their own lines first', () => {
      expect(FIREWALL_SOURCES.at(-1)?.name).toBe(NAME);
      const result = normalizeText(Object.values(LINES).join('\n'));
      expect(result.sources).toEqual({
        'zscaler-zia-firewall': 1,
        'paloalto-panos': 1,
        'cisco-asa': 1,
        'checkpoint-firewall': 1,
        'fortinet-fortigate': 1,
        [NAME]: 2,
      });
      expect(result.skipped).toEqual({ [`${NAME}: CEF vendor not mapped`]: 2 });
    });

    it('lets exactly one vendor decoder claim each mapped line', () => {
      for (const line of [LINES.zscaler, LINES.panos, LINES.asa, LINES.checkpoint, LINES.fortigate]) {
        const claimers = FIREWALL_SOURCES.filter(
          (d) => d.name !== NAME && d.matchText?.(line, ctx()) === true,
        );
        expect(claimers).toHaveLength(1);
      }
    });
  });

  describe('forced format', () => {
    it('hands each line to its vendor mapping', () => {
      const auto = normalizeText(Object.values(LINES).join('\n'));
      const forced = normalizeText(Object.values(LINES).join('\n'), { format: NAME });
      expect(forced.sources).toEqual({ [NAME]: 7 });
      expect(forced.records).toEqual(auto.records);
      expect(forced.records.map((r) => `${r.EventVendor}/${r.EventProduct}`)).toEqual([
        'Zscaler/ZIA Firewall',
        'Palo Alto/PanOS',
        'Cisco/ASA',
        'Check Point/Firewall',
        'Fortinet/Fortigate',
      ]);
    });

    it('hands each row to its vendor mapping and skips the rest', () => {
      const rows: JsonObject[] = [
        {
          TimeGenerated: '2025-03-01T10:00:05Z',
          DeviceVendor: 'Fortinet',
          DeviceProduct: 'FortiGate',
          DeviceEventCategory: 'traffic',
          SourceIP: '198.51.100.23',
          DestinationPort: 22,
        },
        {
          TimeGenerated: '2025-03-01T10:00:05Z',
          DeviceVendor: 'Acme',
          DeviceProduct: 'Widget',
          Type: 'CommonSecurityLog',
        },
      ];
      const result = normalizeRows(rows, { format: NAME });
      expect(result.records.map((r) => r.EventProduct)).toEqual(['Fortigate']);
      expect(result.skipped).toEqual({ [`${NAME}: CEF vendor not mapped`]: 1 });
    });

    it('reports a record of another table and a line without CEF', () => {
      expect(normalizeRows([{ Type: 'Syslog', SyslogMessage: 'x' }], { format: NAME }).invalid).toEqual({
        [`${NAME}: not a CommonSecurityLog row`]: 1,
      });
      expect(normalizeText('plain text', { format: NAME }).invalid).toEqual({
        [`${NAME}: no CEF marker`]: 1,
      });
    });
  });

  describe('bad input', () => {
    it.each([
      ['a header cut short', 'CEF:0|Acme|Widget|1', 'truncated CEF header'],
      ['an extension without keys', 'CEF:0|Acme|Widget|1|1|x|1|just words', 'malformed CEF extension'],
      ['a huge header', `CEF:0|${'A'.repeat(200_000)}`, 'truncated CEF header'],
    ])('reports %s and keeps the lines beside it', (_label, bad, reason) => {
      const result = normalizeText([LINES.zscaler, bad, LINES.zscaler].join('\n'));
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      expect(result.records).toHaveLength(2);
      expect(result.normalizer.deadLetters[0]?.detail?.length ?? 0).toBeLessThan(130);
    });
  });
});
