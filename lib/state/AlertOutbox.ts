import type { Alert } from '../schema/Alert.js';
import type { OutboxEntry, SinkStatus } from './TableAlertOutbox.js';

/**
 * The alert outbox: alerts recorded once per AlertId before any delivery, each sink's state after
 * it, a lease so that one run at a time delivers an alert. Table Storage in Azure; an in-memory
 * twin for tests; both pass the same contract tests.
 */
export interface AlertOutbox {
  record(alert: Alert, sinkNames: readonly string[], nowMs: number): Promise<boolean>;
  listPending(): Promise<OutboxEntry[]>;
  listAll(): Promise<OutboxEntry[]>;
  claim(entry: OutboxEntry, owner: string, nowMs: number, untilMs: number): Promise<OutboxEntry | undefined>;
  saveSinks(entry: OutboxEntry, sinks: Record<string, SinkStatus>, release?: boolean): Promise<OutboxEntry>;
  purge(beforeMs: number): Promise<number>;
}
