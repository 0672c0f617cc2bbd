/**
 * Network Watcher flow-log records and blob names as the documentation shows them (Microsoft Learn:
 * "Virtual network flow logs" sample record, flowLogVersion 4; "NSG flow logs" version 2; blob
 * names of "Read flow logs"), and the Event Grid BlobCreated event of a commit.
 */
export const VNET_CONTAINER = 'insights-logs-flowlogflowevent';
export const NSG_CONTAINER = 'insights-logs-networksecuritygroupflowevent';

const SUB = '00000000-0000-0000-0000-000000000000';

/** A VNet flow-log blob name for an hour (`2026-11-01T10`) and network interface. */
export function vnetBlobName(hour: string, mac = '0022485D8CF8', flowLog = 'CONTOSOFLOWLOG'): string {
  const [y, m, d, h] = [hour.slice(0, 4), hour.slice(5, 7), hour.slice(8, 10), hour.slice(11, 13)];
  return `flowLogResourceID=/${SUB}_NETWORKWATCHERRG/NETWORKWATCHER_EASTUS_${flowLog}/y=${y}/m=${m}/d=${d}/h=${h}/m=00/macAddress=${mac}/PT1H.json`;
}

/** An NSG flow-log blob name for an hour and network interface. */
export function nsgBlobName(hour: string, mac = '000D3AF87856'): string {
  const [y, m, d, h] = [hour.slice(0, 4), hour.slice(5, 7), hour.slice(8, 10), hour.slice(11, 13)];
  return `resourceId=/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/CONTOSORG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/CONTOSONSG/y=${y}/m=${m}/d=${d}/h=${h}/m=00/macAddress=${mac}/PT1H.json`;
}

/** A denied inbound VNet flow tuple (13 fields) from `src` to port `dstPort` at `iso`. */
export function vnetTuple(iso: string, src: string, dstPort: number, dst = '10.0.0.6'): string {
  return `${Date.parse(iso)},${src},${dst},${40000 + (dstPort % 20000)},${dstPort},6,I,D,NX,0,0,0,0`;
}

/** Tuples of `src` reaching `count` ports from `firstPort`, a second apart from `iso`. */
export function vnetScan(src: string, count: number, iso: string, firstPort = 1000): string[] {
  const start = Date.parse(iso);
  return Array.from({ length: count }, (_, i) =>
    vnetTuple(new Date(start + i * 1000).toISOString(), src, firstPort + i),
  );
}

/** A VNet flow-log record (`FlowLogFlowEvent`) holding `tuples`. */
export function vnetRecord(timeIso: string, tuples: readonly string[], mac = '0022485D8CF8'): object {
  return {
    time: timeIso,
    flowLogVersion: 4,
    flowLogGUID: 'abcdef01-2345-6789-0abc-def012345678',
    macAddress: mac,
    category: 'FlowLogFlowEvent',
    flowLogResourceID: `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_EASTUS/FLOWLOGS/CONTOSOFLOWLOG`,
    targetResourceID: `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet`,
    operationName: 'FlowLogFlowEvent',
    flowRecords: {
      flows: [
        {
          aclID: '00000000-1234-abcd-ef00-c1c2c3c4c5c6',
          flowGroups: [{ rule: 'DefaultRule_DenyAllInBound', flowTuples: [...tuples] }],
        },
      ],
    },
  };
}

/** An NSG flow-log record (version 2) with denied inbound tuples from `src` to `ports` at `iso`. */
export function nsgRecord(iso: string, src: string, ports: readonly number[], mac = '000D3AF87856'): object {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return {
    time: iso,
    systemId: '5f4d02d3-a7d0-4ed4-9ce8-c0ae9377951c',
    macAddress: mac,
    category: 'NetworkSecurityGroupFlowEvent',
    resourceId: `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/CONTOSORG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/CONTOSONSG`,
    operationName: 'NetworkSecurityGroupFlowEvents',
    properties: {
      Version: 2,
      flows: [
        {
          rule: 'DefaultRule_DenyAllInBound',
          flows: [
            { mac, flowTuples: ports.map((p) => `${seconds},${src},10.0.0.4,${40000 + p},${p},T,I,D,B,,,,`) },
          ],
        },
      ],
    },
  };
}

/** The Event Grid `BlobCreated` event of a commit to `container/name` (Event Grid schema). */
export function blobCreated(
  accountUrl: string,
  container: string,
  name: string,
  sequence: number,
  overrides: Record<string, unknown> = {},
): object {
  const account = accountUrl.replace(/\/+$/, '');
  return {
    id: `event-${sequence}`,
    topic: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/flowlogs`,
    subject: `/blobServices/default/containers/${container}/blobs/${name}`,
    eventType: 'Microsoft.Storage.BlobCreated',
    eventTime: new Date(Date.UTC(2026, 10, 1, 10) + sequence * 1000).toISOString(),
    dataVersion: '',
    metadataVersion: '1',
    data: {
      api: 'PutBlockList',
      clientRequestId: `client-${sequence}`,
      requestId: `request-${sequence}`,
      eTag: `0x8D${sequence.toString(16).padStart(13, '0').toUpperCase()}`,
      contentType: 'application/octet-stream',
      contentLength: 0,
      blobType: 'BlockBlob',
      url: `${account}/${container}/${name}`,
      sequencer: sequence.toString(16).padStart(48, '0'),
      storageDiagnostics: { batchId: 'cfb32f79-3006-0010-0095-711faa000000' },
    },
    ...overrides,
  };
}
