import type { DvcAction, EventResult, NetworkDirection } from '../../schema/NetworkSession.js';
import { DvcActionSchema, EventResultSchema, NetworkDirectionSchema } from '../../schema/NetworkSession.js';
import {
  fallbackTime,
  isoFromDateString,
  makeSession,
  toEventCount,
  toPort,
  toText,
  toTextOrNumber,
} from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';

const DIRECTIONS = new Set<string>(NetworkDirectionSchema.options);
const ACTIONS = new Set<string>(DvcActionSchema.options);
const RESULTS = new Set<string>(EventResultSchema.options);

/**
 * Records already in the ASIM NetworkSession schema: rows of the native `ASimNetworkSessionLogs`
 * table (Log Analytics export), the output of `portscan normalize`, or any tool that writes ASIM
 * field names. Recognized by `EventVendor` + `EventProduct` + an address or port field (and a
 * `Type`, when present, of `ASimNetworkSessionLogs`), and kept unless `EventSchema` names another
 * schema.
 *
 * Numbers may arrive as strings; an out-of-range or non-numeric port is left out (the row still
 * belongs to its group, decision D2); enum fields with values outside the schema are left out.
 */
/** The Log Analytics table of native ASIM NetworkSession rows: a record of another `Type` is another decoder's. */
export const ASIM_TABLE = 'ASimNetworkSessionLogs';
/** EventSchemaVersion of a record that names none. */
export const ASIM_DEFAULT_SCHEMA_VERSION = '0.2.6';

export const asimNetworkSession: SourceDecoder = {
  name: 'asim',
  title: 'ASIM NetworkSession records (ASimNetworkSessionLogs rows, `portscan normalize` output)',

  matchJson(record: JsonObject): boolean {
    // A Log Analytics row of a vendor table (CiscoMerakiNativePoller_CL carries ASIM columns) belongs to its vendor's decoder.
    const type = record.Type;
    if (typeof type === 'string' && type !== ASIM_TABLE) return false;
    return (
      'EventVendor' in record &&
      'EventProduct' in record &&
      ('SrcIpAddr' in record || 'DstIpAddr' in record || 'DstPortNumber' in record)
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const schema = toText(record.EventSchema);
    if (schema !== undefined && schema !== 'NetworkSession') {
      out.skip('not a NetworkSession record');
      return;
    }
    const vendor = toText(record.EventVendor);
    const product = toText(record.EventProduct);
    if (vendor === undefined || product === undefined) {
      out.invalid('missing EventVendor or EventProduct');
      return;
    }
    const timeGenerated = isoFromDateString(record.TimeGenerated) ?? fallbackTime(ctx);
    if (timeGenerated === undefined) {
      out.invalid('missing or invalid TimeGenerated', describe(record.TimeGenerated));
      return;
    }
    const direction = toText(record.NetworkDirection);
    const action = toText(record.DvcAction);
    const result = toText(record.EventResult);
    out.record(
      makeSession({
        TimeGenerated: timeGenerated,
        EventStartTime: isoFromDateString(record.EventStartTime),
        EventEndTime: isoFromDateString(record.EventEndTime),
        EventCount: toEventCount(record.EventCount),
        EventVendor: vendor,
        EventProduct: product,
        EventSchema: 'NetworkSession',
        EventSchemaVersion: toTextOrNumber(record.EventSchemaVersion) ?? ASIM_DEFAULT_SCHEMA_VERSION,
        EventType: toText(record.EventType),
        EventResult: result !== undefined && RESULTS.has(result) ? (result as EventResult) : undefined,
        EventOriginalType: toTextOrNumber(record.EventOriginalType),
        EventOriginalUid: toTextOrNumber(record.EventOriginalUid),
        SrcIpAddr: toText(record.SrcIpAddr),
        SrcPortNumber: toPort(record.SrcPortNumber),
        DstIpAddr: toText(record.DstIpAddr),
        DstPortNumber: toPort(record.DstPortNumber),
        NetworkProtocol: toText(record.NetworkProtocol),
        NetworkDirection:
          direction !== undefined && DIRECTIONS.has(direction) ? (direction as NetworkDirection) : undefined,
        NetworkRuleName: toText(record.NetworkRuleName),
        DvcAction: action !== undefined && ACTIONS.has(action) ? (action as DvcAction) : undefined,
        Dvc: toText(record.Dvc),
        DvcHostname: toText(record.DvcHostname),
        DvcIpAddr: toText(record.DvcIpAddr),
        DvcId: toText(record.DvcId),
        DvcOs: toText(record.DvcOs),
      }),
    );
  },
};

function describe(value: unknown): string {
  if (value === undefined) return 'absent';
  const t = typeof value;
  if (t === 'string') return `string of ${(value as string).length} characters`;
  return t === 'object' ? (value === null ? 'null' : 'object') : t;
}
