import { gunzipSync } from 'node:zlib';
import { isJsonObject, ownValue } from '../pipeline/FieldReader.js';
import { excerpt } from '../pipeline/fields.js';
import type { JsonObject } from '../pipeline/types.js';

/**
 * The payload a CloudWatch Logs subscription filter delivers (to Kinesis Data Streams, Firehose or
 * Lambda, and from there to an Event Hub), as the CloudWatch Logs User Guide ("Using subscription
 * filters", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html)
 * describes it: a gzip-compressed JSON document
 *
 * `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"…","logStream":"…",
 *   "subscriptionFilters":["…"],"logEvents":[{"id":"…","timestamp":1432826855000,"message":"…"}]}`
 *
 * with `messageType` `CONTROL_MESSAGE` for the reachability checks CloudWatch Logs sends now and
 * then. A Lambda subscriber receives the same document base64-encoded in `{"awslogs":{"data":"…"}}`
 * (Lambda Developer Guide, "Using Lambda with CloudWatch Logs"); a forwarder that relays that event
 * as it is hands us that shape.
 *
 * Each log event's `message` is one log line of the group: for a VPC flow log delivered to
 * CloudWatch Logs, one flow record in the flow log's format (`2 123456789010 eni-… … ACCEPT OK`).
 * The messages are read as text lines, so they reach the decoders exactly as lines of a file do.
 */

/** What a CloudWatch Logs payload holds. */
export type CloudWatchPayload =
  | { readonly kind: 'data'; readonly messages: readonly unknown[] }
  | { readonly kind: 'control' }
  | { readonly kind: 'invalid'; readonly reason: string; readonly detail: string };

/** The first two bytes of every gzip member (RFC 1952 §2.3.1). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Why bounded decompression gave no text. */
export type GunzipFailure = 'over the size limit' | 'corrupt gzip';

/**
 * Decompresses gzip (all members, as `gunzip` does) into UTF-8 text of at most `maxBytes` bytes.
 * Pure in the sense of STYLE: no I/O, no clock; a compression bomb stops at `maxBytes`.
 */
export function gunzipText(bytes: Uint8Array, maxBytes: number): string | GunzipFailure {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes }).toString('utf8');
  } catch (error) {
    // zlib reports an output over maxOutputLength as a RangeError (ERR_BUFFER_TOO_LARGE).
    return error instanceof RangeError ? 'over the size limit' : 'corrupt gzip';
  }
}

/**
 * Whether a parsed JSON object is a CloudWatch Logs subscription payload: a `messageType` of
 * `DATA_MESSAGE` or `CONTROL_MESSAGE` beside a `logEvents` array, or the Lambda event
 * `{"awslogs":{"data":"…"}}`. No source's own records have these keys.
 */
export function isCloudWatchPayload(value: JsonObject): boolean {
  const type = ownValue(value, 'messageType');
  if ((type === 'DATA_MESSAGE' || type === 'CONTROL_MESSAGE') && Array.isArray(ownValue(value, 'logEvents')))
    return true;
  const awslogs = ownValue(value, 'awslogs');
  return isJsonObject(awslogs) && typeof ownValue(awslogs, 'data') === 'string';
}

/**
 * Reads a payload recognized by {@link isCloudWatchPayload}: the messages of its log events, a
 * control message, or why it cannot be read. `maxChars` bounds the decompressed Lambda form.
 */
export function readCloudWatchPayload(value: JsonObject, maxChars: number): CloudWatchPayload {
  const awslogs = ownValue(value, 'awslogs');
  if (isJsonObject(awslogs)) {
    const data = ownValue(awslogs, 'data');
    if (typeof data !== 'string') return invalid('malformed awslogs event', 'awslogs.data is not a string');
    const text = gunzipText(Buffer.from(data, 'base64'), maxChars);
    if (text === 'over the size limit' || text === 'corrupt gzip')
      return invalid(`awslogs.data: ${text}`, `${data.length} base64 characters`);
    let inner: unknown;
    try {
      inner = JSON.parse(text);
    } catch {
      return invalid('awslogs.data: malformed JSON', `${text.length} characters after gunzip`);
    }
    if (!isJsonObject(inner) || ownValue(inner, 'awslogs') !== undefined || !isCloudWatchPayload(inner))
      return invalid('awslogs.data: not a CloudWatch Logs payload', `found ${excerpt(text, 40)}`);
    return readCloudWatchPayload(inner, maxChars);
  }
  if (ownValue(value, 'messageType') === 'CONTROL_MESSAGE') return { kind: 'control' };
  const events = ownValue(value, 'logEvents') as readonly unknown[];
  return { kind: 'data', messages: events.map((e) => (isJsonObject(e) ? ownValue(e, 'message') : e)) };
}

function invalid(reason: string, detail: string): CloudWatchPayload {
  return { kind: 'invalid', reason, detail };
}
