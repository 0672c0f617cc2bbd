import type { SourceDecoder } from './types.js';

/**
 * Decoders of the Microsoft endpoint and host sources: Defender XDR DeviceNetworkEvents, SecurityEvent and WindowsEvent (Windows Filtering Platform, Sysmon event 3), VMConnection, in the order automatic recognition tries them (most specific first).
 */
export const MICROSOFT_HOST_SOURCES: readonly SourceDecoder[] = [];
