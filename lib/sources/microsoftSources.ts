import type { SourceDecoder } from './types.js';

/**
 * Decoders of the Microsoft sources in the rule's connector list, in the order automatic
 * recognition tries them (most specific first).
 */
export const MICROSOFT_SOURCES: readonly SourceDecoder[] = [];
