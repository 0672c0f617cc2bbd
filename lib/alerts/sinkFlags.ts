import type { SinkConfig } from '../config/appSettings.js';
import { UsageError } from '../errors.js';
import { signingKeyOf } from './sinks/SignedWebhookSink.js';

/** `node:util` `parseArgs` options of the sink flags; every one may be repeated. */
export const SINK_FLAG_OPTIONS = {
  teams: { type: 'string', multiple: true },
  slack: { type: 'string', multiple: true },
  webhook: { type: 'string', multiple: true },
  'webhook-secret': { type: 'string', multiple: true },
} as const;

/** Usage lines of the sink flags, in the CLI's help format. */
export const SINK_FLAGS_USAGE = [
  '  --teams URL              also post each alert to a Teams Workflows webhook (repeatable)',
  '  --slack URL              also post each alert to a Slack incoming webhook (repeatable)',
  '  --webhook URL --webhook-secret whsec_...',
  '                           also POST each alert, signed per Standard Webhooks (repeatable;',
  '                           each --webhook takes the --webhook-secret that follows it)',
].join('\n');

/** A `parseArgs` token (`tokens: true`); only option tokens named after a sink flag are read. */
export interface SinkFlagToken {
  readonly kind: string;
  readonly name?: string;
  readonly value?: string | undefined;
}

const WEBHOOK_URL = /^https?:\/\/[^\s]+$/;

/**
 * The webhook sinks of the CLI, from its flags in command-line order: `--teams URL`,
 * `--slack URL`, `--webhook URL` followed by its `--webhook-secret whsec_…`, each repeatable.
 * Sinks are named after their kind and rank: `TEAMS1`, `SLACK1`, `WEBHOOK2`. Pass the result as
 * `sinks` to `createAlertSinks` (with no queue). A pure function.
 *
 * @throws {UsageError} for a URL that is not http(s), a `--webhook-secret` without a `--webhook`
 *   before it (or a second one for the same webhook), a `--webhook` without a secret, or a
 *   malformed secret; messages name the flag and its position, never the URL or the secret
 */
export function sinkConfigsFromFlags(tokens: readonly SinkFlagToken[]): SinkConfig[] {
  const sinks: { name: string; kind: SinkConfig['kind']; url: string; secret?: string }[] = [];
  const counts = { teams: 0, slack: 0, webhook: 0 };
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined || !(token.name in SINK_FLAG_OPTIONS)) continue;
    const value = token.value ?? '';
    if (token.name === 'webhook-secret') {
      const last = sinks[sinks.length - 1];
      if (last === undefined || last.kind !== 'webhook' || last.secret !== undefined) {
        throw new UsageError('--webhook-secret: expected right after the --webhook URL it signs for');
      }
      try {
        signingKeyOf(last.name, value);
      } catch {
        throw new UsageError(
          `--webhook-secret of webhook ${counts.webhook}: expected "whsec_<base64 of 24 to 64 bytes>"; the value is not shown`,
        );
      }
      last.secret = value;
      continue;
    }
    const kind = token.name as SinkConfig['kind'];
    counts[kind]++;
    if (!WEBHOOK_URL.test(value)) {
      throw new UsageError(
        `--${kind} number ${counts[kind]}: expected an http or https URL; the value is not shown`,
      );
    }
    sinks.push({ name: `${kind.toUpperCase()}${counts[kind]}`, kind, url: value });
  }
  const unsigned = sinks.find((s) => s.kind === 'webhook' && s.secret === undefined);
  if (unsigned !== undefined) {
    throw new UsageError(
      `--webhook number ${unsigned.name.slice('WEBHOOK'.length)}: expected a --webhook-secret whsec_... after it`,
    );
  }
  return sinks.map((s) => ({
    name: s.name,
    kind: s.kind,
    url: s.url,
    ...(s.secret === undefined ? {} : { secret: s.secret }),
  }));
}
