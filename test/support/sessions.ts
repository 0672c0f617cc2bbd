import type { NetworkSession } from '../../lib/schema/NetworkSession.js';

/** A minimal NetworkSession row for tests; `at` is an ISO time. */
export function session(
  src: string | undefined,
  port: number | undefined,
  at: string,
  extra: Partial<NetworkSession> = {},
): NetworkSession {
  return {
    TimeGenerated: new Date(at).toISOString(),
    EventCount: 1,
    EventVendor: 'Test',
    EventProduct: 'Firewall',
    EventSchema: 'NetworkSession',
    EventSchemaVersion: '0.2.6',
    ...(src === undefined ? {} : { SrcIpAddr: src }),
    ...(port === undefined ? {} : { DstPortNumber: port }),
    ...extra,
  };
}

/** `n` rows from `src` to ports `first`…`first+n-1`, one per 100 ms from `at`. */
export function scan(
  src: string,
  n: number,
  at: string,
  first = 1,
  extra: Partial<NetworkSession> = {},
): NetworkSession[] {
  const t0 = Date.parse(at);
  return Array.from({ length: n }, (_, i) =>
    session(src, first + i, new Date(t0 + i * 100).toISOString(), extra),
  );
}

/** JSON lines of ASIM rows, as one Event Hub message body. */
export function jsonLines(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n');
}

/** A diagnostic-settings style envelope. */
export function envelope(rows: readonly object[]): string {
  return JSON.stringify({ records: rows });
}
