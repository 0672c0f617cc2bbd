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
import type { Alert } from '../schema/Alert.js';
import type { AlertOutbox } from '../state/AlertOutbox.js';
import type { ChatConversationStore } from '../state/ChatConversationStore.js';

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
    for (const stored of await this.#store.listPendingUpdates()) {
      const { conversation } = stored;
      const entry = await outbox.read(conversation.alertId);
      if (entry !== undefined) {
        const chat = chatSinkNames.filter((n) => entry.sinks[n] !== undefined);
        // The card first: an update never reaches a channel before the card it updates.
        if (chat.some((n) => entry.sinks[n]?.state === 'pending')) continue;
        const totals = conversationTotals(conversation, this.#binMs);
        if (chat.length > 0 && !sameTotals(entry.alert.Conversation, totals)) {
          const kept = Object.fromEntries(Object.entries(entry.sinks).filter(([n]) => !chat.includes(n)));
          const revised = await outbox.revise(entry, conversationUpdate(entry.alert, totals), chat, kept);
          // Changed meanwhile (a correction): the mark stays, the next run sends the update.
          if (revised === undefined) continue;
          updates++;
        }
      }
      // Undefined when an alert joined meanwhile: the mark stays for the next run.
      await this.#store.save({ ...conversation, hasPendingUpdate: false }, stored.etag);
    }
    return updates;
  }

  /** Deletes conversations opened before `beforeMs` with no update pending. */
  purge(beforeMs: number): Promise<number> {
    return this.#store.purge(beforeMs - this.#windowMs);
  }
}
