import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogAnalyticsCsv } from '../../support/laCsv.js';

const dir = mkdtempSync(join(tmpdir(), 'la-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readTimes(...values: string[]): unknown[] {
  const path = join(dir, 'export.csv');
  writeFileSync(path, `ReceiptTime,Other\n${values.map((v) => `"${v}",x`).join('\n')}\n`);
  return readLogAnalyticsCsv(path).map((row) => row.ReceiptTime);
}

describe('Support: laCsv', () => {
  it.each([
    ['07-05-2023 14:16', '2023-07-05T14:16:00.000Z'],
    ['12-01-2025 12:00:30', '2025-12-01T12:00:30.000Z'],
    ['15-01-2025 12:00', '2025-01-15T12:00:00.000Z'],
    ['31-12-2024 23:59', '2024-12-31T23:59:00.000Z'],
    ['7/5/2023, 2:16:44.756 PM', '2023-07-05T14:16:44.756Z'],
    ['2025-11-21 20:14:51.2132530', '2025-11-21T20:14:51.213Z'],
  ])('reads the portal date %s month first unless the first number is over 12', (value, expected) => {
    expect(readTimes(value)).toEqual([expected]);
  });
});
