import { ItemSplitter } from './ItemSplitter.js';
import type { Normalizer } from './Normalizer.js';
import type { DecodeContext, SourceLocation } from './types.js';
import { StreamState } from './types.js';

/** Where one input (a file, stdin, or one Event Hub message) comes from and what time context it has. */
export interface InputDescription {
  /** Name for locations: a file name, `-`, or `partition 3`. */
  readonly input: string;
  /** Event Hub sequence number of the message, if the input is one message. */
  readonly sequenceNumber?: number;
  /** Last-resort event time (Event Hub enqueued time), decision D3. */
  readonly fallbackTimeMs: number | undefined;
  /** A time near the data's production, to complete year-less timestamps. */
  readonly referenceTimeMs: number;
  /** Largest multi-line JSON document held in memory, in characters. */
  readonly maxDocumentChars: number;
  /** Longest line read (limit); unlimited when absent. */
  readonly maxLineChars?: number;
  /** Most items decoded from this input (limit); the rest are counted as `record limit exceeded`. */
  readonly maxItems?: number;
}

/**
 * Takes a whole line that could start an item, before the splitter parses it, with the stream's
 * state: true when it read the line (and counted it in the normalizer) itself.
 */
export type LineTaker = (line: string, ctx: DecodeContext) => boolean;

/**
 * Opens one input for decoding: returns a splitter whose items go through `normalizer` with a
 * fresh per-stream state (header lines of one file or message never leak into another). Feed it
 * lines, then call `end()`. `takeLine`, when given, is offered every line that could start an item
 * first; a line it takes counts as one item against `maxItems`. `stream` is the per-stream state
 * to use (a new one by default), for a caller that watches it.
 */
export function openInput(
  normalizer: Normalizer,
  description: InputDescription,
  takeLine?: LineTaker,
  stream: StreamState = new StreamState(),
): ItemSplitter {
  const ctx: DecodeContext = {
    fallbackTimeMs: description.fallbackTimeMs,
    referenceTimeMs: description.referenceTimeMs,
    stream,
  };
  const maxItems = description.maxItems ?? Number.POSITIVE_INFINITY;
  let items = 0;
  const overLimit = (location: SourceLocation): boolean => {
    if (++items <= maxItems) return false;
    normalizer.reject('record limit exceeded', `more than ${maxItems} records in one input`, location);
    return true;
  };
  return new ItemSplitter(
    {
      json: (record, location) => {
        if (!overLimit(location)) normalizer.json(record, location, ctx);
      },
      text: (line, location) => {
        if (!overLimit(location)) normalizer.text(line, location, ctx);
      },
      invalid: (reason, detail, location) => normalizer.reject(reason, detail, location),
      skip: (reason) => normalizer.skipItem(reason),
      ...(takeLine === undefined
        ? {}
        : {
            // An item over the limit is not offered: the full path counts it as such.
            take: (line: string) => items < maxItems && takeLine(line, ctx) && ++items > 0,
          }),
    },
    {
      input: description.input,
      maxDocumentChars: description.maxDocumentChars,
      ...(description.maxLineChars === undefined ? {} : { maxLineChars: description.maxLineChars }),
      ...(description.sequenceNumber === undefined ? {} : { sequenceNumber: description.sequenceNumber }),
    },
  );
}

/** Reads the lines of one input: the splitter `openInput` returns, or a fast path's input over it. */
export interface LineInput {
  /** Feeds one line (without its line break); `lineNumber` is 1-based. */
  line(rawLine: string, lineNumber: number): void;
  /** Ends the input. */
  end(): void;
}

/**
 * Decodes a whole text held in memory (one Event Hub message body, a test fixture), its lines
 * read by the input `open` returns (`openInput` unless given).
 */
export function decodeText(
  text: string,
  normalizer: Normalizer,
  description: InputDescription,
  open: (normalizer: Normalizer, description: InputDescription) => LineInput = openInput,
): void {
  const input = open(normalizer, description);
  let start = 0;
  let lineNumber = 1;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) input.line(text.slice(start), lineNumber);
      break;
    }
    input.line(text.slice(start, nl), lineNumber);
    start = nl + 1;
    lineNumber++;
  }
  input.end();
}
