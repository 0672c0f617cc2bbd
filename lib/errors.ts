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

/**
 * A storage service stayed unavailable after the SDK's retries (`STORAGE_UNAVAILABLE`), or denied
 * our identity access (`STORAGE_ACCESS_DENIED`): the invocation must fail so that it is retried,
 * and it succeeds unchanged once the service, or the role, is back.
 */
export class StorageUnavailableError extends DetectorError {
  constructor(
    message: string,
    options: {
      cause?: unknown;
      context?: Record<string, unknown>;
      code?: 'STORAGE_UNAVAILABLE' | 'STORAGE_ACCESS_DENIED';
    } = {},
  ) {
    super(options.code ?? 'STORAGE_UNAVAILABLE', message, options);
  }
}

/**
 * A row kept changing under conditional writes: each attempt met another writer's change (its
 * ETag no longer matched). The invocation fails and is retried; the stored row is intact.
 */
export class StorageConflictError extends DetectorError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('STORAGE_CONFLICT', message, options);
  }
}

/**
 * A storage service refused a request as such (a 4xx other than the statuses the adapter
 * expects: a value too large, an unsupported operation): sending it again gives the same answer,
 * so it is never retried for ever.
 */
export class StorageRequestRejectedError extends DetectorError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('STORAGE_REQUEST_REJECTED', message, options);
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

/** The stages of `portscan smoke`, in order. */
export type SmokeStage = 'preflight' | 'send' | 'ingest' | 'close' | 'alert';

/**
 * A stage of `portscan smoke` failed or did not finish in time: the message says what was seen
 * and what to check (roles, the functions' logs, settings).
 */
export class SmokeTestError extends DetectorError {
  readonly stage: SmokeStage;
  constructor(stage: SmokeStage, message: string, options: { cause?: unknown } = {}) {
    super('SMOKE_TEST_FAILED', message, { ...options, context: { stage } });
    this.stage = stage;
  }
}
