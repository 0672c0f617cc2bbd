import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type InputEvent, readInput, resolveInputs } from '../../../lib/cli/inputs.js';
import { linesOfBytes } from '../../../lib/cli/readLines.js';

/** An input that stays open, as stdin under `tail -F … | portscan send --follow -` does. */
function openStream(): { stream: PassThrough; events: AsyncGenerator<InputEvent> } {
  const stream = new PassThrough();
  const events = readInput(
    { name: 'stdin', sizeBytes: undefined, open: () => stream },
    { maxLineChars: 1_000 },
  );
  return { stream, events };
}

describe('CLI inputs: a stream that waits', () => {
  it('gives a short first line before any more bytes arrive', async () => {
    const { stream, events } = openStream();
    stream.write('short\n');
    expect((await events.next()).value).toMatchObject({
      kind: 'format',
      compression: undefined,
      encoding: 'utf-8',
    });
    expect((await events.next()).value).toMatchObject({ kind: 'lines', lines: ['short'] });
    stream.end('second\n');
    expect((await events.next()).value).toMatchObject({ kind: 'lines', lines: ['second'] });
    expect((await events.next()).done).toBe(true);
  });

  it('still recognizes gzip whose header holds a line feed', async () => {
    // The gzip header's modification time is the fifth to eighth bytes: 0x0a there is a line feed.
    const gzip = gzipSync('a gzip line\n');
    gzip.writeUInt32LE(0x0a0a0a0a, 4);
    const { stream, events } = openStream();
    stream.end(gzip);
    expect((await events.next()).value).toMatchObject({ kind: 'format', compression: 'gzip' });
    expect((await events.next()).value).toMatchObject({ kind: 'lines', lines: ['a gzip line'] });
  });

  it('recognizes UTF-16 without a byte order mark from a short first line', async () => {
    const { stream, events } = openStream();
    stream.write(Buffer.from('ab\n', 'utf16le'));
    expect((await events.next()).value).toMatchObject({
      kind: 'format',
      encoding: 'utf-16le',
      encodingGuessed: true,
    });
    expect((await events.next()).value).toMatchObject({ kind: 'lines', lines: ['ab'] });
    stream.end();
  });
});

describe('CLI inputs: small files read ahead', () => {
  it('gives the events of the file read as a stream, for every shape and both ways of giving lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portscan-ahead-'));
    try {
      const files: Record<string, Buffer> = {
        empty: Buffer.alloc(0),
        'no-line-break': Buffer.from('one\ntwo'),
        crlf: Buffer.from('one\r\ntwo\r\n'),
        mark: Buffer.from('\ufeffone\n'),
        'short-mark': Buffer.from('\ufeff'),
        gzip: gzipSync('a gzip line\nanother\n'),
        utf16: Buffer.from('\ufeffab\ncd\n', 'utf16le'),
        'over-limit': Buffer.from(`${'x'.repeat(3000)}\nafter\n`),
        large: Buffer.from('y\n'.repeat(300_000)),
        missing: Buffer.from('gone before it is read\n'),
      };
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
      /** What a reader sees of an input's events, however its bytes were cut into reads. */
      const seen = (events: InputEvent[]) => {
        const lines: [number, string, boolean][] = [];
        let last: InputEvent | undefined;
        const other: InputEvent[] = [];
        for (const e of events) {
          if (e.kind !== 'lines') other.push(e);
          else {
            last = e;
            if (e.bytes !== undefined) {
              const decoded = linesOfBytes(e.bytes);
              for (const [i, line] of decoded.lines.entries())
                lines.push([decoded.lineNumbers[i] as number, line, false]);
            }
            for (const [i, line] of e.lines.entries())
              lines.push([e.lineNumbers[i] as number, line, e.tooLong[i] as boolean]);
          }
        }
        const end = last?.kind === 'lines' ? [last.sourceBytes, last.textBytes] : [];
        return { other, lines, end };
      };
      const read = async (ahead: boolean, asBytes: boolean) => {
        const { inputs } = await resolveInputs([dir], new PassThrough());
        // Removed after it was listed and before it is read: a problem either way.
        unlinkSync(join(dir, 'missing'));
        if (ahead) for (const input of inputs) input.readAhead?.();
        const all: ReturnType<typeof seen>[] = [];
        for (const input of inputs) {
          const events: InputEvent[] = [];
          for await (const e of readInput(input, { maxLineChars: 1_000, asBytes })) events.push(e);
          all.push(seen(events));
        }
        writeFileSync(join(dir, 'missing'), files.missing as Buffer);
        return all;
      };
      for (const asBytes of [false, true]) {
        const streamed = await read(false, asBytes);
        expect(streamed.some((input) => input.other.some((e) => e.kind === 'problem'))).toBe(true);
        expect(streamed.map((input) => input.lines.length)).toContain(300_000);
        expect(await read(true, asBytes)).toEqual(streamed);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
