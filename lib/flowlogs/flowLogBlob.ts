import { createHash } from 'node:crypto';

/**
 * The containers Network Watcher writes flow logs to, one block blob `PT1H.json` per resource (per
 * network interface, by MAC address) and hour:
 *
 * - VNet flow logs: `insights-logs-flowlogflowevent`, blobs named
 *   `flowLogResourceID=/<SUB>_NETWORKWATCHERRG/NETWORKWATCHER_<REGION>_<FLOWLOG>/y=<yyyy>/m=<MM>/d=<dd>/h=<HH>/m=00/macAddress=<MAC>/PT1H.json`;
 * - NSG flow logs: `insights-logs-networksecuritygroupflowevent`, blobs named
 *   `resourceId=/SUBSCRIPTIONS/<SUB>/RESOURCEGROUPS/<RG>/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/<NSG>/y=…/m=…/d=…/h=…/m=00/macAddress=<MAC>/PT1H.json`.
 *
 * (Microsoft Learn, "Read flow logs", docs/flow-logs.md.)
 */
export const FLOW_LOG_CONTAINERS: readonly string[] = [
  'insights-logs-flowlogflowevent',
  'insights-logs-networksecuritygroupflowevent',
];

/** One flow-log blob as this product keys it. */
export interface FlowLogBlobRef {
  readonly container: string;
  readonly name: string;
  /** Stable key of the blob name (the row key of its read cursor). */
  readonly blobKey: string;
  /**
   * The feed the blob belongs to: the same resource and network interface over the hours, i.e.
   * the blob name without its `y=/m=/d=/h=/m=` folders. Its progress is what the closing timer's
   * watermark reads, like an Event Hub partition's.
   */
  readonly feedPartition: string;
  /** Start of the hour the blob holds (from its `y=/m=/d=/h=` folders), when the name has them. */
  readonly hourStartMs: number | undefined;
}

const HOUR_FOLDERS = /\/y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})\/m=(\d{2})\//;

/** The first 16 hex digits of SHA-256: ids that are safe in Table keys and collide with negligible odds. */
function shortHash(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n'), 'utf8').digest('hex').slice(0, 16);
}

/** Keys a blob of a flow-log container. */
export function toFlowLogBlobRef(container: string, name: string): FlowLogBlobRef {
  const m = HOUR_FOLDERS.exec(name);
  let hourStartMs: number | undefined;
  let feed = name;
  if (m !== null) {
    const [, y, mo, d, h] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h));
    // Date.UTC rolls month 13 or hour 25 over; such a name has no hour.
    if (new Date(ms).getUTCHours() === Number(h) && new Date(ms).getUTCDate() === Number(d)) hourStartMs = ms;
    feed = name.replace(HOUR_FOLDERS, '/');
  }
  return {
    container,
    name,
    blobKey: shortHash(container, name),
    feedPartition: `flowlog-${shortHash(container, feed)}`,
    hourStartMs,
  };
}

/**
 * The window partition of one generation of a blob: the rows its records count into, keyed by the
 * blob and by the identity of its content (`generation`), so that a blob replaced under the same
 * name starts new rows instead of being skipped by the old rows' high-water marks.
 */
export function windowPartitionOf(ref: FlowLogBlobRef, generation: string): string {
  return `blob-${shortHash(ref.container, ref.name, generation)}`;
}
