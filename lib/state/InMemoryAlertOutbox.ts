import type { Alert } from '../schema/Alert.js';
import type { AlertOutbox, OutboxEntry, SinkStatus } from './AlertOutbox.js';
import { hasPendingSink, isLeasedByOther, pendingSinks } from './AlertOutbox.js';

/** The in-memory twin of `TableAlertOutbox`, with the same create-once, revision, lease and ETag semantics. */
export class InMemoryAlertOutbox implements AlertOutbox {
  readonly #entries = new Map<string, OutboxEntry>();
  #version = 0;

  async record(alert: Alert, sinkNames: readonly string[], nowMs: number): Promise<boolean> {
    if (this.#entries.has(alert.AlertId)) return false;
    this.#entries.set(alert.AlertId, {
      alert,
      createdAtMs: nowMs,
      sinks: pendingSinks(sinkNames),
      leaseUntilMs: 0,
      leaseOwner: '',
      etag: this.#etag(),
    });
    return true;
  }

  async read(alertId: string): Promise<OutboxEntry | undefined> {
    return this.#entries.get(alertId);
  }

  async revise(
    entry: OutboxEntry,
    alert: Alert,
    sinkNames: readonly string[],
    kept: Readonly<Record<string, SinkStatus>> = {},
  ): Promise<OutboxEntry | undefined> {
    const current = this.#entries.get(entry.alert.AlertId);
    if (current === undefined || current.etag !== entry.etag) return undefined;
    const next = { ...current, alert, sinks: { ...kept, ...pendingSinks(sinkNames) }, etag: this.#etag() };
    this.#entries.set(alert.AlertId, next);
    return next;
  }

  async listPending(): Promise<OutboxEntry[]> {
    return (await this.listAll()).filter((e) => hasPendingSink(e.sinks));
  }

  async listAll(): Promise<OutboxEntry[]> {
    return [...this.#entries.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  async claim(
    entry: OutboxEntry,
    owner: string,
    nowMs: number,
    untilMs: number,
  ): Promise<OutboxEntry | undefined> {
    const current = this.#entries.get(entry.alert.AlertId);
    if (current === undefined || current.etag !== entry.etag) return undefined;
    if (isLeasedByOther(current, owner, nowMs)) return undefined;
    const next = { ...current, leaseUntilMs: untilMs, leaseOwner: owner, etag: this.#etag() };
    this.#entries.set(entry.alert.AlertId, next);
    return next;
  }

  async saveSinks(
    entry: OutboxEntry,
    sinks: Record<string, SinkStatus>,
    leaseUntilMs: number,
  ): Promise<OutboxEntry | undefined> {
    const current = this.#entries.get(entry.alert.AlertId);
    if (current === undefined || current.etag !== entry.etag) return undefined;
    const untilMs = hasPendingSink(sinks) ? leaseUntilMs : 0;
    const next = {
      ...current,
      sinks,
      leaseUntilMs: untilMs,
      leaseOwner: untilMs === 0 ? '' : current.leaseOwner,
      etag: this.#etag(),
    };
    this.#entries.set(entry.alert.AlertId, next);
    return next;
  }

  async purge(beforeMs: number): Promise<number> {
    let n = 0;
    for (const [id, e] of this.#entries) {
      if (e.createdAtMs < beforeMs && !hasPendingSink(e.sinks)) {
        this.#entries.delete(id);
        n++;
      }
    }
    return n;
  }

  #etag(): string {
    return String(++this.#version);
  }
}
