import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';
import { KnownScannerListSchema, KnownScanners } from '../filter/KnownScanners.js';

/**
 * The known scanners of the `PORTSCAN_KNOWN_SCANNERS` setting or the `--known-scanners` flag:
 * inline JSON (a value starting with `[`), else the path of a JSON file (relative to the working
 * directory: the function app's root in Azure, where a file deployed with the app lies). Each
 * entry is `{"cidr": "198.51.100.0/24", "reason": "…", "expires": "2026-12-31"}`.
 *
 * @throws {ConfigurationError} naming the setting, the file and every bad entry
 */
export function loadKnownScanners(raw: string, settingName: string): KnownScanners {
  const value = raw.trim();
  const inline = value.startsWith('[');
  const where = inline ? settingName : `${settingName} ${value}`;
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (cause) {
      throw new ConfigurationError([`${settingName}: cannot read the known-scanners file ${value}`], {
        cause,
      });
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ConfigurationError(
      [`${where}: not valid JSON (expected an array of {cidr, reason, expires})`],
      {
        cause,
      },
    );
  }
  const parsed = KnownScannerListSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigurationError(
      parsed.error.issues
        .slice(0, 20)
        .map(
          (i) => `${where}: ${i.path.length === 0 ? 'the list' : `entry ${i.path.join('.')}`}: ${i.message}`,
        ),
    );
  }
  return new KnownScanners(parsed.data);
}
