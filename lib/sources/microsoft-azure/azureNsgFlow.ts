import type { NetworkDirection } from '../../schema/NetworkSession.js';
import { isAddressText, isJsonObject, ownValue } from '../pipeline/FieldReader.js';
import { excerpt, isoFromEpochSeconds } from '../pipeline/fields.js';
import { emitFlowRow, type FlowGroup, type FlowTuple, type FlowVerdict } from '../pipeline/flowRows.js';
import type { DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { azureFields, isFlowCounter, splitFlowTuple, tupleDetail, tuplePort } from './azurePlatform.js';

const FLOW_CATEGORY = 'NetworkSecurityGroupFlowEvent';
/** NSG diagnostic categories of the AzureNSG connector: rule hits and counters, no flow tuples. */
const TUPLELESS_CATEGORIES = new Set(['NetworkSecurityGroupEvent', 'NetworkSecurityGroupRuleCounter']);

const PROTOCOLS: ReadonlyMap<string, string> = new Map([
  ['T', 'TCP'],
  ['U', 'UDP'],
]);
const DIRECTIONS: ReadonlyMap<string, NetworkDirection> = new Map([
  ['I', 'Inbound'],
  ['O', 'Outbound'],
]);
const VERDICTS: ReadonlyMap<string, FlowVerdict> = new Map([
  ['A', { action: 'Allow', result: 'Success' }],
  ['D', { action: 'Deny', result: 'Failure' }],
]);
const FLOW_STATES = new Set(['B', 'C', 'E']);
/** The product of every NSG flow-log row, named like the AzureNSG parser (decision D5). */
const NSG_PRODUCT = { vendor: 'Microsoft', product: 'NSGFlow', schemaVersion: '0.2.3' } as const;
/** Fields of a version 1 and a version 2 tuple. */
const TUPLE_FIELD_COUNTS = [8, 13];

/**
 * Network security group flow logs, versions 1 and 2 (Network Watcher,
 * docs/sources/microsoft-azure.md#mapping-nsg-and-vnet-flow-logs): blob records
 * `{time, systemId, category:"NetworkSecurityGroupFlowEvent", resourceId, operationName,
 * properties:{Version, flows:[{rule, flows:[{mac, flowTuples:[…]}]}]}}`, forwarded to the Event Hub
 * in `{"records":[…]}`.
 *
 * Tuple v1 (8 fields): `epochSeconds,srcIp,dstIp,srcPort,dstPort,protocol(T|U),direction(I|O),decision(A|D)`;
 * v2 (13 fields) appends `,state(B|C|E),packetsS2D,bytesS2D,packetsD2S,bytesD2S` (empty for B).
 * One NetworkSession row per tuple, named Microsoft/NSGFlow like the AzureNSG parser (decision D5),
 * timed by the tuple's own timestamp (decision D3); the tuple's source is the flow's initiator
 * (decision D4).
 * A malformed tuple is reported alone; the tuples beside it still come out. The AzureNSG
 * connector's `NetworkSecurityGroupEvent` and `NetworkSecurityGroupRuleCounter` records carry no
 * tuples and are skipped.
 */
export const azureNsgFlow: SourceDecoder = {
  name: 'azure-nsg-flow',
  title: 'Azure NSG flow logs, versions 1 and 2 (NetworkSecurityGroupFlowEvent records)',

  matchJson(record: JsonObject): boolean {
    const category = ownValue(record, 'category');
    return typeof category === 'string' && (category === FLOW_CATEGORY || TUPLELESS_CATEGORIES.has(category));
  },

  decodeJson(record: JsonObject, out: DecodeSink): void {
    const category = ownValue(record, 'category');
    if (typeof category === 'string' && TUPLELESS_CATEGORIES.has(category)) {
      out.skip('NSG event without flow tuples');
      return;
    }
    const properties = ownValue(record, 'properties');
    const ruleFlows = isJsonObject(properties) ? ownValue(properties, 'flows') : undefined;
    if (!Array.isArray(ruleFlows)) {
      out.invalid(
        'missing flows',
        `properties.flows: ${isJsonObject(properties) ? 'not an array' : 'no properties object'}`,
      );
      return;
    }
    const recordFields = azureFields();
    const nsg = recordFields.text(ownValue(record, 'resourceId'), 'resourceId');
    if (recordFields.reportTo(out)) return;
    // Rows and invalid outcomes of this record: an empty flow list must still be counted.
    let outcomes = 0;
    for (let i = 0; i < ruleFlows.length; i++) {
      const ruleFlow: unknown = ruleFlows[i];
      const macFlows = isJsonObject(ruleFlow) ? ownValue(ruleFlow, 'flows') : undefined;
      if (!isJsonObject(ruleFlow) || !Array.isArray(macFlows)) {
        out.invalid('malformed flow group', `properties.flows[${i}]: ${excerpt(ruleFlows[i], 60)}`);
        outcomes++;
        continue;
      }
      const groupFields = azureFields();
      const rule = groupFields.text(ownValue(ruleFlow, 'rule'), `properties.flows[${i}].rule`);
      if (groupFields.reportTo(out)) {
        outcomes++;
        continue;
      }
      const group: FlowGroup = { ...NSG_PRODUCT, rule, dvc: nsg };
      for (let j = 0; j < macFlows.length; j++) {
        const macFlow: unknown = macFlows[j];
        const tuples = isJsonObject(macFlow) ? ownValue(macFlow, 'flowTuples') : undefined;
        if (!Array.isArray(tuples)) {
          out.invalid(
            'malformed flow group',
            `properties.flows[${i}].flows[${j}]: ${excerpt(macFlows[j], 60)}`,
          );
          outcomes++;
          continue;
        }
        const path = `properties.flows[${i}].flows[${j}].flowTuples`;
        outcomes += tuples.length;
        for (let k = 0; k < tuples.length; k++) decodeTuple(tuples[k], path, k, group, out);
      }
    }
    if (outcomes === 0) out.skip('no flow tuples');
  },
};

function decodeTuple(tuple: unknown, path: string, index: number, group: FlowGroup, out: DecodeSink): void {
  const fields = splitFlowTuple(tuple, TUPLE_FIELD_COUNTS);
  const parsed = fields === undefined ? 'not 8 or 13 comma-separated fields' : parseTuple(fields);
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
    epochSeconds = '',
    srcIp = '',
    dstIp = '',
    srcPortText = '',
    dstPortText = '',
    proto = '',
    dir = '',
    decision = '',
  ] = fields;
  const time = /^\d{1,12}$/.test(epochSeconds) ? isoFromEpochSeconds(epochSeconds) : undefined;
  if (time === undefined) return 'bad timestamp';
  // isoFromEpochSeconds wrote the instant of these whole seconds: `millisOfIso(time)`.
  const timeMs = Number(epochSeconds) * 1000;
  if (!isAddressText(srcIp)) return 'bad source address';
  if (!isAddressText(dstIp)) return 'bad destination address';
  const srcPort = tuplePort(srcPortText);
  if (srcPort === undefined) return 'bad source port';
  const dstPort = tuplePort(dstPortText);
  if (dstPort === undefined) return 'bad destination port';
  const protocol = PROTOCOLS.get(proto);
  if (protocol === undefined) return 'bad protocol';
  const direction = DIRECTIONS.get(dir);
  if (direction === undefined) return 'bad direction';
  const verdict = VERDICTS.get(decision);
  if (verdict === undefined) return 'bad decision';
  // Version 2 tail: state, then four counters that are empty on B (begin) tuples.
  if (fields.length === 13 && !(FLOW_STATES.has(fields[8] ?? '') && fields.slice(9).every(isFlowCounter)))
    return 'bad version 2 state or counters';
  return { time, timeMs, srcIp, dstIp, srcPort, dstPort, protocol, direction, verdict };
}
