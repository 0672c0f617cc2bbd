import type { Alert, AlertConversation } from '../../schema/Alert.js';
import { renderAlertLink } from './alertLink.js';
import {
  alertStanding,
  breakAutoLinks,
  formatCount,
  formatPortRanges,
  formatSeen,
  formatWindow,
  joinWithinLimit,
  mitreTechniqueUrl,
  toSingleLine,
  truncateText,
  windowMinutes,
} from './alertText.js';
import { conversationUpdateText } from './conversationText.js';
import {
  deviceItems,
  formatReached,
  formatTargetsSummary,
  moreDevices,
  targetItems,
} from './evidenceText.js';

/** A Block Kit block, as JSON. */
export type SlackBlock = Readonly<Record<string, unknown>>;

/** The body of a Slack incoming webhook: `text` is the notification fallback, `blocks` the message. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

export interface SlackMessageOptions {
  /** `PORTSCAN_ALERT_LINK_TEMPLATE`; when set (and rendering an https URL) the message has a button. */
  readonly linkTemplate?: string | undefined;
}

/**
 * Escapes a string from a log for Slack `mrkdwn`: control characters become spaces, `&`, `<` and
 * `>` become `&amp;`, `&lt;` and `&gt;` (the three characters Slack reserves: no `<url|text>`
 * link, `<!channel>` or `<@U…>` mention can be formed), and bare URLs and `@here`/`@channel`/
 * `@everyone` are broken with a zero-width space. Slack has no escape for `*`, `_`, `~` and
 * backticks; `toSlackCode` puts a value in a code span where they do not format.
 */
export function escapeSlackMrkdwn(text: string): string {
  return breakAutoLinks(
    toSingleLine(text).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')),
  );
}

/** A log string as an inline code span: escaped, with backticks replaced by `ˋ` so it cannot close the span. */
export function toSlackCode(text: string): string {
  return `\`${escapeSlackMrkdwn(text).replace(/`/g, 'ˋ')}\``;
}

/** Characters of a text object (Slack allows 3000 in a section, 2000 in a field). */
const LIMITS = {
  header: 150,
  source: 100,
  reporter: 100,
  reporters: 2800,
  ports: 2000,
  rule: 200,
  mitreItems: 10,
  reached: 500,
  device: 100,
  evidence: 2800,
} as const;

/**
 * The Slack incoming-webhook message of an alert, in Block Kit: a header (the display name, as
 * `plain_text`, which Slack never formats), the severity and count, a field grid (source, ports,
 * window, seen, severity, MITRE ATT&CK), the ports as ranges, the reporters, the rule and alert
 * id, and a button when a link template is configured. `text` is the notification fallback.
 * Every `mrkdwn` object is `verbatim` (Slack does not auto-link or parse mentions in it); every
 * string is escaped, and the log strings (source, reporters) are in code spans. A pure function.
 */
export function toSlackMessage(alert: Alert, options: SlackMessageOptions = {}): SlackMessage {
  if (alert.Conversation !== undefined) return toSlackUpdate(alert, alert.Conversation, options);
  const count = formatCount(alert.AttemptedPortsCount);
  const minutes = windowMinutes(alert);
  const source = toSlackCode(truncateText(alert.SrcIpAddr, LIMITS.source));
  const ports = formatPortRanges(alert.AttemptedPorts, LIMITS.ports);
  const unlisted = alert.AttemptedPortsCount - ports.shown;
  const portsTitle =
    unlisted > 0 ? `*Ports* (smallest ${formatCount(ports.shown)} of ${count})` : `*Ports* (${count})`;
  const reporters = joinWithinLimit(
    alert.ReportedBy.map((r) => `• ${toSlackCode(truncateText(r, LIMITS.reporter))}`),
    '\n',
    LIMITS.reporters,
    (n) => `• and ${formatCount(n)} more`,
  );
  const standing = alertStanding(alert);
  const summary = `*${alert.Severity}* severity · ${count} ports in ${minutes} minutes${standing.tags}`;
  const link = renderAlertLink(options.linkTemplate, alert);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: breakAutoLinks(
          toSingleLine(truncateText(`${standing.titlePrefix}${alert.AlertDisplayName}`, LIMITS.header)),
        ),
        emoji: false,
      },
    },
    { type: 'section', text: mrkdwn(summary) },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Source*\n${source}`),
        mrkdwn(`*Ports*\n${count} distinct (threshold ${formatCount(alert.Threshold)})`),
        mrkdwn(`*Window*\n${formatWindow(alert)}`),
        mrkdwn(`*Seen*\n${formatSeen(alert)}, ${formatCount(alert.EventCount)} events`),
        mrkdwn(`*Severity*\n${alert.Severity}`),
        mrkdwn(`*MITRE ATT&amp;CK*\n${formatMitre(alert)}`),
        ...standing.facts.map((f) => mrkdwn(`*${f.title}*\n${escapeSlackMrkdwn(f.value)}`)),
      ],
    },
    { type: 'section', text: mrkdwn(`${portsTitle}\n\`${ports.text === '' ? 'none listed' : ports.text}\``) },
    { type: 'section', text: mrkdwn(`*Reported by*\n${reporters === '' ? 'none' : reporters}`) },
    ...evidenceBlocks(alert),
    {
      type: 'context',
      elements: [
        mrkdwn(
          `${escapeSlackMrkdwn(truncateText(`${alert.RuleName} ${alert.RuleVersion}`, LIMITS.rule))} · alert \`${escapeSlackMrkdwn(alert.AlertId)}\``,
        ),
      ],
    },
    ...(link === undefined
      ? []
      : [
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                text: { type: 'plain_text', text: 'Investigate', emoji: false },
                url: link,
              },
            ],
          },
        ]),
  ];
  const text = `${standing.titlePrefix}Potential port scan from ${source}: ${count} ports in ${minutes} minutes (${alert.Severity})`;
  return { text, blocks };
}

/**
 * The evidence: a field grid (ports reached, targets), then the most-probed targets and the
 * reporting devices with their events (device names in code spans). None for an alert without it.
 */
/** The short "still scanning" message of a conversation update: the running totals, no port list. */
function toSlackUpdate(
  alert: Alert,
  conversation: AlertConversation,
  options: SlackMessageOptions,
): SlackMessage {
  const text = conversationUpdateText(alert, conversation);
  const link = renderAlertLink(options.linkTemplate, alert);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: breakAutoLinks(toSingleLine(truncateText(text.title, LIMITS.header))),
        emoji: false,
      },
    },
    { type: 'section', text: mrkdwn(escapeSlackMrkdwn(text.summary)) },
    {
      type: 'section',
      fields: text.facts.map((f) =>
        mrkdwn(`*${f.title}*\n${escapeSlackMrkdwn(truncateText(f.value, LIMITS.source))}`),
      ),
    },
    { type: 'context', elements: [mrkdwn(escapeSlackMrkdwn(text.note))] },
    ...(link === undefined
      ? []
      : [
          {
            type: 'actions',
            elements: [
              { type: 'button', text: { type: 'plain_text', text: 'Investigate', emoji: false }, url: link },
            ],
          },
        ]),
  ];
  return { text: `${text.title}: ${text.summary}`, blocks };
}

function evidenceBlocks(alert: Alert): SlackBlock[] {
  const e = alert.Evidence;
  if (e === undefined) return [];
  const targets = targetItems(e).map(([address, ports]) => `• ${toSlackCode(address)} · ${ports}`);
  const more = moreDevices(e);
  const devices = joinWithinLimit(
    [
      ...deviceItems(e).map(
        ([name, events]) => `• ${toSlackCode(truncateText(name, LIMITS.device))} · ${events}`,
      ),
      ...(more === '' ? [] : [`• ${more}`]),
    ],
    '\n',
    LIMITS.evidence,
    (n) => `• and ${formatCount(n)} more`,
  );
  return [
    {
      type: 'section',
      fields: [
        mrkdwn(`*Reached*\n${formatReached(e, alert.AttemptedPortsCount, LIMITS.reached)}`),
        mrkdwn(`*Targets*\n${formatTargetsSummary(e)}`),
      ],
    },
    ...(targets.length === 0
      ? []
      : [{ type: 'section', text: mrkdwn(`*Most-probed targets*\n${targets.join('\n')}`) }]),
    {
      type: 'section',
      text: mrkdwn(`*Reporting devices*\n${devices === '' ? 'none named by the logs' : devices}`),
    },
  ];
}

function mrkdwn(text: string): SlackBlock {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** `Discovery · <https://attack.mitre.org/techniques/T1046/|T1046>`: links only for well-formed technique ids. */
function formatMitre(alert: Alert): string {
  // Tactics and techniques come from the rule, not from logs: escaped, but not set in code.
  const tactics = alert.Tactics.slice(0, LIMITS.mitreItems).map((t) =>
    escapeSlackMrkdwn(truncateText(t, 40)),
  );
  const techniques = alert.Techniques.slice(0, LIMITS.mitreItems).map((t) => {
    const url = mitreTechniqueUrl(t);
    return url === undefined ? escapeSlackMrkdwn(truncateText(t, 40)) : `<${url}|${t}>`;
  });
  const text = [...tactics, ...techniques].join(' · ');
  return text === '' ? 'none' : text;
}
