import type { DvcAction } from '../../schema/NetworkSession.js';
import { excerpt, fallbackTime, isoFromDateString, makeSession, toPort } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { checkIp, SensorFieldReader, splitHostPort } from './sensorFields.js';

const TABLE = 'CiscoMerakiNativePoller_CL';
const IDS_ALERT = 'IDS Alert';
const VENDOR = 'Cisco';
const PRODUCT = 'Meraki MX';
const ACTIONS = new Set<string>(['Allow', 'Deny']);

/**
 * Cisco Meraki MX security events from the REST API poller
 * (docs/sources/sensors.md#mapping-cisco-meraki-rest-api-poller).
 *
 * Shapes:
 * - raw elements of `GET /api/v1/organizations/{org}/appliance/security/events` (`ts`, `eventType`,
 *   `srcIp`, `destIp`, `protocol`, `blocked`, …), relayed as JSON; we apply the connector's DCR
 *   `transformKql` (azuredeploy_Cisco_Meraki_native_poller_connector.json @ 0505940a) ourselves;
 * - `CiscoMerakiNativePoller_CL` rows (Log Analytics export), already transformed by that DCR,
 *   recognized by `Type` or, without it, by EventVendor `Cisco` + EventProduct `Meraki MX` +
 *   `EventOriginalType`. (Rows carrying ASIM columns may be claimed first by the `asim` decoder.)
 *
 * Rows kept, as the ASIM parser `vimNetworkSessionCiscoMeraki` (ARM copy @ 0828c877) keeps them:
 * `EventOriginalType == "IDS Alert"`; other event types (File Scanned) are skipped.
 *
 * DCR mapping: TimeGenerated = EventStartTime = EventEndTime = `ts`; `srcIp` split into address and
 * port (else `clientIp`); `destIp` split (port else `destinationPort`); NetworkProtocol TCP when
 * `protocol == "tcp/ip"`, else UDP; DvcAction Deny when `blocked` is true or `action == "Blocked"`,
 * else Allow; NetworkRuleName = `ruleId`; Dvc `Meraki MX`; EventType Notable; schema version 0.2.2.
 * The parser adds EventResult Failure for Deny, else Success. IPv6 `srcIp`/`destIp` are kept whole
 * (the DCR splits them on every `:`): a deviation.
 */
export const ciscoMerakiPoller: SourceDecoder = {
  name: 'cisco-meraki-poller',
  title: 'Cisco Meraki MX security events (REST API poller): API records and CiscoMerakiNativePoller_CL rows',

  matchJson(record: JsonObject): boolean {
    if (isPollerRow(record)) return true;
    return (
      record.Type === undefined &&
      typeof record.eventType === 'string' &&
      'ts' in record &&
      !('EventVendor' in record) &&
      ('deviceMac' in record || 'srcIp' in record || 'destIp' in record || 'clientMac' in record)
    );
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    if (isPollerRow(record)) decodeRow(record, out, ctx);
    else decodeApiRecord(record, out, ctx);
  },
};

function isPollerRow(record: JsonObject): boolean {
  if (record.Type !== undefined) return record.Type === TABLE;
  return (
    record.EventVendor === VENDOR &&
    record.EventProduct === PRODUCT &&
    typeof record.EventOriginalType === 'string'
  );
}

function reader(record: JsonObject): SensorFieldReader {
  return SensorFieldReader.of(record);
}

/** One element of the security-events API, through the connector's DCR transformation. */
function decodeApiRecord(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
  if (record.eventType !== IDS_ALERT) {
    out.skip('not an IDS Alert');
    return;
  }
  const f = reader(record);
  const time = f.time('ts', isoFromDateString);
  const src = readAddress(f, 'srcIp') ?? { ip: f.ip('clientIp'), port: undefined };
  const dst = readAddress(f, 'destIp');
  const dstPort = dst?.port ?? f.port('destinationPort');
  const protocol = f.token('protocol');
  const ruleId = f.text('ruleId');
  const blocked = f.flag('blocked');
  const action = f.text('action');
  const problem = f.problem;
  if (problem !== undefined) {
    out.invalid(problem.reason, problem.detail);
    return;
  }
  const timeGenerated = time ?? fallbackTime(ctx);
  if (timeGenerated === undefined) {
    out.invalid('no event time', 'ts is absent and there is no enqueued time');
    return;
  }
  // The DCR: `blocked` decides when present, else `action == "Blocked"`.
  const dvcAction: DvcAction = (blocked ?? action === 'Blocked') ? 'Deny' : 'Allow';
  out.record(
    makeSession({
      TimeGenerated: timeGenerated,
      EventStartTime: timeGenerated,
      EventEndTime: timeGenerated,
      EventCount: 1,
      EventVendor: VENDOR,
      EventProduct: PRODUCT,
      EventSchema: 'NetworkSession',
      EventSchemaVersion: '0.2.2',
      EventType: 'Notable',
      EventResult: dvcAction === 'Deny' ? 'Failure' : 'Success',
      EventOriginalType: IDS_ALERT,
      SrcIpAddr: src.ip,
      SrcPortNumber: src.port,
      DstIpAddr: dst?.ip,
      DstPortNumber: dstPort,
      NetworkProtocol: protocol === 'tcp/ip' ? 'TCP' : 'UDP',
      NetworkRuleName: ruleId,
      DvcAction: dvcAction,
      Dvc: PRODUCT,
    }),
  );
}

/**
 * `srcIp`/`destIp` as the DCR splits them (`address:port`), IPv6 kept whole. `undefined` when the
 * field is absent or its address part is empty, so that the caller falls back like the DCR does.
 */
function readAddress(
  f: SensorFieldReader,
  key: string,
): { ip: string | undefined; port: number | undefined } | undefined {
  const value = f.text(key);
  if (value === undefined) return undefined;
  const split = splitHostPort(value);
  if (split.host === '') return undefined;
  if (checkIp(split.host) === undefined) return f.fail(`invalid ${key}`, `${key}: ${excerpt(value)}`);
  if (split.port === undefined) return { ip: split.host, port: undefined };
  const port = toPort(split.port);
  if (port === undefined) return f.fail(`invalid ${key}`, `${key} port: ${excerpt(split.port)}`);
  return { ip: split.host, port };
}

/** A `CiscoMerakiNativePoller_CL` row: its DCR columns, plus the ASIM parser's EventResult. */
function decodeRow(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
  const originalType = record.EventOriginalType;
  if (originalType !== IDS_ALERT) {
    out.skip('not an IDS Alert');
    return;
  }
  const f = reader(record);
  const time = f.time('TimeGenerated', isoFromDateString);
  const startTime = f.time('EventStartTime', isoFromDateString);
  const endTime = f.time('EventEndTime', isoFromDateString);
  const srcIp = f.ip('SrcIpAddr');
  const srcPort = f.port('SrcPortNumber');
  const dstIp = f.ip('DstIpAddr');
  const dstPort = f.port('DstPortNumber');
  const protocol = f.token('NetworkProtocol');
  const action = f.text('DvcAction');
  const ruleName = f.text('NetworkRuleName');
  const eventType = f.text('EventType');
  const schemaVersion = f.text('EventSchemaVersion');
  const dvc = f.text('Dvc');
  if (action !== undefined && !ACTIONS.has(action))
    f.fail('invalid DvcAction', `DvcAction: ${excerpt(action)}`);
  const problem = f.problem;
  if (problem !== undefined) {
    out.invalid(problem.reason, problem.detail);
    return;
  }
  const timeGenerated = time ?? startTime ?? fallbackTime(ctx);
  if (timeGenerated === undefined) {
    out.invalid('no event time', 'TimeGenerated is absent and there is no enqueued time');
    return;
  }
  out.record(
    makeSession({
      TimeGenerated: timeGenerated,
      EventStartTime: startTime,
      EventEndTime: endTime,
      EventCount: 1,
      EventVendor: VENDOR,
      EventProduct: PRODUCT,
      EventSchema: 'NetworkSession',
      EventSchemaVersion: schemaVersion ?? '0.2.2',
      EventType: eventType,
      EventResult: action === 'Deny' ? 'Failure' : 'Success',
      EventOriginalType: IDS_ALERT,
      SrcIpAddr: srcIp,
      SrcPortNumber: srcPort,
      DstIpAddr: dstIp,
      DstPortNumber: dstPort,
      NetworkProtocol: protocol,
      NetworkRuleName: ruleName,
      DvcAction: action as DvcAction | undefined,
      Dvc: dvc ?? PRODUCT,
    }),
  );
}
