import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_MESSAGES } from '../../../lib/observability/Logger.js';
import {
  analyzeKql,
  fieldReferences,
  hasPath,
  loadWorkbook,
  pathsOf,
  queryItems,
} from '../../support/workbook.js';

/*
 * The workbook of infra/workbooks/portscan.workbook.json: a valid Notebook/1.0 document whose
 * every query parses and type-checks as KQL over Application Insights' `traces` table (Microsoft's
 * Kusto.Language analyzer), reads only events the product logs, and has the views the operators
 * need. That the fields it reads are the fields really logged is test/integration/workbook.test.ts.
 */

const workbook = loadWorkbook();
const queries = queryItems(workbook);
const root = join(import.meta.dirname, '../../..');

describe('Workbook: infra/workbooks/portscan.workbook.json', () => {
  it('is a Notebook/1.0 document with uniquely named items, opening on the placeholder Bicep replaces', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    const names = workbook.items.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
    expect(workbook.fallbackResourceIds).toEqual(['__APPLICATION_INSIGHTS_ID__']);
    expect(workbook.items.every((i) => [1, 3, 9].includes(i.type))).toBe(true);
    for (const i of workbook.items) {
      if (i.customWidth !== undefined) expect(Number(i.customWidth)).toBeGreaterThan(0);
      if (i.customWidth !== undefined) expect(Number(i.customWidth)).toBeLessThanOrEqual(100);
    }
  });

  it('has the views of alerts and of the pipeline health', () => {
    expect(queries.map((q) => q.name)).toEqual([
      'alerts-over-time',
      'ports-reached',
      'top-scanners',
      'suppressed-alerts',
      'known-scanners-expired',
      'records-per-source',
      'records-not-decodable',
      'partition-lag',
      'late-events',
      'closing-runs',
      'flow-log-blob-lag',
      'deliveries',
      'parked-alerts',
      'problems',
    ]);
  });

  it('runs every query on the Application Insights component, in the time range of its parameter', () => {
    const parameters = workbook.items.filter((i) => i.type === 9);
    expect(parameters).toHaveLength(1);
    const declared = ((parameters[0]?.content.parameters ?? []) as { name: string; type: number }[]).map(
      (p) => [p.name, p.type],
    );
    expect(declared).toEqual([['TimeRange', 4]]);
    for (const q of queries) {
      expect(q.content).toMatchObject({
        version: 'KqlItem/1.0',
        queryType: 0,
        resourceType: 'microsoft.insights/components',
        timeContextFromParameter: 'TimeRange',
      });
      expect(['timechart', 'barchart', 'table']).toContain(q.content.visualization);
      expect(q.content.title.length).toBeGreaterThan(5);
      // No workbook parameter inside a query: the time range comes from timeContextFromParameter.
      expect(q.content.query).not.toMatch(/\{\w+(:\w+)?\}/);
    }
  });

  it.each(queries.map((q) => [q.name, q] as const))(
    '%s parses and type-checks as KQL over traces',
    (_, q) => {
      const analysis = analyzeKql(q.content.query);
      expect(analysis.diagnostics).toEqual([]);
      expect(analysis.columns.length).toBeGreaterThan(0);
    },
  );

  it('draws each chart from columns its kind needs: time and numbers, or a category and numbers', () => {
    for (const q of queries) {
      const { columns } = analyzeKql(q.content.query);
      const numeric = columns.filter((c) => ['int', 'long', 'real'].includes(c.type));
      if (q.content.visualization === 'timechart') {
        expect(
          columns.filter((c) => c.type === 'datetime'),
          q.name,
        ).toHaveLength(1);
        expect(numeric.length, q.name).toBeGreaterThan(0);
      }
      if (q.content.visualization === 'barchart') {
        expect(columns[0]?.type, q.name).toBe('string');
        expect(numeric.length, q.name).toBeGreaterThan(0);
      }
    }
  });

  it('reads only events the product logs, from the JSON trace messages of contextLogger', () => {
    const logged = new Set<string>(Object.values(LOG_MESSAGES));
    for (const q of queries) {
      expect(q.content.query.startsWith('traces\n'), q.name).toBe(true);
      const { events } = fieldReferences(q.content.query);
      if (q.name !== 'problems') expect(events.length, q.name).toBeGreaterThan(0);
      for (const e of events) expect(logged, `${q.name}: ${e}`).toContain(e);
    }
  });

  it('finds the fields a query reads, and a misspelt one is not in the logged object', () => {
    const query = [
      'traces',
      `| where message startswith '{"event":"close summary"'`,
      '| extend d = parse_json(message)',
      '// d.commented is not read',
      '| mv-expand kv = d.deliveries | extend Sink = tostring(bag_keys(kv)[0]) | extend c = kv[Sink]',
      "| project a = toint(d.binsClosed), b = toint(c.delivered), r = d.rowsDropped['older than x'], t = d.partitionsBehind, w = d.watermarkMS",
    ].join('\n');
    const refs = fieldReferences(query);
    expect(refs.events).toEqual(['close summary']);
    expect([...refs.paths].sort()).toEqual(
      [
        'binsClosed',
        'deliveries',
        'deliveries.*.delivered',
        'partitionsBehind',
        'rowsDropped.older than x',
        'watermarkMS',
      ].sort(),
    );
    const logged = new Set(
      pathsOf({
        binsClosed: 1,
        deliveries: { TEAMS: { delivered: 1 } },
        rowsDropped: { 'older than x': 2 },
        partitionsBehind: [],
        watermarkMs: 5,
      }),
    );
    expect(refs.paths.filter((p) => !hasPath(logged, p))).toEqual(['watermarkMS']);
  });
});

describe('Workbook: the rendering in docs/images/workbook.png', () => {
  const sample = JSON.parse(readFileSync(join(root, 'scripts/workbook-sample-data.json'), 'utf8')) as Record<
    string,
    { columns: string[]; rows: unknown[][] }
  >;

  it('has sample results for every query, with the columns the query returns', () => {
    expect(Object.keys(sample).sort()).toEqual(queries.map((q) => q.name).sort());
    for (const q of queries) {
      const s = sample[q.name];
      expect(s?.columns, q.name).toEqual(analyzeKql(q.content.query).columns.map((c) => c.name));
      for (const row of s?.rows ?? []) expect(row, q.name).toHaveLength(s?.columns.length ?? -1);
    }
  });
});
