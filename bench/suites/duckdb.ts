/**
 * The rule as SQL in DuckDB, on the same files `portscan detect` reads: ASIM JSON lines through
 * `read_json`, AWS VPC flow logs as space-separated CSV. The private-source filter is the KQL's
 * `ipv4_is_private` plus loopback and link-local (the product's default mode, for the plain IPv4
 * addresses the workload holds); bins are 5 minutes on the flow start.
 *
 *   node --import tsx bench/suites/duckdb.ts <asim|aws-vpc> <file> <threads> <runs>
 *
 * Prints one JSON line: the timings of each run, the process's peak RSS and the alerts (source, bin,
 * port count).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { medianAndSpread } from '../stats.js';

const [format, path, threadsText, runsText] = process.argv.slice(2);
if (format === undefined || path === undefined)
  throw new Error('usage: duckdb.ts <format> <file> <threads> <runs>');
const threads = Number(threadsText ?? '2');
const runs = Number(runsText ?? '3');
const file = path.replaceAll("'", "''");

const NOT_PRIVATE = `NOT (src LIKE '10.%' OR src LIKE '192.168.%' OR src LIKE '127.%' OR src LIKE '169.254.%'
  OR regexp_matches(src, '^172\\.(1[6-9]|2[0-9]|3[01])\\.'))`;

const rows =
  format === 'asim'
    ? `SELECT SrcIpAddr AS src, DstPortNumber AS port, EventVendor || '/' || EventProduct AS reporter,
         coalesce(EventStartTime, TimeGenerated) AS t
       FROM read_json('${file}', format = 'newline_delimited', columns = {
         SrcIpAddr: 'VARCHAR', DstPortNumber: 'INTEGER', EventVendor: 'VARCHAR', EventProduct: 'VARCHAR',
         EventStartTime: 'TIMESTAMP', TimeGenerated: 'TIMESTAMP'})`
    : `SELECT srcaddr AS src, dstport AS port, 'AWS/VPC' AS reporter, to_timestamp("start")::TIMESTAMP AS t
       FROM read_csv('${file}', delim = ' ', header = true, columns = {
         'version': 'INTEGER', 'account-id': 'VARCHAR', 'interface-id': 'VARCHAR', 'srcaddr': 'VARCHAR',
         'dstaddr': 'VARCHAR', 'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'INTEGER',
         'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR',
         'log-status': 'VARCHAR'})
       WHERE "log-status" = 'OK'`;

const sql = `
SELECT src, strftime(time_bucket(INTERVAL '5 minutes', t), '%Y-%m-%dT%H:%M:%S.000Z') AS bin,
       count(DISTINCT port) AS ports,
       list_sort(list(DISTINCT port))[1:100] AS attempted_ports,
       list_sort(list(DISTINCT reporter))[1:20] AS reported_by
FROM (${rows})
WHERE src IS NOT NULL AND ${NOT_PRIVATE}
GROUP BY ALL
HAVING count(DISTINCT port) > 50
ORDER BY bin, src`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
const times: number[] = [];
let alerts: [string, string, number][] = [];
// The first run warms DuckDB and the file cache; the runs after it are measured.
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const reader = await connection.runAndReadAll(sql);
  times.push(performance.now() - t);
  alerts = reader.getRowsJson().map((r) => [String(r[0]), String(r[1]), Number(r[2])]);
}
const measured = times.length > 1 ? times.slice(1) : times;
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ format, threads, ms: medianAndSpread(measured), maxRssBytes, alerts })}\n`,
);
