import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../lib/schema/Alert.js';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver.js';
import { runPortscan } from '../support/runCli.js';

const DEMO = ['aws-vpc-flow.log', 'paloalto-cef.log'].map((f) =>
  join(import.meta.dirname, '..', '..', 'samples', 'demo', f),
);
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
let receiver: HttpReceiver;

beforeAll(async () => {
  receiver = await startHttpReceiver();
});

afterAll(async () => {
  await receiver.close();
});

describe('CLI: portscan detect with --teams, --slack and --webhook', () => {
  it('sends each alert to every sink given on the command line', async () => {
    receiver.requests.length = 0;
    const run = await runPortscan([
      'detect',
      '--teams',
      receiver.url('/teams'),
      '--slack',
      receiver.url('/slack'),
      '--webhook',
      receiver.url('/hook'),
      '--webhook-secret',
      SECRET,
      ...DEMO,
    ]);
    expect(run.status).toBe(0);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/hook', '/slack', '/teams']);
    const teams = JSON.parse(receiver.requests.find((r) => r.path === '/teams')?.body ?? '{}');
    expect(teams.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const hook = receiver.requests.find((r) => r.path === '/hook');
    const verified = new Webhook(SECRET).verify(hook?.body ?? '', hook?.headers as Record<string, string>);
    expect(AlertSchema.parse(verified).SrcIpAddr).toBe('198.51.100.23');
    expect(run.stderr).toMatch(/delivered to TEAMS1: 1, failed: 0/);
    expect(run.stderr).toMatch(/delivered to WEBHOOK1: 1, failed: 0/);
  });

  it('reports a failing sink without its URL, prints the alerts and exits 1', async () => {
    receiver.requests.length = 0;
    receiver.replies.push({ kind: 'status', status: 400 });
    const url = receiver.url('/secret-token-abc123');
    const run = await runPortscan(['detect', '--slack', url, ...DEMO]);
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/delivered to SLACK1: 0, failed: 1 \(HTTP 400/);
    expect(run.stderr + run.stdout).not.toContain('secret-token-abc123');
  });

  it('takes sinks from the PORTSCAN_SINK_<NAME>_* settings, keeping the URL out of the command line', async () => {
    receiver.requests.length = 0;
    const run = await runPortscan(['detect', ...DEMO], {
      env: { PORTSCAN_SINK_SOC_KIND: 'slack', PORTSCAN_SINK_SOC_URL: receiver.url('/from-env') },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/delivered to SOC: 1, failed: 0/);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/from-env']);
  });

  it('renders the link template of PORTSCAN_ALERT_LINK_TEMPLATE on the card, as the Function App does', async () => {
    receiver.requests.length = 0;
    const run = await runPortscan(['detect', '--teams', receiver.url('/teams'), ...DEMO], {
      env: { PORTSCAN_ALERT_LINK_TEMPLATE: 'https://soc.example/hunt?ip={{SrcIpAddr}}' },
    });
    expect(run.status).toBe(0);
    expect(receiver.requests[0]?.body).toContain('https://soc.example/hunt?ip=198.51.100.23');
  });

  it('refuses a link template or timeout the Function App would refuse, naming the setting', async () => {
    const run = await runPortscan(['detect', '--teams', receiver.url('/teams'), ...DEMO], {
      env: {
        PORTSCAN_ALERT_LINK_TEMPLATE: 'http://soc.example/{{SrcIpAddr}}',
        PORTSCAN_HTTP_TIMEOUT_SECONDS: '0',
      },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'PORTSCAN_ALERT_LINK_TEMPLATE="http://soc.example/{{SrcIpAddr}}": expected an https URL template',
    );
    expect(run.stderr).toContain('PORTSCAN_HTTP_TIMEOUT_SECONDS="0": expected an integer from 1 to 120');
  });

  it('refuses a webhook without its signing secret, naming the flag', async () => {
    const run = await runPortscan(['detect', '--webhook', receiver.url('/hook'), ...DEMO]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--webhook number 1: expected a --webhook-secret/);
  });
});
