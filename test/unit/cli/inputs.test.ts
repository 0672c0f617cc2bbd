import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type InputEvent, readInput } from '../../../lib/cli/inputs.js';

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
