/** Most devices a partition's tally names: its 16 smallest device names. */
export const MAX_DEVICES_KEPT = 16;
/**
 * Longest device name kept, so that a benign window's row stays small; a longer one (an Azure
 * resource id) keeps its end, where the resource's type and name are.
 */
export const MAX_DEVICE_CHARS = 64;

/** A reporting device and the events of its rows. */
export interface DeviceCount {
  readonly name: string;
  readonly events: number;
}

/**
 * The reporting devices of one partition's rows of a (source, bin), with how many events each
 * reported: the `MAX_DEVICES_KEPT` smallest names (ascending) with exact counts, and the events of
 * every other named device together in `otherEvents`. Rows that name no device are in neither.
 *
 * Exact for the devices it names: a name among the 16 smallest at the end was among them from its
 * first row on (the set of smaller names only grows), so none of its events went elsewhere. And
 * the window's 16 smallest names overall are each among the 16 smallest of every partition that
 * saw them, so summing partitions' tallies gives exact counts for those.
 *
 * A tally is part of its partition's entry in the window state and shares its high-water mark: it
 * counts the same prefix of the partition's messages as the event count does.
 */
export interface DeviceTally {
  readonly devices: readonly DeviceCount[];
  readonly otherEvents: number;
}

export const EMPTY_TALLY: DeviceTally = Object.freeze({
  devices: Object.freeze([]) as readonly DeviceCount[],
  otherEvents: 0,
});

/**
 * The device name of a row: `Dvc`, else `DvcHostname`, `DvcIpAddr`, `DvcId` (the first the source
 * fills), or '' when the row names none. An Azure resource id (the Azure platform logs' `Dvc`) is
 * shortened to `<resource group>/<resource name>` (`RG-APP/APP-NSG`), what an analyst reads it
 * by; any name longer than `MAX_DEVICE_CHARS` keeps its end. Consecutive rows repeat one device:
 * the last one is remembered, so rows share one detached string.
 */
export function deviceOf(
  dvc: string | undefined,
  hostname: string | undefined,
  ipAddr: string | undefined,
  id: string | undefined,
): string {
  const raw = dvc || hostname || ipAddr || id || '';
  if (raw === lastRaw) return lastDevice;
  lastRaw = raw;
  const arm = AZURE_RESOURCE_ID.exec(raw);
  const name = arm === null ? raw : `${arm[1]}/${arm[2]}`;
  lastDevice =
    name.length > MAX_DEVICE_CHARS
      ? `…${name.slice(name.length - MAX_DEVICE_CHARS + 1)}`
      : `${name} `.slice(0, -1);
  return lastDevice;
}

/** `/subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>`, any case; a nested type keeps its last name. */
const AZURE_RESOURCE_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/(?:[^/]+\/[^/]+\/)*([^/]+)\/?$/i;

let lastRaw = '';
let lastDevice = '';

/**
 * Adds events per device name to a tally: names are united, counts summed, and of the union the
 * `MAX_DEVICES_KEPT` smallest are kept; the events of the others go to `otherEvents`. The empty
 * name (rows naming no device) is not counted.
 */
export function addToTally(tally: DeviceTally, additions: Iterable<readonly [string, number]>): DeviceTally {
  const sums = new Map<string, number>();
  for (const d of tally.devices) sums.set(d.name, d.events);
  let added = false;
  for (const [name, events] of additions) {
    if (name === '' || events === 0) continue;
    sums.set(name, (sums.get(name) ?? 0) + events);
    added = true;
  }
  if (!added) return tally;
  const names = [...sums.keys()].sort();
  let otherEvents = tally.otherEvents;
  for (const name of names.slice(MAX_DEVICES_KEPT)) otherEvents += sums.get(name) as number;
  return {
    devices: names.slice(0, MAX_DEVICES_KEPT).map((name) => ({ name, events: sums.get(name) as number })),
    otherEvents,
  };
}

/**
 * The devices of a window, over every partition's tally: the `MAX_DEVICES_KEPT` smallest names of
 * all tallies with their events summed (exact, see `DeviceTally`), most events first.
 */
export function devicesOfWindow(tallies: Iterable<DeviceTally>): {
  readonly devices: readonly DeviceCount[];
  /** False when the window has more named devices than those listed (their events are not listed). */
  readonly isComplete: boolean;
} {
  const sums = new Map<string, number>();
  let isComplete = true;
  for (const t of tallies) {
    for (const d of t.devices) sums.set(d.name, (sums.get(d.name) ?? 0) + d.events);
    if (t.otherEvents > 0) isComplete = false;
  }
  const names = [...sums.keys()].sort();
  if (names.length > MAX_DEVICES_KEPT) isComplete = false;
  const devices = names
    .slice(0, MAX_DEVICES_KEPT)
    .map((name) => ({ name, events: sums.get(name) as number }));
  devices.sort((a, b) => b.events - a.events || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { devices, isComplete };
}
