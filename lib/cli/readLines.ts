import { isAscii } from 'node:buffer';
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

/**
 * Bytes that are all ASCII, as text: they read the same in Latin-1, which copies them into a
 * string about ten times faster than the UTF-8 decoder builds it (most logs are ASCII);
 * `undefined` for any other bytes.
 */
export function asciiText(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isAscii(buffer) ? buffer.toString('latin1') : undefined;
}

function decoding(encoding: TextEncoding): TextDecoding {
  if (encoding === 'utf-8') {
    const d = new StringDecoder('utf8');
    // The decoder holds back the incomplete character a chunk may end in, which only a chunk that
    // is not all ASCII can: after one, the next chunk goes through the decoder too.
    let mayHold = false;
    return {
      write: (b) => {
        if (!mayHold) {
          const ascii = asciiText(b);
          if (ascii !== undefined) return ascii;
          mayHold = true;
        } else mayHold = !isAscii(b);
        return d.write(b);
      },
      end: () => d.end(),
    };
  }
  const d = new TextDecoder(encoding);
  return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
}

/**
 * Bytes decoded at a time: a string this long stays out of V8's large-object space (a string of a
 * whole 1 MiB read costs more to allocate, and to flatten after the carried partial line is put
 * before it, than to decode), and a line is cut from the piece it ends in.
 */
const PIECE_BYTES = 32 * 1024;

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
    const lines: string[] = [];
    const lineNumbers: number[] = [];
    const tooLong: boolean[] = [];
    for (let at = 0; at < buf.length; at += PIECE_BYTES) {
      let text = decoder.write(buf.subarray(at, at + PIECE_BYTES));
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        lineNumber++;
        if (skippingLongLine) skippingLongLine = false;
        else {
          // The carried part, if any, is the start of the piece's first line.
          lines.push(start === 0 ? carry + text.slice(0, nl) : text.slice(start, nl));
          lineNumbers.push(lineNumber);
          tooLong.push(false);
        }
        if (start === 0) carry = '';
        start = nl + 1;
      }
      carry = start === 0 ? carry + text : text.slice(start);
    }
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

/** Consecutive whole lines of one UTF-8 input as its bytes, each line ended by `\n` but perhaps the last of the input. */
export interface LineBytesChunk {
  /** The lines' bytes (carriage returns kept), in a buffer of their own. */
  readonly bytes: Uint8Array;
  /** 1-based number of the first line. */
  readonly firstLineNumber: number;
  readonly lineCount: number;
}

/**
 * `splitLines` for UTF-8, without decoding: the same lines, numbers and over-long lines (given as
 * `splitLines` gives them, in `lines`), but whole lines as bytes, cut at line feeds, for a thread
 * that decodes them itself. Each chunk of bytes read gives one event (`bytes` absent when it
 * completes no line), so reading and progress keep their pace.
 */
export async function* splitLineBytes(
  input: AsyncIterable<Buffer | string>,
  maxLineChars: number,
): AsyncGenerator<
  { readonly bytes: LineBytesChunk | undefined; readonly textBytes: number } & Omit<LineChunk, 'textBytes'>
> {
  let carry: Buffer[] = [];
  let carryLength = 0;
  let lineNumber = 0;
  let textBytes = 0;
  let skippingLongLine = false;
  /** The input's first bytes, until there are enough to tell a byte order mark. */
  let head: Buffer | undefined = Buffer.alloc(0);
  const none = { lines: [], lineNumbers: [], tooLong: [] };
  async function* withoutMark(): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      textBytes += buf.length;
      if (head === undefined) {
        yield buf;
        continue;
      }
      head = head.length === 0 ? buf : Buffer.concat([head, buf]);
      if (head.length < 3) {
        yield Buffer.alloc(0);
        continue;
      }
      const isMark = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
      const first = isMark ? head.subarray(3) : head;
      head = undefined;
      yield first;
    }
    if (head !== undefined && head.length > 0) yield head;
  }
  for await (let buf of withoutMark()) {
    let bytes: LineBytesChunk | undefined;
    const lastBreak = buf.lastIndexOf(0x0a);
    if (lastBreak >= 0) {
      const whole = Buffer.allocUnsafeSlow(carryLength + lastBreak + 1);
      let at = 0;
      for (const part of carry) at += part.copy(whole, at);
      buf.copy(whole, at, 0, lastBreak + 1);
      carry = [];
      carryLength = 0;
      let from = 0;
      if (skippingLongLine) {
        // The rest of a line over the limit: skipped, its number counted.
        from = whole.indexOf(0x0a) + 1;
        lineNumber++;
        skippingLongLine = false;
      }
      let count = 0;
      for (let i = whole.indexOf(0x0a, from); i >= 0; i = whole.indexOf(0x0a, i + 1)) count++;
      if (count > 0)
        bytes = {
          bytes: from === 0 ? whole : new Uint8Array(whole.subarray(from)),
          firstLineNumber: lineNumber + 1,
          lineCount: count,
        };
      lineNumber += count;
      buf = buf.subarray(lastBreak + 1);
    }
    if (buf.length > 0 && !skippingLongLine) {
      carry.push(buf);
      carryLength += buf.length;
    }
    // A line is over the limit by its characters, as `splitLines` counts them (never more than its bytes).
    if (carryLength > maxLineChars) {
      const text = new StringDecoder('utf8').write(Buffer.concat(carry));
      if (text.length > maxLineChars) {
        carry = [];
        carryLength = 0;
        skippingLongLine = true;
        yield {
          bytes,
          textBytes,
          lines: [text.slice(0, 256)],
          lineNumbers: [lineNumber + 1],
          tooLong: [true],
        };
        continue;
      }
    }
    yield { bytes, textBytes, ...none };
  }
  if (carryLength > 0 && !skippingLongLine) {
    const last = Buffer.allocUnsafeSlow(carryLength);
    let at = 0;
    for (const part of carry) at += part.copy(last, at);
    yield { bytes: { bytes: last, firstLineNumber: lineNumber + 1, lineCount: 1 }, textBytes, ...none };
  }
}

/** The first line of a chunk of line bytes, decoded, as `splitLines` gives it (the rest stays bytes). */
export function firstLineOfBytes(chunk: LineBytesChunk): string {
  const { bytes } = chunk;
  const end = bytes.indexOf(0x0a);
  return Buffer.from(bytes.buffer, bytes.byteOffset, end < 0 ? bytes.byteLength : end).toString('utf8');
}

/** The lines of a chunk of line bytes, decoded, as `splitLines` gives them. */
export function linesOfBytes(chunk: LineBytesChunk): Pick<LineChunk, 'lines' | 'lineNumbers' | 'tooLong'> {
  const text = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength).toString(
    'utf8',
  );
  const lines = text.split('\n');
  if (lines.length > chunk.lineCount) lines.pop();
  return {
    lines,
    lineNumbers: lines.map((_, i) => chunk.firstLineNumber + i),
    tooLong: lines.map(() => false),
  };
}
