import {
  type ChatRole,
  conversationOf,
  conversationTotals,
  conversationUpdate,
  isGrouped,
  joinConversation,
  openConversation,
  sameTotals,
} from '../alerts/chatConversation.js';
import { StorageUnavailableError } from '../errors.js';
import type { Alert, AlertConversation } from '../schema/Alert.js';
import type { AlertOutbox } from '../state/AlertOutbox.js';
import type { ChatConversationStore } from '../state/ChatConversationStore.js';

/** A conversation whose chat sinks wait for its latest totals. */
export interface PendingUpdate {
  readonly alertId: string;
  readonly totals: AlertConversation;
  markSent(): Promise<void>;
}

/** Attempts at a conversation write that meets another run's change before the run gives up. */
const MAX_ATTEMPTS = 5;

/**
 * One conversation per scanner for the closing timer (lib/alerts/chatConversation.ts for the
 * rules), over a `ChatConversationStore` and the outbox:
 *
 * - `place` decides, and records, before an alert is recorded in the outbox, whether its chat
 *   card is posted (it opens a conversation) or it joins its source's conversation (the chat
 *   sinks then get no card of their own for it). Placing the same alert again answers the same.
 * - `sendUpdates` turns each conversation with new totals into the next revision of its opener
 *   for the chat sinks only (the "still scanning" update), once its card is out; the other sinks
 *   keep their state. An update already recorded is recognized by its totals, so a run that
 *   stopped between the revision and clearing the mark never sends it twice.
 */
export class ChatGrouping {
  readonly #store: ChatConversationStore;
  readonly #windowMs: number;
  readonly #binMs: number;

  constructor(store: ChatConversationStore, windowMs: number, binMs: number) {
    this.#store = store;
    this.#windowMs = windowMs;
    this.#binMs = binMs;
  }

  /**
   * Whether the chat sinks post `alert`'s card (`opens`) or count it into its source's
   * conversation (`joins`). A known scanner's and a smoke test's alerts are never grouped.
   * @throws {StorageUnavailableError} when the store is unavailable or keeps changing
   */
  async place(alert: Alert): Promise<ChatRole> {
    if (!isGrouped(alert)) return 'opens';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.#store.listOf(alert.SrcIpAddr);
      const conversation = conversationOf(
        stored.map((s) => s.conversation),
        alert,
        this.#windowMs,
      );
      const found = stored.find((s) => s.conversation === conversation);
      if (found === undefined) {
        if ((await this.#store.save(openConversation(alert), undefined)) !== undefined) return 'opens';
        continue;
      }
      const next = joinConversation(found.conversation, alert);
      if (next !== found.conversation && (await this.#store.save(next, found.etag)) === undefined) continue;
      return found.conversation.alertId === alert.AlertId ? 'opens' : 'joins';
    }
    throw new StorageUnavailableError(
      `the conversation of ${alert.SrcIpAddr} kept changing while an alert joined it`,
      {
        context: { operation: 'conversation save' },
      },
    );
  }

  /**
   * Records the update of every conversation with totals its chat sinks have not had, as the
   * next revision of its opener for the sinks of `chatSinkNames` it went to; a conversation
   * whose card is still pending at one of them waits for a later run. Returns how many updates
   * were recorded.
   */
  async sendUpdates(outbox: AlertOutbox, chatSinkNames: readonly string[]): Promise<number> {
    let updates = 0;
    for (const pending of await this.pendingUpdates()) {
      const entry = await outbox.read(pending.alertId);
      if (entry !== undefined) {
        const chat = chatSinkNames.filter((n) => entry.sinks[n] !== undefined);
        // The card first: an update never reaches a channel before the card it updates.
        if (chat.some((n) => entry.sinks[n]?.state === 'pending')) continue;
        if (chat.length > 0 && !sameTotals(entry.alert.Conversation, pending.totals)) {
          const kept = Object.fromEntries(Object.entries(entry.sinks).filter(([n]) => !chat.includes(n)));
          const update = conversationUpdate(entry.alert, pending.totals);
          // Changed meanwhile (a correction): the mark stays, the next run sends the update.
          if ((await outbox.revise(entry, update, chat, kept)) === undefined) continue;
          updates++;
        }
      }
      await pending.markSent();
    }
    return updates;
  }

  /**
   * The conversations whose chat sinks have not had their latest totals: the opener's AlertId,
   * the totals, and `markSent`, to call once the update is recorded (or sent), which leaves the
   * mark when an alert joined meanwhile.
   */
  async pendingUpdates(): Promise<PendingUpdate[]> {
    return (await this.#store.listPendingUpdates()).map((stored) => ({
      alertId: stored.conversation.alertId,
      totals: conversationTotals(stored.conversation, this.#binMs),
      markSent: async () => {
        await this.#store.save({ ...stored.conversation, hasPendingUpdate: false }, stored.etag);
      },
    }));
  }

  /** Deletes conversations opened before `beforeMs` with no update pending. */
  purge(beforeMs: number): Promise<number> {
    return this.#store.purge(beforeMs - this.#windowMs);
  }
}
