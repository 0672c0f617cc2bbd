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
import {
  convertedBy,
  integerIn,
  oneOf,
  parseSetting,
  quoteSetting,
  readSetting,
  type SettingParser,
} from './settingParsers.js';

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

/**
 * One detection knob: where its value may come from, in increasing precedence (rule file, app
 * setting, CLI flag), the kind of value its app setting holds, and how its text is read.
 */
export interface Knob<T> {
  readonly key: string;
  readonly setting: string;
  readonly flag: string;
  readonly kind: 'integer' | 'enum' | 'list' | 'text';
  readonly parser: SettingParser<T>;
  /** What it accepts, as error messages and the usage text say it. */
  readonly accepts: string;
}

const BIN_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];

function knob<T>(spec: Omit<Knob<T>, 'accepts'>): Knob<T> {
  return { ...spec, accepts: spec.parser.accepts };
}

const nonBlank = (accepts: string) => convertedBy((text) => (text === '' ? undefined : text), accepts);

/** Every knob with its app setting, its CLI flag and what it accepts, in the order issues are named. */
const KNOBS = {
  rule: knob({
    key: 'rule',
    setting: 'PORTSCAN_RULE_FILE',
    flag: '--rule',
    kind: 'text',
    parser: nonBlank('the path of a rule JSON file shaped like lib/rule/portScanRule.json'),
  }),
  mode: knob({
    key: 'mode',
    setting: 'PORTSCAN_MODE',
    flag: '--mode',
    kind: 'enum',
    parser: oneOf(DETECTION_MODES),
  }),
  threshold: knob({
    key: 'threshold',
    setting: 'PORTSCAN_THRESHOLD',
    flag: '--threshold',
    kind: 'integer',
    parser: integerIn(1, 65535, 'alert when the distinct port count is greater'),
  }),
  binMinutes: knob({
    key: 'binMinutes',
    setting: 'PORTSCAN_BIN_MINUTES',
    flag: '--bin-minutes',
    kind: 'integer',
    parser: convertedBy(
      (text) => {
        const n = parseSetting(integerIn(1, 60), text);
        return n !== undefined && BIN_MINUTES.includes(n) ? n : undefined;
      },
      `one of ${BIN_MINUTES.join(', ')} (minutes that divide an hour)`,
    ),
  }),
  attemptedPortsLimit: knob({
    key: 'attemptedPortsLimit',
    setting: 'PORTSCAN_ATTEMPTED_PORTS_LIMIT',
    flag: '--ports-limit',
    kind: 'integer',
    parser: integerIn(1, 65536),
  }),
  reportedByLimit: knob({
    key: 'reportedByLimit',
    setting: 'PORTSCAN_REPORTED_BY_LIMIT',
    flag: '--reported-by-limit',
    kind: 'integer',
    parser: integerIn(1, 64),
  }),
  excludedSourceCidrs: knob({
    key: 'excludedSourceCidrs',
    setting: 'PORTSCAN_EXCLUDE_CIDRS',
    flag: '--exclude',
    kind: 'list',
    parser: convertedBy((text) => {
      const list = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      return list.every(isValidRange) ? list : undefined;
    }, 'IPv4 or IPv6 CIDRs or addresses, comma-separated (the flag may also be repeated)'),
  }),
  knownScanners: knob({
    key: 'knownScanners',
    setting: 'PORTSCAN_KNOWN_SCANNERS',
    flag: '--known-scanners',
    kind: 'text',
    parser: nonBlank(
      'a JSON array of {"cidr", "reason", "expires"} entries, or the path of a JSON file holding one (known scanners: their alerts skip the chat sinks)',
    ),
  }),
  smokeSource: knob({
    key: 'smokeSource',
    setting: 'PORTSCAN_SMOKE_SOURCE',
    flag: '--smoke-source',
    kind: 'text',
    parser: convertedBy(
      canonicalAddress,
      `an IPv4 or IPv6 address no real traffic comes from (default ${DEFAULT_SMOKE_SOURCE}): its alerts are marked as tests`,
    ),
  }),
  chatGroupHours: knob({
    key: 'chatGroupHours',
    setting: 'PORTSCAN_CHAT_GROUP_HOURS',
    flag: '--chat-group-hours',
    kind: 'integer',
    parser: convertedBy(
      (text) => parseSetting(integerIn(0, 168), text),
      `an integer from 0 to 168: hours a source's alerts make one conversation in Teams and Slack (default ${DEFAULT_CHAT_GROUP_HOURS}; 0: a card for every alert)`,
    ),
  }),
  severity: knob({
    key: 'severity',
    setting: 'PORTSCAN_SEVERITY',
    flag: '--severity',
    kind: 'enum',
    parser: oneOf(SeveritySchema.options),
  }),
  allowedLatenessMinutes: knob({
    key: 'allowedLatenessMinutes',
    setting: 'PORTSCAN_ALLOWED_LATENESS_MINUTES',
    flag: '--lateness-minutes',
    kind: 'integer',
    parser: integerIn(0, 1440),
  }),
  retentionHours: knob({
    key: 'retentionHours',
    setting: 'PORTSCAN_RETENTION_HOURS',
    flag: '--retention-hours',
    kind: 'integer',
    parser: integerIn(1, 8760),
  }),
} as const;

/** Every knob with its app setting, its CLI flag and what it accepts. */
export const DETECTION_KNOBS: readonly Knob<unknown>[] = Object.values(KNOBS);

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
  /** A knob's value: its flag replaces its setting, so a bad setting under a good flag is not an error. */
  const read = <T>(k: Knob<T>): T | undefined => {
    const fromFlag = flags[k.flag];
    if (fromFlag === undefined) return readSetting(env, k.setting, k.parser, issues);
    const raw = typeof fromFlag === 'string' ? fromFlag : fromFlag.join(',');
    const value = parseSetting(k.parser, raw);
    if (value === undefined) issues.push(`${k.flag} ${quoteSetting(raw)}: expected ${k.accepts}`);
    return value;
  };
  // Read in the table's order, so that the issues are named in it.
  const values = {
    rule: read(KNOBS.rule),
    mode: read(KNOBS.mode),
    threshold: read(KNOBS.threshold),
    binMinutes: read(KNOBS.binMinutes),
    attemptedPortsLimit: read(KNOBS.attemptedPortsLimit),
    reportedByLimit: read(KNOBS.reportedByLimit),
    excludedSourceCidrs: read(KNOBS.excludedSourceCidrs),
    knownScanners: read(KNOBS.knownScanners),
    smokeSource: read(KNOBS.smokeSource),
    chatGroupHours: read(KNOBS.chatGroupHours),
    severity: read(KNOBS.severity),
    allowedLatenessMinutes: read(KNOBS.allowedLatenessMinutes),
    retentionHours: read(KNOBS.retentionHours),
  };
  if (issues.length > 0) throw new ConfigurationError(issues);

  const knownScanners =
    values.knownScanners === undefined
      ? NO_KNOWN_SCANNERS
      : loadKnownScanners(
          values.knownScanners,
          flags['--known-scanners'] !== undefined ? '--known-scanners' : 'PORTSCAN_KNOWN_SCANNERS',
        );
  const mode = values.mode ?? 'default';
  const excludedSourceCidrs = values.excludedSourceCidrs ?? [];
  const { smokeSource } = values;
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
  const ruleOrigin = flags['--rule'] !== undefined ? '--rule' : 'PORTSCAN_RULE_FILE';
  const rule = values.rule === undefined ? loadEmbeddedRule() : loadRuleFile(values.rule, ruleOrigin);
  const p = rule.parameters;
  const binMinutes = values.binMinutes ?? durationToMs(p.binSize) / 60_000;
  if (!BIN_MINUTES.includes(binMinutes)) {
    throw new ConfigurationError([
      `rule parameters.binSize ${p.binSize}: expected one of ${BIN_MINUTES.join(', ')} minutes`,
    ]);
  }
  return {
    rule,
    mode,
    threshold: values.threshold ?? p.portScanThreshold,
    binMs: binMinutes * 60_000,
    attemptedPortsLimit: values.attemptedPortsLimit ?? p.attemptedPortsLimit,
    reportedByLimit: values.reportedByLimit ?? p.reportedByLimit,
    excludedSourceCidrs,
    severity: values.severity ?? rule.severity,
    allowedLatenessMs: (values.allowedLatenessMinutes ?? defaults.allowedLatenessMinutes) * 60_000,
    retentionMs: (values.retentionHours ?? defaults.retentionHours) * 3_600_000,
    knownScanners,
    smokeSource: smokeSource ?? DEFAULT_SMOKE_SOURCE,
    chatGroupMs: (values.chatGroupHours ?? DEFAULT_CHAT_GROUP_HOURS) * 3_600_000,
  };
}
