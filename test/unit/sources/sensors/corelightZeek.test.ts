import { describe, expect, it } from 'vitest';
import type { DecodeContext, JsonObject } from '../../../../lib/sources/pipeline/types.js';
import { StreamState } from '../../../../lib/sources/pipeline/types.js';
import { corelightZeek } from '../../../../lib/sources/sensors/corelightZeek.js';
import { normalizeText } from '../../../support/golden.js';
import { expectLinearTime } from '../../../support/growth.js';
import { FOREIGN_LINES, FOREIGN_RECORDS } from '../../../support/sensorLookalikes.js';

const NAME = 'corelight-zeek';

function conn(overrides: JsonObject = {}): JsonObject {
  return {
    _path: 'conn',
    _system_name: 'cl-sensor-01',
    _write_ts: '2025-03-01T10:00:06.002134Z',
    ts: '2025-03-01T10:00:05.123456Z',
    uid: 'CHhAvVGS1DHFjwGM9',
    'id.orig_h': '198.51.100.23',
    'id.orig_p': 51234,
    'id.resp_h': '10.0.20.15',
    'id.resp_p': 8443,
    proto: 'tcp',
    conn_state: 'S0',
    local_orig: false,
    local_resp: true,
    ...overrides,
  };
}

function without(record: JsonObject, ...keys: string[]): JsonObject {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

function corelightRow(message: string, overrides: JsonObject = {}): JsonObject {
  return {
    TimeGenerated: '2025-03-01T10:00:36Z',
    Computer: 'collector01',
    Message: message,
    Type: 'Corelight_CL',
    ...overrides,
  };
}

function lines(...records: JsonObject[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n');
}

const HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2025-03-01-10-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tconn_state\tlocal_orig\tlocal_resp',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tstring\tbool\tbool',
];

function tsvRow(values: readonly string[]): string {
  return values.join('\t');
}

const GOOD_ROW = tsvRow([
  '1740823205.123456',
  'C1',
  '203.0.113.9',
  '40000',
  '10.0.20.15',
  '22',
  'tcp',
  '-',
  'S0',
  'F',
  'T',
]);

function context(): DecodeContext {
  return { fallbackTimeMs: undefined, referenceTimeMs: 0, stream: new StreamState() };
}

describe('Decoder: corelight-zeek', () => {
  describe('recognition', () => {
    it.each([
      ['a Corelight conn record with _path', conn()],
      ['a Corelight record of another log (claimed, then skipped)', conn({ _path: 'dns' })],
      ['a plain Zeek conn record without _path', without(conn(), '_path', '_system_name', '_write_ts')],
      ['a Corelight_CL row', corelightRow(JSON.stringify(conn()))],
      ['a Corelight_CL row exported without Type', without(corelightRow(JSON.stringify(conn())), 'Type')],
    ])('claims %s', (_label, record) => {
      expect(corelightZeek.matchJson?.(record)).toBe(true);
    });

    it.each(FOREIGN_RECORDS)('does not claim %s', (_label, record) => {
      expect(corelightZeek.matchJson?.(record)).toBe(false);
    });

    it.each([
      [
        'a Vectra isession record (Zeek keys plus metadata_type)',
        { ...without(conn(), '_path'), metadata_type: 'metadata_isession' },
      ],
      [
        'a VectraStream_CL row',
        { metadata_type_s: 'metadata_isession', id_orig_h_s: '1.2.3.4', Type: 'VectraStream_CL' },
      ],
      ['a row without Type whose Message is not Corelight JSON', { Message: 'plain text _path' }],
    ])('does not claim %s', (_label, record) => {
      expect(corelightZeek.matchJson?.(record as JsonObject)).toBe(false);
    });

    it.each(FOREIGN_LINES)('does not claim %s', (_label, line) => {
      expect(corelightZeek.matchText?.(line, context())).toBe(false);
    });

    it('claims Zeek header lines and, once a #fields header made the stream sticky, its data rows', () => {
      const ctx = context();
      expect(corelightZeek.matchText?.(GOOD_ROW, ctx)).toBe(false);
      const sink = { record: () => {}, skip: () => {}, invalid: () => {}, note: () => {} };
      for (const line of HEADER) {
        expect(corelightZeek.matchText?.(line, ctx)).toBe(true);
        corelightZeek.decodeText?.(line, sink, ctx);
      }
      expect(ctx.stream.stickySource).toBe(NAME);
      expect(corelightZeek.matchText?.(GOOD_ROW, ctx)).toBe(true);
    });

    it('routes raw JSON and Corelight_CL rows with and without Type to the decoder through the real normalizer', () => {
      const text = lines(
        conn(),
        corelightRow(JSON.stringify(conn())),
        without(corelightRow(JSON.stringify(conn())), 'Type'),
      );
      expect(normalizeText(text).sources).toEqual({ [NAME]: 3 });
    });

    it('routes a whole TSV log to the decoder through the real normalizer', () => {
      const result = normalizeText([...HEADER, GOOD_ROW, '#close\t2025-03-01-11-00-00'].join('\n'));
      expect(result.sources).toEqual({ [NAME]: 10 });
      expect(result.skipped).toEqual({ [`${NAME}: header line`]: 9 });
      expect(result.records).toHaveLength(1);
    });
  });

  describe('mapping', () => {
    it('maps a Corelight conn record field by field', () => {
      const { records } = normalizeText(lines(conn()));
      expect(records).toEqual([
        {
          TimeGenerated: '2025-03-01T10:00:05.123Z',
          EventStartTime: '2025-03-01T10:00:05.123Z',
          EventEndTime: '2025-03-01T10:00:06.002Z',
          EventCount: 1,
          EventVendor: 'Corelight',
          EventProduct: 'Zeek',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.4',
          EventType: 'Flow',
          EventResult: 'Success',
          EventOriginalUid: 'CHhAvVGS1DHFjwGM9',
          SrcIpAddr: '198.51.100.23',
          SrcPortNumber: 51234,
          DstIpAddr: '10.0.20.15',
          DstPortNumber: 8443,
          NetworkProtocol: 'TCP',
          NetworkDirection: 'Inbound',
          Dvc: 'cl-sensor-01',
        },
      ]);
    });

    it.each([
      [false, true, 'Inbound'],
      [true, false, 'Outbound'],
      [true, true, 'Local'],
      [false, false, 'Local'],
      ['T', 'F', 'Outbound'],
      ['false', 'true', 'Inbound'],
    ])('maps local_orig=%s, local_resp=%s to %s', (localOrig, localResp, direction) => {
      const { records } = normalizeText(lines(conn({ local_orig: localOrig, local_resp: localResp })));
      expect(records[0]?.NetworkDirection).toBe(direction);
    });

    it('leaves the direction empty when a locality flag is missing (Site::local_nets unset)', () => {
      const { records } = normalizeText(lines(without(conn(), 'local_resp')));
      expect(records).toHaveLength(1);
      expect(records[0]).not.toHaveProperty('NetworkDirection');
    });

    it.each([
      ['S0', 'Success'],
      ['S1', 'Success'],
      ['SF', 'Success'],
      ['OTH', 'Success'],
      ['REJ', 'Failure'],
      ['S2', 'Failure'],
      ['S3', 'Failure'],
      ['RSTO', 'Failure'],
      ['RSTR', 'Failure'],
      ['RSTOS0', 'Failure'],
      ['RSTRH', 'Failure'],
      ['SH', 'Failure'],
      ['SHR', 'Failure'],
    ])('maps conn_state %s to EventResult %s', (state, result) => {
      const { records } = normalizeText(lines(conn({ conn_state: state })));
      expect(records[0]?.EventResult).toBe(result);
    });

    it.each(['XYZ', 'constructor', '__proto__', 'sf'])(
      'leaves EventResult empty for conn_state %s, which the lookup does not list',
      (state) => {
        const { records } = normalizeText(lines(conn({ conn_state: state })));
        expect(records).toHaveLength(1);
        expect(records[0]).not.toHaveProperty('EventResult');
      },
    );

    it.each([
      ['an epoch number', 1740823205.123456, '2025-03-01T10:00:05.123Z'],
      ['an epoch string', '1740823205.999999', '2025-03-01T10:00:05.999Z'],
      ['whole epoch seconds', 1740823205, '2025-03-01T10:00:05.000Z'],
      ['epoch milliseconds (JSON::TS_MILLIS)', 1740823205123, '2025-03-01T10:00:05.123Z'],
      ['an ISO-8601 string', '2025-03-01T10:00:05.1234567Z', '2025-03-01T10:00:05.123Z'],
      ['an ISO-8601 string with an offset', '2025-03-01T11:00:05+01:00', '2025-03-01T10:00:05.000Z'],
    ])('reads ts given as %s, truncated to milliseconds', (_label, ts, iso) => {
      const { records } = normalizeText(lines(conn({ ts })));
      expect(records[0]?.EventStartTime).toBe(iso);
      expect(records[0]?.TimeGenerated).toBe(iso);
    });

    it('keeps a connection at 10:04:59.9996 in the 10:00 bin (truncation, not rounding)', () => {
      const { records } = normalizeText(lines(conn({ ts: 1740823499.9996 })));
      expect(records[0]?.EventStartTime).toBe('2025-03-01T10:04:59.999Z');
    });

    it('keeps the ICMP type in SrcPortNumber and the code in DstPortNumber, as the parser does', () => {
      const { records } = normalizeText(lines(conn({ proto: 'icmp', 'id.orig_p': 3, 'id.resp_p': 1 })));
      expect(records[0]).toMatchObject({ NetworkProtocol: 'ICMP', SrcPortNumber: 3, DstPortNumber: 1 });
    });

    it('upper-cases any proto, including unknown_transport', () => {
      const { records } = normalizeText(lines(conn({ proto: 'unknown_transport' })));
      expect(records[0]?.NetworkProtocol).toBe('UNKNOWN_TRANSPORT');
    });

    it('accepts ports and flags written as strings (exported rows)', () => {
      const { records } = normalizeText(
        lines(conn({ 'id.orig_p': '51234', 'id.resp_p': '8443.0', local_orig: 'true', local_resp: 'false' })),
      );
      expect(records[0]).toMatchObject({
        SrcPortNumber: 51234,
        DstPortNumber: 8443,
        NetworkDirection: 'Outbound',
      });
    });

    it('keeps conn_red records and skips other paths', () => {
      const result = normalizeText(
        lines(conn({ _path: 'conn_red' }), conn({ _path: 'http' }), conn({ _path: 'conn_long' })),
      );
      expect(result.records).toHaveLength(1);
      expect(result.skipped).toEqual({ [`${NAME}: not a conn log record`]: 2 });
    });

    it('falls back to _write_ts, then to the row TimeGenerated, then to the enqueued time for TimeGenerated', () => {
      const noTs = without(conn(), 'ts');
      const neither = without(conn(), 'ts', '_write_ts');
      const text = lines(noTs, corelightRow(JSON.stringify(neither)), neither);
      const { records } = normalizeText(text, { fallbackTime: '2025-03-01T10:09:00.000Z' });
      expect(records.map((r) => [r.TimeGenerated, r.EventStartTime])).toEqual([
        ['2025-03-01T10:00:06.002Z', undefined],
        ['2025-03-01T10:00:36.000Z', undefined],
        ['2025-03-01T10:09:00.000Z', undefined],
      ]);
    });

    it('reports a record with no time at all as invalid', () => {
      const result = normalizeText(lines(without(conn(), 'ts', '_write_ts')));
      expect(result.records).toEqual([]);
      expect(result.invalid).toEqual({ [`${NAME}: no event time`]: 1 });
    });

    it('applies the parser row filter to Corelight_CL Message text with KQL has semantics', () => {
      const result = normalizeText(
        lines(
          corelightRow(JSON.stringify(conn())),
          corelightRow(JSON.stringify(conn({ _path: 'conn_red' }))),
          corelightRow(JSON.stringify(conn({ _path: 'dns' }))),
          corelightRow(JSON.stringify(without(conn(), '_path'))),
          corelightRow(JSON.stringify(conn()).replace('"_path":"conn"', '"_path": "conn"')),
        ),
      );
      expect(result.records).toHaveLength(2);
      expect(result.skipped).toEqual({ [`${NAME}: not a conn log record`]: 3 });
    });

    it('reads TSV rows: unset fields, (empty), \\x escapes, a custom separator and #path', () => {
      const text = [
        '#separator \\x2c',
        '#empty_field,(empty)',
        '#unset_field,-',
        '#path,conn',
        '#fields,ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,conn_state,local_orig,local_resp',
        '1740823205.5,C\\x2cX,203.0.113.9,40000,10.0.20.15,22,tcp,(empty),-,-,-',
      ].join('\n');
      const { records, sources } = normalizeText(text);
      expect(sources).toEqual({ [NAME]: 6 });
      expect(records).toEqual([
        {
          TimeGenerated: '2025-03-01T10:00:05.500Z',
          EventStartTime: '2025-03-01T10:00:05.500Z',
          EventCount: 1,
          EventVendor: 'Corelight',
          EventProduct: 'Zeek',
          EventSchema: 'NetworkSession',
          EventSchemaVersion: '0.2.4',
          EventType: 'Flow',
          EventOriginalUid: 'C,X',
          SrcIpAddr: '203.0.113.9',
          SrcPortNumber: 40000,
          DstIpAddr: '10.0.20.15',
          DstPortNumber: 22,
          NetworkProtocol: 'TCP',
        },
      ]);
    });

    it('skips the rows of a TSV log whose #path is not conn', () => {
      const text = [...HEADER.map((l) => (l === '#path\tconn' ? '#path\tdns' : l)), GOOD_ROW].join('\n');
      const result = normalizeText(text);
      expect(result.records).toEqual([]);
      expect(result.skipped).toEqual({ [`${NAME}: header line`]: 8, [`${NAME}: not a conn log record`]: 1 });
    });

    it('forgets the header at #close, so later lines are no longer Zeek rows', () => {
      const text = [...HEADER, GOOD_ROW, '#close\t2025-03-01-11-00-00', GOOD_ROW].join('\n');
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({ 'unknown: unrecognized text line': 1 });
    });

    it('reads a second log that starts with #separator after the first', () => {
      const text = [...HEADER, GOOD_ROW, '#close\tx', ...HEADER, GOOD_ROW.replace('C1', 'C2')].join('\n');
      const { records } = normalizeText(text);
      expect(records.map((r) => r.EventOriginalUid)).toEqual(['C1', 'C2']);
    });
  });

  describe('bad input', () => {
    it.each([
      ['a wrong-typed id.resp_p', conn({ 'id.resp_p': 'http' }), 'invalid id.resp_p'],
      ['a port beyond 65535', conn({ 'id.resp_p': 70000 }), 'invalid id.resp_p'],
      ['a negative port', conn({ 'id.orig_p': -1 }), 'invalid id.orig_p'],
      ['a missing id.orig_h', without(conn(), 'id.orig_h'), 'missing id.orig_h'],
      ['a missing id.resp_p', without(conn(), 'id.resp_p'), 'missing id.resp_p'],
      ['a hostile id.orig_h', conn({ 'id.orig_h': '<script>alert(1)</script>' }), 'invalid id.orig_h'],
      ['an id.resp_h object', conn({ 'id.resp_h': { ip: '10.0.0.1' } }), 'invalid id.resp_h'],
      ['an unreadable ts', conn({ ts: 'yesterday' }), 'invalid ts'],
      ['a huge ts', conn({ ts: 1e300 }), 'invalid ts'],
      ['a ts past the year 9999', conn({ ts: '999999999999.5' }), 'invalid ts'],
      ['a ts array', conn({ ts: [1, 2] }), 'invalid ts'],
      ['an unreadable _write_ts', conn({ _write_ts: 'soon' }), 'invalid _write_ts'],
      ['a non-boolean local_orig', conn({ local_orig: 'maybe' }), 'invalid local_orig'],
      ['a proto with spaces', conn({ proto: 'tcp; drop table' }), 'invalid proto'],
      ['a huge uid', conn({ uid: 'C'.repeat(5000) }), 'invalid uid'],
      ['a non-string _path', conn({ _path: 42 }), 'invalid _path'],
    ])('reports %s and still decodes the good records beside it', (_label, bad, reason) => {
      const result = normalizeText(lines(conn(), bad, conn({ uid: 'C2' })));
      expect(result.records.map((r) => r.EventOriginalUid)).toEqual(['CHhAvVGS1DHFjwGM9', 'C2']);
      expect(result.invalid).toEqual({ [`${NAME}: ${reason}`]: 1 });
      const letter = result.normalizer.deadLetters[0];
      expect(letter?.source).toBe(NAME);
      expect((letter?.detail ?? '').length).toBeLessThanOrEqual(120);
    });

    it('reports an id.resp_h nested 100 000 arrays deep and still decodes the records beside it', () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const bad = JSON.stringify(conn()).replace('"id.resp_h":"10.0.20.15"', `"id.resp_h":${deep}`);
      const result = normalizeText(
        [JSON.stringify(conn()), bad, JSON.stringify(conn({ uid: 'C2' }))].join('\n'),
      );
      expect(result.records.map((r) => r.EventOriginalUid)).toEqual(['CHhAvVGS1DHFjwGM9', 'C2']);
      expect(result.invalid).toEqual({ [`${NAME}: invalid id.resp_h`]: 1 });
      expect(result.normalizer.deadLetters[0]?.detail).toBe('id.resp_h: [array]');
    });

    it('reads a __proto__ key as data, never as the prototype, and decodes the record', () => {
      const text =
        '{"__proto__":{"ts":"1999-01-01T00:00:00Z"},"_path":"conn","ts":"2025-03-01T10:00:05Z","id.orig_h":"198.51.100.23","id.orig_p":1,"id.resp_h":"10.0.20.15","id.resp_p":2,"conn_state":"S0"}';
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.records[0]?.EventStartTime).toBe('2025-03-01T10:00:05.000Z');
      expect(({} as Record<string, unknown>).ts).toBeUndefined();
    });

    it('does not take fields a record only inherits through __proto__', () => {
      const record = JSON.parse(
        '{"__proto__":{"id.orig_h":"198.51.100.23"},"_path":"conn","ts":"2025-03-01T10:00:05Z","uid":"C","id.orig_p":1,"id.resp_h":"10.0.20.15","id.resp_p":2}',
      ) as JsonObject;
      const result = normalizeText(JSON.stringify(record));
      expect(result.invalid).toEqual({ [`${NAME}: missing id.orig_h`]: 1 });
    });

    it('reports a TSV row with a __proto__ column name as an ordinary column', () => {
      const text = [
        '#separator \\x09',
        '#fields\tts\t__proto__\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p',
        '1740823205.5\tx\t203.0.113.9\t1\t10.0.20.15\t2',
      ].join('\n');
      const { records } = normalizeText(text);
      expect(records).toHaveLength(1);
      expect(records[0]?.DstPortNumber).toBe(2);
    });

    it('reports Corelight_CL rows whose Message is missing, not a string or truncated JSON', () => {
      const truncated = JSON.stringify(conn()).slice(0, 60);
      const result = normalizeText(
        lines(
          corelightRow(JSON.stringify(conn())),
          { TimeGenerated: '2025-03-01T10:00:36Z', Type: 'Corelight_CL' },
          { ...corelightRow(''), Message: 7 },
          corelightRow(truncated),
          corelightRow('"_path":"conn" but not an object'),
        ),
      );
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({
        [`${NAME}: missing Message`]: 2,
        [`${NAME}: malformed Message JSON`]: 2,
      });
      for (const letter of result.normalizer.deadLetters)
        expect(letter.detail?.length ?? 0).toBeLessThanOrEqual(120);
    });

    it('reports TSV rows with the wrong column count and keeps reading the rows after them', () => {
      const text = [
        ...HEADER,
        GOOD_ROW.split('\t').slice(0, 5).join('\t'),
        `${GOOD_ROW}\textra`,
        GOOD_ROW,
      ].join('\n');
      const result = normalizeText(text);
      expect(result.records).toHaveLength(1);
      expect(result.invalid).toEqual({ [`${NAME}: wrong column count`]: 2 });
      expect(result.normalizer.deadLetters.map((d) => d.detail)).toEqual([
        'expected 11 columns, found 5',
        'expected 11 columns, found 12',
      ]);
    });

    it('reports a masked btest ts and a #fields line with too many columns', () => {
      const huge = `#fields\t${Array.from({ length: 600 }, (_, i) => `f${i}`).join('\t')}`;
      const result = normalizeText(
        [...HEADER, GOOD_ROW.replace('1740823205.123456', 'XXXXXXXXXX.XXXXXX'), huge].join('\n'),
      );
      expect(result.invalid).toEqual({ [`${NAME}: invalid ts`]: 1, [`${NAME}: invalid #fields line`]: 1 });
    });

    it('reports a data line decoded with --format before any #fields header', () => {
      const result = normalizeText(GOOD_ROW, { format: NAME });
      expect(result.invalid).toEqual({ [`${NAME}: data line before #fields header`]: 1 });
    });

    it('stays linear on a long hostile TSV line', () => {
      const hostile = (chars: number): string =>
        [...HEADER, `${'\\x'.repeat(chars / 4)}\t${'a'.repeat(chars / 2)}`].join('\n');
      expect(normalizeText(hostile(600_000)).invalid).toEqual({ [`${NAME}: wrong column count`]: 1 });
      expectLinearTime(normalizeText, hostile);
    });
  });
});
