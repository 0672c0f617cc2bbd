import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ItemSplitter } from '../../../../lib/sources/pipeline/ItemSplitter.js';
import { fill, superlinearGrowth } from '../../../support/fuzzInputs.js';

function split(text: string, maxDocumentChars = 10_000) {
  const items: unknown[] = [];
  const splitter = new ItemSplitter(
    {
      json: (r, l) => items.push(['json', r, l.line, l.record]),
      text: (t, l) => items.push(['text', t, l.line]),
      invalid: (reason, _d, l) => items.push(['invalid', reason, l.line]),
      skip: (reason, l) => items.push(['skip', reason, l.line]),
    },
    { input: 't', maxDocumentChars },
  );
  text.split('\n').forEach((line, i) => {
    splitter.line(line, i + 1);
  });
  splitter.end();
  return items;
}

describe('ItemSplitter', () => {
  it('reads JSON lines, arrays and envelopes record by record', () => {
    expect(split('{"a":1}\n[{"b":2},{"c":3}]\n{"records":[{"d":4}]}')).toEqual([
      ['json', { a: 1 }, 1, undefined],
      ['json', { b: 2 }, 2, 0],
      ['json', { c: 3 }, 2, 1],
      ['json', { d: 4 }, 3, 0],
    ]);
  });

  it('reads a pretty-printed envelope spread over many lines', () => {
    const doc = JSON.stringify({ records: [{ a: 1 }, { b: '}' }] }, null, 2);
    expect(split(`${doc}\n{"after":true}`)).toEqual([
      ['json', { a: 1 }, 1, 0],
      ['json', { b: '}' }, 1, 1],
      ['json', { after: true }, doc.split('\n').length + 1, undefined],
    ]);
  });

  it('reads the log events of a CloudWatch Logs payload as lines, and skips a control message', () => {
    const data = JSON.stringify({
      messageType: 'DATA_MESSAGE',
      logGroup: 'g',
      logEvents: [
        { id: '1', timestamp: 1, message: '2 123456789010 eni-1 a b' },
        { id: '2', timestamp: 1, message: '  ' },
        { id: '3', timestamp: 1, message: '{"k":1}' },
        { id: '4', timestamp: 1 },
      ],
    });
    const control = JSON.stringify({
      messageType: 'CONTROL_MESSAGE',
      logEvents: [{ message: 'CWL CONTROL' }],
    });
    const lambda = JSON.stringify({
      awslogs: { data: gzipSync(Buffer.from(data)).toString('base64') },
    });
    expect(split(`${data}\n${control}\n${lambda}\n{"awslogs":{"data":"bm90IGd6aXA="}}`)).toEqual([
      ['text', '2 123456789010 eni-1 a b', 1],
      ['json', { k: 1 }, 1, 2],
      ['invalid', 'log event without a message', 1],
      ['skip', 'CloudWatch Logs control message', 2],
      ['text', '2 123456789010 eni-1 a b', 3],
      ['json', { k: 1 }, 3, 2],
      ['invalid', 'log event without a message', 3],
      ['invalid', 'awslogs.data: corrupt gzip', 4],
    ]);
  });

  it('stops a compressed awslogs payload at the document limit', () => {
    const big = JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ message: 'x'.repeat(50_000) }] });
    const lambda = JSON.stringify({ awslogs: { data: gzipSync(Buffer.from(big)).toString('base64') } });
    expect(split(lambda, 10_000)).toEqual([['invalid', 'awslogs.data: over the size limit', 1]]);
  });

  it('passes text lines through and skips blank lines', () => {
    expect(split('<134>Nov 24 host app: hello\n\n   \n2 123 eni-1 x')).toEqual([
      ['text', '<134>Nov 24 host app: hello', 1],
      ['text', '2 123 eni-1 x', 4],
    ]);
  });

  it('reports a truncated JSON line without losing the good lines after it', () => {
    expect(split('{"a":1,"b":\n{"c":3}\n{"d":4')).toEqual([
      ['invalid', 'malformed JSON', 1],
      ['json', { c: 3 }, 2, undefined],
      ['invalid', 'malformed JSON', 3],
    ]);
  });

  it('takes the lines of an unclosed multi-line document again one by one', () => {
    expect(split('{\n  "records": [\n{"x":1}\n{"y":2}')).toEqual([
      ['invalid', 'malformed JSON', 1],
      ['text', '"records": [', 2],
      ['json', { x: 1 }, 3, undefined],
      ['json', { y: 2 }, 4, undefined],
    ]);
  });

  it('takes every line after two unclosed opener lines, none left over at the end', () => {
    // Found by the fuzzer: the second opener, taken again, opened a document that `end()` dropped
    // with every record after it, uncounted.
    expect(split('{"records":[\n{"records":[\n{"a":1}\n{"b":2}')).toEqual([
      ['invalid', 'malformed JSON', 1],
      ['invalid', 'malformed JSON', 2],
      ['json', { a: 1 }, 3, undefined],
      ['json', { b: 2 }, 4, undefined],
    ]);
  });

  it('reads a pretty-printed document that follows a truncated one', () => {
    expect(split('{"a":[\n{\n  "b": 1\n}\n{"c":2}')).toEqual([
      ['invalid', 'malformed JSON', 1],
      ['json', { b: 1 }, 2, undefined],
      ['json', { c: 2 }, 5, undefined],
    ]);
  });

  it.each([
    ['unclosed opener lines', (chars: number) => fill('', '[\n', chars)],
    ['an unclosed envelope of records', (chars: number) => fill('{"records":[\n', '{"x":1},\n', chars)],
  ])('takes %s again in time linear in their number', (_label, make) => {
    // Each abandoned document used to be fed again whole, opening the next one: quadratic.
    const growth = superlinearGrowth((text: string) => split(text, 2_000), make);
    expect(growth).toBeUndefined();
  });

  it('treats a scalar that is valid JSON as a text line', () => {
    expect(split('123\n"quoted"')).toEqual([
      ['text', '123', 1],
      ['text', '"quoted"', 2],
    ]);
  });

  it('reports non-object array elements', () => {
    expect(split('[1,{"a":1},null]')).toEqual([
      ['invalid', 'record is not an object', 1],
      ['json', { a: 1 }, 1, 1],
      ['invalid', 'record is not an object', 1],
    ]);
  });
});
