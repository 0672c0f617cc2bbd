import { parse } from 'csv-parse/sync';
import type { JsonObject } from '../sources/pipeline/types.js';

/**
 * Log Analytics CSV exports (the portal's "Export to CSV", and the form of the Sentinel sample
 * files), read as the JSON rows a workspace data export would deliver: column names without the
 * portal's ` [UTC]` suffix, empty cells left out, and the portal's display dates
 * (`7/5/2023, 2:16:44.756 PM`, `8/25/2025 8:11:21.937 PM`, `07-05-2023 14:16` and
 * `15-01-2025 12:00` — month first unless the first number is over 12 —,
 * `2025-11-21 20:14:51.2132530`) rewritten as ISO-8601 UTC, which is how the export writes
 * datetime columns. Cells are split by csv-parse (RFC 4180: quoted commas, quotes and line breaks).
 */

/** Columns one of which a Log Analytics export always has. */
const EXPORT_COLUMNS = /^(TimeGenerated|Type|TenantId)( \[UTC\])?$/;

/** The columns of a CSV header line that looks like a Log Analytics export, else undefined. */
export function logAnalyticsCsvHeader(line: string): string[] | undefined {
  const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (!/^[A-Za-z_"]/.test(text) || !text.includes(',')) return undefined;
  let columns: string[];
  try {
    columns = (parse(text, { relax_quotes: true }) as string[][])[0] ?? [];
  } catch {
    return undefined;
  }
  if (columns.length < 3 || !columns.every((c) => /^[A-Za-z_][\w.]*( \[[A-Za-z]+\])?$/.test(c)))
    return undefined;
  return columns.some((c) => EXPORT_COLUMNS.test(c)) ? columns : undefined;
}

/** One row of an export as a JSON record. */
export function logAnalyticsRow(columns: readonly string[], cells: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [i, rawKey] of columns.entries()) {
    const value = cells[i] ?? '';
    if (value === '') continue;
    const key = rawKey.replace(/ \[UTC\]$/, '');
    out[key] = rawKey.endsWith(' [UTC]') || /Time|^time$/.test(key) ? toIsoIfDate(value) : value;
  }
  return out;
}

/** A whole export as JSON records. */
export function readLogAnalyticsCsvText(text: string | Buffer): JsonObject[] {
  const [header, ...rows] = parse(text, {
    bom: true,
    skip_empty_lines: true,
    relax_quotes: true,
  }) as string[][];
  return header === undefined ? [] : rows.map((cells) => logAnalyticsRow(header, cells));
}

/** Reason of a row whose quoted cell never closes (counted and reported like any bad record). */
export const CSV_UNCLOSED_QUOTE = 'CSV row with an unclosed quote';

/** Lines of an export turned into JSON lines, and the rows that could not be read. */
export interface CsvLines {
  readonly lines: string[];
  readonly lineNumbers: number[];
  /** Rows given up (an unclosed quote), with the line where each starts and its text. */
  readonly rejected: { readonly lineNumber: number; readonly text: string }[];
}

/**
 * Turns the lines of an export (after its header) into JSON lines, one per row, keeping the line
 * number where each row starts; a row whose quoted cell holds line breaks spans several lines.
 *
 * A quote that never closes would take every later line into its row. While a row is open, a line
 * that is a whole row by itself (it starts with a quote, its quotes are balanced and it has the
 * header's number of cells, as every row of an export does) starts a new row and the open one is
 * rejected; so is a row still open at the end of the input.
 */
export class LogAnalyticsCsvLines {
  readonly #columns: readonly string[];
  #pending: string[] = [];
  #pendingLine = 0;
  #quotes = 0;

  constructor(columns: readonly string[]) {
    this.#columns = columns;
  }

  /** The JSON lines of the rows these lines complete. */
  push(lines: readonly string[], lineNumbers: readonly number[]): CsvLines {
    const out: CsvLines = { lines: [], lineNumbers: [], rejected: [] };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const quotes = countQuotes(line);
      if (this.#pending.length > 0 && quotes % 2 === 0 && this.#isWholeRow(line)) this.#reject(out);
      if (this.#pending.length === 0) {
        if (line.trim() === '') continue;
        this.#pendingLine = lineNumbers[i] as number;
      }
      this.#pending.push(line);
      this.#quotes += quotes;
      if (this.#quotes % 2 === 0) this.#emit(out);
    }
    return out;
  }

  /** What is left at the end of the input: a row with an unclosed quote, rejected. */
  end(): CsvLines {
    const out: CsvLines = { lines: [], lineNumbers: [], rejected: [] };
    if (this.#pending.length > 0) this.#reject(out);
    return out;
  }

  #isWholeRow(line: string): boolean {
    if (!line.startsWith('"')) return false;
    try {
      const rows = parse(line, { relax_column_count: true }) as string[][];
      return rows.length === 1 && rows[0]?.length === this.#columns.length;
    } catch {
      return false;
    }
  }

  #reject(out: CsvLines): void {
    out.rejected.push({ lineNumber: this.#pendingLine, text: this.#pending.join('\n') });
    this.#pending = [];
    this.#quotes = 0;
  }

  #emit(out: CsvLines): void {
    const text = this.#pending.join('\n');
    this.#pending = [];
    this.#quotes = 0;
    let cells: string[];
    try {
      cells = (parse(text, { relax_quotes: true, relax_column_count: true }) as string[][])[0] ?? [];
    } catch {
      // Not CSV after all: the line is passed on as it is and decoded (or reported) like any line.
      out.lines.push(text);
      out.lineNumbers.push(this.#pendingLine);
      return;
    }
    out.lines.push(JSON.stringify(logAnalyticsRow(this.#columns, cells)));
    out.lineNumbers.push(this.#pendingLine);
  }
}

function countQuotes(line: string): number {
  let n = 0;
  for (let c = line.indexOf('"'); c >= 0; c = line.indexOf('"', c + 1)) n++;
  return n;
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
