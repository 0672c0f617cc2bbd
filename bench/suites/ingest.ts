/**
 * The Event Hub ingest function against Azurite: the compiled `functions/ingest.js` handler, wired
 * by its own composition root to Table Storage through a counting proxy, fed one partition's
 * batches of the mixed workload (messages of 10 lines, 1,000 messages per batch as host.json
 * asks). Reports flows/s, Table entity writes and transactions per 1,000 flows, every HTTP request
 * the function made to the Table service, and the floor: the distinct (source, bin) pairs of each
 * batch, computed from the generator's ground truth. The proxy runs on a thread of its own; the
 * function's busy time is the main thread's CPU time (user and system, read from /proc on Linux,
 * where it does not count time the thread waited for a core on a loaded machine) and its
 * event-loop active time. The proxy also counts the storage round trips the function waited for one
 * after the other (`sequentialRoundTripsPerBatch`), which the cost model bills at a latency each.
 *
 * With `noise` last, the stream is internet background noise (ASIM lines, `NOISE_MIX`), where most
 * flows come from sources seen once: nearly every flow is a window row of its own.
 *
 *   node --import tsx bench/suites/ingest.ts <batches> <messagesPerBatch> <linesPerMessage> [noise]
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import azureFunctions from '@azure/functions';
import { startAzurite } from '../../test/support/azurite.js';
import { loadDist } from '../dist.js';
import { DEFAULT_MIX, type Flow, flows, LineRenderer, NOISE_MIX } from '../workload.js';

const [batchesText, messagesText, linesText, mixText] = process.argv.slice(2);
const mix = mixText === 'noise' ? NOISE_MIX : DEFAULT_MIX;
const batches = Number(batchesText ?? '10');
const messagesPerBatch = Number(messagesText ?? '1000');
const linesPerMessage = Number(linesText ?? '10');

const { ingest } = await loadDist<typeof import('../../functions/ingest.js')>('functions/ingest.js');
const { servicesFromSettings, setServices } = await loadDist<
  typeof import('../../functions/shared/composition.js')
>('functions/shared/composition.js');
const { bucketOf } = await loadDist<typeof import('../../lib/state/keys.js')>('lib/state/keys.js');

// @azure/functions is CommonJS: its classes come through the default export under plain Node ESM.
const { InvocationContext } = azureFunctions;
const BIN_MS = 5 * 60_000;

interface Message {
  readonly body: Buffer;
  readonly enqueuedMs: number;
}
interface Batch {
  readonly messages: Message[];
  readonly flows: number;
  readonly bytes: number;
  /** Distinct (source, bin) pairs of public sources: one entity write each at best. */
  readonly floorWrites: number;
  /** One transaction per 100 rows of each (bin, bucket) present. */
  readonly floorTransactions: number;
}

/** Cuts the stream into batches; each message's enqueued time is its last flow's log time plus 2 s. */
function makeBatches(): Batch[] {
  const renderer = new LineRenderer(mix === NOISE_MIX ? 'asim' : 'mixed', mix.seed);
  const stream = flows(mix);
  const out: Batch[] = [];
  for (let b = 0; b < batches; b++) {
    const messages: Message[] = [];
    const pairs = new Map<string, string>();
    let count = 0;
    let bytes = 0;
    for (let m = 0; m < messagesPerBatch; m++) {
      const lines: string[] = [];
      let last: Flow | undefined;
      while (lines.length < linesPerMessage) {
        const f = stream.next().value as Flow;
        last = f;
        const line = renderer.render(f);
        if (line === undefined) continue;
        lines.push(line);
        for (const e of renderer.emitted) {
          count++;
          if (e.kind === 'private') continue;
          const bin = Math.floor(e.startMs / BIN_MS) * BIN_MS;
          pairs.set(`${bin}|${e.src}`, `${bin}|${bucketOf(e.src)}`);
        }
      }
      const body = Buffer.from(lines.join('\n'), 'utf8');
      bytes += body.length;
      messages.push({ body, enqueuedMs: (last as Flow).logMs + 2000 });
    }
    const perKey = new Map<string, number>();
    for (const k of pairs.values()) perKey.set(k, (perKey.get(k) ?? 0) + 1);
    let floorTransactions = 0;
    for (const n of perKey.values()) floorTransactions += Math.ceil(n / 100);
    out.push({ messages, flows: count, bytes, floorWrites: pairs.size, floorTransactions });
  }
  return out;
}

/**
 * CPU time of the main thread so far, in ms (Linux: /proc/self/task/<pid>/stat, in clock ticks of
 * 10 ms), or undefined elsewhere.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * How long the proxy keeps an idle connection of the function open: 5 s, Node's own default, by
 * default (a storage service keeps them for longer than the gap between two batches), so the
 * function reuses its connections as it does in Azure; `BENCH_PROXY_KEEP_ALIVE_MS=1` makes it
 * connect again after every pause.
 */
const keepAliveTimeoutMs = Number(process.env.BENCH_PROXY_KEEP_ALIVE_MS ?? '5000');

/** The counting proxy, on its own thread (proxyThread.ts). */
async function startProxyThread(tablePort: number) {
  const source = new URL('./proxyThread.ts', import.meta.url);
  // The worker loads its TypeScript through tsx's loader, as the suite does.
  const worker = new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`,
    { eval: true, workerData: { tablePort, keepAliveTimeoutMs } },
  );
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const { port } = await next<{ port: number }>();
  return {
    port,
    reset: async () => {
      worker.postMessage('reset');
      await next();
    },
    counts: async () => {
      worker.postMessage('counts');
      return next<{ requests: number; sequentialRoundTrips: number; forwarded: Record<string, number> }>();
    },
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

const data = makeBatches();
const az = await startAzurite();
const proxy = await startProxyThread(az.tablePort);
try {
  const settings = {
    PortscanStorage: az.connectionString({ table: proxy.port }),
    EventHubConnection__fullyQualifiedNamespace: 'flows.servicebus.windows.net',
    PORTSCAN_EVENTHUB_NAME: 'flows',
    PORTSCAN_EVENTHUB_CONSUMER_GROUP: 'portscan',
    PORTSCAN_TABLE_PREFIX: 'Bench',
    PORTSCAN_ALERT_QUEUE: 'bench-alerts',
  };
  const services = servicesFromSettings(settings);
  let nowMs = mix.startMs;
  setServices({ ...services, now: () => nowMs });
  await services.store.ready();
  const summaries: Record<string, unknown>[] = [];
  await proxy.reset();
  let sequence = 1;
  let wallMs = 0;
  const cpuBefore = process.cpuUsage();
  const threadCpuBefore = mainThreadCpuMs();
  // Main-thread busy time: the function's own work, without the loader thread or Azurite's process.
  const eluBefore = performance.eventLoopUtilization();
  for (const batch of data) {
    nowMs = (batch.messages[batch.messages.length - 1] as Message).enqueuedMs;
    const context = new InvocationContext({
      invocationId: `bench-${sequence}`,
      functionName: 'ingest',
      triggerMetadata: {
        partitionContext: { partitionId: '0', eventHubName: 'flows', consumerGroup: 'portscan' },
        sequenceNumberArray: batch.messages.map((_, i) => sequence + i),
        enqueuedTimeUtcArray: batch.messages.map((m) =>
          new Date(m.enqueuedMs).toISOString().replace('Z', ''),
        ),
      },
      logHandler: (_level, message, fields) => {
        // The summary is either (message, fields) or one JSON line with an `event` name.
        if (message === 'ingest summary') summaries.push(fields as Record<string, unknown>);
        else if (typeof message === 'string' && message.startsWith('{"event":"ingest summary"'))
          summaries.push(JSON.parse(message) as Record<string, unknown>);
      },
    });
    const t = performance.now();
    await ingest(
      batch.messages.map((m) => m.body),
      context,
    );
    wallMs += performance.now() - t;
    sequence += batch.messages.length;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  const threadCpuAfter = mainThreadCpuMs();
  const requests = await proxy.counts();
  const total = (pick: (b: Batch) => number) => data.reduce((t, b) => t + pick(b), 0);
  const storage = summaries.map(
    (s) => s.storage as { entityWrites: number; transactions: number; conflicts: number },
  );
  const flowsTotal = total((b) => b.flows);
  const per1000 = (n: number) => (n / flowsTotal) * 1000;
  const entityWrites = storage.reduce((t, s) => t + s.entityWrites, 0);
  const transactions = storage.reduce((t, s) => t + s.transactions, 0);
  const result = {
    mix: mix === NOISE_MIX ? 'noise' : 'bench',
    batches: data.length,
    messagesPerBatch,
    linesPerMessage,
    flows: flowsTotal,
    bytes: total((b) => b.bytes),
    wallMs,
    processCpuMs: (cpu.user + cpu.system) / 1000,
    // The function's busy time: the main thread's CPU time where it can be read, else its event-loop active time.
    cpuMs:
      threadCpuBefore === undefined || threadCpuAfter === undefined
        ? elu.active
        : threadCpuAfter - threadCpuBefore,
    eventLoopActiveMs: elu.active,
    flowsPerSecond: flowsTotal / (wallMs / 1000),
    rowsCounted: summaries.reduce((t, s) => t + (s.rowsCounted as number), 0),
    windows: summaries.reduce((t, s) => t + (s.windows as number), 0),
    conflicts: storage.reduce((t, s) => t + s.conflicts, 0),
    entityWritesPer1000: per1000(entityWrites),
    windowTransactionsPer1000: per1000(transactions),
    floorWritesPer1000: per1000(total((b) => b.floorWrites)),
    floorTransactionsPer1000: per1000(total((b) => b.floorTransactions)),
    tableRequestsPer1000: per1000(requests.requests),
    tableRequestsByMethod: requests.forwarded,
    // Counted at the proxy: requests that found none of the function's in flight.
    sequentialRoundTripsPerBatch: requests.sequentialRoundTrips / data.length,
    entityWrites,
    transactions,
    tableRequests: requests.requests,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  setServices(undefined);
  await proxy.close();
  await az.stop();
}
