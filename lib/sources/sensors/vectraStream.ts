import { startsWithCi } from '../formats/kql.js';
import { fallbackTime, isoFromDateString, isoFromEpochMillis, makeSession } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { directionFromLocality, SensorFieldReader } from './sensorFields.js';

const TABLE = 'VectraStream_CL';
const HOSTNAME = /^[a-zA-Z0-9-]{1,61}$/;

/**
 * Column suffixes the legacy agent gives `_CL` columns by JSON type
 * (docs/sources/sensors.md#custom-log-column-names).
 */
type Suffix = 's' | 'd' | 'b';

/**
 * Vectra AI Stream `metadata_isession` records, as the ASIM parser `vimNetworkSessionVectraAI`
 * v0.2 (Azure-Sentinel @ 8109b7ad) maps them
 * (docs/sources/sensors.md#mapping-vectra-ai-stream).
 *
 * Shapes:
 * - raw Vectra Stream JSON (`metadata_type`, `id.orig_h`, `ts` in epoch ms, … as listed in
 *   `CustomTables/vectra_isession.json`), relayed to the Event Hub as JSON lines;
 * - `VectraStream_CL` rows (legacy agent custom log, Log Analytics export): the same keys with `.`
 *   turned into `_` and a type suffix (`id_orig_h_s`, `id_resp_p_d`, `local_orig_b`), recognized by
 *   `Type` or, without it, by `metadata_type_s`.
 *
 * Rows kept: `metadata_type == "metadata_isession"`; other Vectra metadata types are skipped.
 * Mapping: `id.orig_h`/`id.orig_p` → Src, `id.resp_h`/`id.resp_p` → Dst, toupper(`protoName`),
 * (`local_orig`,`local_resp`) → NetworkDirection with (F,F) = External, `sensor_uid` → DvcId and Dvc,
 * `hostname` → DvcHostname when it is a plain host name not starting with `IP-`, EventResult
 * Success, EventType NetworkSession.
 *
 * Time (decision D3): EventStartTime = `session_start_time`, EventEndTime = `ts` (both epoch ms);
 * TimeGenerated = `ts` (the sensor's time for the record), else the session start, else the row's
 * TimeGenerated, else the enqueued time. The parser uses the ingestion TimeGenerated: a deviation.
 */
export const vectraStream: SourceDecoder = {
  name: 'vectra-stream',
  title: 'Vectra AI Stream metadata_isession: raw JSON and VectraStream_CL rows',

  matchJson(record: JsonObject): boolean {
    if (isVectraRow(record)) return true;
    const type = record.metadata_type;
    return (
      record.Type === undefined &&
      typeof type === 'string' &&
      type.startsWith('metadata_') &&
      ('id.orig_h' in record || 'uid' in record || 'ts' in record)
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    // Fields are named by their raw JSON key; a row spells them as its `_CL` column.
    const isRow = isVectraRow(record);
    const keyOf = (name: string, suffix: Suffix): string => (isRow ? toColumnName(name, suffix) : name);
    const f = SensorFieldReader.of(record);

    if (f.raw(keyOf('metadata_type', 's')) !== 'metadata_isession') {
      out.skip('not metadata_isession');
      return;
    }
    const startTime = f.time(keyOf('session_start_time', 'd'), isoFromEpochMillis);
    const endTime = f.time(keyOf('ts', 'd'), isoFromEpochMillis);
    const srcIp = f.ip(keyOf('id.orig_h', 's'), true);
    const srcPort = f.port(keyOf('id.orig_p', 'd'), true);
    const dstIp = f.ip(keyOf('id.resp_h', 's'), true);
    const dstPort = f.port(keyOf('id.resp_p', 'd'), true);
    const protoName = f.token(keyOf('protoName', 's'));
    const localOrig = f.flag(keyOf('local_orig', 'b'));
    const localResp = f.flag(keyOf('local_resp', 'b'));
    const sensorUid = f.text(keyOf('sensor_uid', 's'));
    const hostname = f.text(keyOf('hostname', 's'));
    const problem = f.problem;
    if (problem !== undefined) {
      out.invalid(problem.reason, problem.detail);
      return;
    }
    const timeGenerated =
      endTime ?? startTime ?? isoFromDateString(record.TimeGenerated) ?? fallbackTime(ctx);
    if (timeGenerated === undefined) {
      out.invalid(
        'no event time',
        'ts and session_start_time are absent and there is no record or enqueued time',
      );
      return;
    }
    out.record(
      makeSession({
        TimeGenerated: timeGenerated,
        EventStartTime: startTime,
        EventEndTime: endTime,
        EventCount: 1,
        EventVendor: 'Vectra AI',
        EventProduct: 'Vectra Stream',
        EventSchema: 'NetworkSession',
        EventSchemaVersion: '0.2.2',
        EventType: 'NetworkSession',
        EventResult: 'Success',
        SrcIpAddr: srcIp,
        SrcPortNumber: srcPort,
        DstIpAddr: dstIp,
        DstPortNumber: dstPort,
        NetworkProtocol: protoName?.toUpperCase(),
        NetworkDirection: directionFromLocality(localOrig, localResp, 'External'),
        Dvc: sensorUid,
        DvcHostname: toVectraHostname(hostname),
        DvcId: sensorUid,
      }),
    );
  },
};

/** A `VectraStream_CL` row: by its table name, or (exported without `Type`) by `metadata_type_s`. */
function isVectraRow(record: JsonObject): boolean {
  if (record.Type !== undefined) return record.Type === TABLE;
  const type = record.metadata_type_s;
  return typeof type === 'string' && type.startsWith('metadata_');
}

/** The custom-log column of a JSON key: `id.orig_h` → `id_orig_h_s`. */
function toColumnName(name: string, suffix: Suffix): string {
  return `${name.replaceAll('.', '_')}_${suffix}`;
}

/** The parser's host-name rule: `^[a-zA-Z0-9-]{1,61}$` and not `startswith "IP-"` (case-insensitive in KQL). */
function toVectraHostname(value: string | undefined): string | undefined {
  if (value === undefined || !HOSTNAME.test(value) || startsWithCi(value, 'IP-')) return undefined;
  return value;
}
