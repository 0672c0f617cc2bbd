import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { runPortscan } from '../support/runCli.js';

const DEMO = ['aws-vpc-flow.log', 'paloalto-cef.log'].map((f) =>
  join(import.meta.dirname, '..', '..', 'samples', 'demo', f),
);
let az: Azurite;

beforeAll(async () => {
  az = await startAzurite();
});

afterAll(async () => {
  await az.stop();
});

describe('CLI: portscan detect --state table', () => {
  it('gives the same alerts as the in-memory path on the demo data, through the functions persistence and closing code', async () => {
    const memory = await runPortscan(['detect', ...DEMO]);
    const table = await runPortscan([
      'detect',
      '--state',
      'table',
      '--table-connection',
      az.connectionString(),
      '--table-prefix',
      'CliDemo',
      ...DEMO,
    ]);
    expect(table.status).toBe(0);
    expect(table.stdout).toBe(memory.stdout);
    expect(JSON.parse(table.stdout).ReportedBy).toEqual(['AWS/VPC', 'Palo Alto/PanOS']);
    expect(table.stderr).toMatch(/table entity writes \d+, transactions \d+/);
  });

  it('asks for a connection when none is given', async () => {
    const run = await runPortscan(['detect', '--state', 'table', ...DEMO]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--state table needs --table-connection/);
  });
});
