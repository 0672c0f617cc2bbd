import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { JsonObject } from '../../lib/sources/pipeline/types.js';

/**
 * Reads a Log Analytics CSV export (the form of the Sentinel sample files) as the JSON rows a
 * workspace data export would deliver: column names without the portal's ` [UTC]` suffix, empty
 * cells left out, and the portal's display dates (`7/5/2023, 2:16:44.756 PM`,
 * `8/25/2025 8:11:21.937 PM`, `07-05-2023 14:16` and `15-01-2025 12:00` — month first unless the
 * first number is over 12 —, `2025-11-21 20:14:51.2132530`) rewritten as ISO-8601 UTC, which is how
 * the export writes datetime columns.
 */
export function readLogAnalyticsCsv(path: string): JsonObject[] {
  const rows = parse(readFileSync(path), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_quotes: true,
  }) as Record<string, string>[];
  return rows.map((row) => {
    const out: JsonObject = {};
    for (const [rawKey, value] of Object.entries(row)) {
      if (value === '') continue;
      const key = rawKey.replace(/ \[UTC\]$/, '');
      out[key] = rawKey.endsWith(' [UTC]') || /Time|^time$/.test(key) ? toIsoIfDate(value) : value;
    }
    return out;
  });
}

function toIsoIfDate(value: string): string {
  // 7/5/2023, 2:16:44.756 PM  |  8/25/2025 8:11:21.937 PM  |  8/17/2023, 6:52:13 AM
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)? ([AP]M)$/.exec(
    value,
  );
  if (m !== null) {
    const [, mo, d, y, h, mi, s, f, ampm] = m;
    let hour = Number(h) % 12;
    if (ampm === 'PM') hour += 12;
    return iso(Number(y), Number(mo), Number(d), hour, Number(mi), Number(s ?? '0'), f);
  }
  // 07-05-2023 14:16 (month first, as the portal's other dates: the Cisco ASA row's TimeGenerated is
  // 7/5/2023) | 15-01-2025 12:00 (day first: a first number over 12 cannot be a month)
  m = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (m !== null) {
    const [, first, second, y, h, mi, s] = m;
    const [mo, d] = Number(first) > 12 ? [second, first] : [first, second];
    return iso(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? '0'), undefined);
  }
  // 2025-11-21 20:14:51.2132530
  m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value);
  if (m !== null) {
    const [, y, mo, d, h, mi, s, f] = m;
    return iso(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), f);
  }
  return value;
}

function iso(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  fraction: string | undefined,
): string {
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms)).toISOString();
}
