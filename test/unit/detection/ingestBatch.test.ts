import { describe, expect, it } from 'vitest';
import { BEYOND_RETENTION } from '../../../lib/detection/RowRouter.js';
import { eventCountOf } from '../../../lib/window/WindowState.js';
import { MemoryFunctions } from '../../support/memoryFunctions.js';
import { envelope, jsonLines, scan, session } from '../../support/sessions.js';

/** `ingestBatch` over the in-memory twins of its ports: what it writes, records and counts. */

const SCANNER = '203.0.113.7';
const BIN = Date.parse('2026-11-01T10:00:00Z');
const bytes = (text: string) => new TextEncoder().encode(text);

describe('Use case: ingestBatch', () => {
  it('writes one window per (source, bin) and records the partition progress', async () => {
    const f = new MemoryFunctions('2026-11-01T10:20:00Z');
    const summary = await f.ingest(
      '3',
      [
        bytes(envelope(scan(SCANNER, 30, '2026-11-01T10:01:00Z'))),
        bytes(jsonLines(scan(SCANNER, 5, '2026-11-01T10:06:00Z', 100))),
      ],
      41,
      '2026-11-01T10:07:00Z',
    );
    expect([summary.rowsCounted, summary.windows, summary.storage.entityWrites]).toEqual([35, 2, 2]);
    const rows = await f.store.readWindowRows(SCANNER, BIN);
    expect(rows.map((r) => [r.partition, r.state.ports.size])).toEqual([['3', 30]]);
    const [progress] = await f.store.readProgress();
    expect(progress).toMatchObject({
      partition: '3',
      lastSequenceNumber: 42,
      minEventTimeMs: Date.parse('2026-11-01T10:01:00Z'),
      maxEnqueuedTimeMs: Date.parse('2026-11-01T10:07:00Z'),
      updatedAtMs: f.nowMs,
    });
  });

  it('counts a redelivered batch once', async () => {
    const f = new MemoryFunctions('2026-11-01T10:20:00Z');
    const body = bytes(envelope(scan(SCANNER, 30, '2026-11-01T10:01:00Z')));
    await f.ingest('0', [body], 7);
    await f.ingest('0', [body], 7);
    const [row] = await f.store.readWindowRows(SCANNER, BIN);
    expect([row?.state.ports.size, row === undefined ? 0 : eventCountOf(row.state)]).toEqual([30, 30]);
  });

  it('marks a window late when its bin was announced closed, and drops rows beyond the retention', async () => {
    const f = new MemoryFunctions('2026-11-03T10:20:00Z');
    await f.store.advanceCloser(
      { announcedMs: Date.parse('2026-11-02T10:00:00Z'), evaluatedMs: 0, sweptMs: 0 },
      await f.store.readCloser(),
    );
    const summary = await f.ingest(
      '0',
      [
        bytes(jsonLines([session(SCANNER, 22, '2026-11-02T09:01:00Z')])),
        bytes(jsonLines([session(SCANNER, 22, '2026-11-01T08:01:00Z')])),
      ],
      1,
    );
    expect(summary.lateWindows).toBe(1);
    expect(summary.rowsDropped).toEqual({ [BEYOND_RETENTION]: 1 });
    const marks = [];
    for await (const m of f.store.listLateMarkers())
      marks.push([m.source, new Date(m.binStartMs).toISOString()]);
    expect(marks).toEqual([[SCANNER, '2026-11-02T09:00:00.000Z']]);
  });

  it('counts bad bodies under their reason and keeps samples within the rate', async () => {
    const f = new MemoryFunctions('2026-11-01T10:20:00Z');
    const summary = await f.ingest(
      '0',
      [null, bytes('not a record\n'), bytes(jsonLines(scan(SCANNER, 2, '2026-11-01T10:01:00Z')))],
      1,
    );
    expect(summary.rowsCounted).toBe(2);
    expect(summary.invalid).toEqual({
      'unknown: unreadable message body': 1,
      'unknown: unrecognized text line': 1,
    });
    expect(summary.deadLettersWritten).toBe(f.deadLetters.samples.length);
    expect(f.deadLetters.samples.map((s) => s.letter.reason)).toContain('unreadable message body');
  });
});
