import { isoFromCefDate, peekCefVendorProduct, readCefLine } from '../formats/cef.js';
import { sinkForHeaderTime } from '../formats/syslog.js';
import {
  excerpt,
  fallbackTime,
  isoFromDateString,
  isoFromEpochMillis,
  isoFromEpochSeconds,
  isoFromMillis,
  toText,
} from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';

/**
 * The CommonSecurityLog layer shared by the CEF vendors (Zscaler, PAN-OS, Check Point, FortiGate)
 * and Cisco ASA: a raw CEF line is first read into the row a Sentinel collector would write
 * (`readCefLine`), so that raw lines and exported rows meet one vendor mapping.
 */

export const COMMON_SECURITY_LOG = 'CommonSecurityLog';

/**
 * A row of the CommonSecurityLog table: `Type` says so (Log Analytics export), or, without `Type`,
 * string `DeviceVendor` and `DeviceProduct` columns (a row exported by a query or a tool that
 * drops `Type`). A row whose `Type` names another table is never one.
 */
export function isCommonSecurityLogRow(record: JsonObject): boolean {
  const type = record.Type;
  if (type !== undefined) return type === COMMON_SECURITY_LOG;
  return typeof record.DeviceVendor === 'string' && typeof record.DeviceProduct === 'string';
}

/** One vendor's ASIM parser over CommonSecurityLog rows. */
export interface CommonSecurityLogMapping {
  /** The decoder name (`--format`). */
  readonly name: string;
  readonly title: string;
  /** The ASIM parser's filter on DeviceVendor and DeviceProduct (KQL `==` is case-sensitive). */
  isVendorRow(vendor: string, product: string): boolean;
  /** Skip reason for another vendor's row met under a forced `--format`. */
  readonly otherVendorReason: string;
  /** Turns one row of this vendor into NetworkSession rows (or a skip / invalid outcome). */
  decodeRow(row: JsonObject, out: DecodeSink, ctx: DecodeContext): void;
}

/** Whether a row's DeviceVendor/DeviceProduct pass a mapping's filter (non-strings never do). */
export function isRowOfVendor(mapping: CommonSecurityLogMapping, row: JsonObject): boolean {
  const { DeviceVendor: vendor, DeviceProduct: product } = row;
  return typeof vendor === 'string' && typeof product === 'string' && mapping.isVendorRow(vendor, product);
}

/**
 * Reads a raw CEF line into its CommonSecurityLog row and hands it to `decode`; a line that is not
 * readable CEF becomes an `invalid` outcome with the parser's reason.
 */
export function decodeCefText(
  line: string,
  out: DecodeSink,
  ctx: DecodeContext,
  decode: (row: JsonObject, out: DecodeSink) => void,
): void {
  const read = readCefLine(line, ctx.referenceTimeMs);
  if (!read.ok) {
    out.invalid(read.reason, read.detail);
    return;
  }
  const sink = sinkForHeaderTime(read.syslog, out, ctx);
  if (sink !== undefined) decode(read.row, sink);
}

/**
 * The SourceDecoder of one CEF vendor: claims CommonSecurityLog rows and raw CEF lines whose
 * vendor and product pass the mapping's filter (the header alone is read to decide), and sends both
 * through `mapping.decodeRow`.
 */
export function commonSecurityLogDecoder(mapping: CommonSecurityLogMapping): SourceDecoder {
  return {
    name: mapping.name,
    title: mapping.title,
    matchJson: (record) => isCommonSecurityLogRow(record) && isRowOfVendor(mapping, record),
    decodeJson(record, out, ctx) {
      if (!isCommonSecurityLogRow(record)) {
        out.invalid('not a CommonSecurityLog row', `Type: ${excerpt(record.Type, 40)}`);
        return;
      }
      if (!isRowOfVendor(mapping, record)) {
        out.skip(mapping.otherVendorReason);
        return;
      }
      mapping.decodeRow(record, out, ctx);
    },
    matchText(line) {
      const header = peekCefVendorProduct(line);
      return header !== undefined && mapping.isVendorRow(header.vendor, header.product);
    },
    decodeText(line, out, ctx) {
      decodeCefText(line, out, ctx, (row, sink) => {
        if (!isRowOfVendor(mapping, row)) sink.skip(mapping.otherVendorReason);
        else mapping.decodeRow(row, sink, ctx);
      });
    },
  };
}

/**
 * A device timestamp in any form these sources write: epoch digits (the unit read from their
 * count: up to 11 digits seconds, 12–14 milliseconds, 15–17 microseconds, 18–19 nanoseconds, as
 * FortiOS `eventtime` uses), ISO-8601, or a CEF date (`Mar 01 2025 10:00:05 GMT`).
 */
export function isoFromDeviceTime(value: unknown): string | undefined {
  if (typeof value === 'number') return isoFromDeviceTime(String(value));
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{1,19}$/.test(text)) {
    const digits = text.length;
    if (digits <= 11) return isoFromEpochSeconds(text);
    if (digits <= 14) return isoFromEpochMillis(text);
    return isoFromMillis(Math.trunc(Number(text) / (digits <= 17 ? 1_000 : 1_000_000)));
  }
  return isoFromDateString(text) ?? isoFromCefDate(text);
}

/**
 * TimeGenerated of a normalized row (decision D3): the first readable device time among
 * `deviceTimes` (by default the row's ReceiptTime, CEF `rt`), else the row's TimeGenerated (the
 * collector's time; for a raw line, its syslog header time), else the Event Hub enqueued time.
 * `undefined` when none is available.
 */
export function cslTimeGenerated(
  row: JsonObject,
  ctx: DecodeContext,
  deviceTimes: readonly unknown[] = [row.ReceiptTime],
): string | undefined {
  for (const value of deviceTimes) {
    const iso = isoFromDeviceTime(value);
    if (iso !== undefined) return iso;
  }
  return isoFromDateString(row.TimeGenerated) ?? fallbackTime(ctx);
}

/** Detail for an `invalid('no event time')` outcome: what the row had instead. */
export function describeMissingTime(row: JsonObject): string {
  const describe = (value: unknown): string => (value === undefined ? 'absent' : excerpt(value, 40));
  return `ReceiptTime: ${describe(row.ReceiptTime)}; TimeGenerated: ${describe(row.TimeGenerated)}`;
}

/** A column's text (trimmed string or number), or `undefined`. */
export function columnText(row: JsonObject, column: string): string | undefined {
  const value = row[column];
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  return toText(value);
}
