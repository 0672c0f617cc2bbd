import type { FieldReader, FieldReaderPolicy } from './FieldReader.js';
import { toInteger } from './fields.js';
import { ianaProtocolNames } from './ianaProtocols.js';

/**
 * The reading rules of the firewall decoders (AWS VPC, Check Point, Cisco ASA, FortiGate, PAN-OS,
 * Zscaler) for the shared {@link FieldReader}: its defaults (unbounded text, the
 * {@link isAddressText} shape check), with 60 characters of the value in an `invalid` detail
 * (`invalid DestinationPort`, detail `DestinationPort: "99999"`).
 */
export const FIREWALL_FIELDS: FieldReaderPolicy = { excerptChars: 60 };

/** KQL `coalesce(toint(a), toint(b), …)`: the first value that reads as an integer. */
export function coalesceInteger(...values: readonly unknown[]): number | undefined {
  for (const value of values) {
    const n = toInteger(value);
    if (n !== undefined) return n;
  }
  return undefined;
}

/**
 * KQL `lookup ProtocolLookup on Protocol` of the AWS, Cisco ASA and Check Point parsers: the table
 * names of a protocol number written as a plain decimal (`"6"` or 6). Two names for 84 (the lookup
 * duplicates the row), `['']` for the unnamed numbers, none for anything else (`"tcp"`, `"06"`,
 * 200). `_ASIM_ResolveNetworkProtocol` is `resolveNetworkProtocolNames` in `ianaProtocols.ts`.
 */
export function lookupProtocolNames(protocol: string | number | undefined): readonly string[] {
  const text = typeof protocol === 'number' ? String(protocol) : protocol;
  if (text === undefined || !/^(0|[1-9]\d{0,2})$/.test(text)) return [];
  return ianaProtocolNames(Number(text));
}
