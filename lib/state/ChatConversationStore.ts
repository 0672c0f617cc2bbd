import { z } from 'zod';
import type { ChatConversation } from '../alerts/chatConversation.js';

/** A conversation as stored, with the ETag a replacement must match. */
export interface StoredConversation {
  readonly conversation: ChatConversation;
  readonly etag: string;
}

/** The per-bin figures of a stored conversation, validated when read back. */
export const ConversationBinsSchema = z.record(
  z.string().regex(/^\d+$/),
  z
    .object({
      ports: z.number().int().min(0),
      reached: z.number().int().min(0),
      events: z.number().int().min(0),
    })
    .strict(),
);

/**
 * Where the chat conversations of closeBins are kept (lib/alerts/chatConversation.ts): one entry
 * per conversation, keyed by its source and its opener's bin. Table Storage (the outbox table) in
 * Azure; an in-memory twin for the CLI and tests. Writes are conditional: a conversation changed
 * by another run since it was read is not overwritten (`save` answers undefined).
 */
export interface ChatConversationStore {
  /** The conversations of `source`, oldest opener first. */
  listOf(source: string): Promise<StoredConversation[]>;
  /** The conversations whose chat sinks have not been sent their latest totals. */
  listPendingUpdates(): Promise<StoredConversation[]>;
  /**
   * Creates the conversation (`etag` undefined) or replaces it (the ETag read); undefined when it
   * was created or changed by another run meanwhile.
   */
  save(conversation: ChatConversation, etag: string | undefined): Promise<StoredConversation | undefined>;
  /** Deletes the conversations opened before `beforeMs` with no update pending; returns how many. */
  purge(beforeMs: number): Promise<number>;
}
