import type { Alert } from '../../schema/Alert.js';

/**
 * Plain-text pieces shared by the Teams card and the Slack blocks. Nothing here escapes: each
 * format escapes the strings that come from logs with its own function, after these helpers
 * have shortened them.
 */

/**
 * C0/C1 controls, the line and paragraph separators, and the bidirectional marks and overrides: a
 * log string must stay on one line and read in the order it was written.
 */
const CONTROL_CHARACTERS = /[\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Replaces control characters (newlines, tabs, escapes, bidi overrides) with spaces, so a log
 * string cannot start a new block or reorder what follows it.
 */
export function toSingleLine(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ');
}

/**
 * Inserts a zero-width space into `://`, `www.` and `@here`-style keywords, so that a client that
 * turns bare URLs and keywords into links or mentions finds none in a log string.
 */
export function breakAutoLinks(text: string): string {
  return text
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\b(www)\./gi, '$1\u200b.')
    .replace(/@(here|channel|everyone|all)\b/gi, '@\u200b$1');
}

/** At most `maxCodePoints` code points, with an ellipsis when cut (never splits a surrogate pair). */
export function truncateText(text: string, maxCodePoints: number): string {
  const points = Array.from(text);
  return points.length <= maxCodePoints ? text : `${points.slice(0, maxCodePoints - 1).join('')}…`;
}

/** `12345` → `12,345`: thousands separators without depending on the runtime's locale data. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Ascending ports as ranges (`21–23, 80, 443`), at most `maxChars` characters; what does not fit
 * is counted, not listed. Ports are numbers, so the text needs no escaping.
 */
export function formatPortRanges(
  ports: readonly number[],
  maxChars: number,
): { readonly text: string; readonly shown: number } {
  const ranges: { first: number; last: number; count: number }[] = [];
  for (const port of ports) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && port === last.last + 1) {
      last.last = port;
      last.count++;
    } else if (last === undefined || port > last.last) ranges.push({ first: port, last: port, count: 1 });
  }
  let text = '';
  let shown = 0;
  for (const r of ranges) {
    const piece = r.first === r.last ? String(r.first) : `${r.first}–${r.last}`;
    const next = text === '' ? piece : `${text}, ${piece}`;
    if (next.length > maxChars) break;
    text = next;
    shown += r.count;
  }
  return { text, shown };
}

/**
 * Joins items, in order, while the result stays within `maxChars`; the rest are summarized by
 * `more(n)`, whose length is reserved (it must itself fit in `maxChars`). Items are expected to be
 * escaped already, so that their escaped length is what counts.
 */
export function joinWithinLimit(
  items: readonly string[],
  separator: string,
  maxChars: number,
  more: (omitted: number) => string,
): string {
  const all = items.join(separator);
  if (all.length <= maxChars) return all;
  let text = '';
  let used = 0;
  for (const item of items) {
    const next = used === 0 ? item : `${text}${separator}${item}`;
    const summary = more(items.length - used - 1);
    if (next.length + separator.length + summary.length > maxChars) break;
    text = next;
    used++;
  }
  return used === 0 ? more(items.length) : `${text}${separator}${more(items.length - used)}`;
}

/** `2026-11-01 10:00–10:05 UTC` (the end's date too when it differs). */
export function formatWindow(alert: Pick<Alert, 'BinStart' | 'BinEnd'>): string {
  const [startDate, startTime] = splitIso(alert.BinStart);
  const [endDate, endTime] = splitIso(alert.BinEnd);
  const start = `${startDate} ${startTime.slice(0, 5)}`;
  const end = endDate === startDate ? endTime.slice(0, 5) : `${endDate} ${endTime.slice(0, 5)}`;
  return `${start}–${end} UTC`;
}

/** `10:00:00.000–10:04:59.999 UTC`: first and last event of the window. */
export function formatSeen(alert: Pick<Alert, 'FirstSeen' | 'LastSeen'>): string {
  const [firstDate, firstTime] = splitIso(alert.FirstSeen);
  const [lastDate, lastTime] = splitIso(alert.LastSeen);
  const last = lastDate === firstDate ? lastTime : `${lastDate} ${lastTime}`;
  return `${firstTime}–${last} UTC`;
}

function splitIso(iso: string): [string, string] {
  return [iso.slice(0, 10), iso.slice(11, 23)];
}

/** The minutes of the window, for "in 5 minutes". */
export function windowMinutes(alert: Pick<Alert, 'BinStart' | 'BinEnd'>): number {
  return Math.round((Date.parse(alert.BinEnd) - Date.parse(alert.BinStart)) / 60_000);
}

/** A MITRE ATT&CK technique id (`T1046`, `T1046.001`) and its page, or undefined for anything else. */
export function mitreTechniqueUrl(technique: string): string | undefined {
  const m = /^T(\d{4})(?:\.(\d{3}))?$/.exec(technique);
  if (m === null) return undefined;
  return `https://attack.mitre.org/techniques/T${m[1]}/${m[2] === undefined ? '' : `${m[2]}/`}`;
}

/** What a chat card says of an alert's standing, shared by the Teams and Slack formats. */
export interface AlertStanding {
  /**
   * Prefix of the title: `Test: ` for a smoke test's alert, `Update: ` for a correction (chat
   * webhooks cannot edit the card they posted).
   */
  readonly titlePrefix: string;
  /** Appended to the severity line: ` · smoke test, no action needed`, ` · late alert`, ` · update 2`, ` · may be incomplete`. */
  readonly tags: string;
  /** Facts (title, plain text) shown only when they apply: at most four. */
  readonly facts: readonly { readonly title: string; readonly value: string }[];
  /** A smoke test's alert: the card drops the severity colour, so that it reads as no incident. */
  readonly isTest: boolean;
}

/**
 * How a card presents an alert's revision, lateness, completeness and whether it is a test. A
 * smoke test's alert says so first, in the title and the severity line, so that nobody acts on
 * it; a correction is a new card titled as an update, carrying the exact figures; an alert closed
 * while a partition was behind says that rows may be missing.
 */
export function alertStanding(
  alert: Pick<Alert, 'IsLate' | 'Revision' | 'MayBeIncomplete' | 'IsTest'>,
): AlertStanding {
  const isUpdate = alert.Revision > 1;
  const tags = [
    alert.IsTest ? 'smoke test, no action needed' : undefined,
    alert.IsLate ? 'late alert' : undefined,
    isUpdate ? `update ${alert.Revision}` : undefined,
    alert.MayBeIncomplete ? 'may be incomplete' : undefined,
  ].filter((t): t is string => t !== undefined);
  return {
    titlePrefix: `${alert.IsTest ? 'Test: ' : ''}${isUpdate ? 'Update: ' : ''}`,
    tags: tags.map((t) => ` · ${t}`).join(''),
    isTest: alert.IsTest,
    facts: [
      ...(alert.IsTest
        ? [
            {
              title: 'Test',
              value:
                'a smoke test of this deployment (portscan smoke, from its test source address), not a scan: no action needed',
            },
          ]
        : []),
      ...(alert.IsLate
        ? [{ title: 'Late', value: 'crossed the threshold after its window had closed' }]
        : []),
      ...(isUpdate
        ? [
            {
              title: 'Update',
              value: `revision ${alert.Revision}: rows that arrived later changed the figures; these replace the earlier card's`,
            },
          ]
        : []),
      ...(alert.MayBeIncomplete
        ? [
            {
              title: 'Completeness',
              value:
                'may be incomplete: the window closed while an Event Hub partition was behind; an update follows if its rows change the figures',
            },
          ]
        : []),
    ],
  };
}
