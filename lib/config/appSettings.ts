import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import type { DetectionSettings } from './detectionSettings.js';
import { DETECTION_KNOBS, FUNCTION_DEFAULTS, resolveDetectionSettings } from './detectionSettings.js';
import type { Limits } from './limits.js';
import { FUNCTION_LIMITS, LIMIT_SETTINGS, resolveLimits } from './limits.js';
import { integerIn, readSetting, type SettingParser, settingText, textMatching } from './settingParsers.js';

/**
 * The app settings of the Function App: every name the code or the Functions host reads, what
 * kind of value each takes, and whether the deployment must set it. The Bicep contract test
 * checks the template against this table, so it is the one list of settings.
 */
export type SettingKind =
  | 'fqdn' // host name, e.g. evhns-x.servicebus.windows.net
  | 'uri' // https URL of a storage service endpoint
  | 'flowLogUri' // https URL of the blob endpoint of the account Network Watcher writes flow logs to
  | 'managedidentity' // the literal "managedidentity"
  | 'clientId' // a managed identity's client id (GUID)
  | 'name' // a resource or entity name
  | 'ncrontab' // six-field NCRONTAB schedule
  | 'integer'
  | 'enum'
  | 'list'
  | 'secret' // a Key Vault reference in Azure; never logged
  | 'connectionString' // local development only (Azurite); never in the template
  | 'text';

export interface SettingSpec {
  readonly name: string;
  readonly kind: SettingKind;
  /** `azure`: the deployment must set it; `optional`: a default applies; `local`: only for local runs. */
  readonly presence: 'azure' | 'optional' | 'local';
  /** Who reads it: our code at start-up, or the Functions host (bindings, storage, telemetry). */
  readonly readBy: 'code' | 'host';
  readonly description: string;
}

/** Connection-setting prefixes (identity-based connections, `<PREFIX>__<property>`). */
export const EVENT_HUB_CONNECTION = 'EventHubConnection';
export const STORAGE_CONNECTION = 'PortscanStorage';
export const FLOW_LOG_STORAGE_CONNECTION = 'FlowLogStorage';

/**
 * A setting our code reads, declared once: its entry in the table, how its text is read and the
 * value that applies when it is unset (undefined: none).
 */
export interface CodeSetting<T, D extends T | undefined = T> extends SettingSpec {
  readonly parser: SettingParser<T>;
  readonly fallback: D;
}

const TABLE_PREFIX = /^[A-Za-z][A-Za-z0-9]{0,40}$/;
const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
const NCRONTAB = /^\S+ \S+ \S+ \S+ \S+ \S+$/;

/** The Function App's own settings that are neither detection knobs nor limits, each with its parser and default. */
export const PORTSCAN_SETTINGS = {
  tablePrefix: {
    name: 'PORTSCAN_TABLE_PREFIX',
    kind: 'name',
    presence: 'optional',
    readBy: 'code',
    description:
      'Prefix of the tables (default Portscan): <prefix>Windows, <prefix>Control, <prefix>Outbox, <prefix>DeadLetters.',
    parser: textMatching(TABLE_PREFIX, 'letters and digits, starting with a letter, at most 41'),
    fallback: 'Portscan',
  },
  rowCacheMegabytes: {
    name: 'PORTSCAN_ROW_CACHE_MB',
    kind: 'integer',
    presence: 'optional',
    readBy: 'code',
    description:
      'Memory for the cache of window rows this instance wrote (default: an eighth of the instance memory, at most a quarter of the heap limit).',
    parser: integerIn(0, 65_536),
    fallback: undefined,
  },
  alertQueue: {
    name: 'PORTSCAN_ALERT_QUEUE',
    kind: 'name',
    presence: 'optional',
    readBy: 'code',
    description: 'Storage queue receiving one message per alert (default portscan-alerts).',
    parser: textMatching(QUEUE_NAME, 'a queue name (3-63 lower-case letters, digits and single hyphens)'),
    fallback: 'portscan-alerts',
  },
  closeSchedule: {
    name: 'PORTSCAN_CLOSE_SCHEDULE',
    kind: 'ncrontab',
    presence: 'optional',
    readBy: 'code',
    description: 'When the closing timer runs (default hourly at minute 5, "0 5 * * * *").',
    parser: textMatching(NCRONTAB, 'a six-field NCRONTAB expression such as "0 5 * * * *"'),
    fallback: '0 5 * * * *',
  },
  maxCloseDelayMinutes: {
    name: 'PORTSCAN_MAX_CLOSE_DELAY_MINUTES',
    kind: 'integer',
    presence: 'optional',
    readBy: 'code',
    description:
      'Longest a partition with unread events or failing invocations holds a bin open past its normal close; bins closed after it say MayBeIncomplete (default 60).',
    parser: integerIn(0, 1440),
    fallback: 60,
  },
  partitionIdleMinutes: {
    name: 'PORTSCAN_PARTITION_IDLE_MINUTES',
    kind: 'integer',
    presence: 'optional',
    readBy: 'code',
    description:
      'A feed that is no Event Hub partition (a flow-log blob feed) silent this long no longer holds the watermark back (default 15); hub partitions are asked how far they are written instead.',
    parser: integerIn(1, 1440),
    fallback: 15,
  },
  maxBinsPerRun: {
    name: 'PORTSCAN_MAX_BINS_PER_RUN',
    kind: 'integer',
    presence: 'optional',
    readBy: 'code',
    description:
      'Most bins one closing run evaluates, so that a run after a long outage stays short; the rest close in the next runs (default 288: a day of 5-minute bins).',
    parser: integerIn(1, 100_000),
    fallback: 24 * 12,
  },
  alertLinkTemplate: {
    name: 'PORTSCAN_ALERT_LINK_TEMPLATE',
    kind: 'text',
    presence: 'optional',
    readBy: 'code',
    description:
      "URL template for the cards' open-link action, with {{SrcIpAddr}}, {{AlertId}}, {{BinStart}}.",
    parser: textMatching(/^https:\/\//, 'an https URL template'),
    fallback: undefined,
  },
  deliveryMaxRuns: {
    name: 'PORTSCAN_DELIVERY_MAX_RUNS',
    kind: 'integer',
    presence: 'optional',
    readBy: 'code',
    description: 'Timer runs a sink may fail before its alert is parked (default 24).',
    parser: integerIn(1, 10_000),
    fallback: 24,
  },
  httpTimeoutSeconds: {
    name: 'PORTSCAN_HTTP_TIMEOUT_SECONDS',
    kind: 'integer',
    presence: 'optional',
    readBy: 'code',
    description: 'Per-request timeout of webhook deliveries (default 10).',
    parser: integerIn(1, 120),
    fallback: 10,
  },
} as const satisfies Record<
  string,
  CodeSetting<string> | CodeSetting<number> | CodeSetting<number, undefined> | CodeSetting<string, undefined>
>;

export const APP_SETTINGS: readonly SettingSpec[] = [
  {
    name: 'AzureWebJobsStorage__blobServiceUri',
    kind: 'uri',
    presence: 'azure',
    readBy: 'host',
    description: 'Host storage: checkpoints, timer leases (blob).',
  },
  {
    name: 'AzureWebJobsStorage__queueServiceUri',
    kind: 'uri',
    presence: 'azure',
    readBy: 'host',
    description: 'Host storage (queue).',
  },
  {
    name: 'AzureWebJobsStorage__tableServiceUri',
    kind: 'uri',
    presence: 'azure',
    readBy: 'host',
    description: 'Host storage (table).',
  },
  {
    name: 'AzureWebJobsStorage__credential',
    kind: 'managedidentity',
    presence: 'azure',
    readBy: 'host',
    description: 'Host storage uses the managed identity.',
  },
  {
    name: 'AzureWebJobsStorage__clientId',
    kind: 'clientId',
    presence: 'azure',
    readBy: 'host',
    description: 'Client id of the user-assigned identity.',
  },
  {
    name: 'AzureWebJobsStorage',
    kind: 'connectionString',
    presence: 'local',
    readBy: 'host',
    description: 'Local runs only: UseDevelopmentStorage=true.',
  },
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    kind: 'text',
    presence: 'azure',
    readBy: 'host',
    description: 'Application Insights ingestion endpoint (no key; Entra auth).',
  },
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    kind: 'text',
    presence: 'azure',
    readBy: 'host',
    description: 'ClientId=<identity>;Authorization=AAD.',
  },
  {
    name: 'AZURE_CLIENT_ID',
    kind: 'clientId',
    presence: 'azure',
    readBy: 'code',
    description: 'Client id used by the SDK credential of our own clients.',
  },
  {
    name: `${EVENT_HUB_CONNECTION}__fullyQualifiedNamespace`,
    kind: 'fqdn',
    presence: 'azure',
    readBy: 'code',
    description: 'Event Hubs namespace of the flow-log hub.',
  },
  {
    name: `${EVENT_HUB_CONNECTION}__credential`,
    kind: 'managedidentity',
    presence: 'azure',
    readBy: 'host',
    description: 'The trigger uses the managed identity.',
  },
  {
    name: `${EVENT_HUB_CONNECTION}__clientId`,
    kind: 'clientId',
    presence: 'azure',
    readBy: 'code',
    description:
      'Client id of the user-assigned identity (the trigger, and the closing timer reading how far each partition is written).',
  },
  {
    name: EVENT_HUB_CONNECTION,
    kind: 'connectionString',
    presence: 'local',
    readBy: 'code',
    description: 'Local runs only: an Event Hubs connection string.',
  },
  {
    name: 'PORTSCAN_EVENTHUB_NAME',
    kind: 'name',
    presence: 'azure',
    readBy: 'code',
    description: 'The hub the diagnostic exports write to.',
  },
  {
    name: 'PORTSCAN_EVENTHUB_CONSUMER_GROUP',
    kind: 'name',
    presence: 'azure',
    readBy: 'host',
    description:
      'Consumer group of the ingest function; the trigger reads it as %PORTSCAN_EVENTHUB_CONSUMER_GROUP%.',
  },
  {
    name: `${STORAGE_CONNECTION}__tableServiceUri`,
    kind: 'uri',
    presence: 'azure',
    readBy: 'code',
    description: 'Table endpoint of the window state, outbox and dead letters.',
  },
  {
    name: `${STORAGE_CONNECTION}__queueServiceUri`,
    kind: 'uri',
    presence: 'azure',
    readBy: 'code',
    description: 'Queue endpoint of the alert queue.',
  },
  {
    name: `${STORAGE_CONNECTION}__credential`,
    kind: 'managedidentity',
    presence: 'azure',
    readBy: 'code',
    description: 'Our storage clients use the managed identity.',
  },
  {
    name: `${STORAGE_CONNECTION}__clientId`,
    kind: 'clientId',
    presence: 'azure',
    readBy: 'code',
    description: 'Client id of the user-assigned identity.',
  },
  {
    name: STORAGE_CONNECTION,
    kind: 'connectionString',
    presence: 'local',
    readBy: 'code',
    description: 'Local runs only: an Azurite connection string.',
  },
  {
    name: `${FLOW_LOG_STORAGE_CONNECTION}__blobServiceUri`,
    kind: 'flowLogUri',
    presence: 'optional',
    readBy: 'code',
    description:
      'Blob endpoint of the storage account Network Watcher writes VNet/NSG flow logs to (the flowLogs function); unset: no flow logs.',
  },
  {
    name: `${FLOW_LOG_STORAGE_CONNECTION}__credential`,
    kind: 'managedidentity',
    presence: 'optional',
    readBy: 'code',
    description: 'The flow-log blob reader uses the managed identity.',
  },
  {
    name: `${FLOW_LOG_STORAGE_CONNECTION}__clientId`,
    kind: 'clientId',
    presence: 'optional',
    readBy: 'code',
    description: 'Client id of the user-assigned identity.',
  },
  {
    name: FLOW_LOG_STORAGE_CONNECTION,
    kind: 'connectionString',
    presence: 'local',
    readBy: 'code',
    description: 'Local runs only: an Azurite connection string for the flow-log blobs.',
  },
  ...Object.values(PORTSCAN_SETTINGS).map(
    ({ name, kind, presence, readBy, description }): SettingSpec => ({
      name,
      kind,
      presence,
      readBy,
      description,
    }),
  ),
  ...DETECTION_KNOBS.map(
    (k): SettingSpec => ({
      name: k.setting,
      kind: k.kind,
      presence: 'optional',
      readBy: 'code',
      description: `Detection knob: ${k.accepts}.`,
    }),
  ),
  ...LIMIT_SETTINGS.map(
    (l): SettingSpec => ({
      name: l.setting,
      kind: 'integer',
      presence: 'optional',
      readBy: 'code',
      description: `Limit: ${l.key}, ${l.parser.accepts}.`,
    }),
  ),
];

/** Alert sink settings: `PORTSCAN_SINK_<NAME>_KIND` (teams, slack, webhook), `_URL` (secret), `_SECRET` (webhook signing secret). */
export const SINK_SETTING_PATTERN = /^PORTSCAN_SINK_([A-Z0-9]{1,32})_(KIND|URL|SECRET)$/;
export const SINK_KINDS = ['teams', 'slack', 'webhook'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

export interface SinkConfig {
  /** The sink's name (the `<NAME>` of its settings), used to record deliveries in the outbox. */
  readonly name: string;
  readonly kind: SinkKind;
  /** The webhook URL: a secret, never logged. */
  readonly url: string;
  /** Standard Webhooks signing secret (`whsec_…`), for `webhook` sinks. */
  readonly secret?: string;
}

/** How our code reaches a storage or Event Hubs service. */
export type ServiceConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly endpoint: string; readonly clientId: string | undefined };

/**
 * What every function needs, and all the `ingest` function needs: the detection settings and
 * limits, the window-state tables, and the hub its trigger reads. A bad value here stops the app.
 */
export interface IngestConfig {
  readonly detection: DetectionSettings;
  readonly limits: Limits;
  readonly eventHubName: string;
  readonly consumerGroup: string;
  /** How our code reaches the flow-log hub's namespace (the closing timer reads partition tails). */
  readonly eventHubs: ServiceConnection;
  readonly tables: ServiceConnection;
  readonly tablePrefix: string;
  /** `PORTSCAN_ROW_CACHE_MB` when set: overrides the row cache's share of the memory budget. */
  readonly rowCacheMegabytes: number | undefined;
}

/**
 * What only `closeBins` needs to close bins and deliver alerts: the alert queue, the sinks and
 * their tuning. Validated apart from `IngestConfig`, so that a bad sink setting (an unresolved
 * Key Vault reference, say) fails `closeBins` and never stops ingestion.
 */
export interface DeliveryConfig {
  readonly queues: ServiceConnection;
  readonly alertQueue: string;
  readonly closeSchedule: string;
  /** Longest a behind partition holds a bin open past its normal close. */
  readonly maxCloseDelayMs: number;
  /** A feed that is no hub partition silent this long no longer holds the watermark. */
  readonly partitionIdleMs: number;
  readonly alertLinkTemplate: string | undefined;
  /** Most bins one closing run evaluates; the rest close in the next runs. */
  readonly maxBinsPerRun: number;
  readonly deliveryMaxRuns: number;
  readonly httpTimeoutMs: number;
  readonly sinks: readonly SinkConfig[];
}

/** The validated configuration of the whole Function App. */
export interface FunctionConfig extends IngestConfig, DeliveryConfig {
  /** The storage account holding the flow-log blobs, when the flowLogs function is used. */
  readonly flowLogs: ServiceConnection | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every setting of the Function App (the infrastructure contract test and
 * local tools use it; the functions read their own parts: `loadIngestConfig`, `loadDeliveryConfig`,
 * `loadFlowLogConnection`).
 *
 * @throws {ConfigurationError} naming every missing or bad setting and what it accepts;
 *   secret values are never quoted
 */
export function loadFunctionConfig(env: Env): FunctionConfig {
  const issues: string[] = [];
  const ingest = readIngestConfig(env, issues);
  const delivery = readDeliveryConfig(env, issues);
  const flowLogs = readFlowLogConnection(env, issues);
  if (issues.length > 0 || ingest === undefined || delivery === undefined)
    throw new ConfigurationError(issues);
  return { ...ingest, ...delivery, flowLogs };
}

/**
 * Reads the settings every function needs (see `IngestConfig`).
 * @throws {ConfigurationError} naming every missing or bad one of them, and no other
 */
export function loadIngestConfig(env: Env): IngestConfig {
  const issues: string[] = [];
  const config = readIngestConfig(env, issues);
  if (issues.length > 0 || config === undefined) throw new ConfigurationError(issues);
  return config;
}

/**
 * Reads the closing and alert-delivery settings of `closeBins` (see `DeliveryConfig`).
 * @throws {ConfigurationError} naming every missing or bad one of them; secret values are never quoted
 */
export function loadDeliveryConfig(env: Env): DeliveryConfig {
  const issues: string[] = [];
  const config = readDeliveryConfig(env, issues);
  if (issues.length > 0 || config === undefined) throw new ConfigurationError(issues);
  return config;
}

/**
 * Reads the flow-log storage account of the flowLogs function; undefined when no setting names one.
 * @throws {ConfigurationError} naming every bad one of its settings
 */
export function loadFlowLogConnection(env: Env): ServiceConnection | undefined {
  const issues: string[] = [];
  const connection = readFlowLogConnection(env, issues);
  if (issues.length > 0) throw new ConfigurationError(issues);
  return connection;
}

/**
 * The value of a declared setting: its fallback when unset or blank, and also when its value is
 * bad (the issue is added to `issues`, which fails the load).
 */
/** Reads one declared setting: its parser's value, or its fallback when unset; a bad value adds to `issues`. */
export function readDeclared<T, D extends T | undefined>(
  env: Env,
  setting: CodeSetting<T, D>,
  issues: string[],
): T | D {
  return readSetting(env, setting.name, setting.parser, issues) ?? setting.fallback;
}

/**
 * The schedule of the closing timer, read when the function is registered (before the settings
 * are validated: a bad one fails `loadDeliveryConfig`, and so every run, by name).
 */
export function closeScheduleOf(env: Env): string {
  return settingText(env, PORTSCAN_SETTINGS.closeSchedule.name) ?? PORTSCAN_SETTINGS.closeSchedule.fallback;
}

/** Where a tool outside the Function App reaches the deployment's tables and alert queue. */
export interface DeploymentStorage {
  readonly tables: ServiceConnection;
  readonly tablePrefix: string;
  /** The alert queue's service, when asked for. */
  readonly queues: ServiceConnection | undefined;
  readonly alertQueue: string;
}

/**
 * Reads the deployment's storage settings under the names the functions read them by
 * (`PortscanStorage__tableServiceUri` and `__queueServiceUri`, or `PortscanStorage` as a connection
 * string; `PORTSCAN_TABLE_PREFIX`; `PORTSCAN_ALERT_QUEUE`), for a tool outside the app
 * (`portscan smoke`, whose flags set them). The queue's endpoint is required only with `queue`.
 * @throws {ConfigurationError} naming every missing or bad one of them
 */
export function loadDeploymentStorage(env: Env, options: { readonly queue: boolean }): DeploymentStorage {
  const issues: string[] = [];
  const tables = readConnection(env, issues, STORAGE_CONNECTION, 'tableServiceUri');
  const queues = options.queue
    ? readConnection(env, issues, STORAGE_CONNECTION, 'queueServiceUri')
    : undefined;
  const tablePrefix = readDeclared(env, PORTSCAN_SETTINGS.tablePrefix, issues);
  const alertQueue = readDeclared(env, PORTSCAN_SETTINGS.alertQueue, issues);
  if (issues.length > 0 || tables === undefined) throw new ConfigurationError(issues);
  return { tables, tablePrefix, queues, alertQueue };
}

function readIngestConfig(env: Env, issues: string[]): IngestConfig | undefined {
  let detection: DetectionSettings | undefined;
  try {
    detection = resolveDetectionSettings(env, {}, FUNCTION_DEFAULTS);
  } catch (error) {
    if (error instanceof ConfigurationError) issues.push(...error.issues);
    else throw error;
  }
  let limits: Limits = FUNCTION_LIMITS;
  try {
    limits = resolveLimits(env, FUNCTION_LIMITS);
  } catch (error) {
    if (error instanceof ConfigurationError) issues.push(...error.issues);
    else throw error;
  }
  const eventHubName = settingText(env, 'PORTSCAN_EVENTHUB_NAME');
  if (eventHubName === undefined)
    issues.push('PORTSCAN_EVENTHUB_NAME: required (the name of the flow-log event hub)');
  const eventHubs = readEventHubConnection(env, issues);
  const tables = readConnection(env, issues, STORAGE_CONNECTION, 'tableServiceUri');
  const tablePrefix = readDeclared(env, PORTSCAN_SETTINGS.tablePrefix, issues);
  const rowCacheMegabytes = readDeclared(env, PORTSCAN_SETTINGS.rowCacheMegabytes, issues);
  if (detection === undefined || tables === undefined || eventHubs === undefined) return undefined;
  return {
    detection,
    limits,
    eventHubName: eventHubName ?? '',
    consumerGroup: settingText(env, 'PORTSCAN_EVENTHUB_CONSUMER_GROUP') ?? '$Default',
    eventHubs,
    tables,
    tablePrefix,
    rowCacheMegabytes,
  };
}

function readDeliveryConfig(env: Env, issues: string[]): DeliveryConfig | undefined {
  const queues = readConnection(env, issues, STORAGE_CONNECTION, 'queueServiceUri');
  const config = {
    alertQueue: readDeclared(env, PORTSCAN_SETTINGS.alertQueue, issues),
    closeSchedule: readDeclared(env, PORTSCAN_SETTINGS.closeSchedule, issues),
    alertLinkTemplate: readDeclared(env, PORTSCAN_SETTINGS.alertLinkTemplate, issues),
    maxCloseDelayMs: readDeclared(env, PORTSCAN_SETTINGS.maxCloseDelayMinutes, issues) * 60_000,
    partitionIdleMs: readDeclared(env, PORTSCAN_SETTINGS.partitionIdleMinutes, issues) * 60_000,
    maxBinsPerRun: readDeclared(env, PORTSCAN_SETTINGS.maxBinsPerRun, issues),
    deliveryMaxRuns: readDeclared(env, PORTSCAN_SETTINGS.deliveryMaxRuns, issues),
    httpTimeoutMs: readDeclared(env, PORTSCAN_SETTINGS.httpTimeoutSeconds, issues) * 1000,
    sinks: readSinks(env, issues),
  };
  return queues === undefined ? undefined : { ...config, queues };
}

function readFlowLogConnection(env: Env, issues: string[]): ServiceConnection | undefined {
  // Flow logs are optional: read their account only when a setting names it.
  const named =
    settingText(env, FLOW_LOG_STORAGE_CONNECTION) !== undefined ||
    settingText(env, `${FLOW_LOG_STORAGE_CONNECTION}__blobServiceUri`) !== undefined;
  return named ? readConnection(env, issues, FLOW_LOG_STORAGE_CONNECTION, 'blobServiceUri') : undefined;
}

/** A storage connection: a connection string (local runs), or an endpoint and the identity. */
function readConnection(
  env: Env,
  issues: string[],
  prefix: string,
  property: 'tableServiceUri' | 'queueServiceUri' | 'blobServiceUri',
): ServiceConnection | undefined {
  const conn = settingText(env, prefix);
  if (conn !== undefined) return { kind: 'connectionString', connectionString: conn };
  const endpoint = settingText(env, `${prefix}__${property}`);
  if (endpoint === undefined) {
    issues.push(`${prefix}__${property}: required (or ${prefix} as a connection string for local runs)`);
    return undefined;
  }
  if (!z.url().safeParse(endpoint).success)
    issues.push(`${prefix}__${property}: expected an https URL of the storage service`);
  const credential = settingText(env, `${prefix}__credential`);
  if (credential !== undefined && credential !== 'managedidentity') {
    issues.push(`${prefix}__credential: expected "managedidentity" or unset`);
  }
  return { kind: 'identity', endpoint, clientId: readClientId(env, issues, prefix) };
}

/** The Event Hubs namespace: a connection string (local runs), or its host name and the identity. */
function readEventHubConnection(env: Env, issues: string[]): ServiceConnection | undefined {
  const conn = settingText(env, EVENT_HUB_CONNECTION);
  if (conn !== undefined) return { kind: 'connectionString', connectionString: conn };
  const namespace = settingText(env, `${EVENT_HUB_CONNECTION}__fullyQualifiedNamespace`);
  if (namespace === undefined) {
    issues.push(
      `${EVENT_HUB_CONNECTION}__fullyQualifiedNamespace: required (or ${EVENT_HUB_CONNECTION} as a connection string for local runs)`,
    );
    return undefined;
  }
  return { kind: 'identity', endpoint: namespace, clientId: readClientId(env, issues, EVENT_HUB_CONNECTION) };
}

function readClientId(env: Env, issues: string[], prefix: string): string | undefined {
  const clientId = settingText(env, `${prefix}__clientId`);
  if (clientId !== undefined && !z.uuid().safeParse(clientId).success)
    issues.push(`${prefix}__clientId: expected a GUID`);
  return clientId;
}

/** Reads the `PORTSCAN_SINK_<NAME>_*` settings; secrets are validated without ever being quoted. */
export function readSinks(env: Readonly<Record<string, string | undefined>>, issues: string[]): SinkConfig[] {
  const byName = new Map<string, { kind?: string; url?: string; secret?: string }>();
  for (const [key, value] of Object.entries(env)) {
    const m = SINK_SETTING_PATTERN.exec(key);
    if (m === null || value === undefined || value.trim() === '') continue;
    const entry = byName.get(m[1] as string) ?? {};
    if (m[2] === 'KIND') entry.kind = value.trim();
    else if (m[2] === 'URL') entry.url = value.trim();
    else entry.secret = value.trim();
    byName.set(m[1] as string, entry);
  }
  const sinks: SinkConfig[] = [];
  for (const [name, e] of [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const prefix = `PORTSCAN_SINK_${name}`;
    if (e.kind === undefined || !(SINK_KINDS as readonly string[]).includes(e.kind)) {
      issues.push(`${prefix}_KIND: expected one of ${SINK_KINDS.join(', ')}`);
      continue;
    }
    if (e.url === undefined || !/^https?:\/\/[^\s]+$/.test(e.url)) {
      issues.push(`${prefix}_URL: expected the webhook URL (http or https); the value is not shown`);
      continue;
    }
    if (e.kind === 'webhook' && (e.secret === undefined || !/^whsec_[A-Za-z0-9+/=]{32,}$/.test(e.secret))) {
      issues.push(
        `${prefix}_SECRET: expected a Standard Webhooks secret "whsec_<base64 of 24 to 64 bytes>"; the value is not shown`,
      );
      continue;
    }
    sinks.push({
      name,
      kind: e.kind as SinkKind,
      url: e.url,
      ...(e.secret === undefined ? {} : { secret: e.secret }),
    });
  }
  return sinks;
}
