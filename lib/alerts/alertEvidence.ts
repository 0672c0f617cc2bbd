import type { AlertEvidence, ScanShape } from '../schema/AlertEvidence.js';
import { devicesOfWindow } from '../window/DeviceTally.js';
import { MAX_TARGET_PORTS_KEPT, targetCountOf } from '../window/TargetSample.js';
import type { WindowState } from '../window/WindowState.js';

/** Most devices an alert lists. */
export const ALERT_DEVICES_LIMIT = 10;
/** Most targets an alert lists. */
export const ALERT_TARGETS_LIMIT = 5;
/** A target probed on more ports than this makes a scan of several targets a block scan. */
export const FEW_PORTS_PER_TARGET = 5;

/**
 * The evidence of an alert from its window's merged state (see `AlertEvidenceSchema`).
 * `portsLimit` bounds `ReachedPorts` as it bounds `AttemptedPorts`.
 */
export function buildAlertEvidence(state: WindowState, portsLimit: number): AlertEvidence {
  const devices = devicesOfWindow([...state.counts.values()].map((c) => c.devices));
  const { count: targetsCount, isExact } = targetCountOf(state.targets);
  const { entries, hasPortsWithoutTarget } = state.targets;
  // One target that every row with a port named: its ports are the window's, exactly.
  const isSoleTarget = entries.length === 1 && isExact && !hasPortsWithoutTarget;
  const targets = entries.map((e) => {
    const isCut = e.ports.length >= MAX_TARGET_PORTS_KEPT;
    return {
      Address: e.address,
      PortsCount: isSoleTarget ? state.ports.size : e.ports.length,
      PortsCountIsLowerBound: !isSoleTarget && isCut,
    };
  });
  targets.sort(
    (a, b) =>
      b.PortsCount - a.PortsCount ||
      Number(b.PortsCountIsLowerBound) - Number(a.PortsCountIsLowerBound) ||
      (a.Address < b.Address ? -1 : a.Address > b.Address ? 1 : 0),
  );
  return {
    ReachedPortsCount: state.reached.size,
    ReachedPorts: state.reached.smallest(portsLimit),
    Devices: devices.devices
      .slice(0, ALERT_DEVICES_LIMIT)
      .map((d) => ({ Name: d.name, EventCount: d.events })),
    DevicesCount: devices.devices.length,
    DevicesCountIsLowerBound: !devices.isComplete,
    TargetsCount: targetsCount,
    TargetsCountIsEstimate: !isExact,
    Targets: targets.slice(0, ALERT_TARGETS_LIMIT),
    ScanShape: shapeOf(targetsCount, isExact, targets),
  };
}

function shapeOf(
  targetsCount: number,
  isExact: boolean,
  targets: readonly { PortsCount: number; PortsCountIsLowerBound: boolean }[],
): ScanShape {
  if (targetsCount === 0) return 'unknown';
  if (targetsCount === 1 && isExact) return 'vertical';
  return targets.some((t) => t.PortsCount > FEW_PORTS_PER_TARGET || t.PortsCountIsLowerBound)
    ? 'block'
    : 'horizontal';
}
