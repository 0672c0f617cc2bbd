import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../../lib/schema/Alert.js';
import { runPortscan } from '../../support/runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'portscan-parquet-'));
const scanFile = join(dir, 'flows.log.parquet');

/**
 * A VPC flow-log Parquet file as S3 delivery writes it (Athena DDL column types, GZIP pages), made
 * by DuckDB: 60 REJECT records from one host to 60 ports of another, and 5,000 benign ACCEPT
 * records, in row groups of 2,048 rows so that the reader goes group by group.
 */
beforeAll(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const start = Date.parse('2026-11-01T10:00:00Z') / 1000;
  await connection.run(`
    COPY (
      SELECT 2::INTEGER AS version, '123456789010' AS account_id, 'eni-0a1b2c3d4e5f67890' AS interface_id,
        CASE WHEN i < 60 THEN '203.0.113.90' ELSE '198.51.100.' || (i % 200) END AS srcaddr,
        '10.0.1.15' AS dstaddr, 40000::INTEGER AS srcport,
        (CASE WHEN i < 60 THEN 1000 + i ELSE 443 END)::INTEGER AS dstport,
        6::BIGINT AS protocol, 1::BIGINT AS packets, 44::BIGINT AS bytes,
        ${start}::BIGINT AS start, ${start + 60}::BIGINT AS "end",
        CASE WHEN i < 60 THEN 'REJECT' ELSE 'ACCEPT' END AS action, 'OK' AS log_status
      FROM range(5060) t(i)
    ) TO '${scanFile}' (FORMAT PARQUET, COMPRESSION GZIP, ROW_GROUP_SIZE 2048)`);
});

describe('CLI: Parquet inputs', () => {
  it('detects a scan in a VPC flow-log Parquet file, every row group read', async () => {
    const run = await runPortscan(['detect', scanFile]);
    expect(run.status).toBe(0);
    const alerts = run.stdout
      .trim()
      .split('\n')
      .map((l) => AlertSchema.parse(JSON.parse(l)));
    expect(alerts.map((a) => [a.SrcIpAddr, a.AttemptedPortsCount, a.BinStart])).toEqual([
      ['203.0.113.90', 60, '2026-11-01T10:00:00.000Z'],
    ]);
    expect(run.stderr).toMatch(/records read\s+5,060/);
    expect(run.stderr).toMatch(/recognized as aws-vpc-flow\s+5,060/);
  });

  it('reads by content: text named .parquet is read as text, damaged Parquet is named and the rest read', async () => {
    const text = join(dir, 'not.parquet');
    writeFileSync(text, '2 123456789010 eni-1 198.51.100.1 10.0.0.1 1 2 6 1 1 1 2 ACCEPT OK\n');
    const asText = await runPortscan(['detect', text]);
    expect(asText.status).toBe(0);
    expect(asText.stderr).toMatch(/recognized as aws-vpc-flow\s+1/);
    const damaged = join(dir, 'damaged.parquet');
    writeFileSync(damaged, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7)]));
    const run = await runPortscan(['detect', damaged, scanFile]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/damaged\.parquet: not a readable Parquet file/);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('names Parquet on a pipe, which it cannot read', async () => {
    const run = await runPortscan(['detect', '-'], { stdin: readFileSync(scanFile) });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/stdin: Parquet data on a pipe.*; try: save it to a file/);
  });
});
