import type { JsonObject } from '../sources/pipeline/types.js';

/** One item of an input as the splitter reads it: a JSON record, or a text line or string. */
export type FrameItem = { readonly json: JsonObject } | { readonly text: string };

/** One Event Hub message body and what it holds. */
export interface FramedMessage {
  readonly body: Buffer;
  readonly kind: 'text' | 'json';
  /** Items of the input carried by this message (header lines repeated at its head not included). */
  readonly records: number;
  /** Header lines repeated at its head. */
  readonly headerItems: number;
}

export interface FramerLimits {
  /** Largest message body, in bytes. */
  readonly maxMessageBytes: number;
  /** Most items (header lines included) in one message: the function's `PORTSCAN_MAX_RECORDS_PER_MESSAGE`. */
  readonly maxItemsPerMessage: number;
}

/** Why an item was not framed. */
export const TOO_LARGE = 'record larger than a message';

const JSON_HEAD = '{"records":[';
const JSON_TAIL = ']}';

/**
 * Packs the items of the CLI's inputs into Event Hub message bodies the way the product's
 * exporters frame them, so that the function decodes every message alone to exactly what
 * `portscan detect` makes of the inputs:
 * - text lines are joined with line breaks, many to a message;
 * - JSON records (and strings that cannot stand alone on a line) go into `{"records":[…]}`;
 * - every body stays within `maxMessageBytes` and `maxItemsPerMessage`; an item is never split;
 *   one that cannot fit an empty message is refused (`TOO_LARGE`), never truncated;
 * - header lines (items after which the stream state changed: a custom AWS VPC flow-log field
 *   list, Zeek `#fields`) are not sent on their own: they are repeated at the head of every
 *   message whose items were read after them, because the function reads each message as a new
 *   stream. Items of another input share a message only when their header lines are the same
 *   (AWS VPC flow-log files from S3, each with the same header, pack together).
 */
export class MessageFramer {
  readonly #limits: FramerLimits;
  readonly #emit: (message: FramedMessage) => void;
  #context: Encoded[] = [];
  #contextKey = '';
  /** True while every header item can be written as a line. */
  #contextIsText = true;
  readonly #open: { text: OpenMessage | undefined; json: OpenMessage | undefined } = {
    text: undefined,
    json: undefined,
  };

  constructor(limits: FramerLimits, emit: (message: FramedMessage) => void) {
    this.#limits = limits;
    this.#emit = emit;
  }

  /** A new input starts: it is read with a new stream state, so no header line applies yet. */
  startInput(): void {
    this.#setContext([]);
  }

  /**
   * Frames one item read under the current header lines. Returns `TOO_LARGE` when it cannot fit
   * a message even alone (with those header lines); the item is then not sent.
   */
  add(item: FrameItem): string | undefined {
    const encoded = encode(item);
    const kind = encoded.line !== undefined && this.#contextIsText ? 'text' : 'json';
    const itemBytes = kind === 'text' ? encoded.lineBytes : encoded.jsonBytes;
    const open = this.#open[kind];
    if (
      open !== undefined &&
      open.contextKey === this.#contextKey &&
      open.items.length < this.#limits.maxItemsPerMessage &&
      open.bytes + 1 + itemBytes <= this.#limits.maxMessageBytes
    ) {
      open.items.push(encoded);
      open.bytes += 1 + itemBytes;
      return undefined;
    }
    const fresh = this.#newMessage(kind);
    if (fresh.items.length + 1 > this.#limits.maxItemsPerMessage) return TOO_LARGE;
    const bytes = fresh.items.length === 0 ? fresh.bytes + itemBytes : fresh.bytes + 1 + itemBytes;
    if (bytes > this.#limits.maxMessageBytes) return TOO_LARGE;
    if (open !== undefined) this.#close(kind);
    fresh.items.push(encoded);
    fresh.bytes = bytes;
    this.#open[kind] = fresh;
    return undefined;
  }

  /**
   * Takes a header item: the items after it depend on it. When the stream state is back to new
   * after it (`isFresh`, e.g. Zeek's `#close`), no header line applies any more.
   */
  addHeader(item: FrameItem, isFresh: boolean): void {
    this.#setContext(isFresh ? [] : [...this.#context, encode(item)]);
  }

  /** Emits every open message (end of the inputs, or the flush interval of `--follow`). */
  flush(): void {
    if (this.#open.text !== undefined) this.#close('text');
    if (this.#open.json !== undefined) this.#close('json');
  }

  /** True when no item waits in an open message. */
  get isEmpty(): boolean {
    return this.#open.text === undefined && this.#open.json === undefined;
  }

  #setContext(context: Encoded[]): void {
    this.#context = context;
    this.#contextKey = context.length === 0 ? '' : JSON.stringify(context.map((c) => c.json));
    this.#contextIsText = context.every((c) => c.line !== undefined);
  }

  #newMessage(kind: 'text' | 'json'): OpenMessage {
    const items = [...this.#context];
    let bytes = kind === 'text' ? 0 : JSON_HEAD.length + JSON_TAIL.length;
    for (let i = 0; i < items.length; i++) {
      const c = items[i] as Encoded;
      bytes += (i === 0 ? 0 : 1) + (kind === 'text' ? c.lineBytes : c.jsonBytes);
    }
    return { kind, contextKey: this.#contextKey, headerItems: items.length, items, bytes };
  }

  #close(kind: 'text' | 'json'): void {
    const open = this.#open[kind] as OpenMessage;
    this.#open[kind] = undefined;
    const text =
      kind === 'text'
        ? open.items.map((i) => i.line).join('\n')
        : `${JSON_HEAD}${open.items.map((i) => i.json).join(',')}${JSON_TAIL}`;
    const body = Buffer.from(text, 'utf8');
    this.#emit({
      body,
      kind,
      records: open.items.length - open.headerItems,
      headerItems: open.headerItems,
    });
  }
}

/** An item in both forms, with their UTF-8 sizes. */
interface Encoded {
  /** The item as a line, when it reads back as the same item alone on a line. */
  readonly line: string | undefined;
  readonly lineBytes: number;
  /** The item as an element of `{"records":[…]}`. */
  readonly json: string;
  readonly jsonBytes: number;
}

interface OpenMessage {
  readonly kind: 'text' | 'json';
  readonly contextKey: string;
  readonly headerItems: number;
  readonly items: Encoded[];
  bytes: number;
}

function encode(item: FrameItem): Encoded {
  if ('json' in item) {
    const json = JSON.stringify(item.json);
    return { line: undefined, lineBytes: 0, json, jsonBytes: Buffer.byteLength(json, 'utf8') };
  }
  const json = JSON.stringify(item.text);
  const line = isLineSafe(item.text) ? item.text : undefined;
  return {
    line,
    lineBytes: line === undefined ? 0 : Buffer.byteLength(line, 'utf8'),
    json,
    jsonBytes: Buffer.byteLength(json, 'utf8'),
  };
}

/**
 * True when `text`, alone on a line, is read back as the same text item by the splitter: not
 * empty, no line break, no leading blank (the splitter trims it), not starting a JSON document,
 * no trailing carriage return (the splitter drops one).
 */
export function isLineSafe(text: string): boolean {
  if (text.length === 0 || text.includes('\n') || text.endsWith('\r')) return false;
  const first = text.charCodeAt(0);
  // space, tab, BOM, '{', '['
  return first !== 32 && first !== 9 && first !== 0xfeff && first !== 123 && first !== 91;
}
