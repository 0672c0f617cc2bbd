import type { DvcAction, NetworkDirection } from '../../schema/NetworkSession.js';
import { lookupProtocolNames } from '../formats/ianaProtocols.js';
import { FieldReader } from '../pipeline/FieldReader.js';
import {
  excerpt,
  fallbackTime,
  isoFromDateString,
  isoFromEpochSeconds,
  makeSession,
  toText,
} from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { isoFromDeviceTime } from './commonSecurityLog.js';
import { FIREWALL_FIELDS } from './firewallFields.js';

const NAME = 'aws-vpc-flow';
/** EventVendor, EventProduct and EventSchemaVersion of every row, as `vimNetworkSessionAWSVPC` writes them. */
export const AWS_VPC_VENDOR = 'AWS';
export const AWS_VPC_PRODUCT = 'VPC';
export const AWS_VPC_SCHEMA_VERSION = '0.2.3';
const LAYOUT_KEY = 'aws-vpc-flow:layout';

/** The default format: every version-2 field, in this order (AWS VPC User Guide, "Flow log records"). */
const DEFAULT_LAYOUT: readonly string[] = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

/** Field names of versions 2 to 5, and the ECS (v7) and reject-reason (v8) fields of later versions. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  ...DEFAULT_LAYOUT,
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
  'ecs-cluster-arn',
  'ecs-cluster-name',
  'ecs-container-instance-arn',
  'ecs-container-instance-id',
  'ecs-container-id',
  'ecs-second-container-id',
  'ecs-service-name',
  'ecs-task-definition-arn',
  'ecs-task-arn',
  'ecs-task-id',
  'reject-reason',
]);

const ACTIONS: ReadonlyMap<string, DvcAction> = new Map<string, DvcAction>([
  ['ACCEPT', 'Allow'],
  ['REJECT', 'Deny'],
]);

const DIRECTIONS: ReadonlyMap<string, NetworkDirection> = new Map<string, NetworkDirection>([
  ['ingress', 'Inbound'],
  ['egress', 'Outbound'],
]);

const FIELD_NAME = /^[a-z][a-z0-9-]{0,40}$/;
/** A flow record's start in any version: `<version> <12-digit account> eni-…` (or a transit gateway attachment). */
const VPC_RECORD_HINT = /^\d{1,2} \d{12} (?:eni|tgw-attach)-/;
// Values of a flow record: ids, addresses, numbers, words and `-`; no `=`, `<`, `|`, `#` or tabs.
const RECORD_ALPHABET = /^[A-Za-z0-9 .:/_-]{1,4096}$/;

let lastSplitLine: string | undefined;
let lastSplit: readonly string[] = [];

/** The space-separated tokens of a line; the last line's are remembered, since matching and decoding both split it. */
function splitFields(line: string): readonly string[] {
  if (line !== lastSplitLine) {
    lastSplit = tokensOf(line);
    lastSplitLine = line;
  }
  return lastSplit;
}

/** `line.split(' ').filter((token) => token !== '')`, in one pass and one array. */
export function tokensOf(line: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  for (;;) {
    const space = line.indexOf(' ', start);
    const end = space < 0 ? line.length : space;
    if (end > start) tokens.push(line.slice(start, end));
    if (space < 0) return tokens;
    start = space + 1;
  }
}

/** The custom-format header: distinct flow-log field names including srcaddr and dstaddr. */
function headerLayout(line: string): readonly string[] | undefined {
  // Every field name starts with a lower-case letter: a line whose first token does not is no header.
  let first = 0;
  while (line.charCodeAt(first) === 32) first++;
  const c = line.charCodeAt(first);
  if (!(c >= 97 && c <= 122)) return undefined;
  const tokens = splitFields(line);
  if (tokens.length < 4 || tokens.length > 64) return undefined;
  if (!tokens.every((t) => FIELD_NAME.test(t))) return undefined;
  if (!tokens.includes('srcaddr') || !tokens.includes('dstaddr')) return undefined;
  if (new Set(tokens).size !== tokens.length) return undefined;
  return tokens.filter((t) => KNOWN_FIELDS.has(t)).length >= 4 ? tokens : undefined;
}

/** A headerless default-format (version 2) record: `2 <12-digit account> eni-… …`. */
function isDefaultRecord(line: string): boolean {
  if (!line.startsWith('2 ') || !RECORD_ALPHABET.test(line)) return false;
  const [, account, eni] = splitFields(line);
  return account !== undefined && /^\d{12}$/.test(account) && eni?.startsWith('eni-') === true;
}

function activeLayout(ctx: DecodeContext): readonly string[] | undefined {
  return ctx.stream.stickySource === NAME ? ctx.stream.get<readonly string[]>(LAYOUT_KEY) : undefined;
}

/**
 * True when the stream routes and reads a default-format record as a fresh stream does: no source
 * has claimed it, or this decoder has, with a header naming exactly the default fields in order.
 */
export function isStreamOfDefaultLayout(ctx: DecodeContext): boolean {
  const sticky = ctx.stream.stickySource;
  if (sticky === undefined) return true;
  if (sticky !== NAME) return false;
  const layout = ctx.stream.get<readonly string[]>(LAYOUT_KEY);
  return (
    layout !== undefined &&
    layout.length === DEFAULT_LAYOUT.length &&
    layout.every((name, i) => name === DEFAULT_LAYOUT[i])
  );
}

/** The fields of one flow record, whatever its shape (raw line or AWSVPCFlow row). */
interface FlowRecord {
  readonly srcaddr: unknown;
  readonly dstaddr: unknown;
  readonly srcport: unknown;
  readonly dstport: unknown;
  readonly protocol: unknown;
  readonly start: unknown;
  readonly end: unknown;
  readonly action: unknown;
  readonly vpcId: unknown;
  readonly flowDirection: unknown;
  /** `OK`, `NODATA`, `SKIPDATA`; `undefined` when a custom format has no log-status field. */
  readonly logStatus: unknown;
  readonly hasLogStatus: boolean;
}

/** What a raw record's field names read as: `-` means "no value" in flow logs. */
function rawValue(
  tokens: readonly string[],
  index: ReadonlyMap<string, number>,
  name: string,
): string | undefined {
  const i = index.get(name);
  const value = i === undefined ? undefined : (tokens[i] ?? '-');
  return value === '-' ? undefined : value;
}

const layoutIndexes = new WeakMap<readonly string[], ReadonlyMap<string, number>>();

/** Field name → token position of a layout (built once per layout). */
function indexOfLayout(layout: readonly string[]): ReadonlyMap<string, number> {
  let index = layoutIndexes.get(layout);
  if (index === undefined) {
    index = new Map(layout.map((name, i) => [name, i]));
    layoutIndexes.set(layout, index);
  }
  return index;
}

function decodeFlow(
  flow: FlowRecord,
  out: DecodeSink,
  ctx: DecodeContext,
  readTime: (value: unknown) => string | undefined,
  recordTime: string | undefined,
): void {
  if (flow.hasLogStatus) {
    const status = toText(flow.logStatus);
    if (status === 'NODATA' || status === 'SKIPDATA') {
      out.skip(`${status} record`);
      return;
    }
    if (status !== 'OK') {
      out.skip('log status not OK');
      return;
    }
  }
  const f = new FieldReader(FIREWALL_FIELDS);
  const srcAddress = f.address(flow.srcaddr, 'srcaddr');
  const dstAddress = f.address(flow.dstaddr, 'dstaddr');
  const srcPort = f.port(flow.srcport, 'srcport');
  const dstPort = f.port(flow.dstport, 'dstport');
  const protocol = f.integer(flow.protocol, 'protocol', { min: 0, max: 255 });
  const start = readFlowTime(f, flow.start, 'start', readTime);
  const end = readFlowTime(f, flow.end, 'end', readTime);
  const vpcId = f.text(flow.vpcId, 'vpc-id');
  if (f.problem !== undefined) {
    out.invalid(f.problem.reason, f.problem.detail);
    return;
  }
  // Decision D3: a flow is timed by its capture window's start, as the S3 connector stamps it.
  const time = start ?? recordTime ?? fallbackTime(ctx);
  if (time === undefined) {
    out.invalid('no event time', 'no start field, record time or enqueued time');
    return;
  }
  const action = toText(flow.action);
  const direction = toText(flow.flowDirection);
  const names = lookupProtocolNames(protocol);
  for (const name of names.length > 0 ? names : [undefined]) {
    out.record(
      makeSession({
        TimeGenerated: time,
        EventStartTime: time,
        EventEndTime: end,
        EventCount: 1,
        EventVendor: AWS_VPC_VENDOR,
        EventProduct: AWS_VPC_PRODUCT,
        EventSchema: 'NetworkSession',
        EventSchemaVersion: AWS_VPC_SCHEMA_VERSION,
        EventType: 'NetworkSession',
        EventResult: action === 'ACCEPT' ? 'Success' : 'Failure',
        SrcIpAddr: srcAddress,
        SrcPortNumber: srcPort,
        DstIpAddr: dstAddress,
        DstPortNumber: dstPort,
        NetworkProtocol: name,
        NetworkDirection: direction === undefined ? undefined : DIRECTIONS.get(direction),
        DvcAction: action === undefined ? undefined : ACTIONS.get(action),
        Dvc: vpcId,
        DvcId: vpcId,
      }),
    );
  }
}

function readFlowTime(
  f: FieldReader,
  value: unknown,
  name: string,
  readTime: (value: unknown) => string | undefined,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const iso = readTime(value);
  if (iso === undefined) f.fail(`invalid ${name}`, `${name}: ${excerpt(value, 40)}`);
  return iso;
}

function isoFromEpochSecondsField(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{1,11}$/.test(value) ? isoFromEpochSeconds(value) : undefined;
}

/** Epoch seconds as a JSON number or decimal text. */
function isoFromEpochSecondsValue(value: unknown): string | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) ? isoFromEpochSecondsField(String(value)) : undefined;
  return isoFromEpochSecondsField(value);
}

/**
 * A flow record as a JSON object keyed by the flow-log field names, in the spelling of the Parquet
 * files VPC Flow Logs writes to S3 (hyphens become underscores: `log_status`, `interface_id`; VPC
 * User Guide, "Flow log files", Athena DDL of "Create tables for flow logs in Apache Parquet format")
 * or in the custom-format spelling (`log-status`). Either one is read; `srcaddr` and `dstaddr` are
 * needed, with one of the record's identifying fields beside them.
 */
function isFieldNamedRecord(record: JsonObject): boolean {
  if (!Object.hasOwn(record, 'srcaddr') || !Object.hasOwn(record, 'dstaddr')) return false;
  for (const name of ['log_status', 'interface_id', 'account_id', 'log-status', 'interface-id', 'account-id'])
    if (Object.hasOwn(record, name)) return true;
  return false;
}

/** A field of a field-named record: its Parquet (underscore) spelling first, then the hyphenated one. */
function namedValue(record: JsonObject, name: string): unknown {
  const underscored = name.replaceAll('-', '_');
  const value = Object.hasOwn(record, underscored)
    ? record[underscored]
    : Object.hasOwn(record, name)
      ? record[name]
      : undefined;
  return value === '-' ? undefined : value;
}

/**
 * Amazon VPC Flow Logs (docs/sources/firewalls.md#mapping-aws-vpc-flow-logs), in three shapes:
 *
 * - raw records of the default format, version 2, 14 space-separated fields
 *   `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start
 *   end action log-status` (`-` for "no value");
 * - custom formats (fields of versions 2 to 5 and later, any order), announced by the field-name
 *   header line that starts each S3 log file: the header is stored in the stream's memory and the
 *   stream made sticky to this decoder, so the records after it are read with that layout;
 * - rows of the Log Analytics `AWSVPCFlow` table (S3 connector), by column name;
 * - records keyed by the flow-log field names (`{"version":2,"account_id":"…","srcaddr":"…",
 *   "log_status":"OK",…}`): the rows of the Parquet files VPC Flow Logs writes to S3 (read by the
 *   CLI, `parquetRows.ts`), and the same fields as JSON objects, as delivery pipelines that turn
 *   the text records into JSON write them (underscore or hyphen spelling).
 *
 * Follows ASIM `vimNetworkSessionAWSVPC.yaml` (EventSchemaVersion 0.2.3): only `log-status` `OK`
 * records (NODATA and SKIPDATA are skipped), Action ACCEPT/REJECT → Allow/Deny and
 * Success/Failure, protocol numbers through the IANA table, flow-direction → NetworkDirection, the
 * VPC id as Dvc and DvcId. Times (decision D3): TimeGenerated = EventStartTime = the flow's
 * `start`, EventEndTime = `end`.
 */
export const awsVpcFlow: SourceDecoder = {
  name: NAME,
  title: 'Amazon VPC flow logs: default and custom-format records, AWSVPCFlow rows',

  matchJson(record: JsonObject): boolean {
    if (record.Type !== undefined) return record.Type === 'AWSVPCFlow';
    return (
      ('LogStatus' in record && 'InterfaceId' in record && 'AccountId' in record) ||
      isFieldNamedRecord(record)
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    if (record.Type !== undefined && record.Type !== 'AWSVPCFlow') {
      out.invalid('not an AWSVPCFlow row', `Type: ${excerpt(record.Type, 40)}`);
      return;
    }
    if (record.Type === undefined && isFieldNamedRecord(record)) {
      decodeFlow(
        {
          srcaddr: namedValue(record, 'srcaddr'),
          dstaddr: namedValue(record, 'dstaddr'),
          srcport: namedValue(record, 'srcport'),
          dstport: namedValue(record, 'dstport'),
          protocol: namedValue(record, 'protocol'),
          start: namedValue(record, 'start'),
          end: namedValue(record, 'end'),
          action: namedValue(record, 'action'),
          vpcId: namedValue(record, 'vpc-id'),
          flowDirection: namedValue(record, 'flow-direction'),
          logStatus: namedValue(record, 'log-status'),
          hasLogStatus: Object.hasOwn(record, 'log_status') || Object.hasOwn(record, 'log-status'),
        },
        out,
        ctx,
        isoFromEpochSecondsValue,
        undefined,
      );
      return;
    }
    decodeFlow(
      {
        srcaddr: record.SrcAddr,
        dstaddr: record.DstAddr,
        srcport: record.SrcPort,
        dstport: record.DstPort,
        protocol: record.Protocol,
        start: record.Start,
        end: record.End,
        action: record.Action,
        vpcId: record.VpcId,
        flowDirection: record.FlowDirection,
        logStatus: record.LogStatus,
        hasLogStatus: true,
      },
      out,
      ctx,
      isoFromDeviceTime,
      isoFromDateString(record.TimeGenerated),
    );
  },

  resemblesText(line: string): string | undefined {
    return VPC_RECORD_HINT.test(line)
      ? 'flow record of an unknown layout (no header line before it)'
      : undefined;
  },

  resemblesJson(record: JsonObject): string | undefined {
    const named = Object.hasOwn(record, 'srcaddr') && Object.hasOwn(record, 'dstaddr');
    const columns = Object.hasOwn(record, 'SrcAddr') && Object.hasOwn(record, 'DstAddr');
    return named || columns ? 'flow-log fields without the fields that identify a flow record' : undefined;
  },

  matchText(line: string, ctx: DecodeContext): boolean {
    if (headerLayout(line) !== undefined) return true;
    if (activeLayout(ctx) !== undefined && RECORD_ALPHABET.test(line)) return true;
    return isDefaultRecord(line);
  },

  decodeText(line: string, out: DecodeSink, ctx: DecodeContext): void {
    const header = headerLayout(line);
    if (header !== undefined) {
      ctx.stream.set(LAYOUT_KEY, header);
      ctx.stream.stickySource = NAME;
      out.skip('header line');
      return;
    }
    const layout = activeLayout(ctx) ?? DEFAULT_LAYOUT;
    const tokens = splitFields(line);
    if (tokens.length !== layout.length) {
      out.invalid('field count mismatch', `expected ${layout.length} fields, found ${tokens.length}`);
      return;
    }
    const index = indexOfLayout(layout);
    decodeFlow(
      {
        srcaddr: rawValue(tokens, index, 'srcaddr'),
        dstaddr: rawValue(tokens, index, 'dstaddr'),
        srcport: rawValue(tokens, index, 'srcport'),
        dstport: rawValue(tokens, index, 'dstport'),
        protocol: rawValue(tokens, index, 'protocol'),
        start: rawValue(tokens, index, 'start'),
        end: rawValue(tokens, index, 'end'),
        action: rawValue(tokens, index, 'action'),
        vpcId: rawValue(tokens, index, 'vpc-id'),
        flowDirection: rawValue(tokens, index, 'flow-direction'),
        logStatus: rawValue(tokens, index, 'log-status'),
        hasLogStatus: index.has('log-status'),
      },
      out,
      ctx,
      isoFromEpochSecondsField,
      undefined,
    );
  },
};
