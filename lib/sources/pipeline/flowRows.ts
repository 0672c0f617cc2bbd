import type { NetworkSession } from '../../schema/NetworkSession.js';
import { makeSession } from './fields.js';
import type { DecodeSink, FlowGroup, FlowTuple } from './types.js';

export type { FlowGroup, FlowTuple, FlowVerdict } from './types.js';

/** The NetworkSession row of a flow tuple: the row the flow-log decoders emit. */
export function flowSession(tuple: FlowTuple, group: FlowGroup): NetworkSession {
  return makeSession({
    TimeGenerated: tuple.time,
    EventStartTime: tuple.time,
    EventEndTime: tuple.time,
    EventCount: 1,
    EventVendor: group.vendor,
    EventProduct: group.product,
    EventSchema: 'NetworkSession',
    EventSchemaVersion: group.schemaVersion,
    EventType: 'Flow',
    EventResult: tuple.verdict.result,
    SrcIpAddr: tuple.srcIp,
    SrcPortNumber: tuple.srcPort,
    DstIpAddr: tuple.dstIp,
    DstPortNumber: tuple.dstPort,
    NetworkProtocol: tuple.protocol,
    NetworkDirection: tuple.direction,
    NetworkRuleName: group.rule,
    DvcAction: tuple.verdict.action,
    Dvc: group.dvc,
  });
}

/**
 * Gives a flow tuple's row to `out`: as the tuple and its group when the sink takes flow rows
 * (`DecodeSink.flow`: the CLI's engine reads them without a NetworkSession), else as its
 * NetworkSession.
 */
export function emitFlowRow(out: DecodeSink, tuple: FlowTuple, group: FlowGroup): void {
  if (out.flow !== undefined) out.flow(tuple, group);
  else out.record(flowSession(tuple, group));
}
