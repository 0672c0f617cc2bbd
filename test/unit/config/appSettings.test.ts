import { describe, expect, it } from 'vitest';
import {
  APP_SETTINGS,
  closeScheduleOf,
  loadDeliveryConfig,
  loadDeploymentStorage,
  loadFunctionConfig,
  loadIngestConfig,
  PORTSCAN_SETTINGS,
} from '../../../lib/config/appSettings.js';
import { ConfigurationError } from '../../../lib/errors.js';

const IDENTITY = {
  EventHubConnection__fullyQualifiedNamespace: 'evhns-x.servicebus.windows.net',
  PORTSCAN_EVENTHUB_NAME: 'flowlogs',
  PORTSCAN_EVENTHUB_CONSUMER_GROUP: 'portscan-ingest',
  PortscanStorage__tableServiceUri: 'https://stx.table.core.windows.net',
  PortscanStorage__queueServiceUri: 'https://stx.queue.core.windows.net',
  PortscanStorage__credential: 'managedidentity',
  PortscanStorage__clientId: '6f1c2c1e-0a8b-4d7e-9a55-3d2f9c0b1e77',
};

function issuesOf(env: Record<string, string>): readonly string[] {
  try {
    loadFunctionConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.issues;
    throw error;
  }
  return [];
}

describe('Config: Function App settings', () => {
  it('reads identity-based connections', () => {
    const c = loadFunctionConfig(IDENTITY);
    expect(c.tables).toEqual({
      kind: 'identity',
      endpoint: 'https://stx.table.core.windows.net',
      clientId: '6f1c2c1e-0a8b-4d7e-9a55-3d2f9c0b1e77',
    });
    expect(c.queues).toMatchObject({ kind: 'identity', endpoint: 'https://stx.queue.core.windows.net' });
    expect([
      c.eventHubName,
      c.tablePrefix,
      c.alertQueue,
      c.closeSchedule,
      c.deliveryMaxRuns,
      c.maxBinsPerRun,
      c.maxCloseDelayMs,
      c.partitionIdleMs,
      c.httpTimeoutMs,
      c.rowCacheMegabytes,
      c.alertLinkTemplate,
    ]).toEqual([
      'flowlogs',
      'Portscan',
      'portscan-alerts',
      '0 5 * * * *',
      24,
      288,
      3_600_000,
      900_000,
      10_000,
      undefined,
      undefined,
    ]);
    expect(c.detection.threshold).toBe(50);
    expect(c.limits.maxMessageBytes).toBe(4 * 1024 * 1024);
  });

  it('reads a connection string for local runs against Azurite', () => {
    const c = loadFunctionConfig({
      EventHubConnection: 'Endpoint=sb://localhost/;UseDevelopmentEmulator=true',
      PORTSCAN_EVENTHUB_NAME: 'flowlogs',
      PortscanStorage: 'UseDevelopmentStorage=true',
    });
    expect(c.tables).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
  });

  it('names every missing or bad setting at once', () => {
    expect(
      issuesOf({
        PortscanStorage__tableServiceUri: 'https://stx.table.core.windows.net',
        PortscanStorage__credential: 'shared-key',
        PORTSCAN_CLOSE_SCHEDULE: 'hourly',
        PORTSCAN_ALERT_QUEUE: 'Alerts_Queue',
        PORTSCAN_MAX_FIELD_CHARS: '10',
        PORTSCAN_THRESHOLD: '-1',
      }),
    ).toEqual([
      'PORTSCAN_THRESHOLD="-1": expected an integer from 1 to 65535 (alert when the distinct port count is greater)',
      'PORTSCAN_MAX_FIELD_CHARS="10": expected an integer from 64 to 1048576',
      'PORTSCAN_EVENTHUB_NAME: required (the name of the flow-log event hub)',
      'EventHubConnection__fullyQualifiedNamespace: required (or EventHubConnection as a connection string for local runs)',
      'PortscanStorage__credential: expected "managedidentity" or unset',
      'PortscanStorage__queueServiceUri: required (or PortscanStorage as a connection string for local runs)',
      'PORTSCAN_ALERT_QUEUE="Alerts_Queue": expected a queue name (3-63 lower-case letters, digits and single hyphens)',
      'PORTSCAN_CLOSE_SCHEDULE="hourly": expected a six-field NCRONTAB expression such as "0 5 * * * *"',
    ]);
  });

  it('reads every setting it declares, in its unit', () => {
    const c = loadFunctionConfig({
      ...IDENTITY,
      PORTSCAN_TABLE_PREFIX: 'Scan2',
      PORTSCAN_ALERT_QUEUE: 'scan-alerts',
      PORTSCAN_CLOSE_SCHEDULE: ' 0 */5 * * * * ',
      PORTSCAN_MAX_CLOSE_DELAY_MINUTES: '0',
      PORTSCAN_PARTITION_IDLE_MINUTES: '30',
      PORTSCAN_MAX_BINS_PER_RUN: '12',
      PORTSCAN_DELIVERY_MAX_RUNS: '3',
      PORTSCAN_HTTP_TIMEOUT_SECONDS: '5',
      PORTSCAN_ROW_CACHE_MB: '64',
      PORTSCAN_ALERT_LINK_TEMPLATE: 'https://portal.example/{{AlertId}}',
    });
    expect(c).toMatchObject({
      tablePrefix: 'Scan2',
      alertQueue: 'scan-alerts',
      closeSchedule: '0 */5 * * * *',
      maxCloseDelayMs: 0,
      partitionIdleMs: 1_800_000,
      maxBinsPerRun: 12,
      deliveryMaxRuns: 3,
      httpTimeoutMs: 5000,
      rowCacheMegabytes: 64,
      alertLinkTemplate: 'https://portal.example/{{AlertId}}',
    });
  });

  it.each([
    ['PORTSCAN_MAX_BINS_PER_RUN', '0', 'an integer from 1 to 100000'],
    ['PORTSCAN_MAX_BINS_PER_RUN', '12.5', 'an integer from 1 to 100000'],
    ['PORTSCAN_DELIVERY_MAX_RUNS', 'x', 'an integer from 1 to 10000'],
    ['PORTSCAN_ROW_CACHE_MB', '65537', 'an integer from 0 to 65536'],
    ['PORTSCAN_ALERT_LINK_TEMPLATE', 'http://portal.example/{{AlertId}}', 'an https URL template'],
  ])('names %s=%s and what it accepts', (name, value, accepts) => {
    expect(issuesOf({ ...IDENTITY, [name]: value })).toEqual([
      `${name}=${JSON.stringify(value)}: expected ${accepts}`,
    ]);
  });

  it('gives the timer its schedule from the one declared default', () => {
    expect(closeScheduleOf({})).toBe('0 5 * * * *');
    expect(closeScheduleOf({ PORTSCAN_CLOSE_SCHEDULE: ' 0 */15 * * * * ' })).toBe('0 */15 * * * *');
    expect(closeScheduleOf({ PORTSCAN_CLOSE_SCHEDULE: '  ' })).toBe('0 5 * * * *');
  });

  it('declares every setting it reads in the settings table', () => {
    const names = new Set(APP_SETTINGS.map((s) => s.name));
    for (const s of Object.values(PORTSCAN_SETTINGS)) expect(names).toContain(s.name);
    expect(APP_SETTINGS.find((s) => s.name === 'PORTSCAN_MAX_BINS_PER_RUN')).toMatchObject({
      kind: 'integer',
      presence: 'optional',
    });
  });

  it('reads any number of alert sinks', () => {
    const c = loadFunctionConfig({
      ...IDENTITY,
      PORTSCAN_SINK_SOC_KIND: 'teams',
      PORTSCAN_SINK_SOC_URL: 'https://prod-1.westeurope.logic.azure.com/workflows/x',
      PORTSCAN_SINK_SIEM_KIND: 'webhook',
      PORTSCAN_SINK_SIEM_URL: 'https://siem.example.com/hooks/portscan',
      PORTSCAN_SINK_SIEM_SECRET: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
    });
    expect(c.sinks.map((s) => [s.name, s.kind])).toEqual([
      ['SIEM', 'webhook'],
      ['SOC', 'teams'],
    ]);
  });
});

describe('Config: each function reads only its own settings', () => {
  /** An unresolved Key Vault reference: App Service leaves the reference text as the value. */
  const unresolved = '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/teams-webhook-url/)';
  const badSink = { ...IDENTITY, PORTSCAN_SINK_TEAMS_KIND: 'teams', PORTSCAN_SINK_TEAMS_URL: unresolved };

  it('reads the ingest settings whatever the delivery settings hold', () => {
    const c = loadIngestConfig({
      ...badSink,
      PORTSCAN_ALERT_QUEUE: 'Not_A_Queue',
      PORTSCAN_DELIVERY_MAX_RUNS: 'x',
    });
    expect([c.eventHubName, c.tablePrefix, c.detection.threshold]).toEqual(['flowlogs', 'Portscan', 50]);
  });

  it('names every bad delivery setting, never the secret value', () => {
    const error = (() => {
      try {
        loadDeliveryConfig({ ...badSink, PORTSCAN_ALERT_QUEUE: 'Not_A_Queue' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    const { issues } = error as ConfigurationError;
    expect(issues).toEqual([
      'PORTSCAN_ALERT_QUEUE="Not_A_Queue": expected a queue name (3-63 lower-case letters, digits and single hyphens)',
      'PORTSCAN_SINK_TEAMS_URL: expected the webhook URL (http or https); the value is not shown',
    ]);
    expect(JSON.stringify(issues)).not.toContain('vault.azure.net');
  });

  it('keeps ingest settings out of the delivery check, and the whole check naming both', () => {
    const bad = { ...badSink, PORTSCAN_TABLE_PREFIX: '1bad' };
    expect(() => loadDeliveryConfig(bad)).toThrow(ConfigurationError);
    expect(() => loadIngestConfig(bad)).toThrow(/PORTSCAN_TABLE_PREFIX/);
    expect(issuesOf(bad)).toEqual([
      'PORTSCAN_TABLE_PREFIX="1bad": expected letters and digits, starting with a letter, at most 41',
      'PORTSCAN_SINK_TEAMS_URL: expected the webhook URL (http or https); the value is not shown',
    ]);
  });
});

describe('Config: the deployment storage a tool outside the app reads', () => {
  it("reads the functions' endpoints, prefix and queue, and the queue's endpoint only when asked", () => {
    const env = {
      PortscanStorage__tableServiceUri: 'https://stx.table.core.windows.net',
      PORTSCAN_TABLE_PREFIX: 'Scan',
    };

    expect(loadDeploymentStorage(env, { queue: false })).toEqual({
      tables: { kind: 'identity', endpoint: 'https://stx.table.core.windows.net', clientId: undefined },
      tablePrefix: 'Scan',
      queues: undefined,
      alertQueue: 'portscan-alerts',
    });
    expect(() => loadDeploymentStorage(env, { queue: true })).toThrow(
      /PortscanStorage__queueServiceUri: required \(or PortscanStorage as a connection string for local runs\)/,
    );
  });

  it('names a bad table prefix and queue name with their values', () => {
    const env = {
      PortscanStorage: 'UseDevelopmentStorage=true',
      PORTSCAN_TABLE_PREFIX: '9x',
      PORTSCAN_ALERT_QUEUE: 'A_Q',
    };

    expect(() => loadDeploymentStorage(env, { queue: true })).toThrow(ConfigurationError);
    expect(() => loadDeploymentStorage(env, { queue: true })).toThrow(
      /PORTSCAN_TABLE_PREFIX="9x"[\s\S]*PORTSCAN_ALERT_QUEUE="A_Q"/,
    );
  });
});
