import { isCloudWatchPayload, readCloudWatchPayload } from '../formats/cloudWatchLogs.js';
import type { JsonObject, SourceLocation } from './types.js';

/** Why a line is one invalid item: it is longer than `maxLineChars`. Also the CLI's reason for such a line. */
export const LINE_OVER_LIMIT = 'line over the size limit';

/** Receives the items an input is made of. */
export interface ItemHandler {
  /** One JSON record: a JSON line, an element of a JSON array, or a record of a `{"records":[…]}` envelope. */
  json(record: JsonObject, location: SourceLocation): void;
  /** One non-empty text line that is not JSON (syslog, CEF, flow-log line, TSV). */
  text(line: string, location: SourceLocation): void;
  /** Something that cannot become an item (malformed JSON, a line over the size limit). */
  invalid(reason: string, detail: string, location: SourceLocation): void;
  /** An envelope that carries no record on purpose (a CloudWatch Logs control message). */
  skip(reason: string, location: SourceLocation): void;
  /**
   * Offered every line that could start an item (no multi-line document open, within the line
   * limit, `\r` removed) before it is parsed: true when the handler took the line whole, false to
   * let the splitter read it as usual.
   */
  take?(line: string): boolean;
}

export interface ItemSplitterOptions {
  /** Name of the input for locations: a file name, `-`, or `partition 3`. */
  readonly input: string;
  /** Event Hub sequence number of the message, when the text is one message. */
  readonly sequenceNumber?: number;
  /** Largest multi-line JSON document kept in memory, in characters; beyond it, lines are taken one by one. */
  readonly maxDocumentChars: number;
  /** Longest line read; a longer line is one invalid item (`line over the size limit`). */
  readonly maxLineChars?: number;
}

const OPEN_CHARS = new Set(['{', '[', ',', ':']);

/**
 * Turns the lines of one input (a file or one Event Hub message) into items, whatever the mix:
 * JSON lines, a JSON array, a `{"records":[…]}` envelope on one line or pretty-printed over many,
 * a CloudWatch Logs subscription payload (its log events' messages become text items, see
 * `cloudWatchLogs.ts`), several concatenated documents, or plain text lines. One mechanism serves
 * the CLI and the function.
 *
 * A line that is a whole JSON value is parsed alone. A line that opens a value it does not close
 * (it ends with `{`, `[`, `,` or `:` outside a string) starts a multi-line document, collected
 * until its brackets balance. When such a document cannot be parsed, or grows past
 * `maxDocumentChars`, its lines are taken again one by one, so a truncated record never swallows
 * the good lines after it. A line taken again may open one more document; the lines of that one,
 * if it is abandoned too, are taken strictly alone: every line is read a bounded number of times,
 * and none is left over at `end()`.
 */
export class ItemSplitter {
  readonly #handler: ItemHandler;
  readonly #options: ItemSplitterOptions;
  #docLines: string[] = [];
  #docFirstLine = 0;
  #docChars = 0;
  /** How many abandoned documents the open document's first line came out of (0, 1). */
  #docRetries = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(handler: ItemHandler, options: ItemSplitterOptions) {
    this.#handler = handler;
    this.#options = options;
  }

  /** Feeds one line (without its line break). `lineNumber` is 1-based. */
  line(rawLine: string, lineNumber: number): void {
    this.#line(rawLine, lineNumber, 0);
  }

  /** True while a multi-line JSON document is open: the next line continues it. */
  get isInDocument(): boolean {
    return this.#docLines.length > 0;
  }

  /** A line, fed for the first time (`retries` 0) or again from `retries` abandoned documents. */
  #line(rawLine: string, lineNumber: number, retries: number): void {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const maxLine = this.#options.maxLineChars;
    if (maxLine !== undefined && line.length > maxLine) {
      if (this.#docLines.length > 0) this.#abandonDocument();
      this.#handler.invalid(
        LINE_OVER_LIMIT,
        `${line.length} characters, limit ${maxLine}`,
        this.#location(lineNumber),
      );
      return;
    }
    if (this.#docLines.length > 0) {
      this.#continueDocument(line);
      return;
    }
    if (this.#handler.take?.(line) === true) return;
    const first = firstNonSpace(line);
    if (first < 0) return;
    const c = line[first];
    if (c === '{' || c === '[') {
      const value = tryParse(line);
      if (value !== undefined) {
        this.#emitValue(value, line, lineNumber);
        return;
      }
      this.#scan(line, true);
      const last = lastNonSpaceChar(line);
      if (retries < 2 && this.#depth > 0 && !this.#inString && last !== undefined && OPEN_CHARS.has(last)) {
        this.#docLines = [line];
        this.#docFirstLine = lineNumber;
        this.#docChars = line.length;
        this.#docRetries = retries;
        return;
      }
      this.#resetScan();
      this.#handler.invalid('malformed JSON', jsonErrorDetail(line), this.#location(lineNumber));
      return;
    }
    this.#handler.text(first === 0 ? line : line.slice(first), this.#location(lineNumber));
  }

  /** Ends the input: an unfinished multi-line document is taken again line by line. */
  end(): void {
    // Taking the lines again may open one more document (never a third): it is abandoned in turn.
    while (this.#docLines.length > 0) this.#abandonDocument();
  }

  #continueDocument(line: string): void {
    this.#docLines.push(line);
    this.#docChars += line.length + 1;
    this.#scan(line, false);
    if (this.#depth === 0 && !this.#inString) {
      const text = this.#docLines.join('\n');
      const value = tryParse(text);
      if (value !== undefined) {
        const firstLine = this.#docFirstLine;
        this.#docLines = [];
        this.#resetScan();
        this.#emitValue(value, text, firstLine);
        return;
      }
      this.#abandonDocument();
      return;
    }
    if (this.#docChars > this.#options.maxDocumentChars) this.#abandonDocument();
  }

  #abandonDocument(): void {
    const lines = this.#docLines;
    const firstLine = this.#docFirstLine;
    const retries = this.#docRetries + 1;
    this.#docLines = [];
    this.#resetScan();
    // The first line opened the document and is not valid alone: report it, then retry the rest.
    this.#handler.invalid(
      'malformed JSON',
      'a JSON document that does not close or does not parse',
      this.#location(firstLine),
    );
    for (let i = 1; i < lines.length; i++) this.#line(lines[i] ?? '', firstLine + i, retries);
  }

  #emitValue(value: unknown, text: string, lineNumber: number): void {
    if (Array.isArray(value)) {
      this.#emitArray(value, lineNumber);
      return;
    }
    if (value !== null && typeof value === 'object') {
      const records = (value as JsonObject).records;
      if (Array.isArray(records)) {
        this.#emitArray(records, lineNumber);
        return;
      }
      if (isCloudWatchPayload(value as JsonObject)) {
        this.#emitCloudWatch(value as JsonObject, lineNumber);
        return;
      }
      this.#handler.json(value as JsonObject, this.#location(lineNumber));
      return;
    }
    // A scalar that happens to be valid JSON is a text line.
    this.#handler.text(text, this.#location(lineNumber));
  }

  #emitArray(values: readonly unknown[], lineNumber: number): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const location = this.#location(lineNumber, i);
      if (v !== null && typeof v === 'object' && !Array.isArray(v))
        this.#handler.json(v as JsonObject, location);
      else if (typeof v === 'string') this.#handler.text(v, location);
      else
        this.#handler.invalid('record is not an object', `found ${v === null ? 'null' : typeof v}`, location);
    }
  }

  #emitCloudWatch(value: JsonObject, lineNumber: number): void {
    const payload = readCloudWatchPayload(value, this.#options.maxDocumentChars);
    if (payload.kind === 'control') {
      this.#handler.skip('CloudWatch Logs control message', this.#location(lineNumber));
      return;
    }
    if (payload.kind === 'invalid') {
      this.#handler.invalid(payload.reason, payload.detail, this.#location(lineNumber));
      return;
    }
    const { messages } = payload;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      const location = this.#location(lineNumber, i);
      // A message is one log line: it is read as the line of a file would be (blank ones are none).
      if (typeof message === 'string') {
        const line = message.trim();
        const parsed = line.startsWith('{') ? tryParse(line) : undefined;
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
          this.#handler.json(parsed as JsonObject, location);
        else if (line !== '') this.#handler.text(line, location);
      } else
        this.#handler.invalid(
          'log event without a message',
          `message is ${message === null ? 'null' : typeof message}`,
          location,
        );
    }
  }

  #location(line: number, record?: number): SourceLocation {
    const { input, sequenceNumber } = this.#options;
    return {
      input,
      line,
      ...(record === undefined ? {} : { record }),
      ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
    };
  }

  #scan(text: string, reset: boolean): void {
    if (reset) this.#resetScan();
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (code === 92) escaped = true;
        else if (code === 34) inString = false;
      } else if (code === 34) inString = true;
      else if (code === 123 || code === 91) depth++;
      else if (code === 125 || code === 93) depth--;
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
  }

  #resetScan(): void {
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
    this.#docChars = 0;
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function jsonErrorDetail(line: string): string {
  try {
    JSON.parse(line);
    return 'unexpected';
  } catch (e) {
    // V8 sometimes quotes the input in its message; report only the position, never log content.
    const message = e instanceof Error ? e.message : '';
    const position = /position (\d+)/.exec(message)?.[1];
    const token = /^Unexpected token/.test(message) ? 'unexpected token' : 'unexpected end or character';
    return position === undefined
      ? `${token}; line of ${line.length} characters`
      : `${token} at character ${position}`;
  }
}

function firstNonSpace(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0xfeff) return i;
  }
  return -1;
}

function lastNonSpaceChar(line: string): string | undefined {
  for (let i = line.length - 1; i >= 0; i--) {
    const c = line[i];
    if (c !== ' ' && c !== '\t') return c;
  }
  return undefined;
}
