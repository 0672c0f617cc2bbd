import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardedRunError, ShardPool } from '../../../lib/cli/ShardPool.js';
import { CLI_DEFAULTS, resolveDetectionSettings } from '../../../lib/config/detectionSettings.js';
import { StreamingDetector } from '../../../lib/detection/StreamingDetector.js';
import { FastLinePath } from '../../../lib/fastpath/FastLinePath.js';
import type { Alert } from '../../../lib/schema/Alert.js';
import { Normalizer } from '../../../lib/sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../../../lib/sources/pipeline/registry.js';
import { Random } from '../../support/random.js';

const SEED = 20261205;
const T0 = Date.parse('2026-11-02T08:00:00Z');
const REFERENCE_MS = Date.parse('2026-11-29T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const VPC_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const VPC_SWAPPED =
  'version account-id interface-id dstaddr srcaddr dstport srcport protocol packets bytes start end action log-status';

/**
 * One input of a seeded mix: fast-path lines and their near misses, other sources, header lines
 * that change the stream's layout (also from inside a multi-line document, which no replay of
 * lines reproduces), multi-line documents (closed, and cut by a bad line), bad lines; event times
 * out of order by up to two hours, so rows are late, beyond retention and bins close mid-input,
 * from many sources, a few of them scanning.
 */
function inputOf(seed: number, lines: number, startMs: number, isReplayable = true): string[] {
  const random = new Random(seed);
  const pick = (k: number) => random.int(0, k - 1);
  const out: string[] = [];
  for (let n = 0; n < lines; n++) {
    const jitter = pick(20) === 0 ? -pick(7_200_000) : pick(3) === 0 ? -pick(600_000) : pick(60_000);
    const t = startMs + n * 1500 + jitter;
    const scanner = pick(5) === 0;
    const src = scanner
      ? `198.51.100.${pick(3)}`
      : pick(10) < 7
        ? `203.0.${pick(60)}.${pick(250)}`
        : `10.1.${pick(200)}.${pick(250)}`;
    const port = scanner ? 1 + pick(300) : [22, 80, 443][pick(3)];
    const x = pick(100);
    if (x < 35)
      out.push(
        `{"TimeGenerated":"${iso(t)}","EventStartTime":"${iso(t - 5000)}","EventCount":${1 + pick(3)},"EventVendor":"Palo Alto","EventProduct":"PanOS","EventSchema":"NetworkSession","SrcIpAddr":"${src}","DstIpAddr":"10.0.0.${pick(9)}","DstPortNumber":${port},"DvcAction":"${['Allow', 'Deny'][pick(2)]}","Type":"ASimNetworkSessionLogs"}`,
      );
    else if (x < 70)
      out.push(
        `2 123456789010 eni-0a1b2c3d4e5f67890 ${src} 10.0.1.10 51766 ${port} ${['6', '17', '84'][pick(3)]} 3 180 ${Math.floor(t / 1000)} ${Math.floor(t / 1000) + 60} ${['ACCEPT', 'REJECT'][pick(2)]} OK`,
      );
    else if (x < 78)
      out.push(
        `<14>1 ${iso(t)} pa-edge-01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.2.8|end|TRAFFIC|1|rt=Nov 02 2026 08:00:08 GMT src=${src} dst=10.0.20.20 spt=39636 dpt=${port} proto=tcp act=allow`,
      );
    else if (x < 80) out.push(VPC_HEADER);
    else if (x < 82) out.push(VPC_SWAPPED);
    else if (x < 84) {
      // A multi-line envelope, closed; one in three holds a line that breaks it (taken again line by line).
      out.push('{"records": [');
      for (let r = pick(6); r >= 0; r--)
        out.push(
          `{"TimeGenerated":"${iso(t)}","EventVendor":"V","EventProduct":"P","SrcIpAddr":"${src}","DstPortNumber":${1 + pick(300)}},`,
        );
      if (pick(3) === 0)
        out.push(`2 123456789010 eni-0a1b2c3d4e5f67890 ${src} 10.0.1.10 51766 ${port} 6 3 180 1 2 ACCEPT OK`);
      out.push(
        `{"TimeGenerated":"${iso(t)}","EventVendor":"V","EventProduct":"P","SrcIpAddr":"${src}","DstPortNumber":${port}}`,
        ']}',
      );
    } else if (x < 85) out.push(']}');
    else if (x < 86 && !isReplayable)
      // A header inside a document: no line of its own reproduces the state.
      out.push(
        '[',
        `"${[VPC_HEADER, VPC_SWAPPED][pick(2)]}",`,
        `"2 123456789010 eni-0a1b2c3d ${src} 10.0.1.10 1 ${port} 6 3 180 ${Math.floor(t / 1000)} ${Math.floor(t / 1000) + 60} ACCEPT OK"`,
        ']',
      );
    else if (x < 89)
      out.push(
        '{',
        `  "TimeGenerated": "${iso(t)}", "EventVendor": "V", "EventProduct": "P",`,
        `  "SrcIpAddr": "${src}", "DstPortNumber": ${port}`,
        '}',
      );
    else if (x < 91) out.push(`{"TimeGenerated":"${iso(t)}","EventVendor":"X","SrcIpAddr":"${src}",`, '}');
    else if (x < 93)
      out.push(
        `{"TimeGenerated":"not a time","EventVendor":"X","EventProduct":"Y","SrcIpAddr":"${src}","DstPortNumber":1}`,
      );
    else if (x < 95) out.push('');
    else if (x < 97)
      out.push(
        `{"TimeGenerated":"${iso(t)}","EventVendor":"X","EventProduct":"Y","SrcIpAddr":"${src}","DstPortNumber":${port}}\r`,
      );
    else out.push('not a record at all: café');
  }
  // Some inputs end inside a document, which the end of the input takes again line by line.
  if (seed % 2 === 0) out.push('{"records": [', `{"TimeGenerated":"${iso(startMs)}","EventVendor":"V",`);
  return out;
}

interface Outcome {
  readonly alerts: Alert[];
  readonly counts: unknown;
  readonly deadLetters: unknown;
  readonly drops: unknown;
  readonly rowsCounted: number;
  readonly beyondRetention: number;
}

/** Every dead letter is kept, so that their order is compared whole. */
const DEAD_LETTERS = 1_000_000;
const FLAGS = { '--threshold': '8', '--retention-hours': '1', '--lateness-minutes': '0' };
const settings = resolveDetectionSettings({}, FLAGS, CLI_DEFAULTS);
const description = (input: string) => ({
  input,
  fallbackTimeMs: undefined,
  referenceTimeMs: REFERENCE_MS,
  maxDocumentChars: 1 << 20,
});
const plain = (counts: Normalizer['counts']) =>
  JSON.parse(JSON.stringify(counts, (_, v) => (v instanceof Map ? [...v] : v)));

/** One thread: the CLI's single-thread engine over the inputs. */
/**
 * A chunk is `size` lines, given as text or as UTF-8 bytes (which move to a worker and come back
 * for another attempt), and `step` says whether this thread rejects an item after it (a line over
 * the size limit).
 */
interface Cut {
  readonly size: number;
  readonly step: boolean;
  readonly bytes: boolean;
}

/** What the CLI's thread does itself between chunks: rejects a line over the size limit. */
const rejectAfter = (normalizer: Normalizer, input: string, line: number) =>
  normalizer.reject('line over the size limit', 'over the limit', { input, line });

function oneThread(inputs: readonly string[][], cuts: readonly Cut[]): Outcome {
  const alerts: Alert[] = [];
  const detector = new StreamingDetector(settings, (a) => alerts.push(a));
  const normalizer = new Normalizer(SOURCE_DECODERS, { format: 'auto', maxDeadLetters: DEAD_LETTERS }, (s) =>
    detector.add(s),
  );
  const path = new FastLinePath(SOURCE_DECODERS, normalizer.maxFieldChars);
  let c = 0;
  for (const [k, lines] of inputs.entries()) {
    const input = path.open(normalizer, description(`in-${k}`));
    for (let at = 0; at < lines.length; ) {
      const { size, step } = cuts[c++ % cuts.length] as Cut;
      for (let i = at; i < Math.min(at + size, lines.length); i++) input.line(lines[i] as string, i + 1);
      at += size;
      if (step) rejectAfter(normalizer, `in-${k}`, at);
    }
    input.end();
  }
  detector.finish();
  return {
    alerts,
    counts: plain(normalizer.counts),
    deadLetters: normalizer.deadLetters,
    drops: [...detector.router.drops],
    rowsCounted: detector.counts.rowsCounted,
    beyondRetention: detector.counts.beyondRetention,
  };
}

/** The same inputs through `threads` shards, cut into chunks of the given sizes (cycled). */
async function sharded(inputs: readonly string[][], threads: number, cuts: readonly Cut[]): Promise<Outcome> {
  const alerts: Alert[] = [];
  const normalizer = new Normalizer(SOURCE_DECODERS, { format: 'auto', maxDeadLetters: DEAD_LETTERS }, () => {
    throw new Error('the main thread decodes nothing');
  });
  const pool = new ShardPool({
    threads,
    env: {},
    flags: FLAGS,
    maxDocumentChars: 1 << 20,
    maxDeadLetters: DEAD_LETTERS,
    maxOpenWindows: Number.POSITIVE_INFINITY,
    normalizer,
    onAlert: (a) => alerts.push(a),
    depth: 6,
    depthBytes: 1 << 20,
  });
  try {
    let c = 0;
    for (const [k, lines] of inputs.entries()) {
      pool.openInput(`in-${k}`, REFERENCE_MS);
      for (let at = 0; at < lines.length; ) {
        const { size, step, bytes } = cuts[c++ % cuts.length] as Cut;
        const count = Math.min(size, lines.length - at);
        const chunk = lines.slice(at, at + size);
        if (bytes)
          // A buffer of their own, as the pool requires (Buffer.from may give a slice of a shared one).
          await pool.bytes({
            bytes: new TextEncoder().encode(`${chunk.join('\n')}\n`),
            firstLineNumber: at + 1,
            lineCount: count,
          });
        else
          await pool.lines(
            chunk,
            Array.from({ length: count }, (_, i) => at + i + 1),
          );
        at += size;
        if (step) await pool.inOrder(() => rejectAfter(normalizer, `in-${k}`, at));
      }
      await pool.endInput();
    }
    const done = await pool.finish();
    return {
      alerts,
      counts: plain(normalizer.counts),
      deadLetters: normalizer.deadLetters,
      drops: [...done.drops],
      rowsCounted: done.rowsCounted,
      beyondRetention: done.beyondRetention,
    };
  } finally {
    await pool.close();
  }
}

describe('ShardPool', () => {
  it.each([2, 3])(
    'gives what one thread gives, with %i shards, however the inputs are cut',
    async (threads) => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.array(
            fc.record({ size: fc.integer({ min: 1, max: 400 }), step: fc.boolean(), bytes: fc.boolean() }),
            {
              minLength: 1,
              maxLength: 8,
            },
          ),
          async (seed, cuts) => {
            const inputs = [
              inputOf(seed, 1500, T0),
              inputOf(seed + 1, 300, T0 + 1_200_000, false),
              inputOf(seed + 2, 1200, T0 + 1_800_000),
            ];
            const expected = oneThread(inputs, cuts);
            const actual = await sharded(inputs, threads, cuts);
            expect(actual.alerts.length).toBeGreaterThan(0);
            expect(expected.beyondRetention).toBeGreaterThan(0);
            expect(expected.alerts.some((a) => a.IsLate)).toBe(true);
            expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
          },
        ),
        { seed: SEED + threads, numRuns: 3 },
      );
    },
    120_000,
  );

  it('fails the run when a worker thread fails', async () => {
    const normalizer = new Normalizer(SOURCE_DECODERS, { format: 'auto', maxDeadLetters: 20 }, () => {});
    // The workers resolve the settings again; a value the main thread would refuse makes them throw.
    const pool = new ShardPool({
      threads: 2,
      env: {},
      flags: { '--threshold': 'many' },
      maxDocumentChars: 1 << 20,
      maxDeadLetters: 20,
      maxOpenWindows: Number.POSITIVE_INFINITY,
      normalizer,
      onAlert: () => {},
      depth: 2,
      depthBytes: 1 << 20,
    });
    try {
      pool.openInput('in', REFERENCE_MS);
      const run = async () => {
        await pool.lines(
          inputOf(1, 50, T0),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        await pool.endInput();
        await pool.finish();
      };
      const failure = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ShardedRunError);
      expect(String(failure)).toMatch(/a worker thread failed: [\s\S]*--threshold/);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
