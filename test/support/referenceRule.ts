import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';

/**
 * An independent implementation of the rule, for differential tests: written from the seed rule
 * and decisions D1–D3 with Node's own `net` module and plain sets, sharing no code with lib/.
 */
export interface ReferenceAlert {
  SrcIpAddr: string;
  TimeGenerated: string;
  AttemptedPortsCount: number;
  AttemptedPorts: number[];
  ReportedBy: string[];
}

const DEFAULT_BLOCKS = new BlockList();
DEFAULT_BLOCKS.addSubnet('10.0.0.0', 8, 'ipv4');
DEFAULT_BLOCKS.addSubnet('172.16.0.0', 12, 'ipv4');
DEFAULT_BLOCKS.addSubnet('192.168.0.0', 16, 'ipv4');
DEFAULT_BLOCKS.addSubnet('169.254.0.0', 16, 'ipv4');
DEFAULT_BLOCKS.addSubnet('127.0.0.0', 8, 'ipv4');
DEFAULT_BLOCKS.addAddress('::1', 'ipv6');
DEFAULT_BLOCKS.addSubnet('fc00::', 7, 'ipv6');
DEFAULT_BLOCKS.addSubnet('fe80::', 10, 'ipv6');

const KQL_PRIVATE = new BlockList();
KQL_PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
KQL_PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
KQL_PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The source a row counts under in `default` mode, or undefined. */
function defaultSource(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (DOTTED_QUAD.test(raw)) return DEFAULT_BLOCKS.check(raw, 'ipv4') ? undefined : raw;
  if (!isIPv6(raw) || raw.includes('%')) return undefined;
  const canonical = new URL(`http://[${raw}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped !== null) {
    const hi = Number.parseInt(mapped[1] as string, 16);
    const lo = Number.parseInt(mapped[2] as string, 16);
    const v4 = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    return DEFAULT_BLOCKS.check(v4, 'ipv4') ? undefined : v4;
  }
  return DEFAULT_BLOCKS.check(canonical, 'ipv6') ? undefined : canonical;
}

/** The source a row counts under in `sentinel-parity` mode, or undefined. */
function paritySource(raw: string | undefined): string | undefined {
  if (raw === undefined || !DOTTED_QUAD.test(raw) || !isIPv4(raw)) return undefined;
  if (KQL_PRIVATE.check(raw, 'ipv4') || raw === '127.0.0.1') return undefined;
  return raw;
}

/** Every (source, bin) the rule counts: its distinct ports, reporters and summed event count. */
export interface ReferenceWindow {
  readonly src: string;
  /** Bin start, ms since the epoch. */
  readonly bin: number;
  readonly ports: Set<number>;
  readonly reporters: Set<string>;
  eventCount: number;
}

/** Groups all rows per (source, bin) as the rule's `summarize … by SrcIpAddr, bin(TimeGenerated, 5m)` does. */
export function referenceWindows(
  rows: readonly NetworkSession[],
  mode: 'default' | 'sentinel-parity',
  binMinutes = 5,
): ReferenceWindow[] {
  const binMs = binMinutes * 60_000;
  const groups = new Map<string, ReferenceWindow>();
  for (const row of rows) {
    const src = mode === 'default' ? defaultSource(row.SrcIpAddr) : paritySource(row.SrcIpAddr);
    if (src === undefined) continue;
    const t = new Date(row.EventStartTime ?? row.TimeGenerated).getTime();
    const bin = t - (((t % binMs) + binMs) % binMs);
    const key = `${bin} ${src}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { src, bin, ports: new Set(), reporters: new Set(), eventCount: 0 };
      groups.set(key, g);
    }
    if (row.DstPortNumber !== undefined) g.ports.add(row.DstPortNumber);
    g.reporters.add(`${row.EventVendor}/${row.EventProduct}`);
    g.eventCount += row.EventCount ?? 1;
  }
  return [...groups.values()].sort((a, b) => a.bin - b.bin || (a.src < b.src ? -1 : a.src > b.src ? 1 : 0));
}

/** Runs the rule over all rows at once and returns the alerts sorted by bin then source. */
export function referenceRule(
  rows: readonly NetworkSession[],
  mode: 'default' | 'sentinel-parity',
  threshold = 50,
  binMinutes = 5,
): ReferenceAlert[] {
  return referenceWindows(rows, mode, binMinutes)
    .filter((g) => g.ports.size > threshold)
    .map((g) => ({
      SrcIpAddr: g.src,
      TimeGenerated: new Date(g.bin).toISOString(),
      AttemptedPortsCount: g.ports.size,
      AttemptedPorts: [...g.ports].sort((a, b) => a - b).slice(0, 100),
      ReportedBy: [...g.reporters].sort().slice(0, 20),
    }));
}
