import type { SourceDecoder } from './types.js';

/**
 * Decoders of the Network sensors and SD-WAN: Corelight/Zeek conn logs, Vectra metadata_isession, Cisco Meraki, in the order automatic recognition tries them (most specific first).
 */
export const SENSOR_SOURCES: readonly SourceDecoder[] = [];
