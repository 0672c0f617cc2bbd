import { createReadStream, readFile } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { UsageError } from '../errors.js';
import type { LineBytesChunk, LineChunk, TextEncoding } from './readLines.js';
import { splitLineBytes, splitLines } from './readLines.js';

/**
 * The inputs of the command line: files, directories (read recursively), FIFOs and process
 * substitutions (`<(zcat x.gz)`), and stdin (`-`). Compression and text encoding are recognized by
 * content, never by file name. A problem with one input (missing, unreadable, truncated) is
 * reported as a value, in plain words, and the other inputs are read all the same.
 *
 *   const { inputs, problems } = await resolveInputs(paths, process.stdin);
 *   for (const input of inputs)
 *     for await (const event of readInput(input, { maxLineChars }))
 *       if (event.kind === 'lines') …; else if (event.kind === 'problem') …;
 */

/** One input, ready to open. */
export interface CliInput {
  /** The path as given, a file found in a directory given, or `stdin`. */
  readonly name: string;
  /** Size on disk, for regular files; undefined for stdin and pipes. */
  readonly sizeBytes: number | undefined;
  /** The file's path, for regular files (Parquet needs random access). */
  readonly path?: string;
  open(): Readable;
  /**
   * Starts reading a small file whole, for `open` to give later: reading the next inputs while
   * one is decoded overlaps their file-system round trips (a directory of many small files).
   */
  readonly readAhead?: () => void;
}

/** A problem with one input, in plain words. */
export interface InputProblem {
  readonly input: string;
  readonly reason: string;
  /** What the user can do about it, when there is something. */
  readonly remedy?: string;
}

/** What `readInput` found the input to be. */
export interface InputFormat {
  readonly compression: 'gzip' | 'zstd' | undefined;
  readonly encoding: TextEncoding;
  /** Set when the encoding was guessed from the bytes, without a byte order mark. */
  readonly encodingGuessed: boolean;
}

export type InputEvent =
  | ({ readonly kind: 'format' } & InputFormat)
  | ({
      readonly kind: 'lines';
      /** Bytes of the input itself (compressed, for compressed input) read so far. */
      readonly sourceBytes: number;
      /** With `asBytes`, whole lines of a UTF-8 input as bytes, before the event's `lines`. */
      readonly bytes?: LineBytesChunk;
    } & LineChunk)
  | { readonly kind: 'problem'; readonly problem: InputProblem };

/** The name stdin is reported under. */
export const STDIN_NAME = 'stdin';

/**
 * Resolves the command line's input arguments. Directories are walked recursively, their files in
 * code-point order of their paths (so `2026/11/02/…` comes before `2026/11/03/…`), leaving out
 * names that start with a dot.
 *
 * @throws {UsageError} when stdin is given twice
 */
export async function resolveInputs(
  paths: readonly string[],
  stdin: Readable,
): Promise<{ inputs: CliInput[]; problems: InputProblem[] }> {
  const inputs: CliInput[] = [];
  const problems: InputProblem[] = [];
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ name: STDIN_NAME, sizeBytes: undefined, open: () => stdin });
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (cause) {
      problems.push({ input: path, reason: describeFsError(cause) });
      continue;
    }
    if (info.isDirectory()) {
      const before = inputs.length;
      try {
        for (const file of await filesUnder(path)) inputs.push(fileInput(file.path, file.size));
      } catch (cause) {
        problems.push({ input: path, reason: describeFsError(cause) });
        continue;
      }
      if (inputs.length === before) problems.push({ input: path, reason: 'directory holds no files' });
    } else inputs.push(fileInput(path, info.isFile() ? info.size : undefined));
  }
  return { inputs, problems };
}

/** Files up to this size may be read ahead, whole. */
export const READ_AHEAD_MAX_BYTES = 1 << 20;

function fileInput(path: string, sizeBytes: number | undefined): CliInput {
  let ahead: Promise<Buffer> | undefined;
  return {
    name: path,
    sizeBytes,
    ...(sizeBytes === undefined ? {} : { path }),
    open: () =>
      ahead === undefined
        ? createReadStream(path, { highWaterMark: readBufferBytes(sizeBytes) })
        : Readable.from(whole(ahead), { objectMode: false }),
    ...(sizeBytes !== undefined && sizeBytes <= READ_AHEAD_MAX_BYTES
      ? {
          readAhead: () => {
            if (ahead !== undefined) return;
            // The callback form: the promise form costs several times its CPU per file.
            ahead = new Promise((resolve, reject) =>
              readFile(path, (error, bytes) => (error === null ? resolve(bytes) : reject(error))),
            );
            // Its error is the input's problem, met when it is opened.
            ahead.catch(() => {});
          },
        }
      : {}),
  };
}

/** A file read ahead, as the stream of its bytes (none for an empty file). */
async function* whole(ahead: Promise<Buffer>): AsyncGenerator<Buffer> {
  const bytes = await ahead;
  if (bytes.length > 0) yield bytes;
}

/**
 * The read buffer for a file: 1 MiB, or the file's size when smaller. A stream allocates a whole
 * buffer for every read, the last one (which finds the end) too, so a 1 MiB buffer for each of
 * many small files is mostly garbage outside the heap, whose pressure forces full garbage
 * collections on the reading thread.
 */
function readBufferBytes(sizeBytes: number | undefined): number {
  return sizeBytes === undefined ? 1 << 20 : Math.min(1 << 20, Math.max(1 << 12, sizeBytes));
}

async function filesUnder(dir: string): Promise<{ path: string; size: number | undefined }[]> {
  const found: { path: string; size: number | undefined }[] = [];
  const entries: string[] = [];
  for await (const entry of await opendir(dir)) if (!entry.name.startsWith('.')) entries.push(entry.name);
  entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of entries) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push({ path, size: info.isFile() ? info.size : undefined });
  }
  return found;
}

/** A file-system error in plain words. */
export function describeFsError(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EIO':
      return 'input/output error while reading';
    default:
      return `cannot read (${code ?? (cause instanceof Error ? cause.message : String(cause))})`;
  }
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const BZIP2 = [0x42, 0x5a, 0x68];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const PARQUET = [0x50, 0x41, 0x52, 0x31];

const startsWith = (b: Buffer, magic: readonly number[]) =>
  b.length >= magic.length && magic.every((m, i) => b[i] === m);

/** Node 22.15 and later decompress zstd in zlib; Node 20 does not. */
const createZstdDecompress = (zlib as unknown as { createZstdDecompress?: () => zlib.Gunzip })
  .createZstdDecompress;

/** What the first bytes of an input say it is: a compression to undo, or a problem. */
function sniffCompression(
  head: Buffer,
  name: string,
): { compression: InputFormat['compression'] | 'parquet' } | { problem: InputProblem } {
  const shown = name === STDIN_NAME ? 'FILE' : name;
  if (startsWith(head, GZIP)) return { compression: 'gzip' };
  if (startsWith(head, PARQUET)) return { compression: 'parquet' };
  if (startsWith(head, ZSTD)) {
    if (createZstdDecompress !== undefined) return { compression: 'zstd' };
    return {
      problem: {
        input: name,
        reason: `zstd-compressed data, which Node.js ${process.versions.node} cannot read (22.15 and later can)`,
        remedy: `zstd -dc ${shown} | portscan … -`,
      },
    };
  }
  const other = (reason: string, remedy: string) => ({ problem: { input: name, reason, remedy } });
  if (
    startsWith(head, BZIP2) &&
    head.length > 3 &&
    head[3] !== undefined &&
    head[3] >= 0x31 &&
    head[3] <= 0x39
  )
    return other('bzip2-compressed data', `bzip2 -dc ${shown} | portscan … -`);
  if (startsWith(head, XZ)) return other('xz-compressed data', `xz -dc ${shown} | portscan … -`);
  if (startsWith(head, ZIP)) return other('a zip archive', `unzip -p ${shown} | portscan … -`);
  return { compression: undefined };
}

/** The text encoding of the first decompressed bytes: a byte order mark, or NUL bytes every other byte. */
function sniffEncoding(head: Buffer): { encoding: TextEncoding; guessed: boolean } {
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', guessed: false };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', guessed: false };
  const n = Math.min(head.length, 64) & ~1;
  if (n >= 4) {
    let evenZero = 0;
    let oddZero = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenZero++;
      if (head[i + 1] === 0) oddZero++;
    }
    if (oddZero === n / 2 && evenZero === 0) return { encoding: 'utf-16le', guessed: true };
    if (evenZero === n / 2 && oddZero === 0) return { encoding: 'utf-16be', guessed: true };
  }
  return { encoding: 'utf-8', guessed: false };
}

/** A decompression or read error in plain words. */
function describeReadError(cause: unknown, compression: InputFormat['compression']): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (compression !== undefined) {
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String((cause as Error).message)))
      return `truncated ${compression} data: the file ends inside its compressed data (the lines before the cut were read)`;
    if (code === 'Z_DATA_ERROR' || code === 'ERR__ZSTD_INVALID_PARAM')
      return `corrupt ${compression} data (the lines before the damage were read)`;
  }
  return describeFsError(cause);
}

/**
 * Reads the front of a byte stream for sniffing, keeping the iterator for the rest: at least `min`
 * bytes, or fewer when a line has ended before them, so that a stream which writes one short line
 * and then waits (`tail -F … | portscan send --follow -`) is read at once. No magic number of
 * {@link sniffCompression} contains a line feed, so a head cut at one is still recognized.
 */
async function readHead(
  iterator: AsyncIterator<Buffer | string>,
  min: number,
): Promise<{ head: Buffer; done: boolean }> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < min) {
    const next = await iterator.next();
    if (next.done === true) return { head: Buffer.concat(parts), done: true };
    const buf = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    parts.push(buf);
    length += buf.length;
    if (buf.includes(0x0a)) break;
  }
  return { head: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), done: false };
}

/** How `readInput` gives the lines. */
export interface ReadOptions {
  readonly maxLineChars: number;
  /**
   * Give the lines of a UTF-8 text input as bytes (`splitLineBytes`), for worker threads that decode
   * them; other inputs (UTF-16, Parquet) and lines over the limit come as `lines` all the same.
   */
  readonly asBytes?: boolean;
}

/**
 * Reads one input as chunks of lines: first a `format` event, then `lines` events, and at most
 * one `problem` event, last (an input that cannot be opened or read, or is cut short; the lines
 * read before the problem have been given). Never throws for a problem of the input itself.
 */
export async function* readInput(input: CliInput, options: ReadOptions): AsyncGenerator<InputEvent> {
  let raw: Readable;
  try {
    raw = input.open();
  } catch (cause) {
    yield { kind: 'problem', problem: { input: input.name, reason: describeFsError(cause) } };
    return;
  }
  try {
    yield* readOpened(input, raw, options);
  } finally {
    // Stopped early (the output closed) or done: the file is closed either way.
    raw.destroy();
  }
}

async function* readOpened(input: CliInput, raw: Readable, options: ReadOptions): AsyncGenerator<InputEvent> {
  let sourceBytes = 0;
  let compression: InputFormat['compression'];
  const rawIterator = (raw as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let head: Buffer;
  let rawDone: boolean;
  try {
    ({ head, done: rawDone } = await readHead(rawIterator, 8));
  } catch (cause) {
    yield { kind: 'problem', problem: { input: input.name, reason: describeFsError(cause) } };
    return;
  }
  const sniffed = sniffCompression(head, input.name);
  if ('problem' in sniffed) {
    raw.destroy();
    yield { kind: 'problem', problem: sniffed.problem };
    return;
  }
  if (sniffed.compression === 'parquet') {
    // Parquet is read from its footer: a file on disk, row group by row group, as JSON lines.
    raw.destroy();
    if (input.path === undefined) {
      yield {
        kind: 'problem',
        problem: {
          input: input.name,
          reason: 'Parquet data on a pipe, which can be read only from a file (its index is at the end)',
          remedy: 'save it to a file and give the file',
        },
      };
      return;
    }
    const { parquetLines } = await import('./parquetLines.js');
    yield { kind: 'format', compression: undefined, encoding: 'utf-8', encodingGuessed: false };
    try {
      let last: LineChunk | undefined;
      // Progress counts a Parquet file whole when it is read: its rows do not map to its bytes.
      for await (const chunk of splitLines(parquetLines(input.path), options.maxLineChars)) {
        last = chunk;
        yield { kind: 'lines', sourceBytes: 0, ...chunk };
      }
      yield {
        kind: 'lines',
        sourceBytes: input.sizeBytes ?? 0,
        lines: [],
        lineNumbers: [],
        tooLong: [],
        textBytes: last?.textBytes ?? 0,
      };
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.replace(`${input.path}: `, '') : String(cause);
      yield { kind: 'problem', problem: { input: input.name, reason } };
    }
    return;
  }
  compression = sniffed.compression;
  async function* rawBytes(): AsyncGenerator<Buffer> {
    sourceBytes += head.length;
    if (head.length > 0) yield head;
    if (rawDone) return;
    for (;;) {
      const next = await rawIterator.next();
      if (next.done === true) return;
      const buf = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      sourceBytes += buf.length;
      yield buf;
    }
  }
  let text: AsyncIterable<Buffer | string>;
  if (compression === undefined) text = rawBytes();
  else {
    const inflate =
      compression === 'gzip' ? zlib.createGunzip() : (createZstdDecompress as () => zlib.Gunzip)();
    const source = Readable.from(rawBytes(), { objectMode: false });
    source.on('error', (e) => inflate.destroy(e));
    text = source.pipe(inflate);
  }
  const textIterator = text[Symbol.asyncIterator]();
  const problem = (cause: unknown): InputEvent => ({
    kind: 'problem',
    problem: { input: input.name, reason: describeReadError(cause, compression) },
  });
  let textHead: Buffer;
  let textDone: boolean;
  try {
    ({ head: textHead, done: textDone } = await readHead(textIterator, 64));
  } catch (cause) {
    yield problem(cause);
    return;
  }
  const { encoding, guessed } = sniffEncoding(textHead);
  yield { kind: 'format', compression, encoding, encodingGuessed: guessed };
  async function* allText(): AsyncGenerator<Buffer> {
    if (textHead.length > 0) yield textHead;
    if (textDone) return;
    for (;;) {
      const next = await textIterator.next();
      if (next.done === true) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  }
  // A read error ends the lines without the partial line before it, which was cut.
  try {
    if (options.asBytes === true && encoding === 'utf-8') {
      for await (const { bytes, ...chunk } of splitLineBytes(allText(), options.maxLineChars))
        yield { kind: 'lines', sourceBytes, ...chunk, ...(bytes === undefined ? {} : { bytes }) };
    } else {
      for await (const chunk of splitLines(allText(), options.maxLineChars, encoding)) {
        yield { kind: 'lines', sourceBytes, ...chunk };
      }
    }
  } catch (cause) {
    yield problem(cause);
  }
}
