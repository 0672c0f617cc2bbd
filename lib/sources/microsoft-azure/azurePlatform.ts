import { FieldProblem, FieldReader, type FieldReaderPolicy, isAddressText } from '../pipeline/FieldReader.js';
import { excerpt, isAsciiDigits } from '../pipeline/fields.js';
import type { JsonObject } from '../pipeline/types.js';

/**
 * Parsing specific to the Azure platform decoders (Azure Firewall, NSG and VNet flow logs,
 * NTANetAnalytics, Sysmon for Linux): field access that tolerates the unverified key casing of
 * diagnostic-settings records, the group's reading policy for the shared {@link FieldReader}, whose
 * reasons name the kind of problem (`invalid port`, `oversized field`) rather than the field, and
 * the splitter of comma-separated flow tuples. Nothing here throws.
 */

/** Longest text value a decoder accepts for a name-like field (rule names, resource ids, hostnames). */
export const MAX_TEXT_CHARS = 2048;

/** Longest flow tuple accepted: real tuples are under 120 characters. */
const MAX_TUPLE_CHARS = 512;

/**
 * A reader of an object's own fields by name: the exact name first, then the same name in any
 * letter case. Used where a format's key casing is not verified (the `properties` of Azure Firewall
 * resource-specific categories,
 * docs/sources/microsoft-azure.md#azure-firewall-how-records-arrive); a JSON `__proto__` key is an
 * ordinary field here.
 */
export function fieldsOf(record: JsonObject): (name: string) => unknown {
  let byLowerName: Map<string, unknown> | undefined;
  return (name) => {
    if (Object.hasOwn(record, name)) return record[name];
    if (byLowerName === undefined) {
      byLowerName = new Map();
      for (const key of Object.keys(record)) {
        const lower = key.toLowerCase();
        if (!byLowerName.has(lower)) byLowerName.set(lower, record[key]);
      }
    }
    return byLowerName.get(name.toLowerCase());
  };
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value;
}

/**
 * The reading policy of the group for the shared {@link FieldReader}: text at most
 * {@link MAX_TEXT_CHARS} unless a call says otherwise, the {@link isAddressText} shape for
 * addresses, and problems named by their kind rather than by the field: `invalid port`, `invalid
 * address`, `invalid time`, `invalid field type` (a value that is not text), `oversized field`.
 */
export const AZURE_FIELDS: FieldReaderPolicy = {
  maxTextChars: MAX_TEXT_CHARS,
  describeMalformed: (kind, field, value) => {
    switch (kind) {
      case 'port':
        return new FieldProblem('invalid port', `${field}: ${excerpt(value, 40)}`);
      case 'address':
        return new FieldProblem('invalid address', `${field}: ${excerpt(value, 60)}`);
      case 'time':
        return new FieldProblem('invalid time', `${field}: ${excerpt(value, 40)}`);
      case 'length':
        return new FieldProblem('oversized field', `${field}: ${String(value).length} characters`);
      default:
        return new FieldProblem('invalid field type', `${field}: ${describeType(value)}`);
    }
  },
};

/** A reader of the group's fields: the shared {@link FieldReader} under {@link AZURE_FIELDS}. */
export function azureFields(): FieldReader {
  return new FieldReader(AZURE_FIELDS);
}

/**
 * The fields of a comma-separated flow tuple, when `tuple` is a string of at most 512 characters
 * with one of the accepted field counts; `undefined` otherwise. Counting commas first keeps a
 * hostile string from being split into a huge array.
 */
export function splitFlowTuple(tuple: unknown, fieldCounts: readonly number[]): string[] | undefined {
  if (typeof tuple !== 'string' || tuple.length > MAX_TUPLE_CHARS) return undefined;
  // One pass: the fields are cut as the commas are found, and the cutting stops past the most
  // fields accepted.
  let most = 0;
  for (const n of fieldCounts) if (n > most) most = n;
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    const comma = tuple.indexOf(',', start);
    if (fields.length === most) return undefined;
    fields.push(comma < 0 ? tuple.slice(start) : tuple.slice(start, comma));
    if (comma < 0) break;
    start = comma + 1;
  }
  return fieldCounts.includes(fields.length) ? fields : undefined;
}

/** A flow-tuple port: 1 to 5 digits, at most 65535 (read in place: one per tuple side). */
export function tuplePort(value: string): number | undefined {
  if (value.length < 1 || value.length > 5) return undefined;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  return n <= 65535 ? n : undefined;
}

/** A flow-tuple counter (packets, bytes): up to 20 digits, or empty for tuples that carry none (state B). */
export function isFlowCounter(value: string): boolean {
  return value.length <= 20 && isAsciiDigits(value);
}

/** The detail of a bad tuple: where it is and a bounded excerpt of it. */
export function tupleDetail(path: string, what: string, tuple: unknown): string {
  return `${path}: ${what} in ${excerpt(tuple, 60)}`;
}
