import type { NetworkDirection } from '../../schema/NetworkSession.js';
import { ianaProtocolName } from '../formats/ianaProtocols.js';
import { isAddressText, isJsonObject, ownValue } from '../pipeline/FieldReader.js';
import { excerpt, isoFromEpochMillis } from '../pipeline/fields.js';
import { emitFlowRow, type FlowGroup, type FlowTuple, type FlowVerdict } from '../pipeline/flowRows.js';
import type { DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { azureFields, isFlowCounter, splitFlowTuple, tupleDetail, tuplePort } from './azurePlatform.js';

/** Fields of a version 2 tuple. */
const TUPLE_FIELD_COUNTS = [13];
const FLOW_CATEGORY = 'FlowLogFlowEvent';

const DIRECTIONS: ReadonlyMap<string, NetworkDirection> = new Map([
  ['I', 'Inbound'],
  ['O', 'Outbound'],
]);
const ALLOWED: FlowVerdict = { action: 'Allow', result: 'Success' };
const DENIED: FlowVerdict = { action: 'Deny', result: 'Failure' };
/** Flow state: B(egin), C(ontinuing), E(nd) of an allowed flow, or D(enied). */
const STATES: ReadonlyMap<string, FlowVerdict> = new Map([
  ['B', ALLOWED],
  ['C', ALLOWED],
  ['E', ALLOWED],
  ['D', DENIED],
]);
/** Encryption status: `X`, `NX`, or `NX_` followed by a reason (`NX_HW_NOT_SUPPORTED`, …). */
const ENCRYPTION = /^[A-Z_]{0,40}$/;
/** The product of every VNet flow-log row, named like the NTANetAnalytics parser (decision D5). */
const VNET_PRODUCT = { vendor: 'Microsoft', product: 'Azure NSG flows', schemaVersion: '0.2.6' } as const;

/**
 * Virtual network flow logs (Network Watcher,
 * docs/sources/microsoft-azure.md#mapping-nsg-and-vnet-flow-logs): blob records `{time, flowLogVersion,
 * flowLogGUID, macAddress, category:"FlowLogFlowEvent", flowLogResourceID, targetResourceID,
 * operationName, flowRecords:{flows:[{aclID, flowGroups:[{rule, flowTuples:[…]}]}]}}`, forwarded to
 * the Event Hub in `{"records":[…]}`.
 *
 * Tuple (13 fields): `epochMillis,srcIp,dstIp,srcPort,dstPort,ianaProtocol,direction(I|O),
 * state(B|C|E|D),encryption,packetsS2D,bytesS2D,packetsD2S,bytesD2S`; state D is a denied flow.
 * One NetworkSession row per tuple, named Microsoft/Azure NSG flows like the NTANetAnalytics parser
 * (decision D5), timed by the tuple's own timestamp (decision D3), with the tuple's real source address,
 * which Traffic Analytics would leave empty for Internet sources (decision D4). The protocol number is named
 * by the ASIM IANA table. A malformed tuple is reported alone; the tuples beside it still come out.
 */
export const azureVnetFlow: SourceDecoder = {
  name: 'azure-vnet-flow',
  title: 'Azure virtual network flow logs (FlowLogFlowEvent records)',

  matchJson(record: JsonObject): boolean {
    return ownValue(record, 'category') === FLOW_CATEGORY;
  },

  decodeJson(record: JsonObject, out: DecodeSink): void {
    const flowRecords = ownValue(record, 'flowRecords');
    const aclFlows = isJsonObject(flowRecords) ? ownValue(flowRecords, 'flows') : undefined;
    if (!Array.isArray(aclFlows)) {
      out.invalid(
        'missing flows',
        `flowRecords.flows: ${isJsonObject(flowRecords) ? 'not an array' : 'no flowRecords object'}`,
      );
      return;
    }
    const recordFields = azureFields();
    const flowLog = recordFields.text(ownValue(record, 'flowLogResourceID'), 'flowLogResourceID');
    if (recordFields.reportTo(out)) return;
    // Rows and invalid outcomes of this record: an empty flow list must still be counted.
    let outcomes = 0;
    for (let i = 0; i < aclFlows.length; i++) {
      const aclFlow: unknown = aclFlows[i];
      const groups = isJsonObject(aclFlow) ? ownValue(aclFlow, 'flowGroups') : undefined;
      if (!isJsonObject(aclFlow) || !Array.isArray(groups)) {
        out.invalid('malformed flow group', `flowRecords.flows[${i}]: ${excerpt(aclFlows[i], 60)}`);
        outcomes++;
        continue;
      }
      const aclFields = azureFields();
      const acl = aclFields.text(ownValue(aclFlow, 'aclID'), `flowRecords.flows[${i}].aclID`, {
        maxChars: 256,
      });
      if (aclFields.reportTo(out)) {
        outcomes++;
        continue;
      }
      for (let j = 0; j < groups.length; j++) {
        const group: unknown = groups[j];
        const tuples = isJsonObject(group) ? ownValue(group, 'flowTuples') : undefined;
        if (!isJsonObject(group) || !Array.isArray(tuples)) {
          out.invalid(
            'malformed flow group',
            `flowRecords.flows[${i}].flowGroups[${j}]: ${excerpt(groups[j], 60)}`,
          );
          outcomes++;
          continue;
        }
        const groupFields = azureFields();
        const rule = groupFields.text(
          ownValue(group, 'rule'),
          `flowRecords.flows[${i}].flowGroups[${j}].rule`,
        );
        if (groupFields.reportTo(out)) {
          outcomes++;
          continue;
        }
        const path = `flowRecords.flows[${i}].flowGroups[${j}].flowTuples`;
        outcomes += tuples.length;
        const flowGroup: FlowGroup = { ...VNET_PRODUCT, rule, dvc: acl ?? flowLog };
        for (let k = 0; k < tuples.length; k++) decodeTuple(tuples[k], path, k, flowGroup, out);
      }
    }
    if (outcomes === 0) out.skip('no flow tuples');
  },
};

function decodeTuple(tuple: unknown, path: string, index: number, group: FlowGroup, out: DecodeSink): void {
  const fields = splitFlowTuple(tuple, TUPLE_FIELD_COUNTS);
  const parsed = fields === undefined ? 'not 13 comma-separated fields' : parseTuple(fields);
  if (typeof parsed === 'string') {
    // The tuple's path is written only for a bad tuple: most tuples are good.
    out.invalid('malformed flow tuple', tupleDetail(`${path}[${index}]`, parsed, tuple));
    return;
  }
  emitFlowRow(out, parsed, group);
}

/** The tuple's values, or what is wrong with it. */
function parseTuple(fields: readonly string[]): FlowTuple | string {
  const [
    epochMillis = '',
    srcIp = '',
    dstIp = '',
    srcPortText = '',
    dstPortText = '',
    proto = '',
    dir = '',
    state = '',
  ] = fields;
  const time = /^\d{1,15}$/.test(epochMillis) ? isoFromEpochMillis(epochMillis) : undefined;
  if (time === undefined) return 'bad timestamp';
  // isoFromEpochMillis wrote the instant of these whole milliseconds: `millisOfIso(time)`.
  const timeMs = Number(epochMillis);
  if (!isAddressText(srcIp)) return 'bad source address';
  if (!isAddressText(dstIp)) return 'bad destination address';
  const srcPort = tuplePort(srcPortText);
  if (srcPort === undefined) return 'bad source port';
  const dstPort = tuplePort(dstPortText);
  if (dstPort === undefined) return 'bad destination port';
  if (!/^\d{1,3}$/.test(proto) || Number(proto) > 255) return 'bad protocol';
  const direction = DIRECTIONS.get(dir);
  if (direction === undefined) return 'bad direction';
  const verdict = STATES.get(state);
  if (verdict === undefined) return 'bad state';
  if (!ENCRYPTION.test(fields[8] ?? '') || !fields.slice(9).every(isFlowCounter))
    return 'bad encryption or counters';
  // Numbers the ASIM table does not name (144–252) or names with "" carry no protocol name.
  const protocol = ianaProtocolName(Number(proto)) || undefined;
  return { time, timeMs, srcIp, dstIp, srcPort, dstPort, protocol, direction, verdict };
}
