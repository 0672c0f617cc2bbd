import { z } from 'zod';

/**
 * A `Microsoft.Storage.BlobCreated` event in the Event Grid schema, as the Functions Event Grid
 * trigger hands it over (Microsoft Learn, "Azure Blob Storage as an Event Grid source"): the
 * subject `/blobServices/default/containers/<container>/blobs/<name>`, and in `data` the blob's
 * URL, ETag, length, type and the `sequencer` that orders the events of one blob name.
 */
const BlobCreatedSchema = z.looseObject({
  id: z.string().optional(),
  subject: z.string(),
  eventType: z.string(),
  eventTime: z.string().optional(),
  data: z.looseObject({
    api: z.string().optional(),
    eTag: z.string().optional(),
    contentLength: z.number().optional(),
    blobType: z.string().optional(),
    url: z.string().optional(),
    sequencer: z.string().optional(),
  }),
});

const SUBJECT = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;
const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';

/** What the flow-log function takes from an event. */
export interface BlobCreated {
  readonly id: string | undefined;
  readonly container: string;
  readonly name: string;
  readonly url: string | undefined;
  readonly contentLength: number | undefined;
  readonly sequencer: string | undefined;
}

export type EventReading =
  | { readonly ok: true; readonly event: BlobCreated }
  | { readonly ok: false; readonly reason: string; readonly detail: string };

/** Validates an event (the trust boundary of the flow-log function); never throws. */
export function readBlobCreatedEvent(raw: unknown): EventReading {
  const parsed = BlobCreatedSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: 'not a BlobCreated event',
      detail: `${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const e = parsed.data;
  if (e.eventType !== BLOB_CREATED)
    return { ok: false, reason: 'not a BlobCreated event', detail: `eventType ${e.eventType.slice(0, 80)}` };
  const m = SUBJECT.exec(e.subject);
  if (m === null) return { ok: false, reason: 'not a blob subject', detail: e.subject.slice(0, 120) };
  if (e.data.blobType !== undefined && e.data.blobType !== 'BlockBlob')
    return { ok: false, reason: 'not a block blob', detail: `blobType ${e.data.blobType.slice(0, 40)}` };
  return {
    ok: true,
    event: {
      id: e.id,
      container: m[1] as string,
      name: m[2] as string,
      url: e.data.url,
      contentLength: e.data.contentLength,
      sequencer: e.data.sequencer,
    },
  };
}
