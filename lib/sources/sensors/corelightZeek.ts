import type { EventResult } from '../../schema/NetworkSession.js';
import { hasTerm } from '../formats/kql.js';
import type { ZeekTsvLayout } from '../formats/zeekTsv.js';
import {
  applyZeekHeaderLine,
  DEFAULT_ZEEK_LAYOUT,
  MAX_ZEEK_FIELDS,
  readZeekHeaderLine,
  readZeekRow,
  zeekDirectiveOf,
} from '../formats/zeekTsv.js';
import { isJsonObject } from '../pipeline/FieldReader.js';
import { excerpt, fallbackTime, isoFromDateString, makeSession } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { directionFromLocality, isoFromZeekTime, SensorFieldReader } from './sensorFields.js';

const NAME = 'corelight-zeek';
const LAYOUT_KEY = `${NAME}.layout`;
const CONN_PATHS = new Set(['conn', 'conn_red']);

/** `conn_state` → EventResult, from the parser's ResultLookup (states it does not list leave it empty). */
const RESULT_BY_CONN_STATE: ReadonlyMap<string, EventResult> = new Map<string, EventResult>([
  ['S0', 'Success'],
  ['S1', 'Success'],
  ['SF', 'Success'],
  ['OTH', 'Success'],
  ['REJ', 'Failure'],
  ['S2', 'Failure'],
  ['S3', 'Failure'],
  ['RSTO', 'Failure'],
  ['RSTR', 'Failure'],
  ['RSTOS0', 'Failure'],
  ['RSTRH', 'Failure'],
  ['SH', 'Failure'],
  ['SHR', 'Failure'],
]);

/** A Zeek TSV data line: `ts` in epoch seconds, then a connection uid (`C` + base62). */
const ZEEK_ROW_HINT = /^\d{9,10}\.\d{1,6}\tC[0-9A-Za-z]{10,20}\t/;

/**
 * Corelight and Zeek `conn.log` records, as the ASIM parser `vimNetworkSessionCorelightZeek`
 * v0.2.1 (Azure-Sentinel @ 3ecd726e) maps them
 * (docs/sources/sensors.md#mapping-corelight--zeek).
 *
 * Shapes:
 * - Corelight JSON lines with `_path` (`conn`, `conn_red`; other paths are skipped), `ts` as an
 *   ISO-8601 string, `_system_name`, `_write_ts`;
 * - plain Zeek JSON lines without `_path` (`LogAscii::use_json`, `ts` in epoch seconds), recognized
 *   by the conn-only `conn_state` beside `ts`, `id.orig_h`, `id.resp_h`;
 * - Zeek ASCII TSV: the `#separator`…`#types` header is stored in the stream and the stream is made
 *   sticky to this decoder, so the data rows after it come here first; `#path` other than conn is
 *   skipped; `#close` ends the log;
 * - `Corelight_CL` rows (legacy agent custom log, Log Analytics export) whose `Message` holds the
 *   Corelight JSON line; kept only when `Message has '"_path":"conn"'` or `has '"conn_red"'`.
 *
 * Mapping: `id.orig_h`/`id.orig_p` → Src, `id.resp_h`/`id.resp_p` → Dst (for ICMP Zeek puts the
 * type in orig_p and the code in resp_p, kept as the parser does), toupper(`proto`), `conn_state` →
 * EventResult, (`local_orig`,`local_resp`) → NetworkDirection with (F,F) = Local, `uid` →
 * EventOriginalUid, `_system_name` → Dvc, `_write_ts` → EventEndTime.
 *
 * Time (decision D3): EventStartTime = TimeGenerated = `ts` (epoch seconds, epoch ms or ISO-8601,
 * truncated to milliseconds); without `ts`, TimeGenerated is `_write_ts`, else the row's
 * TimeGenerated, else the enqueued time. The parser itself loses TimeGenerated (`project Message`):
 * a documented deviation. Address and port fields are required: a record without them is not a
 * connection, and a malformed one is reported as invalid with the field's name.
 */
export const corelightZeek: SourceDecoder = {
  name: NAME,
  title: 'Corelight / Zeek conn.log: JSON lines, Zeek TSV with its # header, Corelight_CL rows',

  matchJson(record: JsonObject): boolean {
    return isCorelightRow(record) || isZeekJson(record);
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    if (!isCorelightRow(record)) {
      const path = record._path;
      if (path !== undefined && typeof path !== 'string') {
        out.invalid('invalid _path', `_path: ${excerpt(path)}`);
        return;
      }
      if (path !== undefined && !CONN_PATHS.has(path)) {
        out.skip('not a conn log record');
        return;
      }
      decodeConn(record, undefined, out, ctx);
      return;
    }
    const message = record.Message;
    if (typeof message !== 'string') {
      out.invalid('missing Message', `Message: ${excerpt(message)}`);
      return;
    }
    // The parser's row filter, on the raw text as KQL sees it.
    if (!hasTerm(message, '"_path":"conn"') && !hasTerm(message, '"conn_red"')) {
      out.skip('not a conn log record');
      return;
    }
    const parsed = parseObject(message);
    if (parsed === undefined) {
      out.invalid('malformed Message JSON', `Message: ${excerpt(message)}`);
      return;
    }
    decodeConn(parsed, record.TimeGenerated, out, ctx);
  },

  resemblesText(line: string): string | undefined {
    return ZEEK_ROW_HINT.test(line) ? 'Zeek TSV line without its #fields header' : undefined;
  },

  matchText(line: string, ctx: DecodeContext): boolean {
    if (line.startsWith('#')) return zeekDirectiveOf(line, currentLayout(ctx).separator) !== undefined;
    return ctx.stream.stickySource === NAME && currentLayout(ctx).fields !== undefined;
  },

  decodeText(line: string, out: DecodeSink, ctx: DecodeContext): void {
    const layout = currentLayout(ctx);
    if (line.startsWith('#')) {
      const header = readZeekHeaderLine(line, layout);
      if (header === undefined) {
        out.invalid('not a Zeek header line', `line starts ${excerpt(line, 20)}`);
        return;
      }
      if (header.directive === 'fields' && header.values.length > MAX_ZEEK_FIELDS) {
        out.invalid('invalid #fields line', `${header.values.length} fields`);
        return;
      }
      if (header.directive === 'close') {
        ctx.stream.set(LAYOUT_KEY, undefined);
        if (ctx.stream.stickySource === NAME) ctx.stream.stickySource = undefined;
      } else {
        ctx.stream.set(LAYOUT_KEY, applyZeekHeaderLine(layout, header));
        ctx.stream.stickySource = NAME;
      }
      out.skip('header line');
      return;
    }
    const fields = layout.fields;
    if (fields === undefined) {
      out.invalid('data line before #fields header', `line starts ${excerpt(line, 20)}`);
      return;
    }
    if (layout.path !== undefined && !CONN_PATHS.has(layout.path)) {
      out.skip('not a conn log record');
      return;
    }
    const row = readZeekRow(line, { ...layout, fields });
    if (typeof row === 'number') {
      out.invalid('wrong column count', `expected ${fields.length} columns, found ${row}`);
      return;
    }
    decodeConn(row, undefined, out, ctx);
  },
};

function currentLayout(ctx: DecodeContext): ZeekTsvLayout {
  return ctx.stream.get<ZeekTsvLayout>(LAYOUT_KEY) ?? DEFAULT_ZEEK_LAYOUT;
}

/** A Log Analytics `Corelight_CL` row: by its table name, or (exported without `Type`) by its Corelight JSON `Message`. */
function isCorelightRow(record: JsonObject): boolean {
  if (record.Type !== undefined) return record.Type === 'Corelight_CL';
  const message = record.Message;
  return typeof message === 'string' && message.trimStart().startsWith('{') && message.includes('"_path":"');
}

/** A raw Corelight/Zeek JSON line: `_path` + a Zeek key, or `ts` + the conn-only keys without `_path`. */
function isZeekJson(record: JsonObject): boolean {
  if ('Type' in record || 'metadata_type' in record) return false;
  if (typeof record._path === 'string')
    return 'uid' in record || '_system_name' in record || 'id.orig_h' in record;
  return 'ts' in record && 'id.orig_h' in record && 'id.resp_h' in record && 'conn_state' in record;
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Maps one conn record (JSON keys, or a TSV row keyed by `#fields` names). */
function decodeConn(conn: JsonObject, rowTime: unknown, out: DecodeSink, ctx: DecodeContext): void {
  const f = SensorFieldReader.of(conn);
  const startTime = f.time('ts', isoFromZeekTime);
  const endTime = f.time('_write_ts', isoFromZeekTime);
  const srcIp = f.ip('id.orig_h', true);
  const srcPort = f.port('id.orig_p', true);
  const dstIp = f.ip('id.resp_h', true);
  const dstPort = f.port('id.resp_p', true);
  const proto = f.token('proto');
  const connState = f.token('conn_state');
  const localOrig = f.flag('local_orig');
  const localResp = f.flag('local_resp');
  const uid = f.text('uid');
  const systemName = f.text('_system_name');
  const problem = f.problem;
  if (problem !== undefined) {
    out.invalid(problem.reason, problem.detail);
    return;
  }
  const timeGenerated = startTime ?? endTime ?? isoFromDateString(rowTime) ?? fallbackTime(ctx);
  if (timeGenerated === undefined) {
    out.invalid('no event time', 'ts and _write_ts are absent and there is no record or enqueued time');
    return;
  }
  out.record(
    makeSession({
      TimeGenerated: timeGenerated,
      EventStartTime: startTime,
      EventEndTime: endTime,
      EventCount: 1,
      EventVendor: 'Corelight',
      EventProduct: 'Zeek',
      EventSchema: 'NetworkSession',
      EventSchemaVersion: '0.2.4',
      EventType: 'Flow',
      EventResult: connState === undefined ? undefined : RESULT_BY_CONN_STATE.get(connState),
      EventOriginalUid: uid,
      SrcIpAddr: srcIp,
      SrcPortNumber: srcPort,
      DstIpAddr: dstIp,
      DstPortNumber: dstPort,
      NetworkProtocol: proto?.toUpperCase(),
      NetworkDirection: directionFromLocality(localOrig, localResp, 'Local'),
      Dvc: systemName,
    }),
  );
}
