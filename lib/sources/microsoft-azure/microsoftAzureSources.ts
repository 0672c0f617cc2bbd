import type { SourceDecoder } from '../pipeline/types.js';
import { azureFirewall } from './azureFirewall.js';
import { azureNsgFlow } from './azureNsgFlow.js';
import { azureVnetFlow } from './azureVnetFlow.js';
import { ntaNetAnalytics } from './ntaNetAnalytics.js';
import { sysmonLinux } from './sysmonLinux.js';

/**
 * Decoders of the Azure platform sources: Azure Firewall (AzureDiagnostics and AZFW* categories), NSG and VNet flow logs, Sysmon for Linux in Syslog, in the order automatic recognition tries them (most specific first).
 *
 * Each recognizes its records by a value no other source carries (a diagnostic `category`, a table
 * `Type`, the Linux-Sysmon provider inside the syslog message), so the order does not change which
 * decoder claims an item; the tests pin that down.
 */
export const MICROSOFT_AZURE_SOURCES: readonly SourceDecoder[] = [
  azureFirewall,
  azureNsgFlow,
  azureVnetFlow,
  ntaNetAnalytics,
  sysmonLinux,
];
