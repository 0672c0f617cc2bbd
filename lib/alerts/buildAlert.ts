import type { DetectionSettings } from '../config/detectionSettings.js';
import type { Alert } from '../schema/Alert.js';
import { ALERT_SCHEMA_VERSION } from '../schema/Alert.js';
import type { WindowState } from '../window/WindowState.js';
import { eventCountOf } from '../window/WindowState.js';
import { buildAlertEvidence } from './alertEvidence.js';
import { alertIdOf } from './alertId.js';

/** True when a state is over the threshold: AttemptedPortsCount strictly greater (rule `gt`). */
export function isOverThreshold(state: WindowState, settings: DetectionSettings): boolean {
  return state.ports.size > settings.threshold;
}

/** Replaces `{{Column}}` placeholders as Sentinel's alert details override does; unknown ones stay as written. */
export function renderTemplate(template: string, columns: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{(\w{1,64})\}\}/g, (whole, name: string) => {
    const value = columns[name];
    return value === undefined ? whole : String(value);
  });
}

/** The bin as the rule's templates say it: `5 minutes`, `1 minute`. */
export function binDuration(binMs: number): string {
  const minutes = binMs / 60_000;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** How the closing engine saw a (source, bin) when it built its alert. */
export interface AlertCircumstances {
  /** The bin crossed the threshold only after it had been closed. */
  readonly isLate: boolean;
  /** The bin was closed while an Event Hub partition still had unread events or was failing. */
  readonly mayBeIncomplete: boolean;
}

/**
 * Builds the first revision of the alert of a (source, bin) from its merged state. The rule's
 * templates may use the columns `SrcIpAddr`, `AttemptedPortsCount` and `BinDuration` (the
 * configured bin, so that `--bin-minutes 10` reads "within 10 minutes" where Sentinel's text
 * hard-codes 5).
 */
export function buildAlert(
  source: string,
  binStartMs: number,
  state: WindowState,
  settings: DetectionSettings,
  circumstances: AlertCircumstances,
): Alert {
  const { rule } = settings;
  const count = state.ports.size;
  const columns = { SrcIpAddr: source, AttemptedPortsCount: count, BinDuration: binDuration(settings.binMs) };
  const binStart = new Date(binStartMs).toISOString();
  return {
    SchemaVersion: ALERT_SCHEMA_VERSION,
    AlertId: alertIdOf(rule.id, source, binStartMs),
    Revision: 1,
    AlertDisplayName: renderTemplate(rule.alertDetailsOverride.alertDisplayNameFormat, columns),
    AlertDescription: renderTemplate(rule.alertDetailsOverride.alertDescriptionFormat, columns),
    Severity: settings.severity,
    Tactics: [...rule.tactics],
    Techniques: [...rule.relevantTechniques],
    Entities: rule.entityMappings
      .filter((m) => m.entityType === 'IP')
      .flatMap((m) =>
        m.fieldMappings
          .filter((f) => f.columnName === 'SrcIpAddr')
          .map(() => ({ Type: 'ip' as const, Address: source })),
      ),
    CustomDetails: Object.fromEntries(
      Object.entries(rule.customDetails).map(([key, column]) => [
        key,
        [String((columns as Record<string, string | number>)[column] ?? '')],
      ]),
    ),
    RuleId: rule.id,
    RuleName: rule.name,
    RuleVersion: rule.version,
    DetectionMode: settings.mode,
    Threshold: settings.threshold,
    SrcIpAddr: source,
    TimeGenerated: binStart,
    BinStart: binStart,
    BinEnd: new Date(binStartMs + settings.binMs).toISOString(),
    AttemptedPortsCount: count,
    AttemptedPorts: state.ports.smallest(settings.attemptedPortsLimit),
    ReportedBy: state.reporters.slice(0, settings.reportedByLimit),
    FirstSeen: new Date(state.firstSeenMs).toISOString(),
    LastSeen: new Date(state.lastSeenMs).toISOString(),
    EventCount: eventCountOf(state),
    IsLate: circumstances.isLate,
    MayBeIncomplete: circumstances.mayBeIncomplete,
    IsTest: source === settings.smokeSource,
    Evidence: buildAlertEvidence(state, settings.attemptedPortsLimit),
    ...suppressionOf(source, binStartMs + settings.binMs, settings),
  };
}

/**
 * Whether `next`, built later from the same (source, bin), is a correction of `recorded`: the
 * rule's figures changed (the port count, the listed ports, the reporters) and `next` saw at
 * least as much (ports and events only grow as rows arrive), so a run that read the rows before
 * another run's correction never sends older figures as a newer revision.
 */
export function isCorrectionOf(next: Alert, recorded: Alert): boolean {
  if (next.AttemptedPortsCount < recorded.AttemptedPortsCount || next.EventCount < recorded.EventCount)
    return false;
  return (
    next.AttemptedPortsCount !== recorded.AttemptedPortsCount ||
    !sameItems(next.AttemptedPorts, recorded.AttemptedPorts) ||
    !sameItems(next.ReportedBy, recorded.ReportedBy)
  );
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The `Suppression` of an alert whose source is a known scanner when its bin ends, or nothing. */
function suppressionOf(
  source: string,
  binEndMs: number,
  settings: DetectionSettings,
): Pick<Alert, 'Suppression'> {
  const entry = settings.knownScanners.match(source, binEndMs);
  if (entry === undefined) return {};
  return {
    Suppression: { Kind: 'known scanner', Cidr: entry.cidr, Reason: entry.reason, Expires: entry.expires },
  };
}
