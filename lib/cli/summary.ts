import type { DeadLetter, NormalizeCounts } from '../sources/pipeline/Normalizer.js';
import type { InputProblem } from './inputs.js';
import { formatCount } from './output.js';

/** What the summary on stderr (and `--summary-json`) reports. */
export interface RunSummary {
  readonly command: string;
  readonly inputs: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly normalize: NormalizeCounts;
  readonly deadLetters: readonly DeadLetter[];
  /** Rows that did not count, by reason (detect only). */
  readonly notCounted?: ReadonlyMap<string, number>;
  readonly rowsCounted?: number;
  readonly alerts?: number;
  readonly lateAlerts?: number;
  /** Alerts of known scanners: printed, and sent to the signed webhooks, not to Teams or Slack. */
  readonly suppressedAlerts?: number;
  /** Known-scanner entries that have expired (`cidr (reason, expired date)`): they suppress nothing any more. */
  readonly knownScannersExpired?: readonly string[];
  readonly deliveries?: ReadonlyMap<
    string,
    { delivered: number; failed: number; reasons: readonly string[] }
  >;
  /** `--state table`: where the state went and what it cost. */
  readonly storage?: string;
  readonly problems: readonly InputProblem[];
  readonly warnings: readonly string[];
}

/** How many characters of an offending record the summary shows. */
const EXCERPT_CHARS = 100;

/** The human summary printed on stderr at the end of a run. */
export function formatSummary(s: RunSummary, formatBytes: (n: number) => string): string {
  const out: string[] = [];
  const n = s.normalize;
  out.push(
    `portscan ${s.command}: ${s.inputs} input${s.inputs === 1 ? '' : 's'}, ${formatBytes(s.bytes)} in ${s.seconds.toFixed(2)} s`,
  );
  const row = (label: string, value: number, indent = 2) =>
    out.push(`${' '.repeat(indent)}${label.padEnd(44 - indent)}${formatCount(value).padStart(12)}`);
  if (s.problems.length > 0) {
    row('inputs not read in full', s.problems.length);
    for (const p of s.problems.slice(0, 10)) out.push(`    ${p.input}: ${p.reason}`);
  }
  row('records read', n.itemsRead);
  const bySource = [...n.bySource.entries()].sort((a, b) => b[1] - a[1]);
  for (const [source, count] of bySource) row(`recognized as ${source}`, count, 4);
  row('normalized rows', n.recordsNormalized);
  if (s.rowsCounted !== undefined) row('rows counted by the rule', s.rowsCounted);
  if (s.notCounted !== undefined && s.notCounted.size > 0) {
    row('rows not counted', sum(s.notCounted));
    for (const [reason, count] of sorted(s.notCounted)) row(reason, count, 4);
  }
  if (n.skipped.size > 0) {
    row('records skipped by their decoder', sum(n.skipped));
    for (const [reason, count] of sorted(n.skipped)) row(reason, count, 4);
  }
  if (n.noted.size > 0) {
    row('records decoded with a fallback', sum(n.noted));
    for (const [reason, count] of sorted(n.noted)) row(reason, count, 4);
  }
  row('records not decodable', sum(n.invalid));
  for (const [reason, count] of sorted(n.invalid)) row(reason, count, 4);
  if (s.deadLetters.length > 0) {
    out.push('    first examples:');
    for (const d of s.deadLetters.slice(0, 5)) {
      out.push(
        `      ${where(d)}: ${d.source}: ${d.reason}${d.detail === undefined ? '' : ` (${d.detail})`}`,
      );
      if (d.excerpt !== '') out.push(`        | ${shorten(d.excerpt)}`);
    }
  }
  if (s.alerts !== undefined) row('alerts', s.alerts);
  if (s.lateAlerts !== undefined && s.lateAlerts > 0) row('late alerts', s.lateAlerts, 4);
  if (s.suppressedAlerts !== undefined && s.suppressedAlerts > 0)
    row('known scanners (not sent to chat)', s.suppressedAlerts, 4);
  for (const [name, c] of s.deliveries ?? []) {
    out.push(
      `  delivered to ${name}: ${c.delivered}, failed: ${c.failed}${c.reasons.length > 0 ? ` (${c.reasons.join('; ')})` : ''}`,
    );
  }
  if (s.storage !== undefined) out.push(`  ${s.storage}`);
  return `${out.join('\n')}\n`;
}

/** `file line 12 record 3` */
function where(d: DeadLetter): string {
  return [
    d.location.input,
    d.location.line === undefined ? undefined : `line ${d.location.line}`,
    d.location.record === undefined ? undefined : `record ${d.location.record}`,
  ]
    .filter((x) => x !== undefined)
    .join(' ');
}

/** At most EXCERPT_CHARS characters, never a whole long raw line. */
function shorten(text: string): string {
  return text.length <= EXCERPT_CHARS ? text : `${text.slice(0, EXCERPT_CHARS - 1)}…`;
}

/** The summary as a JSON document (`--summary-json FILE`). */
export function summaryJson(s: RunSummary): Record<string, unknown> {
  const n = s.normalize;
  return {
    command: s.command,
    inputs: s.inputs,
    textBytes: s.bytes,
    seconds: s.seconds,
    problems: s.problems,
    recordsRead: n.itemsRead,
    recognizedAs: Object.fromEntries(n.bySource),
    normalizedRows: n.recordsNormalized,
    ...(s.rowsCounted === undefined ? {} : { rowsCounted: s.rowsCounted }),
    ...(s.notCounted === undefined ? {} : { notCounted: Object.fromEntries(s.notCounted) }),
    skipped: Object.fromEntries(n.skipped),
    notDecodable: Object.fromEntries(n.invalid),
    firstExamples: s.deadLetters.slice(0, 5).map((d) => ({
      ...d.location,
      source: d.source,
      reason: d.reason,
      ...(d.detail === undefined ? {} : { detail: d.detail }),
      excerpt: shorten(d.excerpt),
    })),
    ...(s.alerts === undefined
      ? {}
      : { alerts: s.alerts, lateAlerts: s.lateAlerts ?? 0, suppressedAlerts: s.suppressedAlerts ?? 0 }),
    ...(s.deliveries === undefined ? {} : { deliveries: Object.fromEntries(s.deliveries) }),
    warnings: s.warnings,
  };
}

function sum(m: ReadonlyMap<string, number>): number {
  let t = 0;
  for (const v of m.values()) t += v;
  return t;
}

function sorted(m: ReadonlyMap<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
