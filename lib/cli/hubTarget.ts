import { EVENT_HUB_CONNECTION } from '../config/appSettings.js';
import { UsageError } from '../errors.js';
import type { HubTarget } from '../eventhub/EventHubSender.js';

/**
 * The hub `send` and `smoke` write to: the connection string in `EventHubConnection` when it is set (for local
 * runs and hubs reached with a SAS policy), the signed-in identity otherwise.
 */
export function resolveHubTarget(
  flags: { readonly namespace: string | undefined; readonly hub: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): HubTarget {
  const namespaceFlag = flags.namespace === undefined ? undefined : toNamespaceHost(flags.namespace);
  const hubFlag = flags.hub?.trim();
  const connectionString = env[EVENT_HUB_CONNECTION]?.trim();
  if (connectionString !== undefined && connectionString !== '') {
    const fields = parseConnectionString(connectionString);
    const endpointHost = /^[a-z]+:\/\/([^/;]+)/i.exec(fields.get('endpoint') ?? '')?.[1];
    if (endpointHost === undefined) {
      throw new UsageError(
        `${EVENT_HUB_CONNECTION}: expected an Event Hubs connection string (Endpoint=sb://…)`,
      );
    }
    const host = endpointHost.replace(/:\d+$/, '');
    if (namespaceFlag !== undefined && namespaceFlag !== host) {
      throw new UsageError(
        `--namespace ${namespaceFlag} differs from the namespace of ${EVENT_HUB_CONNECTION} (${host})`,
      );
    }
    const entityPath = fields.get('entitypath');
    const hub = hubFlag ?? entityPath;
    if (hub === undefined || hub === '')
      throw new UsageError(`--hub is required (${EVENT_HUB_CONNECTION} names no EntityPath)`);
    if (entityPath !== undefined && entityPath !== hub) {
      throw new UsageError(
        `--hub ${hub} differs from the EntityPath of ${EVENT_HUB_CONNECTION} (${entityPath})`,
      );
    }
    return { kind: 'connectionString', connectionString, namespace: host, hub };
  }
  if (namespaceFlag === undefined) {
    throw new UsageError(`--namespace is required (or set ${EVENT_HUB_CONNECTION} to a connection string)`);
  }
  if (hubFlag === undefined || hubFlag === '') throw new UsageError('--hub is required');
  return { kind: 'identity', namespace: namespaceFlag, hub: hubFlag };
}

/** `evhns-x` → `evhns-x.servicebus.windows.net`; a host name is kept. */
function toNamespaceHost(value: string): string {
  const host = value
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(host))
    throw new UsageError(`--namespace "${value}": expected a name or host name`);
  return host.includes('.') ? host : `${host}.servicebus.windows.net`;
}

function parseConnectionString(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return fields;
}
