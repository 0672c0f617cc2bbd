import { findCefMarker } from '../formats/cef.js';
import { ownValue } from '../pipeline/FieldReader.js';
import { excerpt } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { checkPointFirewallMapping } from './checkPointFirewall.js';
import { ciscoAsaMapping } from './ciscoAsa.js';
import {
  type CommonSecurityLogMapping,
  decodeCefText,
  isCommonSecurityLogRow,
  isRowOfVendor,
} from './commonSecurityLog.js';
import { fortinetFortiGateMapping } from './fortinetFortiGate.js';
import { paloAltoPanOsMapping } from './paloAltoPanOs.js';
import { zscalerZiaFirewallMapping } from './zscalerZiaFirewall.js';

/** The vendor mappings, tried in order; their vendor/product filters do not overlap. */
const MAPPINGS: readonly CommonSecurityLogMapping[] = [
  zscalerZiaFirewallMapping,
  paloAltoPanOsMapping,
  ciscoAsaMapping,
  checkPointFirewallMapping,
  fortinetFortiGateMapping,
];

function decodeAnyVendor(row: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
  const mapping = MAPPINGS.find((m) => isRowOfVendor(m, row));
  if (mapping === undefined) out.skip('CEF vendor not mapped');
  else mapping.decodeRow(row, out, ctx);
}

/**
 * Every CEF line (ArcSight CEF, any vendor; see `cef.ts`) and every CommonSecurityLog row. In
 * automatic recognition it comes after the vendor decoders and so receives what none of them
 * claims: CEF from products no ASIM NetworkSession parser reads (a web proxy, an EDR) is skipped as
 * `CEF vendor not mapped`, and CEF whose header is broken is reported as invalid. With `--format
 * cef` it decodes a mixed stream, handing each row to its vendor's mapping.
 */
export const cefAnyVendor: SourceDecoder = {
  name: 'cef',
  title: 'CEF lines and CommonSecurityLog rows of any vendor (mapped vendors decoded, others skipped)',
  matchJson: (record) => isCommonSecurityLogRow(record),
  resemblesText: (line) => (line.includes('CEF:') ? 'CEF header not readable' : undefined),
  resemblesJson(record) {
    const message = ownValue(record, 'SyslogMessage');
    return typeof message === 'string' && message.includes('CEF:')
      ? 'CEF message in a Syslog row, not CommonSecurityLog'
      : undefined;
  },
  decodeJson(record, out, ctx) {
    if (!isCommonSecurityLogRow(record)) {
      out.invalid('not a CommonSecurityLog row', `Type: ${excerpt(record.Type, 40)}`);
      return;
    }
    decodeAnyVendor(record, out, ctx);
  },
  matchText: (line) => findCefMarker(line) >= 0,
  decodeText(line, out, ctx) {
    decodeCefText(line, out, ctx, (row, sink) => decodeAnyVendor(row, sink, ctx));
  },
};
