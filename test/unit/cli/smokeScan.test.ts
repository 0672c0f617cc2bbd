import { describe, expect, it } from 'vitest';
import { keepAliveRecord, smokeScan } from '../../../lib/cli/smokeScan.js';
import { durationText } from '../../../lib/cli/smokeTest.js';
import { FUNCTION_DEFAULTS, resolveDetectionSettings } from '../../../lib/config/detectionSettings.js';
import type { NetworkSession } from '../../../lib/schema/NetworkSession.js';
import { decodeText } from '../../../lib/sources/pipeline/decodeInput.js';
import { Normalizer } from '../../../lib/sources/pipeline/Normalizer.js';
import { SOURCE_DECODERS } from '../../../lib/sources/pipeline/registry.js';

const AT = Date.parse('2026-11-01T10:09:59.900Z');

/** The rows the ingest function's decoders make of records sent in one {"records":[…]} message. */
function rowsOf(records: readonly object[]): NetworkSession[] {
  const rows: NetworkSession[] = [];
  const normalizer = new Normalizer(SOURCE_DECODERS, { format: 'auto', maxDeadLetters: 0 }, (r) =>
    rows.push(r),
  );
  decodeText(JSON.stringify({ records }), normalizer, {
    input: 'message',
    fallbackTimeMs: AT,
    referenceTimeMs: AT,
    maxDocumentChars: 4 * 1024 * 1024,
  });
  return rows;
}

describe('CLI: the smoke-test scan', () => {
  it('is one port more than the threshold from the smoke source, in the bin of its time, as the decoders read it', () => {
    const settings = resolveDetectionSettings({}, { '--threshold': '7' }, FUNCTION_DEFAULTS);

    const scan = smokeScan(settings, AT);

    expect(scan.ports).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Date(scan.binStartMs).toISOString()).toBe('2026-11-01T10:05:00.000Z');
    expect(new Date(scan.binEndMs).toISOString()).toBe('2026-11-01T10:10:00.000Z');
    const rows = rowsOf(scan.records);
    expect(rows.map((r) => [r.SrcIpAddr, r.DstPortNumber, r.TimeGenerated, r.DvcAction])).toEqual(
      scan.ports.map((p) => ['192.0.2.250', p, '2026-11-01T10:09:59.900Z', 'Deny']),
    );
    expect(new Set(rows.map((r) => `${r.EventVendor}/${r.EventProduct}`))).toEqual(
      new Set(['Portscan/Smoke test']),
    );
  });

  it('takes every port, 0 included, when the threshold asks for all of them', () => {
    const settings = resolveDetectionSettings({ PORTSCAN_THRESHOLD: '65535' }, {}, FUNCTION_DEFAULTS);

    const { ports } = smokeScan(settings, AT);

    expect(ports).toHaveLength(65_536);
    expect([ports[0], ports.at(-1)]).toEqual([0, 65_535]);
  });

  it("leaves out the ports an earlier smoke test left in the bin's window", () => {
    const settings = resolveDetectionSettings({}, { '--threshold': '3' }, FUNCTION_DEFAULTS);

    expect(smokeScan(settings, AT, new Set([1, 2, 3, 4, 6])).ports).toEqual([5, 7, 8, 9]);
  });

  it('sends keep-alives from the smoke source (an IPv6 one here) stamped with their time', () => {
    const settings = resolveDetectionSettings(
      { PORTSCAN_SMOKE_SOURCE: '2001:db8::77' },
      {},
      FUNCTION_DEFAULTS,
    );

    const rows = rowsOf([keepAliveRecord(settings, AT + 600_000)]);

    expect(rows.map((r) => [r.SrcIpAddr, r.DstPortNumber, r.TimeGenerated])).toEqual([
      ['2001:db8::77', 1, '2026-11-01T10:19:59.900Z'],
    ]);
  });

  it.each([
    [0, '0.0 s'],
    [2_000, '2.0 s'],
    [59_949, '59.9 s'],
    [60_000, '1 min'],
    [3_452_000, '57 min 32 s'],
    [5_400_000, '1 h 30 min'],
    [7_200_000, '2 h'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
