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

/** The Adaptive Card schema version we emit: Teams renders up to 1.5; 1.4 also covers older clients. */
export const CARD_VERSION = '1.4';
/** Teams' limit on a webhook message (msteams-docs: "The message size limit is 28 KB"). */
export const TEAMS_MESSAGE_MAX_BYTES = 28 * 1024;

/** An Adaptive Card element or action, as JSON. */
export type CardElement = Readonly<Record<string, unknown>>;

export interface AdaptiveCard {
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly type: 'AdaptiveCard';
  readonly version: typeof CARD_VERSION;
  readonly msteams: { readonly width: 'Full' };
  readonly body: readonly CardElement[];
  readonly actions?: readonly CardElement[];
}

/** The body a Teams Workflows "When a Teams webhook request is received" trigger accepts. */
export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [
    {
      readonly contentType: 'application/vnd.microsoft.card.adaptive';
      readonly contentUrl: null;
      readonly content: AdaptiveCard;
    },
  ];
}

export interface TeamsMessageOptions {
  /** `PORTSCAN_ALERT_LINK_TEMPLATE`; when set (and rendering an https URL) the card has an open-link action. */
  readonly linkTemplate?: string | undefined;
}

/**
 * Escapes a string from a log for an Adaptive Card TextBlock or FactSet, whose text is Markdown
 * (a CommonMark subset: emphasis, links, lists): control characters become spaces (no new block
 * can start), the inline markup characters `\ ` * _ ~ [ ] < > &` are backslash-escaped (no
 * emphasis, link, autolink, HTML tag or entity), a leading `#`, `+`, `-` or `1.`/`1)` is escaped
 * (no heading, list or rule), and bare URLs are broken with a zero-width space (no auto-link). Plain
 * addresses and vendor names such as `Palo Alto Networks/PAN-OS` pass through unchanged.
 */
export function escapeCardMarkdown(text: string): string {
  return breakAutoLinks(
    toSingleLine(text)
      .replace(/[\\`*_~[\]<>&]/g, '\\$&')
      .replace(
        /^(\s*)(?:([#+-])|(\d{1,9})(?=[.)](?:\s|$)))/,
        (_, space: string, sign?: string, digits?: string) =>
          sign === undefined ? `${space}${digits}\\` : `${space}\\${sign}`,
      ),
  );
}

const SEVERITY_STYLE: Readonly<Record<Alert['Severity'], { container: string; color: string }>> = {
  High: { container: 'attention', color: 'Attention' },
  Medium: { container: 'warning', color: 'Warning' },
  Low: { container: 'accent', color: 'Accent' },
  Informational: { container: 'default', color: 'Default' },
};

/** A smoke test's card: the neutral style, whatever the severity. */
const TEST_STYLE = { container: 'default', color: 'Default' } as const;

/** Budgets (characters of escaped text) that keep the worst case far below 28 KB. */
const LIMITS = {
  title: 200,
  source: 100,
  reporter: 100,
  reporters: 3000,
  ports: 2000,
  rule: 200,
  mitreItems: 10,
  reached: 500,
  device: 100,
  devices: 1500,
} as const;

/**
 * The Teams Workflows message of an alert: one Adaptive Card (version 1.4) that reads at a
 * glance: the title, severity and port count, then source, ports count, window, first/last
 * seen, severity, MITRE ATT&CK tactics and techniques, the ports as ranges and the reporters;
 * an `Action.OpenUrl` when a link template is configured. Every string from a log is escaped
 * with `escapeCardMarkdown` and shortened, so the message stays under 28 KB whatever the alert
 * holds. A pure function: the same alert gives the same card.
 */
export function toTeamsMessage(alert: Alert, options: TeamsMessageOptions = {}): TeamsMessage {
  if (alert.Conversation !== undefined) return toTeamsUpdate(alert, alert.Conversation, options);
  const standing = alertStanding(alert);
  const style = standing.isTest ? TEST_STYLE : SEVERITY_STYLE[alert.Severity];
  const count = formatCount(alert.AttemptedPortsCount);
  const minutes = windowMinutes(alert);
  const ports = formatPortRanges(alert.AttemptedPorts, LIMITS.ports);
  const unlisted = alert.AttemptedPortsCount - ports.shown;
  const portsTitle =
    unlisted > 0 ? `Ports (smallest ${formatCount(ports.shown)} of ${count})` : `Ports (${count})`;
  const reporters = joinWithinLimit(
    alert.ReportedBy.map((r) => `- ${escapeCardMarkdown(truncateText(r, LIMITS.reporter))}`),
    '\n',
    LIMITS.reporters,
    (n) => `- and ${formatCount(n)} more`,
  );
  const link = renderAlertLink(options.linkTemplate, alert);
  const body: CardElement[] = [
    {
      type: 'Container',
      style: style.container,
      bleed: true,
      items: [
        {
          type: 'TextBlock',
          text: escapeCardMarkdown(
            truncateText(`${standing.titlePrefix}${alert.AlertDisplayName}`, LIMITS.title),
          ),
          size: 'Large',
          weight: 'Bolder',
          wrap: true,
        },
        {
          type: 'TextBlock',
          text: `${alert.Severity} severity · ${count} ports in ${minutes} minutes${standing.tags}`,
          color: style.color,
          spacing: 'None',
          wrap: true,
        },
      ],
    },
    {
      type: 'FactSet',
      facts: [
        { title: 'Source', value: escapeCardMarkdown(truncateText(alert.SrcIpAddr, LIMITS.source)) },
        { title: 'Ports', value: `${count} distinct (threshold ${formatCount(alert.Threshold)})` },
        { title: 'Window', value: formatWindow(alert) },
        { title: 'Seen', value: `${formatSeen(alert)}, ${formatCount(alert.EventCount)} events` },
        { title: 'Severity', value: alert.Severity },
        { title: 'MITRE ATT&CK', value: formatMitre(alert) },
        ...standing.facts,
        ...evidenceFacts(alert),
      ],
    },
    { type: 'TextBlock', text: portsTitle, weight: 'Bolder', spacing: 'Medium', wrap: true },
    {
      type: 'TextBlock',
      text: ports.text === '' ? 'none listed' : ports.text,
      fontType: 'Monospace',
      spacing: 'Small',
      wrap: true,
    },
    { type: 'TextBlock', text: 'Reported by', weight: 'Bolder', spacing: 'Medium', wrap: true },
    { type: 'TextBlock', text: reporters === '' ? 'none' : reporters, spacing: 'Small', wrap: true },
    ...evidenceBlocks(alert),
    {
      type: 'TextBlock',
      text: `${escapeCardMarkdown(truncateText(`${alert.RuleName} ${alert.RuleVersion}`, LIMITS.rule))} · alert ${escapeCardMarkdown(alert.AlertId)}`,
      isSubtle: true,
      size: 'Small',
      spacing: 'Medium',
      wrap: true,
    },
  ];
  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    msteams: { width: 'Full' },
    body,
    ...(link === undefined ? {} : { actions: [{ type: 'Action.OpenUrl', title: 'Investigate', url: link }] }),
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

/** The short "still scanning" card of a conversation update: the running totals, no port list. */
function toTeamsUpdate(
  alert: Alert,
  conversation: AlertConversation,
  options: TeamsMessageOptions,
): TeamsMessage {
  const text = conversationUpdateText(alert, conversation);
  const style = alert.IsTest ? TEST_STYLE : SEVERITY_STYLE[alert.Severity];
  const link = renderAlertLink(options.linkTemplate, alert);
  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    msteams: { width: 'Full' },
    body: [
      {
        type: 'Container',
        style: style.container,
        bleed: true,
        items: [
          {
            type: 'TextBlock',
            text: escapeCardMarkdown(truncateText(text.title, LIMITS.title)),
            size: 'Medium',
            weight: 'Bolder',
            wrap: true,
          },
          { type: 'TextBlock', text: text.summary, color: style.color, spacing: 'None', wrap: true },
        ],
      },
      {
        type: 'FactSet',
        facts: text.facts.map((f) => ({
          title: f.title,
          value: escapeCardMarkdown(truncateText(f.value, LIMITS.source)),
        })),
      },
      {
        type: 'TextBlock',
        text: escapeCardMarkdown(text.note),
        isSubtle: true,
        size: 'Small',
        spacing: 'Medium',
        wrap: true,
      },
    ],
    ...(link === undefined ? {} : { actions: [{ type: 'Action.OpenUrl', title: 'Investigate', url: link }] }),
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

/** The evidence's one-line facts: ports reached and targets (none for an alert without evidence). */
function evidenceFacts(alert: Alert): CardElement[] {
  const e = alert.Evidence;
  if (e === undefined) return [];
  return [
    { title: 'Reached', value: formatReached(e, alert.AttemptedPortsCount, LIMITS.reached) },
    { title: 'Targets', value: formatTargetsSummary(e) },
  ];
}

/** The evidence's lists: the most-probed targets and the reporting devices with their events. */
function evidenceBlocks(alert: Alert): CardElement[] {
  const e = alert.Evidence;
  if (e === undefined) return [];
  const blocks: CardElement[] = [];
  const targets = targetItems(e).map(([address, ports]) => `- ${escapeCardMarkdown(address)} · ${ports}`);
  if (targets.length > 0) {
    blocks.push(
      { type: 'TextBlock', text: 'Most-probed targets', weight: 'Bolder', spacing: 'Medium', wrap: true },
      { type: 'TextBlock', text: targets.join('\n'), spacing: 'Small', wrap: true },
    );
  }
  const more = moreDevices(e);
  const devices = joinWithinLimit(
    [
      ...deviceItems(e).map(
        ([name, events]) => `- ${escapeCardMarkdown(truncateText(name, LIMITS.device))} · ${events}`,
      ),
      ...(more === '' ? [] : [`- ${more}`]),
    ],
    '\n',
    LIMITS.devices,
    (n) => `- and ${formatCount(n)} more`,
  );
  blocks.push(
    { type: 'TextBlock', text: 'Reporting devices', weight: 'Bolder', spacing: 'Medium', wrap: true },
    {
      type: 'TextBlock',
      text: devices === '' ? 'none named by the logs' : devices,
      spacing: 'Small',
      wrap: true,
    },
  );
  return blocks;
}

/** `Discovery · [T1046](https://attack.mitre.org/techniques/T1046/)`: links only for well-formed technique ids. */
function formatMitre(alert: Alert): string {
  const tactics = alert.Tactics.slice(0, LIMITS.mitreItems).map((t) =>
    escapeCardMarkdown(truncateText(t, 40)),
  );
  const techniques = alert.Techniques.slice(0, LIMITS.mitreItems).map((t) => {
    const url = mitreTechniqueUrl(t);
    return url === undefined ? escapeCardMarkdown(truncateText(t, 40)) : `[${t}](${url})`;
  });
  const text = [...tactics, ...techniques].join(' · ');
  return text === '' ? 'none' : text;
}
