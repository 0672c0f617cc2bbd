import type { Readable, Writable } from 'node:stream';
import type { HubRetryOptions } from '../eventhub/EventHubPartitionBacklog.js';

/** The process around the CLI, passed in so that tests run it in-process. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isStdoutTty: boolean;
  readonly isStderrTty: boolean;
  /** Wall clock, read only here in the composition root. */
  readonly now: () => number;
  /** Subscribes to Ctrl-C and SIGTERM until the returned function is called (send and smoke stop cleanly). */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** Waits between the reads of `smoke` (a timer unless set; tests pass a clock of their own). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long Event Hubs operations are retried (tests shorten it). */
  readonly hubRetry?: HubRetryOptions;
}
