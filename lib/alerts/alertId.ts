import { createHash } from 'node:crypto';

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 of the namespace UUID's bytes followed by
 * the name's UTF-8 bytes, with the version and variant bits set. The same inputs give the same
 * id on every machine.
 */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new RangeError('namespace must be a UUID');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The alert id of a (source, bin): UUID v5 of `<source>|<bin start ISO>` in the rule id's namespace. */
export function alertIdOf(ruleId: string, source: string, binStartMs: number): string {
  return uuidV5(`${source}|${new Date(binStartMs).toISOString()}`, ruleId);
}
