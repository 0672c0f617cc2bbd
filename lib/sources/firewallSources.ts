import type { SourceDecoder } from './types.js';

/**
 * Decoders of the Cloud flow logs and firewalls: AWS VPC flow logs, CEF (Zscaler ZIA, Palo Alto PAN-OS, Check Point, FortiGate) and Cisco ASA, in the order automatic recognition tries them (most specific first).
 */
export const FIREWALL_SOURCES: readonly SourceDecoder[] = [];
