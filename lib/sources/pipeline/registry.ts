import { asimNetworkSession } from '../asim/asimNetworkSession.js';
import { FIREWALL_SOURCES } from '../firewalls/firewallSources.js';
import { MICROSOFT_AZURE_SOURCES } from '../microsoft-azure/microsoftAzureSources.js';
import { MICROSOFT_HOST_SOURCES } from '../microsoft-host/microsoftHostSources.js';
import { SENSOR_SOURCES } from '../sensors/sensorSources.js';
import type { SourceDecoder } from './types.js';

/**
 * The one registry of sources. Automatic recognition offers each item to the decoders in this
 * order and the first whose `match*` accepts it decodes it. ASIM records come first: their field
 * names (`EventVendor`, `EventProduct`) appear in no vendor's raw format. Every `match*` is
 * specific to its source, so the order only breaks ties that tests pin down.
 */
export const SOURCE_DECODERS: readonly SourceDecoder[] = [
  asimNetworkSession,
  ...MICROSOFT_HOST_SOURCES,
  ...MICROSOFT_AZURE_SOURCES,
  ...FIREWALL_SOURCES,
  ...SENSOR_SOURCES,
];

/** Names accepted by `--format`: `auto` and every decoder name. */
export function formatNames(): readonly string[] {
  return ['auto', ...SOURCE_DECODERS.map((d) => d.name)];
}
