import type { AlertEvidence, ScanShape } from '../../schema/AlertEvidence.js';
import { formatCount, formatPortRanges } from './alertText.js';

/**
 * Plain-text pieces of an alert's evidence shared by the Teams card and the Slack blocks. Device
 * names come from logs: the `items` are returned unescaped, and each format escapes and shortens
 * them with its own functions; every other piece is made of numbers and fixed words.
 */

const SHAPES: Readonly<Record<ScanShape, string>> = {
  vertical: 'one target, many ports',
  horizontal: 'many targets, few ports each',
  block: 'many targets, many ports',
  unknown: 'targets not reported',
};

/** `22, 3389 (2 of 63 ports)`, or why there is no list. */
export function formatReached(evidence: AlertEvidence, attempted: number, maxChars: number): string {
  if (evidence.ReachedPortsCount === 0) return 'none reported allowed';
  const listed = formatPortRanges(evidence.ReachedPorts, maxChars);
  const of = `${formatCount(evidence.ReachedPortsCount)} of ${formatCount(attempted)} ports`;
  const unlisted = evidence.ReachedPortsCount - listed.shown;
  return unlisted > 0 ? `${listed.text} … (${of})` : `${listed.text} (${of})`;
}

/** `1 target · one target, many ports` / `about 4,100 targets (estimated) · many targets, few ports each`. */
export function formatTargetsSummary(evidence: AlertEvidence): string {
  const n = formatCount(evidence.TargetsCount);
  const count = evidence.TargetsCountIsEstimate
    ? `about ${n} targets (estimated)`
    : `${n} target${evidence.TargetsCount === 1 ? '' : 's'}`;
  return evidence.ScanShape === 'unknown' ? SHAPES.unknown : `${count} · ${SHAPES[evidence.ScanShape]}`;
}

/** The listed targets as `[address, "1,024 ports"]` (addresses are canonical IP text). */
export function targetItems(evidence: AlertEvidence): [address: string, ports: string][] {
  return evidence.Targets.map((t) => [
    t.Address,
    `${t.PortsCountIsLowerBound ? 'at least ' : ''}${formatCount(t.PortsCount)} port${t.PortsCount === 1 ? '' : 's'}`,
  ]);
}

/** The listed devices as `[name, "1,204 events"]`, names unescaped. */
export function deviceItems(evidence: AlertEvidence): [name: string, events: string][] {
  return evidence.Devices.map((d) => [
    d.Name,
    `${formatCount(d.EventCount)} event${d.EventCount === 1 ? '' : 's'}`,
  ]);
}

/** How many devices are not listed, as words (`and 3 more`, `and more`), or '' when all are. */
export function moreDevices(evidence: AlertEvidence): string {
  const unlisted = evidence.DevicesCount - evidence.Devices.length;
  if (evidence.DevicesCountIsLowerBound)
    return unlisted > 0 ? `and ${formatCount(unlisted)} or more others` : 'and others';
  return unlisted > 0 ? `and ${formatCount(unlisted)} more` : '';
}
