import type { JsonObject } from '../pipeline/types.js';

/**
 * Zeek's ASCII log format (the `LogAscii` writer's default, Zeek 3.x–7.x): a header of `#` lines,
 * then one tab-separated row per record.
 *
 * ```
 * #separator \x09
 * #set_separator	,
 * #empty_field	(empty)
 * #unset_field	-
 * #path	conn
 * #open	2026-11-01-10-00-00
 * #fields	ts	uid	id.orig_h	id.orig_p	…
 * #types	time	string	addr	port	…
 * 1591367999.430166	C5bLoe2Mvxqhawzqqd	192.168.4.76	46378	…
 * #close	2026-11-01-11-00-00
 * ```
 *
 * `#separator` is written with a space and a `\xHH` escape; the other header lines use the
 * separator itself. In rows, `-` is an unset field, `(empty)` an empty set or string, and
 * non-printable characters (and the separator) are escaped as `\xHH`. All scanning is by
 * `indexOf`/`split`: linear in the line length.
 */

/** What the header of one Zeek log said; stored in the stream state between lines. */
export interface ZeekTsvLayout {
  readonly separator: string;
  readonly emptyField: string;
  readonly unsetField: string;
  /** `#path`: the log's name (`conn`, `dns`, …) when the header gave it. */
  readonly path?: string;
  /** `#fields`: the column names, once the header gave them. */
  readonly fields?: readonly string[];
}

/** The layout Zeek writes by default, before any header line changes it. */
export const DEFAULT_ZEEK_LAYOUT: ZeekTsvLayout = { separator: '\t', emptyField: '(empty)', unsetField: '-' };

/** Header directives Zeek's ASCII writer emits (`#separator`, `#fields`, …). */
export const ZEEK_DIRECTIVES = [
  'separator',
  'set_separator',
  'empty_field',
  'unset_field',
  'path',
  'open',
  'fields',
  'types',
  'close',
] as const;

export type ZeekDirective = (typeof ZEEK_DIRECTIVES)[number];

const DIRECTIVES = new Set<string>(ZEEK_DIRECTIVES);

/** Most columns a `#fields` line may declare; Zeek's conn.log has about 25. */
export const MAX_ZEEK_FIELDS = 512;

/** One parsed header line: its directive and the values after it. */
export interface ZeekHeaderLine {
  readonly directive: ZeekDirective;
  readonly values: readonly string[];
}

/**
 * The directive of a Zeek header line (`#fields	ts	uid…` → `fields`), or `undefined` when the
 * line is not one: a lower-case name followed by a space, a tab, the log's separator or the end of
 * the line (`#Fields: …` of W3C logs is not one).
 */
export function zeekDirectiveOf(line: string, separator = '\t'): ZeekDirective | undefined {
  if (!line.startsWith('#')) return undefined;
  let end = 1;
  while (end < line.length && end <= 14) {
    const c = line.charCodeAt(end);
    if (!((c >= 97 && c <= 122) || c === 95)) break;
    end++;
  }
  const name = line.slice(1, end);
  if (!DIRECTIVES.has(name)) return undefined;
  const atEnd =
    end === line.length || line[end] === ' ' || line[end] === '\t' || line.startsWith(separator, end);
  return atEnd ? (name as ZeekDirective) : undefined;
}

/**
 * Splits a header line into its directive and values, reading `#separator`'s value as an escaped
 * character and the other lines with `layout.separator`.
 */
export function readZeekHeaderLine(line: string, layout: ZeekTsvLayout): ZeekHeaderLine | undefined {
  const directive = zeekDirectiveOf(line, layout.separator);
  if (directive === undefined) return undefined;
  const nameEnd = directive.length + 1;
  const gap = line.startsWith(layout.separator, nameEnd) ? layout.separator.length : 1;
  const rest = line.slice(nameEnd + gap);
  if (directive === 'separator') return { directive, values: [unescapeZeek(rest.trim())] };
  return { directive, values: rest === '' ? [] : rest.split(layout.separator) };
}

/**
 * The layout after one header line. `#separator` starts a new log (a file may hold several);
 * other lines refine the current one.
 */
export function applyZeekHeaderLine(layout: ZeekTsvLayout, header: ZeekHeaderLine): ZeekTsvLayout {
  const value = header.values[0] ?? '';
  switch (header.directive) {
    case 'separator':
      return { ...DEFAULT_ZEEK_LAYOUT, separator: value === '' ? '\t' : value };
    case 'empty_field':
      return { ...layout, emptyField: value };
    case 'unset_field':
      return { ...layout, unsetField: value };
    case 'path':
      return { ...layout, path: value };
    case 'fields':
      return { ...layout, fields: header.values };
    default:
      return layout;
  }
}

/**
 * One data row as a record keyed by `#fields` names, or the number of columns found when it does
 * not match the header. Unset fields are left out; `(empty)` becomes `''`; `\xHH` escapes are
 * decoded. The record is built with `Object.fromEntries`, so a column named `__proto__` is an
 * ordinary own property.
 */
export function readZeekRow(
  line: string,
  layout: ZeekTsvLayout & { fields: readonly string[] },
): JsonObject | number {
  const columns = line.split(layout.separator);
  if (columns.length !== layout.fields.length) return columns.length;
  const entries: [string, string][] = [];
  for (let i = 0; i < columns.length; i++) {
    const value = columns[i] ?? '';
    const name = layout.fields[i] ?? '';
    if (value === layout.unsetField) continue;
    entries.push([name, value === layout.emptyField ? '' : unescapeZeek(value)]);
  }
  return Object.fromEntries(entries) as JsonObject;
}

/** Decodes Zeek's `\xHH` escapes; other backslashes stay as they are. */
export function unescapeZeek(text: string): string {
  if (!text.includes('\\x')) return text;
  let out = '';
  let from = 0;
  for (;;) {
    const at = text.indexOf('\\x', from);
    if (at < 0) break;
    const hex = text.slice(at + 2, at + 4);
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out += text.slice(from, at) + String.fromCharCode(Number.parseInt(hex, 16));
      from = at + 4;
    } else {
      out += text.slice(from, at + 2);
      from = at + 2;
    }
  }
  return out + text.slice(from);
}
