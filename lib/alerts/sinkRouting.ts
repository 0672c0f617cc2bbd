import type { Alert } from '../schema/Alert.js';
import type { AlertSink } from './AlertSink.js';

/** Chat sinks post a card people read; the queue and the signed webhooks feed machines. */
export function isChatSink(sink: Pick<AlertSink, 'kind'>): boolean {
  return sink.kind === 'teams' || sink.kind === 'slack';
}

/**
 * The sinks an alert goes to: every sink, except the chat sinks for an alert with a `Suppression`
 * (a known scanner), which machines still receive, marked so.
 */
export function sinksFor(alert: Alert, sinks: readonly AlertSink[]): AlertSink[] {
  return alert.Suppression === undefined ? [...sinks] : sinks.filter((s) => !isChatSink(s));
}
