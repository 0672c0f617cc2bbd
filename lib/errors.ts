/**
 * The one error base class of the product. Every error we throw on purpose is a `DetectorError`
 * with a stable SCREAMING_SNAKE `code`, a message a user can act on, optional context fields and
 * the underlying `cause`. Messages never contain secrets, webhook URLs or whole raw log lines.
 */
export class DetectorError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** A configuration value (app setting, rule file field or CLI flag) is invalid. */
export class ConfigurationError extends DetectorError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options: { cause?: unknown } = {}) {
    super('INVALID_CONFIGURATION', `Invalid configuration:\n  - ${issues.join('\n  - ')}`, options);
    this.issues = issues;
  }
}

/** An input file or stream cannot be read at all (missing, unreadable, a directory). */
export class InputError extends DetectorError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('INPUT_UNREADABLE', message, options);
  }
}

/** A command-line flag or argument is invalid. */
export class UsageError extends DetectorError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A storage service stayed unavailable after retries: the invocation must fail so that it is redelivered. */
export class StorageUnavailableError extends DetectorError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('STORAGE_UNAVAILABLE', message, options);
  }
}

/** What Event Hubs failed at, once the SDK's own retries are spent. */
export type EventHubFailure =
  | 'EVENT_HUB_UNAVAILABLE'
  | 'EVENT_HUB_NOT_FOUND'
  | 'EVENT_HUB_ACCESS_DENIED'
  | 'EVENT_HUB_THROTTLED';

/**
 * The Event Hubs service could not be asked or written to (network, authorization, throttling
 * after retries, a missing hub); `code` says which, the message what to check.
 */
export class EventHubUnavailableError extends DetectorError {
  constructor(
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown>; code?: EventHubFailure } = {},
  ) {
    super(options.code ?? 'EVENT_HUB_UNAVAILABLE', message, options);
  }
}
