import type { ChatConversation } from '../alerts/chatConversation.js';
import type { ChatConversationStore, StoredConversation } from './ChatConversationStore.js';

/** The in-memory twin of `TableChatConversationStore`: the same keys and conditional writes. */
export class InMemoryChatConversationStore implements ChatConversationStore {
  readonly #rows = new Map<string, StoredConversation>();
  #version = 0;

  async listOf(source: string): Promise<StoredConversation[]> {
    return [...this.#rows.values()]
      .filter((r) => r.conversation.source === source)
      .sort((a, b) => a.conversation.openedBinStartMs - b.conversation.openedBinStartMs);
  }

  async listPendingUpdates(): Promise<StoredConversation[]> {
    return [...this.#rows.values()].filter((r) => r.conversation.hasPendingUpdate);
  }

  async save(
    conversation: ChatConversation,
    etag: string | undefined,
  ): Promise<StoredConversation | undefined> {
    const key = `${conversation.source}|${conversation.openedBinStartMs}`;
    const current = this.#rows.get(key);
    if (etag === undefined ? current !== undefined : current?.etag !== etag) return undefined;
    const stored = { conversation, etag: String(++this.#version) };
    this.#rows.set(key, stored);
    return stored;
  }

  async purge(beforeMs: number): Promise<number> {
    let deleted = 0;
    for (const [key, r] of this.#rows) {
      if (r.conversation.openedBinStartMs < beforeMs && !r.conversation.hasPendingUpdate) {
        this.#rows.delete(key);
        deleted++;
      }
    }
    return deleted;
  }
}
