import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Reading infra/workbooks/portscan.workbook.json for the tests: its items, the analysis of each
 * query by Microsoft's own KQL parser and type checker (Kusto.Language, npm
 * `@kusto/language-service-next`) against the columns of Application Insights' `traces` table,
 * and the fields each query reads from the JSON trace messages of contextLogger.
 */

export const WORKBOOK_PATH = join(import.meta.dirname, '../../infra/workbooks/portscan.workbook.json');

export interface WorkbookItem {
  readonly type: number;
  readonly name: string;
  readonly customWidth?: string;
  readonly content: Record<string, unknown>;
}

export interface Workbook {
  readonly version: string;
  readonly items: readonly WorkbookItem[];
  readonly fallbackResourceIds: readonly string[];
}

/** A query item (type 3) with the fields the tests read. */
export interface QueryItem extends WorkbookItem {
  readonly content: {
    readonly version: string;
    readonly query: string;
    readonly title: string;
    readonly visualization: string;
    readonly queryType: number;
    readonly resourceType: string;
    readonly timeContextFromParameter?: string;
  } & Record<string, unknown>;
}

export function loadWorkbook(): Workbook {
  return JSON.parse(readFileSync(WORKBOOK_PATH, 'utf8')) as Workbook;
}

export function queryItems(workbook: Workbook): QueryItem[] {
  return workbook.items.filter((i): i is QueryItem => i.type === 3);
}

/**
 * The columns of the classic Application Insights `traces` table that the Functions host fills,
 * as the workbook sees them when it queries the component (Microsoft Learn, "AppTraces" and the
 * Application Insights data model: `timestamp`, `message`, `severityLevel` 0-4, …).
 */
const TRACES_SCHEMA =
  '(timestamp:datetime, message:string, severityLevel:int, itemType:string, customDimensions:dynamic, operation_Name:string, operation_Id:string, cloud_RoleName:string, cloud_RoleInstance:string)';

/** One diagnostic of the KQL analyzer. */
export interface KqlDiagnostic {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly at: string;
}

/** What the analyzer says about one query: its problems and the columns of its result. */
export interface KqlAnalysis {
  readonly diagnostics: readonly KqlDiagnostic[];
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

interface NetList<T> {
  readonly Count: number;
  getItem(i: number): T;
}
interface KustoLanguage {
  readonly KustoCode: {
    ParseAndAnalyze(
      text: string,
      globals: unknown,
    ): {
      GetDiagnostics(): NetList<{ Severity: string; Code: string; Message: string; Start: number }>;
      readonly ResultType: { readonly Columns?: NetList<{ Name: string; Type: { Name: string } }> } | null;
    };
  };
  readonly GlobalState: { readonly Default: { WithDatabase(db: unknown): unknown } };
  readonly Symbols: {
    readonly TableSymbol: { From(schema: string): { WithName(name: string): unknown } };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, tables: unknown[]) => unknown };
  };
}

let globals: { kusto: KustoLanguage; state: unknown } | undefined;

/** Kusto.Language, loaded once: a Bridge.NET build that defines the globals `Bridge` and `Kusto`. */
function kusto(): { kusto: KustoLanguage; state: unknown } {
  if (globals === undefined) {
    const require = createRequire(import.meta.url);
    require('@kusto/language-service-next/bridge.min.js');
    require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
    const language = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
    const traces = language.Symbols.TableSymbol.From(TRACES_SCHEMA).WithName('traces');
    const database = new language.Symbols.DatabaseSymbol.ctor('portscan', [traces]);
    globals = { kusto: language, state: language.GlobalState.Default.WithDatabase(database) };
  }
  return globals;
}

const analyses = new Map<string, KqlAnalysis>();

/** Parses and type-checks `query` against the `traces` table (once per query text). */
export function analyzeKql(query: string): KqlAnalysis {
  const known = analyses.get(query);
  if (known !== undefined) return known;
  const { kusto: language, state } = kusto();
  const code = language.KustoCode.ParseAndAnalyze(query, state);
  const found = code.GetDiagnostics();
  const diagnostics: KqlDiagnostic[] = [];
  for (let i = 0; i < found.Count; i++) {
    const d = found.getItem(i);
    diagnostics.push({
      severity: d.Severity,
      code: d.Code,
      message: d.Message,
      at: query.slice(Math.max(0, d.Start - 30), d.Start + 30),
    });
  }
  const columns: { name: string; type: string }[] = [];
  const list = code.ResultType?.Columns;
  if (list !== undefined) {
    for (let i = 0; i < list.Count; i++) {
      const c = list.getItem(i);
      columns.push({ name: c.Name, type: c.Type.Name });
    }
  }
  const analysis = { diagnostics, columns };
  analyses.set(query, analysis);
  return analysis;
}

/** The events a query reads, and the fields it reads from their messages. */
export interface FieldReferences {
  /** Event names of `message startswith '{"event":"<name>"'`. */
  readonly events: readonly string[];
  /** Dotted paths into the logged object; `*` stands for any key of a map or index of an array. */
  readonly paths: readonly string[];
}

/**
 * The fields a workbook query reads from the parsed message. The queries keep to one dialect,
 * which this follows: `d = parse_json(message)`, then `d.a.b` or `d.a['key']`; `mv-expand x =
 * d.map` binds `x` to the map's (or array's) entries, `x[Key]` reads an entry's value, and
 * `extend y = x[Key]` binds `y` to it; `parse_json(message).event` reads the event name.
 */
export function fieldReferences(query: string): FieldReferences {
  const events = [...query.matchAll(/startswith '\{"event":"([^"]+)"'/g)].map((m) => m[1] as string);
  // Comments and string literals are not code; a literal right after `[` is a key and stays.
  const code = query
    .replace(/\/\/[^\n]*/g, '')
    .replace(/(?<!\[)'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const bound = new Map<string, string>();
  for (const m of code.matchAll(/\b(\w+)\s*=\s*parse_json\(message\)/g)) bound.set(m[1] as string, '');
  const paths: string[] = [];
  const pathOf = (root: string, rest: string): string => {
    const tail = rest
      .replace(/\['([^']*)'\]/g, '.$1')
      .replace(/\[\w+\]/g, '')
      .replace(/^\./, '');
    return [root, tail].filter((p) => p !== '').join('.');
  };
  const access = /\b(\w+)((?:\.\w+|\['[^']*'\]|\[\w+\])+)/g;
  // Bindings first, in order: each may build on an earlier one.
  for (const line of code.split('\n')) {
    const expand = /mv-expand\s+(\w+)\s*=\s*(\w+)((?:\.\w+|\['[^']*'\])+)/.exec(line);
    if (expand !== null && bound.has(expand[2] as string)) {
      const base = pathOf(bound.get(expand[2] as string) as string, expand[3] as string);
      paths.push(base);
      bound.set(expand[1] as string, `${base}.*`);
    }
    for (const m of line.matchAll(/\b(\w+)\s*=\s*(\w+)\[\w+\]/g)) {
      const from = bound.get(m[2] as string);
      if (from !== undefined) bound.set(m[1] as string, from);
    }
    for (const m of line.matchAll(access)) {
      const root = bound.get(m[1] as string);
      if (root !== undefined) {
        const path = pathOf(root, m[2] as string);
        if (path !== '' && !path.endsWith('.*')) paths.push(path);
      }
    }
    if (/parse_json\(message\)\.event\b/.test(line)) paths.push('event');
  }
  return { events, paths: [...new Set(paths)] };
}

/** Every dotted path of a logged object, its map keys and array indexes included. */
export function pathsOf(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return prefix === '' ? [] : [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const out = prefix === '' ? [] : [prefix];
  for (const [k, v] of entries) out.push(...pathsOf(v, prefix === '' ? k : `${prefix}.${k}`));
  return out;
}

/** True when `pattern` (dotted, `*` for one key) names one of `paths`. */
export function hasPath(paths: ReadonlySet<string>, pattern: string): boolean {
  if (!pattern.includes('*')) return paths.has(pattern);
  const parts = pattern.split('.');
  return [...paths].some((p) => {
    const q = p.split('.');
    return q.length === parts.length && parts.every((part, i) => part === '*' || part === q[i]);
  });
}
