import type { Alert, AlertConversation } from '../schema/Alert.js';

/**
 * One conversation per scanner in the chat sinks: the first alert of a source posts its card and
 * opens a conversation; the source's later alerts whose bins start within the grouping window of
 * the opener's (before or after it: a late alert joins too) post no card of their own and are
 * counted into the conversation, whose running totals the chat sinks receive as one short update
 * per closing run (a revision of the opener, see closeBins). The queue and the signed webhooks get
 * every alert as before. Sentinel's alert grouping works the same way, with 5 hours as its default
 * period.
 *
 * The state is a set of per-bin figures: adding an alert again (a rerun after a crash) changes
 * nothing, and a correction replaces its bin's figures.
 */
export interface ChatConversation {
  readonly source: string;
  /** The AlertId of the alert whose card opened the conversation; its revisions carry the updates. */
  readonly alertId: string;
  /** Bin start of the opener, in ms. */
  readonly openedBinStartMs: number;
  /** Figures of every bin counted, keyed by bin start in ms. */
  readonly bins: Readonly<Record<string, BinFigures>>;
  /** True while the chat sinks have not been sent the totals of the bins counted. */
  readonly hasPendingUpdate: boolean;
}

/** What one bin adds to a conversation. */
export interface BinFigures {
  readonly ports: number;
  readonly reached: number;
  readonly events: number;
}

/** The chat sinks post an alert's card (`opens`), or count it into its source's conversation (`joins`). */
export type ChatRole = 'opens' | 'joins';

/** Whether an alert takes part in grouping: a known scanner's goes to no chat sink, a smoke test's always posts. */
export function isGrouped(alert: Pick<Alert, 'Suppression' | 'IsTest'>): boolean {
  return alert.Suppression === undefined && !alert.IsTest;
}

/**
 * The conversation among `conversations` (of the alert's source) that an alert joins: the one it
 * opened, else the one whose opener's bin is nearest within `windowMs`; undefined when none.
 */
export function conversationOf(
  conversations: readonly ChatConversation[],
  alert: Pick<Alert, 'AlertId' | 'BinStart'>,
  windowMs: number,
): ChatConversation | undefined {
  const own = conversations.find((c) => c.alertId === alert.AlertId);
  if (own !== undefined) return own;
  const binMs = Date.parse(alert.BinStart);
  let best: ChatConversation | undefined;
  for (const c of conversations) {
    const distance = Math.abs(binMs - c.openedBinStartMs);
    if (distance >= windowMs) continue;
    if (best === undefined || distance < Math.abs(binMs - best.openedBinStartMs)) best = c;
  }
  return best;
}

/** A conversation opened by `alert`. */
export function openConversation(alert: Alert): ChatConversation {
  return {
    source: alert.SrcIpAddr,
    alertId: alert.AlertId,
    openedBinStartMs: Date.parse(alert.BinStart),
    bins: { [String(Date.parse(alert.BinStart))]: figuresOf(alert) },
    hasPendingUpdate: false,
  };
}

/**
 * The conversation with `alert`'s bin counted; the same conversation when its figures are already
 * there. A bin other than the opener's marks an update as pending.
 */
export function joinConversation(conversation: ChatConversation, alert: Alert): ChatConversation {
  const key = String(Date.parse(alert.BinStart));
  const figures = figuresOf(alert);
  const known = conversation.bins[key];
  if (known !== undefined && sameFigures(known, figures)) return conversation;
  return {
    ...conversation,
    bins: { ...conversation.bins, [key]: figures },
    hasPendingUpdate: conversation.hasPendingUpdate || key !== String(conversation.openedBinStartMs),
  };
}

/** The running totals the chat sinks are sent; `binMs` is the bin width. */
export function conversationTotals(conversation: ChatConversation, binMs: number): AlertConversation {
  const starts = Object.keys(conversation.bins).map(Number);
  const figures = Object.values(conversation.bins);
  return {
    FirstBinStart: new Date(Math.min(...starts)).toISOString(),
    LastBinEnd: new Date(Math.max(...starts) + binMs).toISOString(),
    Bins: starts.length,
    AttemptedPortsCountMax: Math.max(...figures.map((f) => f.ports)),
    ReachedPortsCountMax: Math.max(...figures.map((f) => f.reached)),
    EventCount: figures.reduce((n, f) => n + f.events, 0),
  };
}

/** Whether two sets of totals are the same (an update already sent, or nothing new). */
export function sameTotals(a: AlertConversation | undefined, b: AlertConversation): boolean {
  return (
    a !== undefined &&
    a.FirstBinStart === b.FirstBinStart &&
    a.LastBinEnd === b.LastBinEnd &&
    a.Bins === b.Bins &&
    a.AttemptedPortsCountMax === b.AttemptedPortsCountMax &&
    a.ReachedPortsCountMax === b.ReachedPortsCountMax &&
    a.EventCount === b.EventCount
  );
}

/** The revision of the opener that carries `totals` to the chat sinks. */
export function conversationUpdate(opener: Alert, totals: AlertConversation): Alert {
  return { ...opener, Revision: opener.Revision + 1, Conversation: totals };
}

function figuresOf(alert: Alert): BinFigures {
  return {
    ports: alert.AttemptedPortsCount,
    reached: alert.Evidence?.ReachedPortsCount ?? 0,
    events: alert.EventCount,
  };
}

function sameFigures(a: BinFigures, b: BinFigures): boolean {
  return a.ports === b.ports && a.reached === b.reached && a.events === b.events;
}
