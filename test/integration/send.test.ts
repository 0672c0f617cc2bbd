import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubRetryOptions } from '../../lib/eventhub/EventHubPartitionBacklog.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import { decodeText } from '../../lib/sources/pipeline/decodeInput.js';
import { Normalizer } from '../../lib/sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../../lib/sources/pipeline/registry.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { EventHubsPeer, type ReceivedEvent } from '../support/eventHubsPeer.js';
import { azuriteSettings, FunctionsHarness } from '../support/functionsHarness.js';
import { runPortscan } from '../support/runCli.js';
import { scan, session } from '../support/sessions.js';

// `portscan send` with the real @azure/event-hubs SDK over AMQP, against the peer in
// test/support (no Event Hubs emulator runs here), and the received messages decoded by the
// function's own `ingest` handler against Azurite.

const FAST_RETRY: HubRetryOptions = {
  maxRetries: 2,
  retryDelayInMs: 10,
  maxRetryDelayInMs: 20,
  timeoutInMs: 10_000,
};
const dir = mkdtempSync(join(tmpdir(), 'portscan-send-'));
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** AWS VPC flow-log lines of a custom format, with its header line, as S3 delivers them. */
function vpcCustom(src: string, ports: number, at: string): string {
  const header = 'version srcaddr dstaddr srcport dstport protocol start end action log-status';
  const lines = Array.from(
    { length: ports },
    (_, i) => `5 ${src} 10.0.0.5 ${40000 + i} ${i + 1} 6 ${epoch(at) + i} ${epoch(at) + i + 30} REJECT OK`,
  );
  return `${header}\n${lines.join('\n')}\n`;
}

/** Zeek conn.log TSV with its header block, twice (the second block after #close). */
function zeekTsv(src: string, ports: number, at: string): string {
  const fixture = readFileSync(join(FIXTURES, 'corelight-zeek', 'zeek-tsv-teredo-trimmed.log'), 'utf8');
  const header = fixture.split('\n').filter((l) => l.startsWith('#') && !l.startsWith('#close'));
  const row = (i: number) => {
    const cols = [
      '-',
      `C${i}`,
      src,
      String(50000 + i),
      '10.1.1.1',
      String(i + 1),
      'tcp',
      '-',
      '0.1',
      '0',
      '0',
      'REJ',
    ];
    const fieldCount = (header.find((l) => l.startsWith('#fields')) ?? '').split('\t').length - 1;
    while (cols.length < fieldCount) cols.push('-');
    cols[0] = String(epoch(at) + i);
    return cols.join('\t');
  };
  const half = Math.floor(ports / 2);
  const first = Array.from({ length: half }, (_, i) => row(i));
  const second = Array.from({ length: ports - half }, (_, i) => row(half + i));
  return [...header, ...first, '#close\t2026-11-01-11-00-00', ...header, ...second, ''].join('\n');
}

let az: Azurite;
let peer: EventHubsPeer;
let files: string[];

beforeAll(async () => {
  [az, peer] = await Promise.all([
    startAzurite(),
    EventHubsPeer.start({
      hubs: { flows: { partitionIds: ['0', '1', '2'] }, other: {} },
      now: () => Date.parse('2026-11-01T10:40:00Z'),
    }),
  ]);
  const write = (name: string, text: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const asim = [
    ...scan('203.0.113.70', 66, '2026-11-01T10:10:00Z'),
    session('198.51.100.9', 443, '2026-11-01T10:11:00Z'),
  ];
  files = [
    write('vpc-a.log', vpcCustom('203.0.113.50', 80, '2026-11-01T10:00:00Z')),
    write('vpc-b.log', vpcCustom('203.0.113.51', 55, '2026-11-01T10:02:00Z')),
    write('conn.log', zeekTsv('198.51.100.77', 60, '2026-11-01T10:05:00Z')),
    write('asim.jsonl', `${asim.map((r) => JSON.stringify(r)).join('\n')}\n{"broken":\n`),
    write(
      'envelope.json',
      JSON.stringify({ records: scan('203.0.113.80', 52, '2026-11-01T10:20:00Z') }, null, 2),
    ),
    write(
      'asim.jsonl.gz',
      gzipSync(
        scan('203.0.113.90', 58, '2026-11-01T10:25:00Z')
          .map((r) => JSON.stringify(r))
          .join('\n'),
      ),
    ),
    join(FIXTURES, 'paloalto-cef', 'traffic-syslog.log'),
    join(FIXTURES, 'aws-vpc-flow', 'cloudwatch-subscription.json'),
    write('tail.jsonl', JSON.stringify(session('198.51.100.250', 443, '2026-11-01T12:00:00Z'))),
  ];
});

afterAll(async () => {
  await Promise.all([az?.stop(), peer?.stop()]);
});

const env = () => ({ EventHubConnection: peer.connectionString() });
const send = (args: string[], options: Parameters<typeof runPortscan>[1] = {}) =>
  runPortscan(['send', ...args], { env: env(), ...options, io: { hubRetry: FAST_RETRY, ...options.io } });

/** Rows the function makes of messages: each message decoded alone, as `ingest` does. */
function rowsOfMessages(events: readonly ReceivedEvent[]): NetworkSession[] {
  const rows: NetworkSession[] = [];
  for (const e of events) {
    const normalizer = new Normalizer(SOURCE_DECODERS, { format: 'auto', maxDeadLetters: 0 }, (s) =>
      rows.push(s),
    );
    decodeText(e.body.toString('utf8'), normalizer, {
      input: `partition ${e.partitionId}`,
      fallbackTimeMs: e.enqueuedTimeUtc.getTime(),
      referenceTimeMs: e.enqueuedTimeUtc.getTime(),
      maxDocumentChars: 4 * 1024 * 1024,
    });
  }
  return rows;
}

const sortedJson = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('CLI: portscan send', () => {
  it('frames every input kind within the size limit, and the messages decode to the rows of the files', async () => {
    const before = peer.received('flows').length;

    const run = await send(['--hub', 'flows', '--max-message-bytes', '2048', ...files]);

    expect(run.status).toBe(0);
    const events = peer.received('flows').slice(before);
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) expect(e.body.length).toBeLessThanOrEqual(2048);
    // Text stays text; JSON records travel in {"records":[…]} envelopes.
    const bodies = events.map((e) => e.body.toString('utf8'));
    expect(bodies.some((b) => b.startsWith('version srcaddr dstaddr'))).toBe(true);
    expect(bodies.some((b) => b.startsWith('#separator'))).toBe(true);
    expect(bodies.some((b) => b.startsWith('<14>') || /^\w{3} [ \d]\d /.test(b))).toBe(true);
    expect(bodies.filter((b) => b.startsWith('{')).every((b) => b.startsWith('{"records":['))).toBe(true);
    // Exactness: each message alone yields exactly the rows `normalize` reads from the files.
    const normalized = await runPortscan(['normalize', ...files]);
    const fileRows = normalized.stdout.trim().split('\n');
    expect(fileRows.length).toBeGreaterThan(370);
    expect(sortedJson(rowsOfMessages(events))).toEqual(
      fileRows.map((l) => JSON.stringify(JSON.parse(l))).sort(),
    );
    expect(run.stderr).toMatch(/records not sent\s+3\n/);
    expect(run.stderr).toMatch(/\n {4}malformed JSON\s+1\n/);
    expect(run.stderr).toMatch(/\n {4}log event without a message\s+1\n/);
    expect(run.stderr).toMatch(/asim\.jsonl line 68: malformed JSON/);
    expect(run.stderr).toMatch(new RegExp(`messages sent\\s+${events.length}\\n`));
  });

  it('decodes through the ingest function to the same alerts as portscan detect', async () => {
    const before = peer.received('flows').length;
    // The vendor samples are of other days: the closer would walk a day of empty bins to reach them.
    const recent = files.filter((f) => !f.includes(FIXTURES));
    const detect = await runPortscan(['detect', ...recent]);
    const expected = detect.stdout
      .trim()
      .split('\n')
      .map((l) => AlertSchema.parse(JSON.parse(l)));
    expect(expected.map((a) => a.SrcIpAddr).sort()).toEqual([
      '198.51.100.77',
      '203.0.113.50',
      '203.0.113.51',
      '203.0.113.70',
      '203.0.113.80',
      '203.0.113.90',
    ]);

    const run = await send(['--hub', 'flows', '--max-message-bytes', '4096', ...recent]);
    expect(run.status).toBe(0);

    const h = new FunctionsHarness(azuriteSettings(az), az.connectionString(), '2026-11-01T10:41:00Z');
    const events = peer.received('flows').slice(before);
    for (const partition of ['0', '1', '2']) {
      const mine = events.filter((e) => e.partitionId === partition);
      // The trigger delivers batches of consecutive events of one partition.
      for (let i = 0; i < mine.length; i += 10) {
        const batch = mine.slice(i, i + 10);
        await h.ingest(
          partition,
          batch.map((e) => e.body.toString('utf8')),
          batch[0]?.sequenceNumber ?? 0,
          (batch[0]?.enqueuedTimeUtc ?? new Date()).toISOString(),
        );
      }
    }
    h.nowMs += 3 * 3600_000; // every partition quiet: the fastest one's progress closes the bins
    await h.closeBins();
    expect((await h.queuedAlerts()).map((a) => ({ ...a }))).toEqual(
      expected.sort((a, b) => (a.BinStart + a.SrcIpAddr < b.BinStart + b.SrcIpAddr ? -1 : 1)),
    );
  });

  it('packs files that share their header lines into one message, and repeats the header at its head', async () => {
    const before = peer.received('flows').length;

    const run = await send(['--hub', 'flows', files[0] as string, files[1] as string]);

    expect(run.status).toBe(0);
    const events = peer.received('flows').slice(before);
    expect(events).toHaveLength(1);
    const lines = events[0]?.body.toString('utf8').split('\n') ?? [];
    expect(lines.filter((l) => l.startsWith('version '))).toHaveLength(1);
    expect(lines).toHaveLength(1 + 80 + 55);
  });

  it('reports and skips a line longer than a message, and sends the lines beside it', async () => {
    const before = peer.received('flows').length;
    const long = `<134>Nov 01 10:00:00 host app: ${'x'.repeat(3000)}`;

    const run = await send(['--hub', 'flows', '--max-message-bytes', '2048', '-'], {
      stdin: `first line\n${long}\nlast line\n`,
    });

    expect(run.status).toBe(0);
    expect(
      peer
        .received('flows')
        .slice(before)
        .map((e) => e.body.toString()),
    ).toEqual(['first line\nlast line']);
    expect(run.stderr).toMatch(/record larger than a message\s+1/);
    expect(run.stderr).toMatch(/stdin line 2: record larger than a message \(2\.96 KB: <134>Nov 01/);
  });

  it('with --follow, sends a partly filled message after the flush interval, before stdin ends', async () => {
    const before = peer.received('flows').length;
    const stdin = new PassThrough();
    const running = send(['--hub', 'flows', '--follow', '--flush-interval', '0.1', '-'], { stdin });

    // The reader looks at the first 64 bytes (compression, encoding) before it gives lines: the
    // first write is longer than that, as tail's first lines are.
    stdin.write('<14>Nov 01 10:00:00 fw1 first line\n<14>Nov 01 10:00:01 fw1 second line\n');
    await waitFor(() => peer.received('flows').length > before);
    expect(
      peer
        .received('flows')
        .slice(before)
        .map((e) => e.body.toString()),
    ).toEqual(['<14>Nov 01 10:00:00 fw1 first line\n<14>Nov 01 10:00:01 fw1 second line']);
    stdin.write('<14>Nov 01 10:00:02 fw1 third\n');
    stdin.end();
    const run = await running;

    expect(run.status).toBe(0);
    expect(
      peer
        .received('flows')
        .slice(before)
        .map((e) => e.body.toString()),
    ).toHaveLength(2);
    expect(run.stderr).toMatch(/records sent\s+3/);
  });

  it('stops cleanly on an interrupt: what was read is sent', async () => {
    const before = peer.received('flows').length;
    const stdin = new PassThrough();
    let interrupt: (() => void) | undefined;
    const running = send(['--hub', 'flows', '--follow', '--flush-interval', '60', '-'], {
      stdin,
      io: {
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => undefined;
        },
      },
    });
    stdin.write('<14>Nov 01 10:00:00 fw1 read before the interrupt came\n<14>Nov 01 10:00:01 fw1 also\n');
    await waitFor(() => interrupt !== undefined);
    await new Promise((r) => setTimeout(r, 50));
    interrupt?.();
    const run = await running;

    expect(run.status).toBe(0);
    expect(
      peer
        .received('flows')
        .slice(before)
        .map((e) => e.body.toString()),
    ).toEqual(['<14>Nov 01 10:00:00 fw1 read before the interrupt came\n<14>Nov 01 10:00:01 fw1 also']);
    expect(run.stderr).toMatch(/stopped by an interrupt/);
  });

  it('retries throttling (server busy) and every message arrives once', async () => {
    const before = peer.received('flows').length;
    peer.injectFault({ operation: 'send', kind: 'server-busy', times: 2 });

    const run = await send(['--hub', 'flows', files[0] as string]);

    expect(run.status).toBe(0);
    expect(peer.transfers.slice(-3).map((t) => t.outcome)).toEqual([
      'com.microsoft:server-busy',
      'com.microsoft:server-busy',
      'accepted',
    ]);
    expect(peer.received('flows').slice(before)).toHaveLength(1);
  });

  it('fails clearly with status 1 when throttling outlasts the retries', async () => {
    peer.injectFault({ operation: 'send', kind: 'server-busy', times: 3 });

    const run = await send(['--hub', 'flows', files[0] as string]);

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /event hub "flows" in 127\.0\.0\.1: still throttled after 3 attempts: the namespace needs more throughput units/,
    );
  });

  it('fails clearly with status 1 when the hub does not exist', async () => {
    const run = await send(['--hub', 'nosuchhub', files[0] as string]);

    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'portscan: event hub "nosuchhub" in 127.0.0.1 does not exist: check --hub and --namespace\n',
    );
  });

  it.each([
    [['--hub', 'flows', '-'], {}, /--namespace is required \(or set EventHubConnection/],
    [['--namespace', 'ns', '-'], {}, /--hub is required/],
    [['--hub', 'flows', '--follow', 'a.log'], undefined, /--follow reads stdin only/],
    [['--hub', 'flows', '--flush-interval', '1', '-'], undefined, /--flush-interval applies to --follow/],
    [
      ['--hub', 'flows', '--max-message-bytes', '10', '-'],
      undefined,
      /--max-message-bytes "10": expected an integer/,
    ],
    [
      ['--hub', 'flows', '--max-message-bytes', '4000000', '-'],
      undefined,
      /the hub accepts messages of at most \d+ bytes/,
    ],
    [['--hub', 'flows', '--connection-string', 'x', '-'], undefined, /unknown option --connection-string/],
  ])('refuses bad usage with status 2: %j', async (args, envOverride, message) => {
    const run = await send(args, envOverride === undefined ? {} : { env: envOverride });

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  // Generous: the first run of a command loads its modules (the SDK, every decoder) on demand.
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
