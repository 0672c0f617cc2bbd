import type { DeadLetter, NormalizeCounts } from '../sources/Normalizer.js';
import { formatCount } from './output.js';

/** What the summary on stderr reports. */
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
}

/** The human summary printed on stderr at the end of a run. */
export function formatSummary(s: RunSummary, formatBytes: (n: number) => string): string {
  const out: string[] = [];
  const n = s.normalize;
  out.push(
    `portscan ${s.command}: ${s.inputs} input${s.inputs === 1 ? '' : 's'}, ${formatBytes(s.bytes)} in ${s.seconds.toFixed(2)} s`,
  );
  const row = (label: string, value: number, indent = 2) =>
    out.push(`${' '.repeat(indent)}${label.padEnd(44 - indent)}${formatCount(value).padStart(12)}`);
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
  row('records not decodable', sum(n.invalid));
  for (const [reason, count] of sorted(n.invalid)) row(reason, count, 4);
  if (s.deadLetters.length > 0) {
    out.push('    first examples:');
    for (const d of s.deadLetters.slice(0, 5)) {
      const where = [
        d.location.input,
        d.location.line === undefined ? undefined : `line ${d.location.line}`,
        d.location.record === undefined ? undefined : `record ${d.location.record}`,
      ]
        .filter((x) => x !== undefined)
        .join(' ');
      out.push(`      ${where}: ${d.source}: ${d.reason}${d.detail === undefined ? '' : ` (${d.detail})`}`);
    }
  }
  if (s.alerts !== undefined) row('alerts', s.alerts);
  return `${out.join('\n')}\n`;
}

function sum(m: ReadonlyMap<string, number>): number {
  let t = 0;
  for (const v of m.values()) t += v;
  return t;
}

function sorted(m: ReadonlyMap<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
