import type { FlowLogBlobRef } from '../flowlogs/flowLogBlob.js';
import type { FlowLogCursor, FlowLogCursorStore, StoredCursor } from './FlowLogCursorStore.js';
import { mergeCursors } from './FlowLogCursorStore.js';

/** The in-memory twin of `TableFlowLogCursorStore`: the same conditional saves and merge, no I/O. */
export class InMemoryFlowLogCursorStore implements FlowLogCursorStore {
  readonly #rows = new Map<
    string,
    { cursor: FlowLogCursor; version: string; hourStartMs: number | undefined }
  >();
  #version = 0;

  async read(ref: FlowLogBlobRef): Promise<StoredCursor | undefined> {
    const row = this.#rows.get(ref.blobKey);
    return row === undefined ? undefined : { cursor: row.cursor, version: row.version };
  }

  async save(
    ref: FlowLogBlobRef,
    next: FlowLogCursor,
    previous: StoredCursor | undefined,
  ): Promise<StoredCursor> {
    const current = this.#rows.get(ref.blobKey);
    const cursor =
      current !== undefined && current.version !== previous?.version
        ? mergeCursors(current.cursor, next)
        : next;
    const version = String(++this.#version);
    this.#rows.set(ref.blobKey, { cursor, version, hourStartMs: ref.hourStartMs });
    return { cursor, version };
  }

  async purgeBefore(hourStartMs: number): Promise<number> {
    let deleted = 0;
    for (const [key, row] of this.#rows) {
      if (row.hourStartMs !== undefined && row.hourStartMs < hourStartMs) {
        this.#rows.delete(key);
        deleted++;
      }
    }
    return deleted;
  }
}
