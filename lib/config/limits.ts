import { ConfigurationError } from '../errors.js';
import { integerIn, readSetting, type SettingParser } from './settingParsers.js';

/**
 * Limits on untrusted input and on memory, each configurable by an app setting (or CLI default).
 * Hitting one never crashes and never drops the other records of a batch: the item over the
 * limit is counted under its own reason (and sampled as a dead letter), the rest goes on.
 */
export interface Limits {
  /** Largest Event Hub message body decoded; a larger one is one dead letter. */
  readonly maxMessageBytes: number;
  /** Most records (JSON records or text lines) decoded from one message; the rest are counted, not decoded. */
  readonly maxRecordsPerMessage: number;
  /** Longest line (or single-line JSON document) read; longer ones are one dead letter. */
  readonly maxLineChars: number;
  /** Longest text field of a normalized row (addresses, names, vendor, product); a longer one rejects the row. */
  readonly maxFieldChars: number;
  /** Most (source, bin) windows held in memory: a batch is written early, the CLI finalizes its oldest bin early. */
  readonly maxOpenWindows: number;
  /** Dead-letter samples written to storage per minute and instance; the rest are only counted. */
  readonly deadLettersPerMinute: number;
}

interface LimitSpec {
  readonly key: keyof Limits;
  readonly setting: string;
  readonly parser: SettingParser<number>;
}

/** Every limit with its app setting and its range. */
export const LIMIT_SETTINGS: readonly LimitSpec[] = [
  {
    key: 'maxMessageBytes',
    setting: 'PORTSCAN_MAX_MESSAGE_BYTES',
    parser: integerIn(1024, 256 * 1024 * 1024),
  },
  {
    key: 'maxRecordsPerMessage',
    setting: 'PORTSCAN_MAX_RECORDS_PER_MESSAGE',
    parser: integerIn(1, 10_000_000),
  },
  { key: 'maxLineChars', setting: 'PORTSCAN_MAX_LINE_CHARS', parser: integerIn(1024, 512 * 1024 * 1024) },
  { key: 'maxFieldChars', setting: 'PORTSCAN_MAX_FIELD_CHARS', parser: integerIn(64, 1024 * 1024) },
  { key: 'maxOpenWindows', setting: 'PORTSCAN_MAX_OPEN_WINDOWS', parser: integerIn(1000, 100_000_000) },
  { key: 'deadLettersPerMinute', setting: 'PORTSCAN_DEAD_LETTERS_PER_MINUTE', parser: integerIn(0, 100_000) },
];

/** The function's defaults: Event Hubs publishes at most 1 MB per event (Standard), so 4 MiB is generous. */
export const FUNCTION_LIMITS: Limits = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxRecordsPerMessage: 100_000,
  maxLineChars: 4 * 1024 * 1024,
  maxFieldChars: 4096,
  maxOpenWindows: 200_000,
  deadLettersPerMinute: 60,
};

/** The CLI's defaults: archives may hold one huge JSON document per file. */
export const CLI_LIMITS: Limits = {
  maxMessageBytes: 256 * 1024 * 1024,
  maxRecordsPerMessage: 10_000_000,
  maxLineChars: 256 * 1024 * 1024,
  maxFieldChars: 4096,
  maxOpenWindows: 5_000_000,
  deadLettersPerMinute: 0,
};

/**
 * Resolves the limits from app settings over `defaults`.
 * @throws {ConfigurationError} naming every bad setting and its range
 */
export function resolveLimits(env: Readonly<Record<string, string | undefined>>, defaults: Limits): Limits {
  const issues: string[] = [];
  const limits: { -readonly [K in keyof Limits]: Limits[K] } = { ...defaults };
  for (const spec of LIMIT_SETTINGS)
    limits[spec.key] = readSetting(env, spec.setting, spec.parser, issues) ?? defaults[spec.key];
  if (issues.length > 0) throw new ConfigurationError(issues);
  return limits;
}
