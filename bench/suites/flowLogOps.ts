/**
 * What the flow-log path asks of Table and Blob Storage per 1,000 flow tuples, counted, not timed,
 * beside the Event Hub path on the same tuples.
 *
 * Flow-log path: the compiled `functions/flowLogs.js` Event Grid handler, wired by its own
 * composition root to Table Storage and to the flow-log account's Blob Storage (both Azurite)
 * through two counting proxies. Network Watcher is simulated as Microsoft documents it
 * (test/support/networkWatcherBlob.ts): one `PT1H.json` VNet flow-log blob per network interface,
 * grown by one record block per minute, one BlobCreated event per commit; the writer goes to Azurite
 * directly, so only the function's requests are counted. The tuples are the mixed workload's flows
 * (bench/workload.ts) at `flowsPerSecond`, dealt round-robin over the interfaces: a record holds one
 * interface's flows of one minute (denied for scanners, allowed otherwise).
 *
 * Event Hub path: the same records through the compiled `functions/ingest.js`, each one a
 * `{"records":[…]}` message as diagnostic settings frame them, one batch per minute holding every
 * interface's record, into tables of their own.
 *
 * Floor: the distinct (source, bin) pairs of public sources in each invocation's tuples (one entity
 * write each at best), from the generator's ground truth.
 *
 *   node --import tsx bench/suites/flowLogOps.ts <minutes> <interfaces> <flowsPerSecond>
 */
import azureFunctions from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../test/support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../../test/support/faultProxy.js';
import { blobCreated, VNET_CONTAINER, vnetBlobName, vnetRecord } from '../../test/support/flowLogRecords.js';
import { azureBlockSink, NetworkWatcherBlob } from '../../test/support/networkWatcherBlob.js';
import { loadDist } from '../dist.js';
import { DEFAULT_MIX, type Flow, flows } from '../workload.js';

const [minutesText, interfacesText, rateText] = process.argv.slice(2);
const minutes = Number(minutesText ?? '15');
const interfaces = Number(interfacesText ?? '4');
const flowsPerSecond = Number(rateText ?? String(DEFAULT_MIX.flowsPerSecond));

const { flowLogs } = await loadDist<typeof import('../../functions/flowLogs.js')>('functions/flowLogs.js');
const { ingest } = await loadDist<typeof import('../../functions/ingest.js')>('functions/ingest.js');
const { servicesFromSettings, setServices } = await loadDist<
  typeof import('../../functions/shared/composition.js')
>('functions/shared/composition.js');

// @azure/functions is CommonJS: its classes come through the default export under plain Node ESM.
const { InvocationContext } = azureFunctions;
const MINUTE_MS = 60_000;
const BIN_MS = 5 * MINUTE_MS;
const START = DEFAULT_MIX.startMs;

/** One VNet flow tuple (version 4): denied for a scanner, allowed (flow begins) otherwise. */
function tuple(f: Flow): string {
  const verdict = f.kind === 'scanner' ? 'D,NX,1,60,0,0' : 'B,NX,3,180,2,120';
  return `${f.startMs},${f.src},${f.dst},${f.srcPort},${f.dstPort},6,I,${verdict}`;
}

interface Minute {
  /** One record per interface: its flows of the minute. */
  readonly records: { readonly record: object; readonly tuples: number; readonly floor: number }[];
  readonly tuples: number;
  /** Distinct public (source, bin) pairs of the whole minute (the Event Hub batch). */
  readonly floor: number;
  readonly endMs: number;
}

/** The workload, minute by minute, and the floors from the generator's ground truth. */
function makeMinutes(): Minute[] {
  const stream = flows({ ...DEFAULT_MIX, flowsPerSecond });
  const out: Minute[] = [];
  let next = stream.next().value as Flow;
  let dealt = 0;
  for (let m = 0; m < minutes; m++) {
    const endMs = START + (m + 1) * MINUTE_MS;
    const perInterface = Array.from({ length: interfaces }, () => ({
      tuples: [] as string[],
      pairs: new Set<string>(),
    }));
    const minutePairs = new Set<string>();
    while (next.logMs < endMs) {
      const slot = perInterface[dealt++ % interfaces] as (typeof perInterface)[number];
      slot.tuples.push(tuple(next));
      if (next.kind !== 'private') {
        const pair = `${Math.floor(next.startMs / BIN_MS)}|${next.src}`;
        slot.pairs.add(pair);
        minutePairs.add(pair);
      }
      next = stream.next().value as Flow;
    }
    const time = new Date(endMs).toISOString();
    const records = perInterface.map((slot, i) => ({
      record: vnetRecord(time, slot.tuples, macOf(i)),
      tuples: slot.tuples.length,
      floor: slot.pairs.size,
    }));
    out.push({
      records,
      tuples: records.reduce((t, r) => t + r.tuples, 0),
      floor: minutePairs.size,
      endMs,
    });
  }
  return out;
}

/** The MAC address of interface `i` (it names the interface's blob). */
function macOf(i: number): string {
  return `0022485D${i.toString(16).padStart(4, '0').toUpperCase()}`;
}

/** A summary the function logged: either (message, fields) or one JSON line with an `event` name. */
function summaryOf(event: string, message: unknown, fields: unknown): Record<string, unknown> | undefined {
  if (message === event) return fields as Record<string, unknown>;
  if (typeof message === 'string' && message.startsWith(`{"event":"${event}"`))
    return JSON.parse(message) as Record<string, unknown>;
  return undefined;
}

const per1000 = (count: number, tuples: number) => (count / tuples) * 1000;
const byMethod = (proxy: FaultProxy) => Object.fromEntries([...proxy.forwarded].sort());
const reset = (...proxies: FaultProxy[]) => {
  for (const p of proxies) {
    p.requests = 0;
    p.forwarded.clear();
  }
};

const data = makeMinutes();
const tuples = data.reduce((t, m) => t + m.tuples, 0);
const az = await startAzurite();
const tableProxy = await startFaultProxy(az.tablePort);
const blobProxy = await startFaultProxy(az.blobPort);
try {
  const baseSettings = {
    EventHubConnection__fullyQualifiedNamespace: 'flows.servicebus.windows.net',
    PORTSCAN_EVENTHUB_NAME: 'flows',
    PORTSCAN_EVENTHUB_CONSUMER_GROUP: 'portscan',
    PORTSCAN_ALERT_QUEUE: 'bench-flowlog-alerts',
  };

  // 1. The flow-log path.
  const services = servicesFromSettings({
    ...baseSettings,
    PortscanStorage: az.connectionString({ table: tableProxy.port }),
    PORTSCAN_TABLE_PREFIX: 'BenchFlowLog',
    FlowLogStorage: az.connectionString({ blob: blobProxy.port }),
  });
  let nowMs = START;
  setServices({ ...services, now: () => nowMs });
  await services.store.ready();
  const accountUrl = services.flowLogs().blobs.url;
  const container = BlobServiceClient.fromConnectionString(az.connectionString()).getContainerClient(
    VNET_CONTAINER,
  );
  await container.create();
  const hour = new Date(START).toISOString().slice(0, 13);
  const writers = Array.from({ length: interfaces }, (_, i) => {
    const name = vnetBlobName(hour, macOf(i));
    return { name, blob: new NetworkWatcherBlob(azureBlockSink(container, name)) };
  });
  reset(tableProxy, blobProxy);
  const summaries: Record<string, unknown>[] = [];
  let events = 0;
  let floorWrites = 0;
  for (const minute of data) {
    for (const [i, { record, floor }] of minute.records.entries()) {
      const writer = writers[i] as (typeof writers)[number];
      await writer.blob.append(record);
      events++;
      floorWrites += floor;
      nowMs = minute.endMs + 5000;
      const context = new InvocationContext({
        invocationId: `bench-flowlog-${events}`,
        functionName: 'flowLogs',
        logHandler: (_level, message, fields) => {
          const summary = summaryOf('flow log summary', message, fields);
          if (summary !== undefined) summaries.push(summary);
        },
      });
      await flowLogs(
        blobCreated(accountUrl, VNET_CONTAINER, writer.name, events) as Parameters<typeof flowLogs>[0],
        context,
      );
    }
  }
  const counted = summaries.filter((s) => s.outcome === 'counted').length;
  const rows = summaries.reduce((t, s) => t + (s.rowsCounted as number), 0);
  const entityWrites = summaries.reduce(
    (t, s) => t + (s.storage as { entityWrites: number }).entityWrites,
    0,
  );
  const flowLog = {
    events,
    counted,
    rowsCounted: rows,
    tableRequests: tableProxy.requests,
    tableRequestsPer1000: per1000(tableProxy.requests, tuples),
    tableRequestsPerEvent: tableProxy.requests / events,
    tableRequestsByMethod: byMethod(tableProxy),
    entityWritesPer1000: per1000(entityWrites, tuples),
    floorWritesPer1000: per1000(floorWrites, tuples),
    blobRequests: blobProxy.requests,
    blobRequestsPer1000: per1000(blobProxy.requests, tuples),
    blobRequestsPerEvent: blobProxy.requests / events,
    blobRequestsByMethod: byMethod(blobProxy),
  };

  // 2. The same records through the Event Hub path, one batch per minute.
  const hubServices = servicesFromSettings({
    ...baseSettings,
    PortscanStorage: az.connectionString({ table: tableProxy.port }),
    PORTSCAN_TABLE_PREFIX: 'BenchFlowLogHub',
  });
  setServices({ ...hubServices, now: () => nowMs });
  await hubServices.store.ready();
  reset(tableProxy, blobProxy);
  let sequence = 0;
  let hubRows = 0;
  let hubWrites = 0;
  let hubFloor = 0;
  for (const minute of data) {
    nowMs = minute.endMs + 5000;
    const bodies = minute.records.map(({ record }) => Buffer.from(JSON.stringify({ records: [record] })));
    const enqueued = new Date(minute.endMs + 2000).toISOString().replace('Z', '');
    const context = new InvocationContext({
      invocationId: `bench-hub-${sequence}`,
      functionName: 'ingest',
      triggerMetadata: {
        partitionContext: { partitionId: '0', eventHubName: 'flows', consumerGroup: 'portscan' },
        sequenceNumberArray: bodies.map((_, i) => sequence + i),
        enqueuedTimeUtcArray: bodies.map(() => enqueued),
      },
      logHandler: (_level, message, fields) => {
        const summary = summaryOf('ingest summary', message, fields);
        if (summary === undefined) return;
        hubRows += summary.rowsCounted as number;
        hubWrites += (summary.storage as { entityWrites: number }).entityWrites;
      },
    });
    sequence += bodies.length;
    hubFloor += minute.floor;
    await ingest(bodies, context);
  }
  const eventHub = {
    batches: data.length,
    messagesPerBatch: interfaces,
    rowsCounted: hubRows,
    tableRequests: tableProxy.requests,
    tableRequestsPer1000: per1000(tableProxy.requests, tuples),
    tableRequestsByMethod: byMethod(tableProxy),
    entityWritesPer1000: per1000(hubWrites, tuples),
    floorWritesPer1000: per1000(hubFloor, tuples),
    blobRequests: blobProxy.requests,
  };
  process.stdout.write(
    `${JSON.stringify({
      minutes,
      interfaces,
      flowsPerSecond,
      tuples,
      tuplesPerRecord: tuples / (minutes * interfaces),
      flowLog,
      eventHub,
    })}\n`,
  );
} finally {
  setServices(undefined);
  await tableProxy.close();
  await blobProxy.close();
  await az.stop();
}
