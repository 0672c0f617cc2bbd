/**
 * Peak memory of the Event Hub ingest function on one batch of maximum-size messages: the
 * compiled `functions/ingest.js` handler, wired by its own composition root to Table Storage in
 * Azurite, given `messages` bodies of `messageBytes` each (Event Hubs Standard and Premium publish
 * at most 1 MB per event) as the worker receives them (Buffers, dataType binary).
 *
 * Two shapes of message, the two ways a full 1 MB message reaches the decoders:
 * - `lines`: the mixed workload's lines (AWS VPC, PAN-OS CEF, ASIM JSON, NSG envelopes), one per
 *   line, read line by line;
 * - `envelope`: one `{"records":[…]}` document of ASIM rows, as a Log Analytics data export
 *   writes it, parsed whole (the larger transient object graph).
 *
 * Reports the process's resident set before the batch exists (modules loaded, one small batch
 * processed, after a full GC), after the batch's Buffers are built, and its peak during the
 * invocation (`process.resourceUsage().maxRSS`), in MB. Run one batch size per process, so each
 * peak is that batch's own:
 *
 *   node --expose-gc --import tsx bench/suites/ingestMemory.ts <messages> <messageBytes> <lines|envelope>
 */
import azureFunctions from '@azure/functions';
import { startAzurite } from '../../test/support/azurite.js';
import { loadDist } from '../dist.js';
import { asimLine, DEFAULT_MIX, type Flow, flows, LineRenderer, Random } from '../workload.js';

const [messagesText, bytesText, shapeText] = process.argv.slice(2);
const messages = Number(messagesText ?? '100');
const messageBytes = Number(bytesText ?? '1000000');
const shape = shapeText === 'envelope' ? 'envelope' : 'lines';

const { ingest } = await loadDist<typeof import('../../functions/ingest.js')>('functions/ingest.js');
const { servicesFromSettings, setServices } = await loadDist<
  typeof import('../../functions/shared/composition.js')
>('functions/shared/composition.js');
const { InvocationContext } = azureFunctions;

const MB = 1024 * 1024;
const rssMb = () => process.memoryUsage().rss / MB;
const gc = (globalThis as { gc?: () => void }).gc;

/** One message body of at most `bytes` bytes, from the flow stream. */
function makeBody(stream: Generator<Flow>, renderer: LineRenderer, random: Random): Buffer {
  const parts: string[] = [];
  let size = shape === 'envelope' ? '{"records":[]}'.length : 0;
  for (;;) {
    const f = stream.next().value as Flow;
    const part = shape === 'envelope' ? asimLine(f, random) : renderer.render(f);
    if (part === undefined) continue;
    if (size + part.length + 1 > bytes) break;
    parts.push(part);
    size += part.length + 1;
  }
  const text = shape === 'envelope' ? `{"records":[${parts.join(',')}]}` : parts.join('\n');
  return Buffer.from(text, 'utf8');
}
const bytes = messageBytes;

let invocation = 0;
async function invoke(bodies: readonly Buffer[], firstSequence: number, enqueuedMs: number): Promise<void> {
  const context = new InvocationContext({
    invocationId: `memory-${++invocation}`,
    functionName: 'ingest',
    triggerMetadata: {
      partitionContext: { partitionId: '0', eventHubName: 'flows', consumerGroup: 'portscan' },
      sequenceNumberArray: bodies.map((_, i) => firstSequence + i),
      enqueuedTimeUtcArray: bodies.map(() => new Date(enqueuedMs).toISOString().replace('Z', '')),
    },
    logHandler: () => undefined,
  });
  await ingest([...bodies], context);
}

const az = await startAzurite();
try {
  const services = servicesFromSettings({
    PortscanStorage: az.connectionString(),
    EventHubConnection__fullyQualifiedNamespace: 'flows.servicebus.windows.net',
    PORTSCAN_EVENTHUB_NAME: 'flows',
    PORTSCAN_EVENTHUB_CONSUMER_GROUP: 'portscan',
    PORTSCAN_TABLE_PREFIX: 'Memory',
  });
  const nowMs = DEFAULT_MIX.startMs + 3_600_000;
  setServices({ ...services, now: () => nowMs });
  await services.store.ready();
  const stream = flows(DEFAULT_MIX);
  const renderer = new LineRenderer('mixed', DEFAULT_MIX.seed);
  const random = new Random(DEFAULT_MIX.seed);

  // Warm up: modules, clients and tables in place, as in a worker that has served a batch.
  await invoke([makeBody(stream, renderer, random)], 1, nowMs);
  gc?.();
  const baselineMb = rssMb();

  const bodies = Array.from({ length: messages }, () => makeBody(stream, renderer, random));
  gc?.();
  const withBatchMb = rssMb();
  const t = performance.now();
  await invoke(bodies, 100, nowMs);
  const wallMs = performance.now() - t;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const batchMb = bodies.reduce((n, b) => n + b.length, 0) / MB;
  process.stdout.write(
    `${JSON.stringify({
      shape,
      messages,
      messageBytes,
      batchMb: Number(batchMb.toFixed(1)),
      baselineRssMb: Math.round(baselineMb),
      withBatchRssMb: Math.round(withBatchMb),
      peakRssMb: Math.round(peakMb),
      peakAboveBaselineMb: Math.round(peakMb - baselineMb),
      peakAboveBaselinePerMessageMb: Number(((peakMb - baselineMb) / messages).toFixed(2)),
      wallMs: Math.round(wallMs),
      node: process.version,
    })}\n`,
  );
} finally {
  setServices(undefined);
  await az.stop();
}
