/**
 * How lib/ logs: a short constant message and a fields object. An Azure Functions
 * `InvocationContext` fits it through a thin adapter in functions/shared; the CLI writes to
 * stderr; tests collect the calls.
 */
export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Log messages other tools depend on (Azure Monitor alert rules, dashboards). */
export const LOG_MESSAGES = {
  ingestSummary: 'ingest summary',
  flowLogSummary: 'flow log summary',
  closeSummary: 'close summary',
  /** One per alert or correction recorded: what the workbook charts (source, bin, ports, evidence, suppression). */
  alertRecorded: 'alert recorded',
  alertParked: 'alert parked',
  deadLetters: 'records not decodable',
  /** The closing timer could not ask Event Hubs how far the partitions are written. */
  backlogUnavailable: 'partition backlog unavailable',
  /** Events expired from the hub before ingest read them: those flows are lost. */
  eventsExpired: 'events expired unread',
  /** A batch came without partition id or sequence numbers: counted, but a redelivery may count twice. */
  triggerMetadataIncomplete: 'trigger metadata incomplete',
  configurationInvalid: 'configuration invalid',
  /** Known-scanner entries past their expiry: they no longer suppress alerts; renew or remove them. */
  knownScannersExpired: 'known scanners expired',
} as const;
