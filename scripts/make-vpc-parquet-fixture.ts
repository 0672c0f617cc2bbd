/**
 * Writes test/fixtures/aws-vpc-flow/vpc-flow-logs.parquet: VPC flow-log records in the Parquet
 * layout VPC Flow Logs delivers to S3 (column names with underscores, the column types of the Athena
 * DDL in "Create tables for flow logs in Apache Parquet format", GZIP pages as the VPC User Guide
 * states), written by DuckDB, an implementation independent of the reader we ship.
 *
 *   npx tsx scripts/make-vpc-parquet-fixture.ts
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const out = join(import.meta.dirname, '..', 'test', 'fixtures', 'aws-vpc-flow', 'vpc-flow-logs.parquet');
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(`
  CREATE TABLE flows (
    version INTEGER, account_id VARCHAR, interface_id VARCHAR, srcaddr VARCHAR, dstaddr VARCHAR,
    srcport INTEGER, dstport INTEGER, protocol BIGINT, packets BIGINT, bytes BIGINT, start BIGINT,
    "end" BIGINT, action VARCHAR, log_status VARCHAR, vpc_id VARCHAR, flow_direction VARCHAR)`);
await connection.run(`
  INSERT INTO flows VALUES
    (2, '123456789010', 'eni-1235b8ca123456789', '172.31.16.139', '172.31.16.21', 20641, 22, 6, 20, 4249,
     1418530010, 1418530070, 'ACCEPT', 'OK', NULL, NULL),
    (2, '123456789010', 'eni-1235b8ca123456789', '172.31.9.69', '172.31.9.12', 49761, 3389, 6, 20, 4249,
     1418530010, 1418530070, 'REJECT', 'OK', NULL, NULL),
    (2, '123456789010', 'eni-1235b8ca123456789', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     1431280876, 1431280934, NULL, 'NODATA', NULL, NULL),
    (5, '123456789010', 'eni-0a1b2c3d4e5f67890', '198.51.100.23', '10.0.1.15', 51234, 8443, 6, 1, 44,
     1740823200, 1740823260, 'REJECT', 'OK', 'vpc-0a1b2c3d', 'ingress'),
    (5, '123456789010', 'eni-0a1b2c3d4e5f67890', '198.51.100.23', '10.0.1.15', 51235, 8080, 17, 1, 44,
     1740823200, 1740823260, 'REJECT', 'OK', 'vpc-0a1b2c3d', 'ingress')`);
await connection.run(`COPY (SELECT * FROM flows) TO '${out}' (FORMAT PARQUET, COMPRESSION GZIP)`);
console.log(`wrote ${out}`);
