import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUNCTION_DEFAULTS } from '../../../lib/config/detectionSettings.js';
import { FUNCTION_LIMITS } from '../../../lib/config/limits.js';
import { ingestBatch } from '../../../lib/detection/ingestBatch.js';
import { RowRouter } from '../../../lib/detection/RowRouter.js';
import { StreamingDetector } from '../../../lib/detection/StreamingDetector.js';
import { type FastInput, FastLinePath, scanFlatObject } from '../../../lib/fastpath/FastLinePath.js';
import type { Alert } from '../../../lib/schema/Alert.js';
import { type InputDescription, openInput } from '../../../lib/sources/pipeline/decodeInput.js';
import { isCanonicalIso, isoFromDateString } from '../../../lib/sources/pipeline/fields.js';
import { Normalizer } from '../../../lib/sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../../../lib/sources/pipeline/registry.js';
import type { SourceDecoder } from '../../../lib/sources/pipeline/types.js';
import { InMemoryDeadLetterStore } from '../../../lib/state/InMemoryDeadLetterStore.js';
import { InMemoryWindowStore } from '../../../lib/state/InMemoryWindowStore.js';
import type { ApplyCounts, BatchGroup } from '../../../lib/state/WindowStore.js';
import { encodeState } from '../../../lib/window/stateCodec.js';
import { emptyState } from '../../../lib/window/WindowState.js';
import { CollectingLogger } from '../../support/memoryFunctions.js';
import { testSettings } from '../../support/settings.js';

const SEED = 20261129;
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

/** Everything detect reports for a stream of lines: rows as the rule counts them, every count, every dead letter, the alerts. */
function outcome(
  lines: readonly string[],
  fast: boolean,
  decoders: readonly SourceDecoder[] = SOURCE_DECODERS,
) {
  const settings = testSettings({ PORTSCAN_THRESHOLD: '2' });
  const router = new RowRouter(settings);
  const rows: unknown[] = [];
  const alerts: Alert[] = [];
  const detector = new StreamingDetector(settings, (a) => alerts.push(a));
  const normalizer = new Normalizer(decoders, { format: 'auto', maxDeadLetters: 1000 }, (s) => {
    rows.push(router.route(s) ?? null);
    detector.add(s);
  });
  const description = {
    input: 'x',
    fallbackTimeMs: undefined,
    referenceTimeMs: Date.parse('2026-11-29T00:00:00Z'),
    maxDocumentChars: 1 << 20,
  };
  const splitter = fast
    ? new FastLinePath(decoders, normalizer.maxFieldChars).open(normalizer, description)
    : openInput(normalizer, description);
  lines.forEach((line, i) => {
    splitter.line(line, i + 1);
  });
  splitter.end();
  detector.finish();
  const c = normalizer.counts;
  return {
    rows,
    drops: Object.fromEntries(router.drops),
    itemsRead: c.itemsRead,
    recordsNormalized: c.recordsNormalized,
    skipped: Object.fromEntries(c.skipped),
    invalid: Object.fromEntries(c.invalid),
    bySource: Object.fromEntries(c.bySource),
    deadLetters: normalizer.deadLetters,
    alerts,
    detector: detector.counts,
  };
}

/** How many lines the fast path took. */
function taken(lines: readonly string[]): number {
  const normalizer = new Normalizer(SOURCE_DECODERS, { format: 'auto', maxDeadLetters: 0 }, () => undefined);
  const path = new FastLinePath(SOURCE_DECODERS, normalizer.maxFieldChars);
  const input = path.open(normalizer, {
    input: 'x',
    fallbackTimeMs: undefined,
    referenceTimeMs: 0,
    maxDocumentChars: 1 << 20,
  });
  lines.forEach((line, i) => {
    input.line(line, i + 1);
  });
  return input.linesTaken;
}

// Values chosen to sit on every edge the decoders care about.
const times = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .date({
        min: new Date('0900-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2026-11-02T08:00:00.000Z',
      '2026-11-02T08:04:59.999Z',
      '2026-11-02T08:05:00Z',
      '2026-11-02 08:05:00.123',
      '2026-11-02T08:05:00.1234567Z',
      '2026-11-02T10:05:00+02:00',
      '2026-11-02t08:05:00.000z',
      '2026-11-02T08:05:00.000z',
      '2023-02-29T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-12-31T23:59:60.000Z',
      '2026-13-01T00:00:00.000Z',
      '0050-01-01T00:00:00.000Z',
      '0999-06-01T00:00:00.000Z',
      '1000-01-01T00:00:00.000Z',
      ' 2026-11-02T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z ',
      '2026-11-02T24:00:00.000Z',
      '',
      'yesterday',
      '1793606408',
    ),
  },
);
const jsonValue = (core: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 20, arbitrary: core },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -0, 1.5, 1e21, -1, '', '  ', 'x y') },
  );
const address = fc.oneof(
  fc.ipV4(),
  fc.constantFrom(
    '10.1.2.3',
    '192.168.0.1',
    '172.16.5.4',
    '127.0.0.1',
    '169.254.1.1',
    '01.2.3.4',
    '1.2.3',
    '256.1.1.1',
    '::1',
    '2001:db8::1',
    '::ffff:203.0.113.9',
    'fe80::1%eth0',
    ' 203.0.113.9 ',
    'not-an-ip',
  ),
);
const port = fc.oneof(
  fc.integer({ min: 0, max: 65535 }),
  fc.constantFrom('443', '+80', '443.0', ' 22 ', '-0', '70000', 70000, -1, 44.5, '0x50', 'http'),
);
const asimKeys = {
  TimeGenerated: jsonValue(times),
  EventStartTime: jsonValue(times),
  EventCount: jsonValue(
    fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('3', '2.0', 'x', 1e3, 2.5)),
  ),
  EventVendor: jsonValue(fc.constantFrom('Palo Alto', 'Microsoft', ' AWS ', 'Fortinet')),
  EventProduct: jsonValue(fc.constantFrom('PanOS', 'Azure Firewall', 'VPC', ' NSGFlow')),
  EventSchema: jsonValue(fc.constantFrom('NetworkSession', 'Dns', ' NetworkSession ')),
  EventResult: jsonValue(fc.constantFrom('Success', 'Failure', 'Bogus', ' Success ', 'success')),
  DvcAction: jsonValue(fc.constantFrom('Allow', 'Deny', ' Allow ', 'allow', 'Drop ICMP', 'Bogus')),
  SrcIpAddr: jsonValue(address),
  DstIpAddr: jsonValue(address),
  DstPortNumber: jsonValue(port),
  SrcPortNumber: jsonValue(port),
  NetworkProtocol: jsonValue(fc.constantFrom('TCP', 'UDP')),
  Dvc: jsonValue(fc.constantFrom('fw-1', ' fw-2 ', '', 'x'.repeat(5000))),
  DvcHostname: jsonValue(fc.constantFrom('fw-1.example', '  ')),
  DvcIpAddr: jsonValue(fc.constantFrom('192.0.2.1', '')),
  DvcId: jsonValue(
    fc.constantFrom(
      '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/FW-WITH-A-LONG-NAME',
      'id-7',
    ),
  ),
  Type: jsonValue(
    fc.constantFrom(
      'ASimNetworkSessionLogs',
      'ASimNetworkSessionLogs',
      'ASimNetworkSessionLogs',
      'CommonSecurityLog',
      'AWSVPCFlow',
    ),
  ),
  records: fc.constantFrom('none', 1),
  category: fc.constantFrom('NetworkSecurityGroupFlowEvent'),
};

/** An ASIM-like JSON line: random subset and order of keys, odd values, blanks, escapes, duplicates. */
const asimLine = fc
  .tuple(
    fc.record(asimKeys, {
      requiredKeys: ['TimeGenerated', 'EventVendor', 'EventProduct', 'SrcIpAddr', 'DstPortNumber'],
    }),
    fc.record(asimKeys, { requiredKeys: [] }),
    fc.integer({ min: 0, max: 7 }),
    fc.constantFrom('', ' ', '\t', ' \r '),
  )
  .map(([base, extra, style, blank]) => {
    const drop = style === 1 ? ['records', 'category', 'Type'] : [];
    const entries = Object.entries(base).filter(([k]) => !drop.includes(k) && (style > 2 || k !== 'records'));
    const pairs = entries.map(([k, v]) => `${JSON.stringify(k)}:${blank}${JSON.stringify(v)}`);
    if (style === 4) pairs.push(...Object.entries(extra).map(([k, v]) => `"${k}":${JSON.stringify(v)}`));
    if (style === 5) pairs.push('"Nested":{"a":1}');
    if (style === 6) pairs.push('"Escaped":"a\\"b"');
    if (style === 7) pairs.push('"Event\\u0056endor":"Escaped Vendor"');
    return `{${pairs.join(`,${blank}`)}}`;
  });

/** A default-format VPC record with odd fields. */
const vpcLine = fc
  .record({
    account: fc.constantFrom(
      '123456789010',
      '123456789010',
      '123456789010',
      '123456789010',
      '12345678901',
      'abcdefghijkl',
    ),
    eni: fc.constantFrom('eni-0a1b2c3d', 'eni-0a1b2c3d', 'eni-0a1b2c3d', 'eni-0a1b2c3d', 'eni-', 'ENI-1'),
    src: fc.oneof(
      address.filter((a) => !a.includes(' ') && !a.includes('%')),
      fc.constant('-'),
    ),
    dst: fc.oneof(fc.ipV4(), fc.constant('-')),
    sport: fc.oneof(fc.integer({ min: 0, max: 65535 }).map(String), fc.constantFrom('-', '70000', '+5')),
    dport: fc.oneof(
      fc.integer({ min: 0, max: 65535 }).map(String),
      fc.constantFrom('-', '65536', '+5', '007'),
    ),
    proto: fc.constantFrom('6', '6', '6', '6', '6', '17', '1', '84', '0', '255', '256', '06', '-', 'tcp'),
    start: fc.oneof(
      fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }).map(String),
      fc.constantFrom('-', '0', '99999999999', '999999999999', '1.5', '1793606408'),
    ),
    end: fc.oneof(
      fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }).map(String),
      fc.constantFrom('-', 'x'),
    ),
    action: fc.constantFrom('ACCEPT', 'REJECT', '-'),
    status: fc.constantFrom('OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'NODATA', 'SKIPDATA', 'ok'),
    gap: fc.constantFrom(' ', ' ', ' ', '  '),
    lead: fc.constantFrom('', '', '', '', '', '', ' ', '\t'),
  })
  .map(
    (r) =>
      `${r.lead}2 ${r.account} ${r.eni} ${r.src}${r.gap}${r.dst} ${r.sport} ${r.dport} ${r.proto} 3 180 ${r.start} ${r.end} ${r.action} ${r.status}`,
  );

/** Lines of the two shapes as real exports write them, with random values. */
const wellFormed = fc.oneof(
  fc
    .record({
      t: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-01-01') }),
      lag: fc.integer({ min: 0, max: 60_000 }),
      vendor: fc.constantFrom('Palo Alto', 'Fortinet', 'Microsoft'),
      src: fc.oneof(fc.ipV4(), fc.ipV6()),
      port: fc.integer({ min: 0, max: 65535 }),
      count: fc.integer({ min: 1, max: 9 }),
    })
    .map(
      (r) =>
        `{"TimeGenerated":"${new Date(r.t).toISOString()}","EventStartTime":"${new Date(r.t - r.lag).toISOString()}","EventCount":${r.count},"EventVendor":"${r.vendor}","EventProduct":"X","EventSchema":"NetworkSession","SrcIpAddr":"${r.src}","DstIpAddr":"10.0.0.1","DstPortNumber":${r.port},"Type":"ASimNetworkSessionLogs"}`,
    ),
  fc
    .record({
      src: fc.ipV4(),
      port: fc.integer({ min: 0, max: 65535 }),
      proto: fc.constantFrom('6', '17', '84', '1'),
      start: fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }),
    })
    .map(
      (r) =>
        `2 123456789010 eni-0a1b2c3d4e5f67890 ${r.src} 10.0.1.10 51766 ${r.port} ${r.proto} 12 7440 ${r.start} ${r.start + 60} ACCEPT OK`,
    ),
);

/** Mutates a line: a character inserted, removed or replaced, or the line cut. */
const mutated = (line: fc.Arbitrary<string>) =>
  fc
    .tuple(
      line,
      fc.nat(),
      fc.constantFrom('insert', 'remove', 'replace', 'cut'),
      fc.constantFrom(
        '"',
        '\\',
        '{',
        '}',
        ',',
        ':',
        ' ',
        '-',
        '\u0000',
        '\ufeff',
        'é',
        '\r',
        '1',
        'x',
        '[',
        '\t',
      ),
    )
    .map(([text, at, op, ch]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      if (op === 'insert') return text.slice(0, i) + ch + text.slice(i);
      if (op === 'remove') return text.slice(0, i) + text.slice(i + 1);
      if (op === 'replace') return text.slice(0, i) + ch + text.slice(i + 1);
      return text.slice(0, i);
    });

/** Lines that change the stream's state or belong to other decoders. */
const otherLines = fc.constantFrom(
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  'version account-id interface-id dstaddr srcaddr dstport srcport protocol packets bytes start end action log-status',
  'srcaddr dstaddr srcport dstport start end',
  '#separator \\x09',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#close\t2026-11-02-08-00-00',
  '<14>1 2026-11-02T08:00:08.000Z pa-edge-01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.2.8|end|TRAFFIC|1|rt=Nov 02 2026 08:00:08 GMT src=198.51.100.7 dst=10.0.20.20 spt=39636 dpt=22 proto=tcp act=allow',
  '{"records": [',
  '{"a":',
  ']}',
  '}',
  '',
  '   ',
  '[{"EventVendor":"X","EventProduct":"Y","SrcIpAddr":"203.0.113.5","DstPortNumber":1,"TimeGenerated":"2026-11-02T08:00:00.000Z"}]',
);

const anyLine = fc.oneof(
  { weight: 4, arbitrary: asimLine },
  { weight: 4, arbitrary: vpcLine },
  { weight: 3, arbitrary: mutated(asimLine) },
  { weight: 3, arbitrary: mutated(vpcLine) },
  { weight: 2, arbitrary: otherLines },
);

describe('FastLinePath: differential against the full decoder', () => {
  it('gives every row, count, dead letter and alert the full decoder gives, for single lines', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        expect(outcome([line], true)).toEqual(outcome([line], false));
      }),
      { seed: SEED, numRuns: RUNS * 4 },
    );
  });

  it('gives the same results over streams mixing headers, multi-line documents and hostile lines', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 40 }), (lines) => {
        expect(outcome(lines, true)).toEqual(outcome(lines, false));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('takes the lines it is for, so the equality above is not vacuous', () => {
    const good = [
      '{"TimeGenerated":"2026-11-02T08:00:00.005Z","EventStartTime":"2026-11-02T07:59:40.000Z","EventCount":1,"EventVendor":"Palo Alto","EventProduct":"PanOS","EventSchema":"NetworkSession","SrcIpAddr":"198.51.100.7","DstPortNumber":443,"Type":"ASimNetworkSessionLogs"}',
      '2 123456789010 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.10 51766 443 6 12 7440 1793606408 1793606466 ACCEPT OK',
      '2 123456789010 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.10 51766 443 84 12 7440 1793606408 1793606466 ACCEPT OK',
    ];
    expect(taken(good)).toBe(3);
    // After a default-format header the records still go fast; after a custom one they do not.
    expect(taken([otherLinesList[0] as string, good[1] as string])).toBe(1);
    expect(taken([otherLinesList[1] as string, good[1] as string])).toBe(0);
    // Inside a multi-line document nothing goes fast.
    expect(taken(['{"records": [', good[0] as string, ']}'])).toBe(0);
    // Over the random lines of the properties above, a fair share goes fast.
    const sample = fc.sample(fc.oneof(asimLine, vpcLine), { seed: SEED, numRuns: 2000 });
    expect(taken(sample)).toBeGreaterThan(100);
    // Well-formed lines all go fast, with the full decoder's results.
    fc.assert(
      fc.property(fc.array(wellFormed, { minLength: 1, maxLength: 30 }), (lines) => {
        expect(taken(lines)).toBe(lines.length);
        expect(outcome(lines, true)).toEqual(outcome(lines, false));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('stands aside when a forced format or another registry order could route a line elsewhere', () => {
    const line =
      '2 123456789010 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.10 51766 443 6 12 7440 1793606408 1793606466 ACCEPT OK';
    const reordered = [...SOURCE_DECODERS].reverse();
    expect(outcome([line], true, reordered)).toEqual(outcome([line], false, reordered));
    const normalizer = new Normalizer(
      SOURCE_DECODERS,
      { format: 'aws-vpc-flow', maxDeadLetters: 0 },
      () => undefined,
    );
    expect(normalizer.isAuto).toBe(false);
  });
});

/** A window store that keeps every window written, encoded, in order. */
class RecordingStore extends InMemoryWindowStore {
  readonly written: [string, string, number, string][] = [];
  override async applyWindows(partition: string, groups: Iterable<BatchGroup>): Promise<ApplyCounts> {
    const list = [...groups];
    for (const g of list) {
      const state = encodeState(g.accumulator.applyTo(emptyState(), partition));
      this.written.push([partition, g.source, g.binStartMs, Buffer.from(state).toString('base64')]);
    }
    return super.applyWindows(partition, list);
  }
}

/** The function's fast path, counting the lines it took. */
class CountingFastLinePath extends FastLinePath {
  readonly inputs: FastInput[] = [];
  override open(normalizer: Normalizer, description: InputDescription): FastInput {
    const input = super.open(normalizer, description);
    this.inputs.push(input);
    return input;
  }
  get linesTaken(): number {
    return this.inputs.reduce((n, i) => n + i.linesTaken, 0);
  }
}

/**
 * Everything one Event Hub batch does in `ingestBatch` (the function's use case, in-memory
 * ports): every window written, the progress, the summary, the dead letters and every log line.
 */
async function ingestOutcome(bodies: readonly (string | Uint8Array)[], fastPath: FastLinePath | undefined) {
  const store = new RecordingStore();
  const deadLetters = new InMemoryDeadLetterStore(1000);
  const logger = new CollectingLogger();
  const nowMs = Date.parse('2026-11-02T08:10:00Z');
  const summary = await ingestBatch(
    '2',
    bodies.map((body, i) => ({
      body,
      sequenceNumber: 100 + i,
      enqueuedTimeMs: nowMs - 1000 * (bodies.length - i),
    })),
    {
      store,
      settings: testSettings({ PORTSCAN_THRESHOLD: '2' }, FUNCTION_DEFAULTS),
      decoders: SOURCE_DECODERS,
      ...(fastPath === undefined ? {} : { fastPath }),
      logger,
      nowMs,
      limits: FUNCTION_LIMITS,
      deadLetters,
      instance: 'test',
    },
  );
  return {
    summary,
    written: store.written,
    progress: await store.readProgress(),
    deadLetters: deadLetters.samples,
    log: logger.lines,
  };
}

/** One message: lines joined by `\n` or `\r\n`, as text or as the bytes the trigger delivers. */
const message = (line: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\n', '\r\n'), fc.boolean())
    .map(([lines, eol, asBytes]) => {
      const text = lines.join(eol);
      return asBytes ? new TextEncoder().encode(text) : text;
    });

describe("FastLinePath: differential on the ingest function's path", () => {
  const fastPath = () => new CountingFastLinePath(SOURCE_DECODERS, FUNCTION_LIMITS.maxFieldChars);

  it('writes every window, progress, count, dead letter and log line the full decoders give', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message(anyLine), { minLength: 1, maxLength: 8 }), async (bodies) => {
        expect(await ingestOutcome(bodies, fastPath())).toEqual(await ingestOutcome(bodies, undefined));
      }),
      { seed: SEED, numRuns: RUNS / 2 },
    );
  });

  it('takes the well-formed lines of every message, so the equality above is not vacuous', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message(wellFormed), { minLength: 1, maxLength: 8 }), async (bodies) => {
        const path = fastPath();
        const fast = await ingestOutcome(bodies, path);
        expect(path.linesTaken).toBe(fast.summary.recordsRead);
        expect(fast).toEqual(await ingestOutcome(bodies, undefined));
      }),
      { seed: SEED, numRuns: RUNS / 4 },
    );
  });

  it("reads every line in full when the normalizer's field limit is not the one it was built for", async () => {
    const line =
      '2 123456789010 eni-0a1b2c3d4e5f67890 198.51.100.7 10.0.1.10 51766 443 6 12 7440 1793606408 1793606466 ACCEPT OK';
    const path = new CountingFastLinePath(SOURCE_DECODERS, FUNCTION_LIMITS.maxFieldChars + 1);
    const fast = await ingestOutcome([line], path);
    expect([path.linesTaken, fast.summary.rowsCounted]).toEqual([0, 1]);
  });
});

const otherLinesList = [
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  'version account-id interface-id dstaddr srcaddr dstport srcport protocol packets bytes start end action log-status',
];

/** What `isoFromDateString` computes for a `yyyy-MM-ddTHH:mm:ss.SSSZ` string without its canonical shortcut. */
function longWay(text: string): string | undefined {
  const [y, mo, d, h, mi, s, ms] = [0, 5, 8, 11, 14, 17, 20].map((at, i) =>
    Number(text.slice(at, at + (i === 0 ? 4 : i === 6 ? 3 : 2))),
  );
  const t = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms);
  return Number.isFinite(t) && t >= -62_167_219_200_000 && t <= 253_402_300_799_999
    ? new Date(t).toISOString()
    : undefined;
}

describe('FastLinePath: parts', () => {
  it('reads a canonical time as isoFromDateString does', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          times.filter((t): t is string => typeof t === 'string'),
          fc
            .tuple(
              fc.integer({ min: 0, max: 9999 }),
              fc.integer({ min: 0, max: 13 }),
              fc.integer({ min: 0, max: 32 }),
              fc.integer({ min: 0, max: 24 }),
              fc.integer({ min: 0, max: 60 }),
              fc.integer({ min: 0, max: 61 }),
            )
            .map(([y, mo, d, h, mi, s]) => {
              const p = (n: number, w = 2) => String(n).padStart(w, '0');
              return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}.${p(y % 1000, 3)}Z`;
            }),
        ),
        (text) => {
          if (isCanonicalIso(text)) {
            expect(isoFromDateString(text)).toBe(text);
            expect(longWay(text)).toBe(text);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 5 },
    );
  });

  it('reads a flat object as JSON.parse does, and declines anything else', () => {
    fc.assert(
      fc.property(fc.oneof(asimLine, mutated(asimLine), fc.json()), (line) => {
        const scanned = scanFlatObject(line);
        if (scanned === undefined) return;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        for (const key of [
          'Type',
          'EventVendor',
          'EventProduct',
          'EventSchema',
          'TimeGenerated',
          'EventStartTime',
        ] as const)
          expect(scanned[key]).toEqual(parsed[key]);
        expect(Object.is(scanned.DstPortNumber, parsed.DstPortNumber)).toBe(true);
        expect(scanned.hasRecords).toBe('records' in parsed);
        expect(scanned.hasSrc).toBe('SrcIpAddr' in parsed);
      }),
      { seed: SEED, numRuns: RUNS * 4 },
    );
  });
});
