import type { FieldReader, FieldReaderPolicy } from '../pipeline/FieldReader.js';
import { toInteger } from '../pipeline/fields.js';

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
