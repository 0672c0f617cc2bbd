import { asimNetworkSession } from './asimNetworkSession.js';
import { MICROSOFT_SOURCES } from './microsoftSources.js';
import { THIRD_PARTY_SOURCES } from './thirdPartySources.js';
import type { SourceDecoder } from './types.js';

/**
 * The one registry of sources. Automatic recognition offers each item to the decoders in this
 * order and the first whose `match*` accepts it decodes it. ASIM records come first: their field
 * names (`EventVendor`, `EventProduct`) appear in no vendor's raw format.
 */
export const SOURCE_DECODERS: readonly SourceDecoder[] = [
  asimNetworkSession,
  ...MICROSOFT_SOURCES,
  ...THIRD_PARTY_SOURCES,
];

/** Names accepted by `--format`: `auto` and every decoder name. */
export function formatNames(): readonly string[] {
  return ['auto', ...SOURCE_DECODERS.map((d) => d.name)];
}
