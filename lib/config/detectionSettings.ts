import { ConfigurationError } from '../errors.js';
import type { KnownScanners } from '../filter/KnownScanners.js';
import { NO_KNOWN_SCANNERS } from '../filter/KnownScanners.js';
import {
  canonicalAddress,
  DETECTION_MODES,
  type DetectionMode,
  isValidRange,
  SourceFilter,
} from '../filter/SourceFilter.js';
import { loadEmbeddedRule, loadRuleFile } from '../rule/loadRule.js';
import type { Rule, Severity } from '../rule/RuleSchema.js';
import { durationToMs, SeveritySchema } from '../rule/RuleSchema.js';
import { loadKnownScanners } from './loadKnownScanners.js';

/**
 * Everything that decides what the detector counts and when it alerts: the rule plus the knobs
 * that override it. One value, resolved once at start-up, shared by the CLI and the functions.
 */
export interface DetectionSettings {
  readonly rule: Rule;
  readonly mode: DetectionMode;
  /** Alert when AttemptedPortsCount is strictly greater than this. */
  readonly threshold: number;
  /** Bin width; bins are aligned to the UTC epoch. */
  readonly binMs: number;
  readonly attemptedPortsLimit: number;
  readonly reportedByLimit: number;
  readonly excludedSourceCidrs: readonly string[];
  readonly severity: Severity;
  /** How long after a bin ends (by the event-time watermark) it is closed and evaluated. */
  readonly allowedLatenessMs: number;
  /** How long after a bin ends its state is kept for late events; older events are dropped and counted. */
  readonly retentionMs: number;
  /** Sources whose alerts go to the queue and signed webhooks marked suppressed, and not to chat sinks. */
  readonly knownScanners: KnownScanners;
  /** The smoke-test source, canonical: its alerts say `IsTest` (`portscan smoke` sends from it). */
  readonly smokeSource: string;
  /**
   * How long a chat conversation groups a source's alerts after the one whose card opened it: later
   * alerts post no card, the chat sinks get one "still scanning" update per closing run; 0 posts a
   * card for every alert.
   */
  readonly chatGroupMs: number;
}

/** Sentinel's default alert-grouping period: a source's alerts within it are one conversation in chat. */
export const DEFAULT_CHAT_GROUP_HOURS = 5;

/**
 * The smoke-test source unless `PORTSCAN_SMOKE_SOURCE` says otherwise: in TEST-NET-1
 * (192.0.2.0/24, RFC 5737, reserved for documentation), so no real traffic comes from it, and not
 * in a range the detector drops as private; no bundled sample or test fixture uses it.
 */
export const DEFAULT_SMOKE_SOURCE = '192.0.2.250';

/** Where a knob's value may come from, in increasing precedence: rule file, app setting, CLI flag. */
interface Knob {
  readonly key: string;
  readonly setting: string;
  readonly flag: string;
  readonly accepts: string;
  readonly parse: (raw: string) => unknown;
}

const BIN_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];

function intIn(min: number, max: number): (raw: string) => number | undefined {
  return (raw) => {
    const t = raw.trim();
    if (!/^\d{1,7}$/.test(t)) return undefined;
    const n = Number(t);
    return n >= min && n <= max ? n : undefined;
  };
}

/** Every knob with its app setting, its CLI flag and what it accepts. */
export const DETECTION_KNOBS: readonly Knob[] = [
  {
    key: 'rule',
    setting: 'PORTSCAN_RULE_FILE',
    flag: '--rule',
    accepts: 'the path of a rule JSON file shaped like lib/rule/portScanRule.json',
    parse: (raw) => (raw.trim() === '' ? undefined : raw.trim()),
  },
  {
    key: 'mode',
    setting: 'PORTSCAN_MODE',
    flag: '--mode',
    accepts: `one of ${DETECTION_MODES.join(', ')}`,
    parse: (raw) => ((DETECTION_MODES as readonly string[]).includes(raw.trim()) ? raw.trim() : undefined),
  },
  {
    key: 'threshold',
    setting: 'PORTSCAN_THRESHOLD',
    flag: '--threshold',
    accepts: 'an integer from 1 to 65535 (alert when the distinct port count is greater)',
    parse: intIn(1, 65535),
  },
  {
    key: 'binMinutes',
    setting: 'PORTSCAN_BIN_MINUTES',
    flag: '--bin-minutes',
    accepts: `one of ${BIN_MINUTES.join(', ')} (minutes that divide an hour)`,
    parse: (raw) => {
      const n = intIn(1, 60)(raw);
      return n !== undefined && BIN_MINUTES.includes(n) ? n : undefined;
    },
  },
  {
    key: 'attemptedPortsLimit',
    setting: 'PORTSCAN_ATTEMPTED_PORTS_LIMIT',
    flag: '--ports-limit',
    accepts: 'an integer from 1 to 65536',
    parse: intIn(1, 65536),
  },
  {
    key: 'reportedByLimit',
    setting: 'PORTSCAN_REPORTED_BY_LIMIT',
    flag: '--reported-by-limit',
    accepts: 'an integer from 1 to 64',
    parse: intIn(1, 64),
  },
  {
    key: 'excludedSourceCidrs',
    setting: 'PORTSCAN_EXCLUDE_CIDRS',
    flag: '--exclude',
    accepts: 'IPv4 or IPv6 CIDRs or addresses, comma-separated (the flag may also be repeated)',
    parse: (raw) => {
      const list = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      return list.every(isValidRange) ? list : undefined;
    },
  },
  {
    key: 'knownScanners',
    setting: 'PORTSCAN_KNOWN_SCANNERS',
    flag: '--known-scanners',
    accepts:
      'a JSON array of {"cidr", "reason", "expires"} entries, or the path of a JSON file holding one (known scanners: their alerts skip the chat sinks)',
    parse: (raw) => (raw.trim() === '' ? undefined : raw.trim()),
  },
  {
    key: 'smokeSource',
    setting: 'PORTSCAN_SMOKE_SOURCE',
    flag: '--smoke-source',
    accepts: `an IPv4 or IPv6 address no real traffic comes from (default ${DEFAULT_SMOKE_SOURCE}): its alerts are marked as tests`,
    parse: (raw) => canonicalAddress(raw.trim()),
  },
  {
    key: 'chatGroupHours',
    setting: 'PORTSCAN_CHAT_GROUP_HOURS',
    flag: '--chat-group-hours',
    accepts: `an integer from 0 to 168: hours a source's alerts make one conversation in Teams and Slack (default ${DEFAULT_CHAT_GROUP_HOURS}; 0: a card for every alert)`,
    parse: intIn(0, 168),
  },
  {
    key: 'severity',
    setting: 'PORTSCAN_SEVERITY',
    flag: '--severity',
    accepts: `one of ${SeveritySchema.options.join(', ')}`,
    parse: (raw) => (SeveritySchema.safeParse(raw.trim()).success ? raw.trim() : undefined),
  },
  {
    key: 'allowedLatenessMinutes',
    setting: 'PORTSCAN_ALLOWED_LATENESS_MINUTES',
    flag: '--lateness-minutes',
    accepts: 'an integer from 0 to 1440',
    parse: intIn(0, 1440),
  },
  {
    key: 'retentionHours',
    setting: 'PORTSCAN_RETENTION_HOURS',
    flag: '--retention-hours',
    accepts: 'an integer from 1 to 8760',
    parse: intIn(1, 8760),
  },
];

/** Product defaults for the knobs that are not part of the Sentinel rule. */
export interface KnobDefaults {
  readonly allowedLatenessMinutes: number;
  readonly retentionHours: number;
}

/** Defaults of the functions: close 10 minutes after a bin ends, keep state a day. */
export const FUNCTION_DEFAULTS: KnobDefaults = { allowedLatenessMinutes: 10, retentionHours: 24 };
/** Defaults of the CLI: archives are often unordered, so state is kept a week of event time. */
export const CLI_DEFAULTS: KnobDefaults = { allowedLatenessMinutes: 10, retentionHours: 168 };

/**
 * Resolves the detection settings from the rule, app settings (`env`) and CLI flags (`flags`,
 * keyed by flag name, values as typed), in that order of precedence.
 *
 * @throws {ConfigurationError} naming every bad setting or flag and what it accepts
 */
export function resolveDetectionSettings(
  env: Readonly<Record<string, string | undefined>>,
  flags: Readonly<Record<string, string | readonly string[] | undefined>>,
  defaults: KnobDefaults,
): DetectionSettings {
  const issues: string[] = [];
  const values = new Map<string, unknown>();
  for (const knob of DETECTION_KNOBS) {
    const fromEnv = env[knob.setting];
    const fromFlag = flags[knob.flag];
    // A flag replaces the setting, so a bad setting under a good flag is not an error.
    if (fromFlag === undefined && fromEnv !== undefined && fromEnv.trim() !== '') {
      const v = knob.parse(fromEnv);
      if (v === undefined) issues.push(`${knob.setting}=${quote(fromEnv)}: expected ${knob.accepts}`);
      else values.set(knob.key, v);
    }
    if (fromFlag !== undefined) {
      const raw = typeof fromFlag === 'string' ? fromFlag : fromFlag.join(',');
      const v = knob.parse(raw);
      if (v === undefined) issues.push(`${knob.flag} ${quote(raw)}: expected ${knob.accepts}`);
      else values.set(knob.key, v);
    }
  }
  if (issues.length > 0) throw new ConfigurationError(issues);

  const knownScannersRaw = values.get('knownScanners') as string | undefined;
  const knownScanners =
    knownScannersRaw === undefined
      ? NO_KNOWN_SCANNERS
      : loadKnownScanners(
          knownScannersRaw,
          flags['--known-scanners'] !== undefined ? '--known-scanners' : 'PORTSCAN_KNOWN_SCANNERS',
        );
  const mode = (values.get('mode') as DetectionMode | undefined) ?? 'default';
  const excludedSourceCidrs = (values.get('excludedSourceCidrs') as string[] | undefined) ?? [];
  const smokeSource = values.get('smokeSource') as string | undefined;
  if (smokeSource !== undefined) {
    // Its rows must count, or a smoke test could never see its scan.
    const verdict = new SourceFilter(mode, excludedSourceCidrs).judge(smokeSource);
    if (!verdict.counts) {
      const origin =
        flags['--smoke-source'] !== undefined
          ? `--smoke-source ${smokeSource}`
          : `PORTSCAN_SMOKE_SOURCE=${smokeSource}`;
      throw new ConfigurationError([
        `${origin}: the detector never counts this source (${verdict.reason}); choose a public address no real traffic comes from`,
      ]);
    }
  }
  const rulePath = values.get('rule') as string | undefined;
  const ruleOrigin = flags['--rule'] !== undefined ? '--rule' : 'PORTSCAN_RULE_FILE';
  const rule = rulePath === undefined ? loadEmbeddedRule() : loadRuleFile(rulePath, ruleOrigin);
  const p = rule.parameters;
  const binMinutes = (values.get('binMinutes') as number | undefined) ?? durationToMs(p.binSize) / 60_000;
  if (!BIN_MINUTES.includes(binMinutes)) {
    throw new ConfigurationError([
      `rule parameters.binSize ${p.binSize}: expected one of ${BIN_MINUTES.join(', ')} minutes`,
    ]);
  }
  return {
    rule,
    mode,
    threshold: (values.get('threshold') as number | undefined) ?? p.portScanThreshold,
    binMs: binMinutes * 60_000,
    attemptedPortsLimit: (values.get('attemptedPortsLimit') as number | undefined) ?? p.attemptedPortsLimit,
    reportedByLimit: (values.get('reportedByLimit') as number | undefined) ?? p.reportedByLimit,
    excludedSourceCidrs,
    severity: (values.get('severity') as Severity | undefined) ?? rule.severity,
    allowedLatenessMs:
      ((values.get('allowedLatenessMinutes') as number | undefined) ?? defaults.allowedLatenessMinutes) *
      60_000,
    retentionMs:
      ((values.get('retentionHours') as number | undefined) ?? defaults.retentionHours) * 3_600_000,
    knownScanners,
    smokeSource: smokeSource ?? DEFAULT_SMOKE_SOURCE,
    chatGroupMs:
      ((values.get('chatGroupHours') as number | undefined) ?? DEFAULT_CHAT_GROUP_HOURS) * 3_600_000,
  };
}

function quote(raw: string): string {
  const cut = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
  return JSON.stringify(cut);
}
