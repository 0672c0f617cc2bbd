import type { SourceDecoder } from '../pipeline/types.js';
import { awsVpcFlow } from './awsVpcFlow.js';
import { cefAnyVendor } from './cefAnyVendor.js';
import { checkPointFirewall } from './checkPointFirewall.js';
import { ciscoAsa } from './ciscoAsa.js';
import { fortinetFortiGate } from './fortinetFortiGate.js';
import { paloAltoPanOs } from './paloAltoPanOs.js';
import { zscalerZiaFirewall } from './zscalerZiaFirewall.js';

/**
 * Decoders of the Cloud flow logs and firewalls: AWS VPC flow logs, CEF (Zscaler ZIA, Palo Alto PAN-OS, Check Point, FortiGate) and Cisco ASA, in the order automatic recognition tries them (most specific first).
 *
 * AWS VPC flow logs claim the `AWSVPCFlow` table, their own header lines and the records after
 * them. The CEF vendors and Cisco ASA each claim their DeviceVendor/DeviceProduct pair (in a
 * CommonSecurityLog row or a CEF header), and ASA also its `%ASA-`/`%FTD-` syslog tag; these
 * filters are disjoint. `cef` comes last: it takes every other CEF line or CommonSecurityLog row,
 * to skip unmapped vendors with a counted reason.
 */
export const FIREWALL_SOURCES: readonly SourceDecoder[] = [
  awsVpcFlow,
  ciscoAsa,
  zscalerZiaFirewall,
  paloAltoPanOs,
  checkPointFirewall,
  fortinetFortiGate,
  cefAnyVendor,
];
