import type { Alert, AlertConversation } from '../../schema/Alert.js';
import { formatCount, formatWindow, windowMinutes } from './alertText.js';

/** What a "still scanning" update says, shared by the Teams and Slack formats (plain text). */
export interface ConversationUpdateText {
  /** `Update: still scanning from 203.0.113.50`. */
  readonly title: string;
  /** `Medium severity · 7 windows over the threshold since 10:00 UTC`. */
  readonly summary: string;
  /** Facts: source, since, windows, ports, reached, events. */
  readonly facts: readonly { readonly title: string; readonly value: string }[];
  /** Why no card came for each alert: the footer. */
  readonly note: string;
}

/**
 * The short update the chat sinks get on a source's conversation: the running totals of its
 * alerts since the card that opened it (lib/alerts/chatConversation.ts), never the full card.
 */
export function conversationUpdateText(
  alert: Alert,
  conversation: AlertConversation,
): ConversationUpdateText {
  const minutes = windowMinutes(alert);
  const since = formatWindow({ BinStart: conversation.FirstBinStart, BinEnd: conversation.LastBinEnd });
  const windows = conversation.Bins === 1 ? '1 window' : `${formatCount(conversation.Bins)} windows`;
  const reached = conversation.ReachedPortsCountMax;
  return {
    title: `${alert.IsTest ? 'Test: ' : ''}Update: still scanning from ${alert.SrcIpAddr}`,
    summary: `${alert.Severity} severity · ${windows} over the threshold since ${conversation.FirstBinStart.slice(11, 16)} UTC`,
    facts: [
      { title: 'Source', value: alert.SrcIpAddr },
      { title: 'Since', value: since },
      {
        title: 'Windows',
        value: `${windows} of ${minutes} minutes over the threshold (${formatCount(alert.Threshold)} ports)`,
      },
      {
        title: 'Ports',
        value: `up to ${formatCount(conversation.AttemptedPortsCountMax)} distinct in a window`,
      },
      { title: 'Reached', value: reached === 0 ? 'none' : `up to ${formatCount(reached)} ports in a window` },
      { title: 'Events', value: formatCount(conversation.EventCount) },
    ],
    note: `update ${alert.Revision - 1} of alert ${alert.AlertId} · this source's later alerts post no card of their own; the queue and the signed webhooks get each one`,
  };
}
