import { StorageQueuePeek } from '../alerts/StorageQueuePeek.js';
import { type DeploymentStorage, loadDeploymentStorage, STORAGE_CONNECTION } from '../config/appSettings.js';
import { DETECTION_KNOBS, FUNCTION_DEFAULTS, resolveDetectionSettings } from '../config/detectionSettings.js';
import { FUNCTION_LIMITS, resolveLimits } from '../config/limits.js';
import { integerIn, parseSetting, quoteSetting } from '../config/settingParsers.js';
import { UsageError } from '../errors.js';
import { EventHubSender, type HubTarget } from '../eventhub/EventHubSender.js';
import type { JsonObject } from '../sources/pipeline/types.js';
import { TableDeploymentStateReader } from '../state/TableDeploymentStateReader.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './CliIo.js';
import { resolveHubTarget } from './hubTarget.js';
import { MessageFramer } from './MessageFramer.js';
import { runSmokeTest } from './smokeTest.js';

const TABLE_URI = `${STORAGE_CONNECTION}__tableServiceUri`;
const QUEUE_URI = `${STORAGE_CONNECTION}__queueServiceUri`;

/** `portscan smoke` (SMOKE_USAGE in usage.ts): resolves to the exit status. */
export async function smokeCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const value = (name: string): string | undefined => {
    const v = args.values.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  if (args.positionals.length > 0) {
    throw new UsageError(
      `smoke takes no input (got "${args.positionals[0]}"): it sends a synthetic scan of its own`,
    );
  }
  const waitAlert = args.values.get('wait-alert') === true;
  if (!waitAlert) {
    for (const flag of ['alert-timeout', 'no-keep-alive', 'queue', 'queue-endpoint']) {
      if (args.values.has(flag)) throw new UsageError(`--${flag} applies to --wait-alert`);
    }
  }
  const ingestTimeoutMs = integerFlag(value('ingest-timeout'), '--ingest-timeout', 1, 3600, 300) * 1000;
  const alertTimeoutMs = integerFlag(value('alert-timeout'), '--alert-timeout', 1, 1440, 90) * 60_000;
  const target = resolveHubTarget({ namespace: value('namespace'), hub: value('hub') }, io.env);
  const storage = deploymentStorage(value, io.env, waitAlert);
  const knobs: Record<string, string> = {};
  for (const k of DETECTION_KNOBS) {
    const v = args.values.get(k.flag.slice(2));
    if (typeof v === 'string') knobs[k.flag] = v;
  }
  const settings = resolveDetectionSettings(io.env, knobs, FUNCTION_DEFAULTS);
  const limits = resolveLimits(io.env, FUNCTION_LIMITS);
  const quiet = args.values.get('quiet') === true;

  const state = new TableDeploymentStateReader(storage.tables, storage.tablePrefix);
  const queue =
    storage.queues === undefined
      ? undefined
      : StorageQueuePeek.fromConnection(storage.queues, storage.alertQueue);
  let sender: EventHubSender | undefined;
  /** Frames records as `send` does, with the same sender; the hub is first reached here, after the reads. */
  const send = async (records: readonly JsonObject[]): Promise<number> => {
    sender ??= await EventHubSender.open(target, io.hubRetry === undefined ? {} : { retry: io.hubRetry });
    const open = sender;
    const bodies: Buffer[] = [];
    const framer = new MessageFramer(
      { maxMessageBytes: open.maxEventBytes, maxItemsPerMessage: limits.maxRecordsPerMessage },
      (m) => bodies.push(m.body),
    );
    for (const record of records) {
      const refused = framer.add({ json: record });
      // A smoke record takes a few hundred bytes; a hub takes messages of 1 KB at the least.
      if (refused !== undefined) throw new Error(`a smoke-test record was refused by the framer: ${refused}`);
    }
    framer.flush();
    for (const body of bodies) await open.add(body);
    await open.flush();
    return bodies.length;
  };

  let interrupted = false;
  let wake: (() => void) | undefined;
  const stopListening = io.onInterrupt?.(() => {
    interrupted = true;
    wake?.();
  });
  const sleep =
    io.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      }));
  try {
    const result = await runSmokeTest(
      {
        settings,
        hubName: describeHub(target),
        waitAlert,
        ingestTimeoutMs,
        alertTimeoutMs,
        keepAlive: args.values.get('no-keep-alive') !== true,
        storageAccess: storage.tables.kind === 'connectionString' ? 'connectionString' : 'identity',
      },
      { send, state, tables: state.tables, queue },
      {
        now: io.now,
        sleep,
        isInterrupted: () => interrupted,
        report: (line) => io.stdout.write(`${line}\n`),
        note: (text) => {
          if (!quiet) io.stderr.write(`portscan smoke: ${text}\n`);
        },
      },
    );
    if (result === 'interrupted') {
      io.stderr.write('portscan: smoke test stopped by an interrupt before it passed\n');
      return 130;
    }
    return 0;
  } finally {
    stopListening?.();
    await sender?.close();
  }
}

function describeHub(target: HubTarget): string {
  return `event hub "${target.hub}" in ${target.namespace}`;
}

/**
 * The deployment's tables and queue: the flags set the settings the functions read
 * (`--storage-account` both endpoints, `--table-endpoint`, `--queue-endpoint`, `--table-prefix`,
 * `--queue`); without flags, the settings themselves, or `PortscanStorage` as a connection string.
 */
function deploymentStorage(
  value: (name: string) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  waitAlert: boolean,
): DeploymentStorage {
  const settings: Record<string, string | undefined> = { ...env };
  const account = value('storage-account');
  const endpoints: [string, string][] = [];
  if (account !== undefined) {
    if (!/^[a-z0-9]{3,24}$/.test(account))
      throw new UsageError(
        `--storage-account "${account}": expected a storage account name (3-24 lower-case letters and digits)`,
      );
    settings[TABLE_URI] = `https://${account}.table.core.windows.net`;
    settings[QUEUE_URI] = `https://${account}.queue.core.windows.net`;
    endpoints.push(['--storage-account', account]);
  }
  for (const [flag, setting] of [
    ['table-endpoint', TABLE_URI],
    ['queue-endpoint', QUEUE_URI],
  ] as const) {
    const endpoint = value(flag);
    if (endpoint === undefined) continue;
    if (endpoint.includes('?')) {
      throw new UsageError(
        `--${flag}: an endpoint with a query (a SAS token?) is refused, since secrets stay out of flags; sign in with "az login", or set ${STORAGE_CONNECTION} to a connection string`,
      );
    }
    settings[setting] = endpoint;
    endpoints.push([`--${flag}`, endpoint]);
  }
  const connectionString = env[STORAGE_CONNECTION]?.trim();
  if (connectionString !== undefined && connectionString !== '') {
    if (endpoints.length > 0) {
      throw new UsageError(
        `${endpoints[0]?.[0]} and ${STORAGE_CONNECTION} (a connection string) both name the storage account: give one of them`,
      );
    }
  } else {
    if ((settings[TABLE_URI]?.trim() ?? '') === '') {
      throw new UsageError(
        `--storage-account is required (or --table-endpoint, the ${TABLE_URI} setting, or ${STORAGE_CONNECTION} as a connection string)`,
      );
    }
    if (waitAlert && (settings[QUEUE_URI]?.trim() ?? '') === '') {
      throw new UsageError(
        `--wait-alert reads the alert queue: give --storage-account or --queue-endpoint (or the ${QUEUE_URI} setting)`,
      );
    }
  }
  const prefix = value('table-prefix');
  if (prefix !== undefined) settings.PORTSCAN_TABLE_PREFIX = prefix;
  const queue = value('queue');
  if (queue !== undefined) settings.PORTSCAN_ALERT_QUEUE = queue;
  return loadDeploymentStorage(settings, { queue: waitAlert });
}

function integerFlag(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  const parser = integerIn(min, max);
  const n = parseSetting(parser, text);
  if (n === undefined) throw new UsageError(`${flag} ${quoteSetting(text)}: expected ${parser.accepts}`);
  return n;
}
