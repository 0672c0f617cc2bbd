import type { SourceDecoder } from './types.js';

/**
 * Decoders of the third-party sources in the rule's connector list, in the order automatic
 * recognition tries them (most specific first).
 */
export const THIRD_PARTY_SOURCES: readonly SourceDecoder[] = [];
