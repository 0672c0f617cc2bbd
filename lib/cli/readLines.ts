import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { parquetLines } from './parquetLines.js';

/** One input of the CLI: a file or stdin (`-`). */
export interface CliInput {
  readonly name: string;
  readonly sizeBytes: number | undefined;
  open(): Readable;
}

/**
 * Checks every path before any work starts, so that a typo fails fast with a clear message.
 * `-` is stdin. Files ending in `.gz` are decompressed on the fly; files ending in `.parquet` are
 * read as JSON lines of their rows (`parquetLines`).
 *
 * @throws {InputError} for a missing, unreadable or non-regular file
 */
export async function resolveInputs(paths: readonly string[], stdin: Readable): Promise<CliInput[]> {
  const inputs: CliInput[] = [];
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ name: '-', sizeBytes: undefined, open: () => stdin });
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new InputError(
        code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? 'error'})`,
        { cause, context: { path } },
      );
    }
    if (!info.isFile()) throw new InputError(`${path}: not a regular file`, { context: { path } });
    if (path.endsWith('.parquet')) {
      inputs.push({ name: path, sizeBytes: info.size, open: () => Readable.from(parquetLines(path)) });
      continue;
    }
    const gz = path.endsWith('.gz');
    inputs.push({
      name: path,
      sizeBytes: info.size,
      open: () => {
        const file = createReadStream(path, { highWaterMark: 1 << 20 });
        return gz ? file.pipe(createGunzip()) : file;
      },
    });
  }
  return inputs;
}

/**
 * Reads a stream as UTF-8 lines (without the line break), in chunks of text; a partial line at a
 * chunk's end is carried over. `afterChunk` runs after each chunk's lines with the chunk's raw
 * size; when it returns a promise, reading waits for it (output back-pressure).
 *
 * A line longer than `maxLineChars` is not kept whole: its first part is passed with `tooLong`
 * set, so that memory stays bounded on a file without line breaks.
 */
export async function forEachLine(
  stream: Readable,
  maxLineChars: number,
  onLine: (line: string, lineNumber: number, tooLong: boolean) => void,
  afterChunk?: (bytes: number) => Promise<void> | undefined,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNumber = 0;
  let skippingLongLine = false;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const text = carry + decoder.write(buf);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      lineNumber++;
      if (skippingLongLine) skippingLongLine = false;
      else onLine(text.slice(start, nl), lineNumber, false);
      start = nl + 1;
    }
    carry = text.slice(start);
    if (carry.length > maxLineChars) {
      if (!skippingLongLine) onLine(carry.slice(0, 256), lineNumber + 1, true);
      skippingLongLine = true;
      carry = '';
    }
    const wait = afterChunk?.(buf.length);
    if (wait !== undefined) await wait;
  }
  carry += decoder.end();
  if (carry.length > 0 && !skippingLongLine) onLine(carry, lineNumber + 1, false);
}
