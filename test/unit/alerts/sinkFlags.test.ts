import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SINK_FLAG_OPTIONS, sinkConfigsFromFlags } from '../../../lib/alerts/sinkFlags.js';
import { UsageError } from '../../../lib/errors.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** The flags as the CLI would parse them: `parseArgs` with `tokens: true`. */
function flags(args: string[]) {
  const { tokens } = parseArgs({
    args,
    options: SINK_FLAG_OPTIONS,
    tokens: true,
    allowPositionals: true,
    strict: true,
  });
  return sinkConfigsFromFlags(tokens);
}

describe('Sink flags: parsing', () => {
  it('builds one sink per flag, named by kind and rank, in command-line order', () => {
    expect(
      flags([
        '--teams',
        'https://prod.logic.azure.com/workflows/1?sig=a',
        '--slack',
        'https://hooks.slack.com/services/T/B/x',
        '--webhook',
        'https://receiver.example/a',
        '--webhook-secret',
        SECRET,
        '--teams',
        'https://prod.logic.azure.com/workflows/2?sig=b',
        'input.jsonl',
      ]),
    ).toEqual([
      { name: 'TEAMS1', kind: 'teams', url: 'https://prod.logic.azure.com/workflows/1?sig=a' },
      { name: 'SLACK1', kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x' },
      { name: 'WEBHOOK1', kind: 'webhook', url: 'https://receiver.example/a', secret: SECRET },
      { name: 'TEAMS2', kind: 'teams', url: 'https://prod.logic.azure.com/workflows/2?sig=b' },
    ]);
  });

  it('pairs each secret with the webhook before it', () => {
    const other = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
    expect(
      flags([
        '--webhook',
        'http://a.example',
        '--webhook-secret',
        SECRET,
        '--webhook',
        'http://b.example',
        '--webhook-secret',
        other,
      ]),
    ).toEqual([
      { name: 'WEBHOOK1', kind: 'webhook', url: 'http://a.example', secret: SECRET },
      { name: 'WEBHOOK2', kind: 'webhook', url: 'http://b.example', secret: other },
    ]);
  });

  it('gives no sinks without sink flags', () => {
    expect(flags(['input.jsonl'])).toEqual([]);
  });
});

describe('Sink flags: errors', () => {
  it.each([
    [
      ['--teams', 'ftp://x.example/s3cr3t'],
      '--teams number 1: expected an http or https URL; the value is not shown',
    ],
    [
      ['--slack', 'not a url s3cr3t'],
      '--slack number 1: expected an http or https URL; the value is not shown',
    ],
    [
      ['--webhook', 'https://x.example/s3cr3t'],
      '--webhook number 1: expected a --webhook-secret whsec_... after it',
    ],
    [['--webhook-secret', SECRET], '--webhook-secret: expected right after the --webhook URL it signs for'],
    [
      ['--webhook', 'https://x.example', '--webhook-secret', SECRET, '--webhook-secret', SECRET],
      '--webhook-secret: expected right after the --webhook URL it signs for',
    ],
    [
      ['--webhook', 'https://x.example', '--webhook-secret', 'whsec_s3cr3t'],
      '--webhook-secret of webhook 1: expected "whsec_<base64 of 24 to 64 bytes>"; the value is not shown',
    ],
    [
      ['--webhook', 'https://x.example', '--webhook-secret', `whsec_${Buffer.alloc(16).toString('base64')}`],
      '--webhook-secret of webhook 1: expected "whsec_<base64 of 24 to 64 bytes>"; the value is not shown',
    ],
  ])('rejects %j without quoting a value', (args, message) => {
    let thrown: unknown;
    try {
      flags(args);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toBe(message);
    expect((thrown as UsageError).message).not.toMatch(/s3cr3t|whsec_[A-Za-z0-9]/);
  });
});
