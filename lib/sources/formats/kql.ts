/**
 * KQL string operators the ASIM parsers use to select rows, reproduced so that our decoders keep
 * and drop the same records. `==`/`in` are case-sensitive (plain `===` in TypeScript); the helpers
 * below are the case-insensitive ones.
 */

function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 95 || // _ is part of a KQL term
    code > 127
  );
}

/**
 * KQL `has`: `haystack` contains `term` as a whole term, case-insensitively. A match must start
 * and end on a term boundary (a non-alphanumeric character or the end of the string) unless the
 * term itself begins or ends with a non-alphanumeric character. Linear in the input.
 */
export function hasTerm(haystack: string, term: string): boolean {
  if (term === '') return true;
  const h = haystack.toLowerCase();
  const t = term.toLowerCase();
  const needStartBoundary = isWordChar(t.charCodeAt(0));
  const needEndBoundary = isWordChar(t.charCodeAt(t.length - 1));
  let from = 0;
  for (;;) {
    const at = h.indexOf(t, from);
    if (at < 0) return false;
    const before = at === 0 || !needStartBoundary || !isWordChar(h.charCodeAt(at - 1));
    const end = at + t.length;
    const after = end === h.length || !needEndBoundary || !isWordChar(h.charCodeAt(end));
    if (before && after) return true;
    from = at + 1;
  }
}

/** KQL `has_all`. */
export function hasAllTerms(haystack: string, terms: readonly string[]): boolean {
  return terms.every((t) => hasTerm(haystack, t));
}

/** KQL `startswith` (case-insensitive). */
export function startsWithCi(value: string, prefix: string): boolean {
  return (
    value.length >= prefix.length && value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()
  );
}

/** KQL `=~` (case-insensitive equality). */
export function equalsCi(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}
