import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { contextLogger } from '../../../functions/shared/composition.js';
import {
  APP_SETTINGS,
  loadFunctionConfig,
  type SettingSpec,
  SINK_KINDS,
  SINK_SETTING_PATTERN,
} from '../../../lib/config/appSettings.js';
import { FLOW_LOG_CONTAINERS } from '../../../lib/flowlogs/flowLogBlob.js';
import { LOG_MESSAGES } from '../../../lib/observability/Logger.js';
import {
  type ArmTemplate,
  buildResourceId,
  type DeployedResource,
  deployedResources,
  type Frame,
  InvalidTemplateError,
  resourceNameOf,
  resourceTypeOf,
  rootFrame,
  stubClientId,
  stubPrincipalId,
  stubSystemPrincipalId,
} from './armTemplate.js';

/*
 * The contract between the code and the infrastructure. infra/main.json is the compiled
 * infra/main.bicep (scripts/build-infra.sh; lint-infra.sh fails when it is stale), so this test
 * needs no Bicep CLI. The template is evaluated for several parameter sets; for each, what it
 * would deploy is checked against lib/config/appSettings.ts and the least-privilege role set,
 * and the resulting app settings must pass the code's own loadFunctionConfig.
 */

const root = join(import.meta.dirname, '../../..');
const template = JSON.parse(readFileSync(join(root, 'infra/main.json'), 'utf8')) as ArmTemplate;
const templateText = readFileSync(join(root, 'infra/main.json'), 'utf8');
const workbookText = readFileSync(join(root, 'infra/workbooks/portscan.workbook.json'), 'utf8');

const SUBSCRIPTION = '11111111-1111-4111-8111-111111111111';
const OTHER_SUBSCRIPTION = '22222222-2222-4222-8222-222222222222';

const ROLE = {
  // Storage Blob Data Owner
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  // Storage Table Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  // Storage Queue Data Message Sender
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a',
  // Storage Queue Data Reader
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925',
  // Storage Table Data Reader
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6',
  // Azure Event Hubs Data Receiver
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  // Azure Event Hubs Data Sender
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975',
  // Key Vault Secrets User
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  // Monitoring Metrics Publisher
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  // Storage Blob Data Reader
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  // Storage Blob Data Contributor
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
} as const;

/** App settings the Flex Consumption plan rejects or ignores (docs/platform.md#flex-consumption-app-settings). */
const FLEX_FORBIDDEN = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_TIME_ZONE',
  'TZ',
];

/** The table suffixes the code appends to PORTSCAN_TABLE_PREFIX (lib/state). */
const TABLE_SUFFIXES = ['Windows', 'Control', 'Outbox', 'DeadLetters'];

// Sample secret values (not real): what the operator would pass as secure parameters.
const SAMPLE_SECRETS = {
  teamsWebhookUrl: 'https://example.invalid/workflows/teams',
  slackWebhookUrl: 'https://example.invalid/services/slack',
  webhookUrl: 'https://example.invalid/portscan',
  webhookSigningSecret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
};

interface Scenario {
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
}

const EXISTING_HUB_ID = `/subscriptions/${OTHER_SUBSCRIPTION}/resourceGroups/rg-shared-hub/providers/Microsoft.EventHub/namespaces/evhns-shared/eventhubs/firewall-logs`;
const FIREWALL_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-network/providers/Microsoft.Network/azureFirewalls/fw-hub`;
const FLOW_LOG_ACCOUNT_ID = `/subscriptions/${OTHER_SUBSCRIPTION}/resourceGroups/rg-network/providers/Microsoft.Storage/storageAccounts/stflowlogs`;
const VNET_ID = `/subscriptions/${OTHER_SUBSCRIPTION}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub`;

const SCENARIOS: readonly Scenario[] = [
  { label: 'defaults', params: {} },
  {
    label: 'every sink, detection knob and option',
    params: {
      ...SAMPLE_SECRETS,
      alertEmail: 'secops@example.invalid',
      alertLinkTemplate: 'https://portal.example.invalid/ip/{{SrcIpAddr}}',
      detection: {
        mode: 'sentinel-parity',
        threshold: 30,
        binMinutes: 10,
        attemptedPortsLimit: 50,
        reportedByLimit: 5,
        excludeCidrs: ['10.0.0.0/8', '2001:db8::/32'],
        severity: 'High',
        allowedLatenessMinutes: 5,
        retentionHours: 48,
        chatGroupHours: 2,
      },
      firewallResourceIds: [FIREWALL_ID],
    },
  },
  {
    label: 'existing hub in another subscription',
    params: { existingEventHubResourceId: EXISTING_HUB_ID, eventHubConsumerGroupName: '$Default' },
  },
  {
    label: 'flow logs from a storage account in another subscription, subscribed, with a VNet flow log',
    params: {
      flowLogStorageAccountId: FLOW_LOG_ACCOUNT_ID,
      flowLogEventSubscription: true,
      flowLogVirtualNetworkId: VNET_ID,
    },
  },
];

interface Deployment {
  readonly all: DeployedResource[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly frame: Frame;
}

function deploy(scenario: Scenario): Deployment {
  const frame = rootFrame(
    template,
    { environmentName: 'ci', location: 'westeurope', ...scenario.params },
    { subscriptionId: SUBSCRIPTION },
  );
  return { all: deployedResources(frame), params: frame.params, frame };
}

/** The value of one of the main template's outputs. */
function outputOf(d: Deployment, name: string): unknown {
  return d.frame.evaluate(template.outputs?.[name]?.value ?? null);
}

function ofType(d: Deployment, type: string): DeployedResource[] {
  return d.all.filter((r) => r.type === type);
}

function single(d: Deployment, type: string): DeployedResource {
  const found = ofType(d, type);
  expect(
    found.map((r) => r.symbol),
    `exactly one ${type}`,
  ).toHaveLength(1);
  return found[0] as DeployedResource;
}

/** What the deployment consists of, independently of the app settings. */
interface World {
  readonly site: DeployedResource;
  readonly identityId: string;
  readonly storageName: string;
  readonly storageId: string;
  readonly hubId: string;
  readonly consumerGroup: string;
  readonly vaultName: string;
  readonly vaultId: string;
  readonly secrets: ReadonlyMap<string, string>;
  readonly appInsightsId: string;
  readonly tables: readonly string[];
  readonly queues: readonly string[];
  readonly settings: readonly { name: string; value: string }[];
  /** The flow-log storage account's name, when the deployment reads one. */
  readonly flowLogAccount: string | undefined;
}

function worldOf(d: Deployment): World {
  const site = single(d, 'Microsoft.Web/sites');
  const identity = site.frame.evaluate(site.resource.identity) as {
    type: string;
    userAssignedIdentities: Record<string, unknown>;
  };
  expect(identity.type).toBe('UserAssigned');
  const identityIds = Object.keys(identity.userAssignedIdentities);
  expect(identityIds).toHaveLength(1);
  const identityId = identityIds[0] as string;
  expect(resourceTypeOf(identityId)).toBe('Microsoft.ManagedIdentity/userAssignedIdentities');
  expect(single(d, 'Microsoft.ManagedIdentity/userAssignedIdentities').id).toBe(identityId);

  const storage = single(d, 'Microsoft.Storage/storageAccounts');
  const vault = single(d, 'Microsoft.KeyVault/vaults');
  const existing = d.params.existingEventHubResourceId as string;
  const hubId = existing === '' ? single(d, 'Microsoft.EventHub/namespaces/eventhubs').id : existing;
  const consumerGroups = ofType(d, 'Microsoft.EventHub/namespaces/eventhubs/consumergroups');
  const consumerGroup =
    consumerGroups.length === 0 ? '$Default' : resourceNameOf(consumerGroups[0]?.id ?? '');
  for (const cg of consumerGroups) expect(cg.id.startsWith(`${hubId}/consumergroups/`)).toBe(true);
  const secrets = new Map(
    ofType(d, 'Microsoft.KeyVault/vaults/secrets').map((s) => [s.name, String(s.properties.value)] as const),
  );
  const siteConfig = site.properties.siteConfig as { appSettings: { name: string; value: unknown }[] };
  return {
    site,
    identityId,
    storageName: storage.name,
    storageId: storage.id,
    hubId,
    consumerGroup,
    vaultName: vault.name,
    vaultId: vault.id,
    secrets,
    appInsightsId: single(d, 'Microsoft.Insights/components').id,
    tables: ofType(d, 'Microsoft.Storage/storageAccounts/tableServices/tables').map((t) =>
      resourceNameOf(t.id),
    ),
    queues: ofType(d, 'Microsoft.Storage/storageAccounts/queueServices/queues').map((q) =>
      resourceNameOf(q.id),
    ),
    settings: siteConfig.appSettings.map((s) => {
      expect(typeof s.value, `${s.name} is a string`).toBe('string');
      return { name: s.name, value: s.value as string };
    }),
    flowLogAccount:
      d.params.flowLogStorageAccountId === ''
        ? undefined
        : resourceNameOf(String(d.params.flowLogStorageAccountId)),
  };
}

/** Resource id of the alert queue the app sends to. */
function alertQueueId(w: World): string {
  const [queue, ...others] = w.queues;
  expect(others).toEqual([]);
  return `${w.storageId}/queueServices/default/queues/${queue}`;
}

const KEY_VAULT_REFERENCE =
  /^@Microsoft\.KeyVault\(SecretUri=https:\/\/([^./]+)\.vault\.azure\.net\/secrets\/([^/]+)\/\)$/;

/** Checks a setting value against its kind; returns what is wrong, or undefined. */
function kindProblem(kind: SettingSpec['kind'], name: string, value: string, w: World): string | undefined {
  const namespace = w.hubId.split('/')[8];
  switch (kind) {
    case 'uri': {
      const service = /__(blob|queue|table)ServiceUri$/.exec(name)?.[1];
      const expected = `https://${w.storageName}.${service}.core.windows.net/`;
      return value === expected ? undefined : `expected the ${service} endpoint of the storage account`;
    }
    case 'flowLogUri':
      return value === `https://${w.flowLogAccount}.blob.core.windows.net/`
        ? undefined
        : 'expected the blob endpoint of the flow-log storage account';
    case 'managedidentity':
      return value === 'managedidentity' ? undefined : 'expected "managedidentity"';
    case 'clientId':
      return value === stubClientId(w.identityId)
        ? undefined
        : "expected the client id of the app's identity";
    case 'fqdn':
      return value === `${namespace}.servicebus.windows.net`
        ? undefined
        : `expected ${namespace}'s host name`;
    case 'name':
      return /^[A-Za-z0-9$][A-Za-z0-9._-]*$/.test(value) ? undefined : 'expected a name';
    case 'ncrontab':
      return /^\S+ \S+ \S+ \S+ \S+ \S+$/.test(value) ? undefined : 'expected six NCRONTAB fields';
    case 'integer':
      return /^\d+$/.test(value) ? undefined : 'expected an integer';
    case 'enum':
      return /^[A-Za-z][A-Za-z-]*$/.test(value) ? undefined : 'expected an enum value';
    case 'list':
      return value.split(',').every((s) => s.trim() !== '') ? undefined : 'expected a comma-separated list';
    case 'secret': {
      const m = KEY_VAULT_REFERENCE.exec(value);
      if (m === null) return 'expected a Key Vault reference @Microsoft.KeyVault(SecretUri=…)';
      if (m[1] !== w.vaultName) return 'expected a secret of the deployed vault';
      return w.secrets.has(`${w.vaultName}/${m[2]}`) ? undefined : `the vault gets no secret ${m[2]}`;
    }
    case 'connectionString':
      return 'connection strings are for local runs only';
    case 'text':
      return value.trim() === '' ? 'expected text' : undefined;
  }
}

/** The spec of a setting name: its APP_SETTINGS entry or the sink pattern. */
function specOf(name: string): SettingSpec | undefined {
  const known = APP_SETTINGS.find((s) => s.name === name);
  if (known !== undefined) return known;
  const sink = SINK_SETTING_PATTERN.exec(name);
  if (sink === null) return undefined;
  return {
    name,
    kind: sink[2] === 'KIND' ? 'enum' : 'secret',
    presence: 'optional',
    readBy: 'code',
    description: 'alert sink',
  };
}

/** The app settings as the running app sees them: Key Vault references resolved. */
function resolvedEnvironment(w: World): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name, value } of w.settings) {
    const ref = KEY_VAULT_REFERENCE.exec(value);
    env[name] = ref === null ? value : (w.secrets.get(`${ref[1]}/${ref[2]}`) ?? value);
  }
  return env;
}

describe.each(SCENARIOS)('Infra: contract of infra/main.json ($label)', (scenario) => {
  const d = deploy(scenario);
  const w = worldOf(d);
  const byName = new Map(w.settings.map((s) => [s.name, s.value]));

  it('sets every setting the deployment must set, with the right kind of value', () => {
    const problems: string[] = [];
    for (const spec of APP_SETTINGS.filter((s) => s.presence === 'azure')) {
      const value = byName.get(spec.name);
      if (value === undefined) problems.push(`${spec.name}: not set`);
      else {
        const p = kindProblem(spec.kind, spec.name, value, w);
        if (p !== undefined) problems.push(`${spec.name}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('sets only settings the code knows, each once, each with a value of its kind', () => {
    const problems: string[] = [];
    for (const { name, value } of w.settings) {
      const spec = specOf(name);
      if (spec === undefined) problems.push(`${name}: unknown to lib/config/appSettings.ts`);
      else if (spec.presence === 'local') problems.push(`${name}: local-only (connection string) setting`);
      else {
        const p = kindProblem(spec.kind, name, value, w);
        if (p !== undefined) problems.push(`${name}: ${p}`);
      }
      if (
        name.endsWith('_KIND') &&
        SINK_SETTING_PATTERN.test(name) &&
        !(SINK_KINDS as readonly string[]).includes(value)
      )
        problems.push(`${name}: not a sink kind`);
    }
    expect(problems).toEqual([]);
    expect(w.settings.map((s) => s.name)).toEqual([...new Set(w.settings.map((s) => s.name))]);
  });

  it('sets none of the settings Flex Consumption forbids', () => {
    expect(w.settings.map((s) => s.name).filter((n) => FLEX_FORBIDDEN.includes(n))).toEqual([]);
  });

  it('points the names at what it deploys: hub, consumer group, tables, queue, telemetry', () => {
    expect(byName.get('PORTSCAN_EVENTHUB_NAME')).toBe(resourceNameOf(w.hubId));
    expect(byName.get('PORTSCAN_EVENTHUB_CONSUMER_GROUP')).toBe(w.consumerGroup);
    const prefix = byName.get('PORTSCAN_TABLE_PREFIX');
    expect([...w.tables].sort()).toEqual(TABLE_SUFFIXES.map((s) => `${prefix}${s}`).sort());
    expect(w.queues).toEqual([byName.get('PORTSCAN_ALERT_QUEUE')]);
    expect(byName.get('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe(
      `connection-string-of:${w.appInsightsId}`,
    );
    expect(byName.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe(
      `ClientId=${stubClientId(w.identityId)};Authorization=AAD`,
    );
  });

  it('produces settings the code accepts (loadFunctionConfig)', () => {
    const config = loadFunctionConfig(resolvedEnvironment(w));
    expect(config.eventHubName).toBe(resourceNameOf(w.hubId));
    expect(config.tables).toEqual({
      kind: 'identity',
      endpoint: `https://${w.storageName}.table.core.windows.net/`,
      clientId: stubClientId(w.identityId),
    });
    const sinks = config.sinks.map((s) => [s.name, s.kind, s.url, s.secret ?? null]);
    if (scenario.params.teamsWebhookUrl === undefined) expect(sinks).toEqual([]);
    else
      expect(sinks).toEqual([
        ['SLACK', 'slack', SAMPLE_SECRETS.slackWebhookUrl, null],
        ['TEAMS', 'teams', SAMPLE_SECRETS.teamsWebhookUrl, null],
        ['WEBHOOK', 'webhook', SAMPLE_SECRETS.webhookUrl, SAMPLE_SECRETS.webhookSigningSecret],
      ]);
    const detection = scenario.params.detection as Record<string, unknown> | undefined;
    if (detection !== undefined) {
      expect(config.detection).toMatchObject({
        mode: detection.mode,
        threshold: detection.threshold,
        binMs: (detection.binMinutes as number) * 60_000,
        attemptedPortsLimit: detection.attemptedPortsLimit,
        reportedByLimit: detection.reportedByLimit,
        excludedSourceCidrs: detection.excludeCidrs,
        severity: detection.severity,
        allowedLatenessMs: (detection.allowedLatenessMinutes as number) * 60_000,
        retentionMs: (detection.retentionHours as number) * 3_600_000,
        chatGroupMs: (detection.chatGroupHours as number) * 3_600_000,
      });
    }
  });

  it('grants exactly the least-privilege roles, to the app identity and the dead-letter writer only', () => {
    const assignments = ofType(d, 'Microsoft.Authorization/roleAssignments').map((r) => {
      const scopeSubscription = (r.scopeId ?? '').split('/')[2];
      const roleId = String(r.properties.roleDefinitionId);
      expect(
        roleId.startsWith(
          `/subscriptions/${scopeSubscription}/providers/Microsoft.Authorization/roleDefinitions/`,
        ),
      ).toBe(true);
      expect(r.properties.principalType).toBe('ServicePrincipal');
      const who =
        r.properties.principalId === stubPrincipalId(w.identityId) ? 'app' : String(r.properties.principalId);
      return `${who}: ${resourceNameOf(roleId)} on ${r.scopeId}`;
    });
    const expected = [
      `app: ${ROLE.storageBlobDataOwner} on ${w.storageId}`,
      `app: ${ROLE.storageTableDataContributor} on ${w.storageId}`,
      // Send only, on the alert queue only: the template creates the queue, the sink never does.
      `app: ${ROLE.storageQueueDataMessageSender} on ${alertQueueId(w)}`,
      `app: ${ROLE.eventHubsDataReceiver} on ${w.hubId}`,
      `app: ${ROLE.keyVaultSecretsUser} on ${w.vaultId}`,
      `app: ${ROLE.monitoringMetricsPublisher} on ${w.appInsightsId}`,
    ];
    if (w.flowLogAccount !== undefined) {
      // Read only, on the flow-log account only; the system topic writes dead letters to one container.
      const topic = single(d, 'Microsoft.EventGrid/systemTopics');
      expected.push(
        `app: ${ROLE.storageBlobDataReader} on ${FLOW_LOG_ACCOUNT_ID}`,
        `${stubSystemPrincipalId(topic.id)}: ${ROLE.storageBlobDataContributor} on ${w.storageId}/blobServices/default/containers/flowlog-deadletters`,
      );
    }
    expect(assignments.sort()).toEqual(expected.sort());
    expect(resourceTypeOf(w.hubId)).toBe('Microsoft.EventHub/namespaces/eventhubs');
  });

  it('runs on Flex Consumption: FC1 Linux plan, Node 22, identity-based deployment storage', () => {
    const plan = single(d, 'Microsoft.Web/serverfarms');
    expect(plan.frame.evaluate(plan.resource.sku)).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    expect(plan.properties.reserved).toBe(true);
    expect(String(w.site.resource.kind)).toContain('linux');
    const app = w.site.properties.functionAppConfig as {
      runtime: unknown;
      scaleAndConcurrency: unknown;
      deployment: { storage: { type: string; value: string; authentication: unknown } };
    };
    expect(app.runtime).toEqual({ name: 'node', version: '22' });
    expect(app.scaleAndConcurrency).toEqual({
      instanceMemoryMB: d.params.functionInstanceMemoryMB,
      maximumInstanceCount: d.params.functionMaximumInstanceCount,
    });
    const containers = ofType(d, 'Microsoft.Storage/storageAccounts/blobServices/containers').filter(
      (c) => resourceNameOf(c.id) !== 'flowlog-deadletters',
    );
    expect(containers).toHaveLength(1);
    expect(app.deployment.storage).toEqual({
      type: 'blobContainer',
      value: `https://${w.storageName}.blob.core.windows.net/${resourceNameOf(containers[0]?.id ?? '')}`,
      authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: w.identityId },
    });
    expect(w.site.properties.keyVaultReferenceIdentity).toBe(w.identityId);
    expect(w.site.properties.httpsOnly).toBe(true);
  });

  it('locks down storage, telemetry, the vault and publishing credentials', () => {
    const storage = single(d, 'Microsoft.Storage/storageAccounts').properties;
    expect(storage).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      minimumTlsVersion: 'TLS1_2',
      supportsHttpsTrafficOnly: true,
    });
    expect(single(d, 'Microsoft.Insights/components').properties.DisableLocalAuth).toBe(true);
    const vault = single(d, 'Microsoft.KeyVault/vaults').properties;
    expect(vault).toMatchObject({ enableRbacAuthorization: true, enableSoftDelete: true });
    const publishing = ofType(d, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(publishing.map((p) => [resourceNameOf(p.id), p.properties.allow]).sort()).toEqual([
      ['ftp', false],
      ['scm', false],
    ]);
  });

  it('creates a Key Vault secret only for each value given, from the secure parameters', () => {
    const given = Object.keys(SAMPLE_SECRETS).filter((k) => scenario.params[k] !== undefined);
    expect(w.secrets.size).toBe(given.length);
    for (const k of given) {
      expect([...w.secrets.values()]).toContain(SAMPLE_SECRETS[k as keyof typeof SAMPLE_SECRETS]);
    }
  });

  it('gives Azure Monitor diagnostic settings a Listen/Send/Manage rule on the namespace', () => {
    const namespaceId = w.hubId.split('/eventhubs/')[0] as string;
    const rule = single(d, 'Microsoft.EventHub/namespaces/authorizationRules');
    expect(rule.id.startsWith(`${namespaceId}/authorizationRules/`)).toBe(true);
    expect([...(rule.properties.rights as string[])].sort()).toEqual(['Listen', 'Manage', 'Send']);
    for (const ns of ofType(d, 'Microsoft.EventHub/namespaces')) {
      // Diagnostic settings send with the SAS rule, so the namespace keeps local auth.
      expect(ns.properties.disableLocalAuth).toBe(false);
    }
    for (const diag of ofType(d, 'Microsoft.Insights/diagnosticSettings')) {
      expect(diag.properties.eventHubAuthorizationRuleId).toBe(rule.id);
      expect(diag.properties.eventHubName).toBe(resourceNameOf(w.hubId));
    }
  });

  it('alerts on repeated failures of each function, parked alerts, a silent closeBins, bad settings and incomplete metadata', () => {
    const rules = ofType(d, 'Microsoft.Insights/scheduledQueryRules');
    const queries = rules.map((r) => {
      expect(r.properties.scopes).toEqual([w.appInsightsId]);
      const criteria = r.properties.criteria as { allOf: { query: string }[] };
      return criteria.allOf.map((c) => c.query).join('\n');
    });
    expect(
      queries.some((q) => q.includes('requests') && q.includes('"ingest"') && q.includes('success == false')),
    ).toBe(true);
    expect(
      queries.some(
        (q) => q.includes('requests') && q.includes('"closeBins"') && q.includes('success == false'),
      ),
    ).toBe(true);
    // The name the code registers the Event Grid function under (functions/flowLogs.ts); its rule
    // exists only when the deployment reads a flow-log account.
    const flowLogsName = /app\.eventGrid\('([^']+)'/.exec(
      readFileSync(join(root, 'functions/flowLogs.ts'), 'utf8'),
    )?.[1];
    const flowLogsRules = queries.filter(
      (q) => q.includes('requests') && q.includes(`"${flowLogsName}"`) && q.includes('success == false'),
    );
    expect(flowLogsRules).toHaveLength(w.flowLogAccount === undefined ? 0 : 1);
    expect([...(outputOf(d, 'ALERT_RULE_NAMES') as string[])].sort()).toEqual(
      rules.map((r) => r.name).sort(),
    );
    // contextLogger (functions/shared/composition.ts) writes {"event":"<message>",…} as the trace message.
    for (const message of [
      LOG_MESSAGES.alertParked,
      LOG_MESSAGES.closeSummary,
      LOG_MESSAGES.configurationInvalid,
      LOG_MESSAGES.triggerMetadataIncomplete,
    ]) {
      expect(
        queries.some(
          (q) =>
            q.startsWith('traces') && q.includes('parse_json(message).event') && q.includes(`"${message}"`),
        ),
      ).toBe(true);
    }
    const groups = ofType(d, 'Microsoft.Insights/actionGroups');
    expect(groups).toHaveLength(d.params.alertEmail === '' ? 0 : 1);
  });

  it('deploys the workbook from infra/workbooks/portscan.workbook.json, opening on Application Insights', () => {
    const [book, ...others] = ofType(d, 'Microsoft.Insights/workbooks');
    expect(others).toEqual([]);
    expect(book?.resource.kind).toBe('shared');
    expect(book?.properties.category).toBe('workbook');
    expect(book?.properties.sourceId).toBe(w.appInsightsId);
    const serialized = String(book?.properties.serializedData);
    expect(serialized).not.toContain('__APPLICATION_INSIGHTS_ID__');
    expect(JSON.parse(serialized)).toEqual(
      JSON.parse(workbookText.replaceAll('__APPLICATION_INSIGHTS_ID__', w.appInsightsId)),
    );
    expect((JSON.parse(serialized) as { fallbackResourceIds: unknown }).fallbackResourceIds).toEqual([
      w.appInsightsId,
    ]);
  });

  it('creates no resource group but its own (azd down deletes what the template creates)', () => {
    expect(ofType(d, 'Microsoft.Resources/resourceGroups').map((r) => r.name)).toEqual(['rg-ci']);
  });
});

describe('Infra: wiring a source', () => {
  it("points each listed firewall's diagnostic settings at the hub", () => {
    const d = deploy(SCENARIOS[1] as Scenario);
    const diag = ofType(d, 'Microsoft.Insights/diagnosticSettings');
    expect(diag.map((r) => r.scopeId)).toEqual([FIREWALL_ID]);
    const logs = diag[0]?.properties.logs as { category: string; enabled: boolean }[];
    expect(logs.map((l) => l.category)).toEqual(['AZFWNetworkRule', 'AZFWNatRule', 'AZFWThreatIntel']);
  });

  it("sends through an existing rule of the hub's namespace when one is given, creating none", () => {
    const existingRule = `${EXISTING_HUB_ID.split('/eventhubs/')[0]}/authorizationRules/RootDiagnostics`;
    const d = deploy({
      label: 'existing hub and rule',
      params: {
        existingEventHubResourceId: EXISTING_HUB_ID,
        existingDiagnosticsAuthorizationRuleId: existingRule,
        firewallResourceIds: [FIREWALL_ID],
      },
    });
    expect(ofType(d, 'Microsoft.EventHub/namespaces/authorizationRules')).toEqual([]);
    const diag = ofType(d, 'Microsoft.Insights/diagnosticSettings');
    expect(diag.map((r) => r.properties.eventHubAuthorizationRuleId)).toEqual([existingRule]);
    expect(diag.map((r) => r.properties.eventHubName)).toEqual(['firewall-logs']);
    expect(outputOf(d, 'EVENT_HUB_DIAGNOSTICS_RULE_ID')).toBe(existingRule);
  });

  it('deploys no rule and no diagnostic setting when neither is asked for', () => {
    const d = deploy({ label: 'no rule', params: { diagnosticsAuthorizationRuleName: '' } });
    expect(ofType(d, 'Microsoft.EventHub/namespaces/authorizationRules')).toEqual([]);
    expect(ofType(d, 'Microsoft.Insights/diagnosticSettings')).toEqual([]);
    expect(outputOf(d, 'EVENT_HUB_DIAGNOSTICS_RULE_ID')).toBe('');
  });

  it('refuses firewalls without a rule to send through, with a message that says what to set', () => {
    expect(() =>
      deploy({
        label: 'firewalls, no rule',
        params: { firewallResourceIds: [FIREWALL_ID], diagnosticsAuthorizationRuleName: '' },
      }),
    ).toThrow(
      new InvalidTemplateError(
        "main: firewallResourceIds needs a namespace SAS rule (Listen, Send, Manage) for the diagnostic settings to send through: keep diagnosticsAuthorizationRuleName (PORTSCAN_DIAGNOSTICS_RULE_NAME, default azure-monitor-diagnostics) to create one, or give an existing rule of the hub's namespace in existingDiagnosticsAuthorizationRuleId (PORTSCAN_DIAGNOSTICS_RULE_ID).",
      ),
    );
    // Refused before anything deploys: the check sits in the array the loop runs over, a value
    // known at the start of the deployment (Bicep's BCP178 requires it of a loop).
    const loop = (template.resources as Record<string, { copy?: { count: string } }>).firewallDiagnostics;
    expect(loop?.copy?.count).toBe("[length(variables('firewallsToWire'))]");
  });

  it.each([
    ['a rule of another namespace', '/authorizationRules/', 'evhns-other'],
    ['a rule id without the rule name', '/authorizationRules/', ''],
    ['a hub id instead of a rule id', '/eventhubs/', 'firewall-logs'],
    ['a truncated id', '', ''],
  ])('refuses %s as the existing rule, naming the id it expects', (_, kind, name) => {
    const namespaceId = EXISTING_HUB_ID.split('/eventhubs/')[0] as string;
    const given =
      name === 'evhns-other'
        ? `${namespaceId.replace('evhns-shared', 'evhns-other')}${kind}RootDiagnostics`
        : kind === ''
          ? namespaceId
          : `${namespaceId}${kind}${name}`;
    expect(() =>
      deploy({
        label: 'bad rule id',
        params: {
          existingEventHubResourceId: EXISTING_HUB_ID,
          existingDiagnosticsAuthorizationRuleId: given,
        },
      }),
    ).toThrow(
      new InvalidTemplateError(
        `main: existingDiagnosticsAuthorizationRuleId must be the resource id of an authorization rule of the hub's namespace, ${namespaceId}/authorizationRules/<rule>; got '${given}'.`,
      ),
    );
  });

  it('uses the existing hub, in its own subscription and resource group, creating only access to it', () => {
    const d = deploy(SCENARIOS[2] as Scenario);
    expect(ofType(d, 'Microsoft.EventHub/namespaces')).toEqual([]);
    expect(ofType(d, 'Microsoft.EventHub/namespaces/eventhubs')).toEqual([]);
    const hubScope = { subscriptionId: OTHER_SUBSCRIPTION, resourceGroup: 'rg-shared-hub' };
    expect(worldOf(d).hubId).toBe(
      buildResourceId(hubScope, 'Microsoft.EventHub/namespaces/eventhubs', ['evhns-shared', 'firewall-logs']),
    );
    const env = resolvedEnvironment(worldOf(d));
    expect(env.EventHubConnection__fullyQualifiedNamespace).toBe('evhns-shared.servicebus.windows.net');
    expect(env.PORTSCAN_EVENTHUB_CONSUMER_GROUP).toBe('$Default');
  });
});

describe("Infra: alert rules and the functions' logs", () => {
  it('finds the logged events where the rules look: the event field of a JSON trace message', () => {
    const traces: string[] = [];
    const log = (message: unknown) => traces.push(String(message));
    const logger = contextLogger({ info: log, warn: log, error: log } as unknown as InvocationContext);
    logger.warn(LOG_MESSAGES.alertParked, { alertId: 'a1', sink: 'TEAMS' });
    logger.info(LOG_MESSAGES.closeSummary, { binsClosed: 1 });
    expect(traces.map((t) => (JSON.parse(t) as { event: unknown }).event)).toEqual([
      LOG_MESSAGES.alertParked,
      LOG_MESSAGES.closeSummary,
    ]);
    expect(traces.every((t) => t.startsWith('{'))).toBe(true);
  });
});

describe('Infra: no key, connection string or secret in the templates', () => {
  const infraFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? infraFiles(p) : [p];
    });
  const files = infraFiles(join(root, 'infra')).map((p) => [p, readFileSync(p, 'utf8')] as const);

  it.each([
    ['a list*() call (listKeys, listConnectionStrings, listSecrets, …)', /\blist[A-Z]\w*\s*\(/],
    ['an account key', /AccountKey/i],
    ['a SAS key or connection string', /SharedAccessKey(Name)?=|SharedAccessSignature|Endpoint=sb:\/\//],
    ['a storage connection string', /DefaultEndpointsProtocol|UseDevelopmentStorage/],
    ['an instrumentation key', /InstrumentationKey=/],
    ['a webhook signing secret', /whsec_[A-Za-z0-9+/=]{8,}/],
    ['a webhook URL', /hooks\.slack\.com\/services\/|logic\.azure\.com|powerplatform\.com[^\s'"]*sig=/],
  ])('contains no %s', (_, pattern) => {
    expect(files.filter(([, text]) => pattern.test(text)).map(([p]) => p)).toEqual([]);
  });

  it('declares every secret as a secure parameter with an empty default and never outputs one', () => {
    const secure = Object.entries(template.parameters ?? {}).filter(([, p]) => p.type === 'securestring');
    expect(secure.map(([n]) => n).sort()).toEqual(Object.keys(SAMPLE_SECRETS).sort());
    for (const [, p] of secure) expect(p.defaultValue).toBe('');
    const outputs = JSON.stringify(template.outputs);
    for (const [n] of secure) expect(outputs).not.toContain(`parameters('${n}')`);
    expect(templateText).not.toMatch(/"type":\s*"secureObject"[\s\S]*"outputs"/);
  });
});

describe('Infra: flow logs from Storage', () => {
  const subscribed = deploy(SCENARIOS[3] as Scenario);
  const flowLogRg = { subscriptionId: OTHER_SUBSCRIPTION, resourceGroup: 'rg-network' };

  it("creates the account's Event Grid system topic in its resource group, with an identity for dead letters", () => {
    const topic = single(subscribed, 'Microsoft.EventGrid/systemTopics');
    expect(
      topic.id.startsWith(buildResourceId(flowLogRg, 'Microsoft.EventGrid/systemTopics', ['x']).slice(0, -1)),
    ).toBe(true);
    expect(topic.properties).toEqual({
      source: FLOW_LOG_ACCOUNT_ID,
      topicType: 'Microsoft.Storage.StorageAccounts',
    });
    expect(topic.frame.evaluate(topic.resource.identity)).toEqual({ type: 'SystemAssigned' });
  });

  it('subscribes the flowLogs function to BlobCreated events of the two flow-log containers, dead-lettering the rest', () => {
    const sub = single(subscribed, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
    const w = worldOf(subscribed);
    const p = sub.properties as {
      destination: { endpointType: string; properties: { resourceId: string; maxEventsPerBatch: number } };
      filter: { includedEventTypes: string[]; subjectEndsWith: string; advancedFilters: unknown[] };
      eventDeliverySchema: string;
      retryPolicy: unknown;
      deadLetterWithResourceIdentity: unknown;
    };
    // The function name the code registers (functions/flowLogs.ts).
    const code = readFileSync(join(root, 'functions/flowLogs.ts'), 'utf8');
    const name = /app\.eventGrid\('([^']+)'/.exec(code)?.[1];
    expect(p.destination).toEqual({
      endpointType: 'AzureFunction',
      properties: {
        resourceId: `${w.site.id}/functions/${name}`,
        maxEventsPerBatch: 1,
        preferredBatchSizeInKilobytes: 64,
      },
    });
    expect(p.eventDeliverySchema).toBe('EventGridSchema');
    expect(p.filter).toEqual({
      includedEventTypes: ['Microsoft.Storage.BlobCreated'],
      subjectEndsWith: '/PT1H.json',
      advancedFilters: [
        {
          operatorType: 'StringBeginsWith',
          key: 'subject',
          values: FLOW_LOG_CONTAINERS.map((c) => `/blobServices/default/containers/${c}/blobs/`),
        },
      ],
    });
    expect(p.retryPolicy).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    expect(p.deadLetterWithResourceIdentity).toEqual({
      identity: { type: 'SystemAssigned' },
      deadLetterDestination: {
        endpointType: 'StorageBlob',
        properties: { resourceId: w.storageId, blobContainerName: 'flowlog-deadletters' },
      },
    });
    const containers = ofType(subscribed, 'Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(containers.map((c) => c.id)).toContain(
      `${w.storageId}/blobServices/default/containers/flowlog-deadletters`,
    );
  });

  it("creates a VNet flow log to the account under the region's Network Watcher", () => {
    const flowLog = single(subscribed, 'Microsoft.Network/networkWatchers/flowLogs');
    expect(
      flowLog.id.startsWith(
        `/subscriptions/${OTHER_SUBSCRIPTION}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/flowLogs/`,
      ),
    ).toBe(true);
    expect(flowLog.properties).toMatchObject({
      targetResourceId: VNET_ID,
      storageId: FLOW_LOG_ACCOUNT_ID,
      enabled: true,
    });
  });

  it('waits for the deployed code before subscribing, and deploys nothing of it without a flow-log account', () => {
    const unsubscribed = deploy({
      label: 'not yet subscribed',
      params: { flowLogStorageAccountId: FLOW_LOG_ACCOUNT_ID },
    });
    expect(ofType(unsubscribed, 'Microsoft.EventGrid/systemTopics')).toHaveLength(1);
    expect(ofType(unsubscribed, 'Microsoft.EventGrid/systemTopics/eventSubscriptions')).toEqual([]);
    expect(ofType(unsubscribed, 'Microsoft.Network/networkWatchers/flowLogs')).toEqual([]);
    const none = deploy(SCENARIOS[0] as Scenario);
    expect(
      none.all.filter((r) => r.type.startsWith('Microsoft.EventGrid/') || r.type.includes('flowLogs')),
    ).toEqual([]);
    expect(worldOf(none).settings.filter((s) => s.name.startsWith('FlowLogStorage'))).toEqual([]);
  });

  it('gives the function settings it accepts for the flow-log account', () => {
    const w = worldOf(subscribed);
    expect(loadFunctionConfig(resolvedEnvironment(w)).flowLogs).toEqual({
      kind: 'identity',
      endpoint: 'https://stflowlogs.blob.core.windows.net/',
      clientId: stubClientId(w.identityId),
    });
  });
});

describe('Infra: the smoke-test principal', () => {
  const SMOKE_PRINCIPAL = '33333333-3333-4333-8333-333333333333';

  /** `<role> on <scope> as <principalType>` of every assignment to the smoke-test principal. */
  function smokeRoles(d: Deployment): string[] {
    return ofType(d, 'Microsoft.Authorization/roleAssignments')
      .filter((r) => r.properties.principalId === SMOKE_PRINCIPAL)
      .map(
        (r) =>
          `${resourceNameOf(String(r.properties.roleDefinitionId))} on ${r.scopeId} as ${String(r.properties.principalType)}`,
      )
      .sort();
  }

  it.each([
    ['a new hub', {}],
    ['an existing hub in another subscription', { existingEventHubResourceId: EXISTING_HUB_ID }],
  ])(
    'may send to the hub (%s), read the window, control and outbox tables and peek at the alert queue, nothing more',
    (_, hub) => {
      const d = deploy({
        label: 'smoke principal',
        params: { ...hub, smokeTestPrincipalId: SMOKE_PRINCIPAL, smokeTestPrincipalType: 'User' },
      });
      const w = worldOf(d);
      // Not the dead letters: they hold fragments of log lines.
      const tables = ['Windows', 'Control', 'Outbox'].map((suffix) => {
        expect(w.tables).toContain(`${d.params.tablePrefix}${suffix}`);
        return `${ROLE.storageTableDataReader} on ${w.storageId}/tableServices/default/tables/${d.params.tablePrefix}${suffix} as User`;
      });
      expect(smokeRoles(d)).toEqual(
        [
          `${ROLE.eventHubsDataSender} on ${w.hubId} as User`,
          ...tables,
          `${ROLE.storageQueueDataReader} on ${alertQueueId(w)} as User`,
        ].sort(),
      );
      // The app's own roles do not change.
      const app = ofType(d, 'Microsoft.Authorization/roleAssignments').filter(
        (r) => r.properties.principalId === stubPrincipalId(w.identityId),
      );
      expect(app).toHaveLength(6);
    },
  );

  it('grants nothing to anyone but the app without a smoke-test principal', () => {
    const d = deploy(SCENARIOS[0] as Scenario);
    const w = worldOf(d);
    const others = ofType(d, 'Microsoft.Authorization/roleAssignments').filter(
      (r) => r.properties.principalId !== stubPrincipalId(w.identityId),
    );
    expect(others).toEqual([]);
  });

  it('takes a group or a service principal, and refuses another kind', () => {
    const d = deploy({
      label: 'smoke group',
      params: { smokeTestPrincipalId: SMOKE_PRINCIPAL, smokeTestPrincipalType: 'Group' },
    });
    expect(smokeRoles(d).every((r) => r.endsWith(' as Group'))).toBe(true);
    expect(() =>
      deploy({
        label: 'smoke device',
        params: { smokeTestPrincipalId: SMOKE_PRINCIPAL, smokeTestPrincipalType: 'Device' },
      }),
    ).toThrow(InvalidTemplateError);
  });
});

describe('Infra: Event Hubs capacity', () => {
  /** The SKU of the namespace the template creates. */
  function namespaceSku(params: Record<string, unknown>): unknown {
    const d = deploy({ label: 'capacity', params });
    const ns = single(d, 'Microsoft.EventHub/namespaces');
    return ns.frame.evaluate(ns.resource.sku);
  }

  it.each([1, 2, 4, 8, 16])('creates a Premium namespace with %i processing units', (units) => {
    expect(namespaceSku({ eventHubSku: 'Premium', eventHubCapacity: units })).toEqual({
      name: 'Premium',
      tier: 'Premium',
      capacity: units,
    });
  });

  it.each([3, 5, 12, 20, 32])(
    'refuses %i processing units for Premium before anything deploys, naming the values it takes',
    (units) => {
      expect(() => namespaceSku({ eventHubSku: 'Premium', eventHubCapacity: units })).toThrow(
        new InvalidTemplateError(
          `main: eventHubCapacity (PORTSCAN_EVENTHUB_THROUGHPUT_UNITS) is ${units}: a Premium namespace takes 1, 2, 4, 8 or 16 processing units.`,
        ),
      );
    },
  );

  it.each([1, 3, 20, 40])('creates a Standard namespace with %i throughput units', (units) => {
    expect(namespaceSku({ eventHubSku: 'Standard', eventHubCapacity: units })).toEqual({
      name: 'Standard',
      tier: 'Standard',
      capacity: units,
    });
  });

  it.each([
    ['Standard', 41],
    ['Standard', 0],
    ['Premium', 0],
  ])('refuses %s with %i units by the parameter range', (sku, units) => {
    expect(() => namespaceSku({ eventHubSku: sku, eventHubCapacity: units })).toThrow(
      /parameter eventHubCapacity = -?\d+/,
    );
  });

  /** The retention of the hub the template creates. */
  function hubRetention(params: Record<string, unknown>): unknown {
    const d = deploy({ label: 'retention', params });
    const hub = single(d, 'Microsoft.EventHub/namespaces/eventhubs');
    return (hub.frame.evaluate(hub.resource.properties) as { retentionDescription: unknown })
      .retentionDescription;
  }

  it.each([
    ['Standard', 168],
    ['Premium', 169],
    ['Premium', 2160],
  ])('keeps events on %s for %i hours', (sku, hours) => {
    expect(hubRetention({ eventHubSku: sku, eventHubRetentionHours: hours })).toEqual({
      cleanupPolicy: 'Delete',
      retentionTimeInHours: hours,
    });
  });

  it('refuses more than 168 hours on Standard before anything deploys, naming the way out', () => {
    expect(() => hubRetention({ eventHubSku: 'Standard', eventHubRetentionHours: 169 })).toThrow(
      new InvalidTemplateError(
        'main: eventHubRetentionHours (PORTSCAN_EVENTHUB_RETENTION_HOURS) is 169: a Standard namespace keeps events at most 168 hours; set PORTSCAN_EVENTHUB_SKU=Premium for up to 2160.',
      ),
    );
    expect(() => hubRetention({ eventHubSku: 'Premium', eventHubRetentionHours: 2161 })).toThrow(
      /parameter eventHubRetentionHours = 2161/,
    );
  });

  it('ignores the capacity when it reads an existing hub', () => {
    const d = deploy({
      label: 'existing hub, Premium capacity',
      params: { existingEventHubResourceId: EXISTING_HUB_ID, eventHubSku: 'Premium', eventHubCapacity: 3 },
    });
    expect(ofType(d, 'Microsoft.EventHub/namespaces')).toEqual([]);
  });
});
