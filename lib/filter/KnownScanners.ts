import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseRange } from './SourceFilter.js';

/** `2026-12-31` (the end of that day, UTC) or a full ISO-8601 UTC time. */
const EXPIRY = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z)?$/;

/**
 * One known scanner as the allow-list file or setting writes it: a CIDR (or one address), why it
 * is known, and until when.
 */
export const KnownScannerEntrySchema = z
  .object({
    cidr: z.string().refine((c) => isRange(c), 'an IPv4 or IPv6 CIDR or address'),
    reason: z.string().trim().min(1).max(200),
    expires: z
      .string()
      .regex(EXPIRY, 'a date (2026-12-31) or an ISO-8601 UTC time')
      .refine((e) => Number.isFinite(expiryMsOf(e)), 'a date that exists'),
  })
  .strict();

/** The allow-list: at most 10,000 entries (published research ranges are a few hundred). */
export const KnownScannerListSchema = z.array(KnownScannerEntrySchema).max(10_000);

export type KnownScannerEntry = z.infer<typeof KnownScannerEntrySchema>;

/** An entry ready to match: its range parsed and its expiry in ms. */
export interface KnownScanner {
  readonly cidr: string;
  readonly reason: string;
  /** The entry matches alerts of bins that end before this time. */
  readonly expiresMs: number;
  readonly expires: string;
}

function isRange(cidr: string): boolean {
  try {
    parseRange(cidr);
    return true;
  } catch {
    return false;
  }
}

/** A date alone expires at the end of that day (UTC); a time at that time. */
function expiryMsOf(text: string): number {
  if (text.length === 10) {
    const start = Date.parse(`${text}T00:00:00Z`);
    // Date.parse rolls 2026-02-30 over; a date that does not exist is refused.
    if (!Number.isFinite(start) || new Date(start).toISOString().slice(0, 10) !== text) return Number.NaN;
    return start + 86_400_000;
  }
  return Date.parse(text);
}

type Range = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Known scanners (research projects, a contracted scanning service, one's own vulnerability
 * scanner): alerts whose source is in an unexpired entry go to the queue and the signed webhooks
 * marked as suppressed, and not to the chat sinks. An entry matches an alert while the alert's
 * bin ends before the entry expires, so replaying old logs gives the verdicts they had then.
 * IPv4-mapped IPv6 sources and entries are matched as IPv4. Of several matching entries, the most
 * specific (longest prefix) wins, then the one that expires last.
 */
export class KnownScanners {
  readonly entries: readonly KnownScanner[];
  readonly #ranges: readonly Range[];

  constructor(entries: readonly KnownScannerEntry[]) {
    this.entries = entries.map((e) => ({
      cidr: e.cidr,
      reason: e.reason.trim(),
      expires: e.expires,
      expiresMs: expiryMsOf(e.expires),
    }));
    this.#ranges = entries.map((e) => parseRange(e.cidr));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The entry that suppresses an alert of `source` whose bin ends at `binEndMs`, if any. */
  match(source: string, binEndMs: number): KnownScanner | undefined {
    if (this.entries.length === 0) return undefined;
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = ipaddr.process(source);
    } catch {
      return undefined;
    }
    let best: KnownScanner | undefined;
    let bestBits = -1;
    this.#ranges.forEach(([base, bits], i) => {
      const entry = this.entries[i] as KnownScanner;
      if (binEndMs > entry.expiresMs || base.kind() !== address.kind()) return;
      if (!address.match([base, bits] as [typeof address, number])) return;
      if (bits > bestBits || (bits === bestBits && entry.expiresMs > (best as KnownScanner).expiresMs)) {
        best = entry;
        bestBits = bits;
      }
    });
    return best;
  }

  /** The entries that expired at or before `nowMs`: they no longer match new alerts and should be renewed or removed. */
  expiredAt(nowMs: number): KnownScanner[] {
    return this.entries.filter((e) => e.expiresMs <= nowMs);
  }
}

export const NO_KNOWN_SCANNERS = new KnownScanners([]);
