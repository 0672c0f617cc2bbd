import type { SourceDecoder } from './types.js';

/**
 * Decoders of the Azure platform sources: Azure Firewall (AzureDiagnostics and AZFW* categories), NSG and VNet flow logs, Sysmon for Linux in Syslog, in the order automatic recognition tries them (most specific first).
 */
export const MICROSOFT_AZURE_SOURCES: readonly SourceDecoder[] = [];
