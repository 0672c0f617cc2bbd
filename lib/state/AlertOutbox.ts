import { z } from 'zod';
import type { Alert } from '../schema/Alert.js';

/** Delivery state of one alert at one sink. */
export const SinkStatusSchema = z
  .object({
    state: z.enum(['pending', 'delivered', 'parked']),
    failedRuns: z.number().int().min(0),
    lastReason: z.string().optional(),
    deliveredAtMs: z.number().optional(),
  })
  .strict();
export type SinkStatus = z.infer<typeof SinkStatusSchema>;

/** One alert in the outbox with the delivery state of each sink. */
export interface OutboxEntry {
  readonly alert: Alert;
  readonly createdAtMs: number;
  readonly sinks: Readonly<Record<string, SinkStatus>>;
  readonly leaseUntilMs: number;
  readonly leaseOwner: string;
  readonly etag: string;
}

/** Every sink pending: the state of a new alert, or of a new revision, at each sink. */
export function pendingSinks(sinkNames: readonly string[]): Record<string, SinkStatus> {
  return Object.fromEntries(sinkNames.map((n) => [n, { state: 'pending', failedRuns: 0 }]));
}

/** Whether two sink state maps are equal (whatever their key order). */
export function sameSinks(
  a: Readonly<Record<string, SinkStatus>>,
  b: Readonly<Record<string, SinkStatus>>,
): boolean {
  const canonical = (m: Readonly<Record<string, SinkStatus>>) =>
    JSON.stringify(
      Object.keys(m)
        .sort()
        .map((k) => {
          const v = m[k] as SinkStatus;
          return [k, v.state, v.failedRuns, v.lastReason ?? null, v.deliveredAtMs ?? null];
        }),
    );
  return canonical(a) === canonical(b);
}

/** Whether a sink still waits for the alert: only then is a delivery lease kept. */
export function hasPendingSink(sinks: Readonly<Record<string, SinkStatus>>): boolean {
  return Object.values(sinks).some((s) => s.state === 'pending');
}

/** Whether another run holds an unexpired delivery lease on the entry at `nowMs`. */
export function isLeasedByOther(entry: OutboxEntry, owner: string, nowMs: number): boolean {
  return entry.leaseUntilMs > nowMs && entry.leaseOwner !== owner;
}

/**
 * The alert outbox: alerts recorded once per AlertId before any delivery (a correction replaces
 * the alert with its next revision and makes every sink pending again), each sink's state after
 * it, a lease so that one run at a time delivers an alert. Table Storage in Azure; an in-memory
 * twin for tests; both pass the same contract tests.
 *
 * Every update is conditional on the ETag read. When an update meets a changed entry, the
 * implementation reads it back: if the stored entry is what this update wrote (its response was
 * lost after it committed), the update succeeded; otherwise another run changed the entry and the
 * method returns `undefined`, never an error.
 */
export interface AlertOutbox {
  /** Records a new alert; false when an alert with the same AlertId is already recorded. */
  record(alert: Alert, sinkNames: readonly string[], nowMs: number): Promise<boolean>;
  /** The entry of an alert id, or undefined. */
  read(alertId: string): Promise<OutboxEntry | undefined>;
  /**
   * Replaces a recorded alert with a new revision (same AlertId) and makes every sink of
   * `sinkNames` pending; the sinks of `kept` keep the state given (a conversation update goes to
   * the chat sinks only, the others keep theirs); undefined when the entry changed since it was read.
   */
  revise(
    entry: OutboxEntry,
    alert: Alert,
    sinkNames: readonly string[],
    kept?: Readonly<Record<string, SinkStatus>>,
  ): Promise<OutboxEntry | undefined>;
  listPending(): Promise<OutboxEntry[]>;
  listAll(): Promise<OutboxEntry[]>;
  /** Takes the delivery lease until `untilMs`; undefined when another run holds it or changed the entry. */
  claim(entry: OutboxEntry, owner: string, nowMs: number, untilMs: number): Promise<OutboxEntry | undefined>;
  /**
   * Saves the sinks' delivery state of a claimed entry and sets its lease to `leaseUntilMs` (the
   * lease is renewed while a run delivers; 0, or no sink left pending, releases it); undefined
   * when another run changed the entry meanwhile (a new revision, or its lease had expired).
   */
  saveSinks(
    entry: OutboxEntry,
    sinks: Record<string, SinkStatus>,
    leaseUntilMs: number,
  ): Promise<OutboxEntry | undefined>;
  purge(beforeMs: number): Promise<number>;
}
