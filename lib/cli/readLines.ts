import { StringDecoder } from 'node:string_decoder';

/** The text encodings an input may be in. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Consecutive lines of one input (without their line breaks), in parallel arrays. */
export interface LineChunk {
  readonly lines: string[];
  /** 1-based line number of each line. */
  readonly lineNumbers: number[];
  /** Set for the first part of a line longer than the limit (the rest is skipped). */
  readonly tooLong: boolean[];
  /** Bytes of text (after decompression) read so far. */
  readonly textBytes: number;
}

/** Incremental decoder of one text encoding. */
interface TextDecoding {
  write(bytes: Buffer): string;
  end(): string;
}

function decoding(encoding: TextEncoding): TextDecoding {
  if (encoding === 'utf-8') {
    const d = new StringDecoder('utf8');
    return { write: (b) => d.write(b), end: () => d.end() };
  }
  const d = new TextDecoder(encoding);
  return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
}

/**
 * Splits a stream of bytes into lines, one chunk of lines per chunk of bytes; a partial line at a
 * chunk's end is carried over. A byte order mark at the start is dropped, and a CR before a line
 * break is kept (decoders trim it).
 *
 * A line longer than `maxLineChars` is not kept whole: its first 256 characters are passed with
 * `tooLong` set and the rest is skipped, so that memory stays bounded on a file without line
 * breaks.
 */
export async function* splitLines(
  bytes: AsyncIterable<Buffer | string>,
  maxLineChars: number,
  encoding: TextEncoding = 'utf-8',
): AsyncGenerator<LineChunk> {
  const decoder = decoding(encoding);
  let carry = '';
  let lineNumber = 0;
  let textBytes = 0;
  let skippingLongLine = false;
  let first = true;
  for await (const chunk of bytes) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    textBytes += buf.length;
    let text = carry + decoder.write(buf);
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const lines: string[] = [];
    const lineNumbers: number[] = [];
    const tooLong: boolean[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      lineNumber++;
      if (skippingLongLine) skippingLongLine = false;
      else {
        lines.push(text.slice(start, nl));
        lineNumbers.push(lineNumber);
        tooLong.push(false);
      }
      start = nl + 1;
    }
    carry = text.slice(start);
    if (carry.length > maxLineChars) {
      if (!skippingLongLine) {
        lines.push(carry.slice(0, 256));
        lineNumbers.push(lineNumber + 1);
        tooLong.push(true);
      }
      skippingLongLine = true;
      carry = '';
    }
    yield { lines, lineNumbers, tooLong, textBytes };
  }
  carry += decoder.end();
  if (first && carry.charCodeAt(0) === 0xfeff) carry = carry.slice(1);
  if (carry.length > 0 && !skippingLongLine) {
    yield { lines: [carry], lineNumbers: [lineNumber + 1], tooLong: [false], textBytes };
  }
}

/**
 * Reads a stream as UTF-8 lines through `splitLines`, one callback per line. `afterChunk` runs
 * after each chunk's lines with the chunk's size; when it returns a promise, reading waits for it.
 */
export async function forEachLine(
  stream: AsyncIterable<Buffer | string>,
  maxLineChars: number,
  onLine: (line: string, lineNumber: number, tooLong: boolean) => void,
  afterChunk?: (bytes: number) => Promise<void> | undefined,
): Promise<void> {
  let seen = 0;
  for await (const chunk of splitLines(stream, maxLineChars)) {
    for (let i = 0; i < chunk.lines.length; i++)
      onLine(chunk.lines[i] as string, chunk.lineNumbers[i] as number, chunk.tooLong[i] as boolean);
    const wait = afterChunk?.(chunk.textBytes - seen);
    seen = chunk.textBytes;
    if (wait !== undefined) await wait;
  }
}
