import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FramedMessage,
  type FrameItem,
  isLineSafe,
  MessageFramer,
  TOO_LARGE,
} from '../../../lib/cli/MessageFramer.js';
import { ItemSplitter } from '../../../lib/sources/pipeline/ItemSplitter.js';

/** The items of one message body, read back with the splitter the function uses. */
function itemsOf(body: Buffer): FrameItem[] {
  const items: FrameItem[] = [];
  const splitter = new ItemSplitter(
    {
      json: (record) => items.push({ json: record }),
      text: (text) => items.push({ text }),
      invalid: (reason) => {
        throw new Error(`a framed message holds an invalid item: ${reason}`);
      },
      skip: (reason) => {
        throw new Error(`a framed message holds a skipped envelope: ${reason}`);
      },
    },
    { input: 'message', maxDocumentChars: 1 << 24 },
  );
  body
    .toString('utf8')
    .split('\n')
    .forEach((line, i) => {
      splitter.line(line, i + 1);
    });
  splitter.end();
  return items;
}

const key = (items: readonly FrameItem[]) => JSON.stringify(items);

type Op =
  | { readonly op: 'item'; readonly item: FrameItem }
  | { readonly op: 'header'; readonly item: FrameItem; readonly fresh: boolean }
  | { readonly op: 'input' };

const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }),
  // Strings a line cannot carry as they are: they must travel as JSON strings.
  fc.constantFrom(
    ' leading blank',
    '{"looks":"like JSON"}',
    '[1,2]',
    'two\nlines',
    'ends with CR\r',
    '\ttab',
    '',
  ),
);
const json = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null)),
  { maxKeys: 5 },
);
const item: fc.Arbitrary<FrameItem> = fc.oneof(
  text.map((t) => ({ text: t })),
  json.map((j) => ({ json: j })),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: item.map((i) => ({ op: 'item' as const, item: i })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ minLength: 1, maxLength: 30 }), fc.boolean())
      .map(([t, fresh]) => ({ op: 'header' as const, item: { text: `#hdr ${t}` }, fresh })),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'input' as const }) },
);

describe('MessageFramer', () => {
  it('keeps every message within its limits, never splits an item, and heads each with the header lines its items were read under', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 120 }),
        fc.integer({ min: 40, max: 600 }),
        fc.integer({ min: 1, max: 12 }),
        (ops, maxBytes, maxItems) => {
          const messages: FramedMessage[] = [];
          const framer = new MessageFramer({ maxMessageBytes: maxBytes, maxItemsPerMessage: maxItems }, (m) =>
            messages.push(m),
          );
          const expected: string[] = [];
          let header: FrameItem[] = [];
          let refused = 0;
          for (const o of ops) {
            if (o.op === 'input') {
              framer.startInput();
              header = [];
            } else if (o.op === 'header') {
              framer.addHeader(o.item, o.fresh);
              header = o.fresh ? [] : [...header, o.item];
            } else if (framer.add(o.item) === TOO_LARGE) refused++;
            else expected.push(key([...header, o.item]));
          }
          framer.flush();

          const found: string[] = [];
          for (const m of messages) {
            expect(m.body.length).toBeLessThanOrEqual(maxBytes);
            const items = itemsOf(m.body);
            expect(items.length).toBeLessThanOrEqual(maxItems);
            expect(items.length).toBe(m.headerItems + m.records);
            const head = items.slice(0, m.headerItems);
            for (const i of items.slice(m.headerItems)) found.push(key([...head, i]));
          }
          expect(found.sort()).toEqual(expected.sort());
          // Only an item that cannot fit an empty message (with its header lines) is refused.
          expect(refused).toBe(ops.filter((o) => o.op === 'item').length - expected.length);
        },
      ),
      { seed: 16, numRuns: 400 },
    );
  });

  it('packs text lines many to a message, joined by line breaks, and JSON records into one envelope', () => {
    const messages: FramedMessage[] = [];
    const framer = new MessageFramer({ maxMessageBytes: 1000, maxItemsPerMessage: 100 }, (m) =>
      messages.push(m),
    );

    framer.add({ text: '<134>Nov 01 10:00:00 fw1 one' });
    framer.add({ json: { a: 1 } });
    framer.add({ text: '<134>Nov 01 10:00:01 fw1 two' });
    framer.add({ text: ' indented' });
    framer.add({ json: { b: 'x' } });
    framer.flush();

    expect(messages.map((m) => [m.kind, m.body.toString()])).toEqual([
      ['text', '<134>Nov 01 10:00:00 fw1 one\n<134>Nov 01 10:00:01 fw1 two'],
      ['json', '{"records":[{"a":1}," indented",{"b":"x"}]}'],
    ]);
  });

  it('starts a new message when the next item would pass the byte limit, and refuses an item that fits no message', () => {
    const messages: FramedMessage[] = [];
    const framer = new MessageFramer({ maxMessageBytes: 10, maxItemsPerMessage: 100 }, (m) =>
      messages.push(m),
    );

    expect(framer.add({ text: 'aaaa' })).toBeUndefined();
    expect(framer.add({ text: 'bbbbb' })).toBeUndefined(); // 4 + 1 + 5 = 10
    expect(framer.add({ text: 'c' })).toBeUndefined();
    expect(framer.add({ text: 'x'.repeat(11) })).toBe(TOO_LARGE);
    expect(framer.add({ text: 'é'.repeat(6) })).toBe(TOO_LARGE); // 12 bytes in UTF-8
    framer.flush();

    expect(messages.map((m) => m.body.toString())).toEqual(['aaaa\nbbbbb', 'c']);
  });

  it('repeats the header lines at the head of each message, and shares a message across inputs with the same header', () => {
    const messages: FramedMessage[] = [];
    const framer = new MessageFramer({ maxMessageBytes: 40, maxItemsPerMessage: 100 }, (m) =>
      messages.push(m),
    );
    const header = { text: 'version srcaddr dstaddr' };

    framer.addHeader(header, false);
    framer.add({ text: '5 a b' });
    framer.add({ text: '5 c d' });
    framer.startInput();
    framer.addHeader(header, false);
    framer.add({ text: '5 e f' });
    framer.add({ text: '5 g h' });
    framer.startInput();
    framer.add({ text: '2 default' });
    framer.flush();

    expect(messages.map((m) => [m.body.toString(), m.headerItems, m.records])).toEqual([
      ['version srcaddr dstaddr\n5 a b\n5 c d', 1, 2],
      ['version srcaddr dstaddr\n5 e f\n5 g h', 1, 2],
      ['2 default', 0, 1],
    ]);
  });

  it.each([
    ['plain', true],
    ['', false],
    [' x', false],
    ['\tx', false],
    ['\uFEFFx', false],
    ['{x', false],
    ['[x', false],
    ['a\nb', false],
    ['a\r', false],
    ['a\rb', true],
    ['"quoted"', true],
  ])('tells whether %j reads back alone on a line: %s', (value, safe) => {
    expect(isLineSafe(value)).toBe(safe);
  });
});
