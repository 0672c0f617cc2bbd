import type { DetectionSettings, KnobDefaults } from '../../lib/config/detectionSettings.js';
import { CLI_DEFAULTS, resolveDetectionSettings } from '../../lib/config/detectionSettings.js';

/** Detection settings as the product resolves them, with app-setting style overrides. */
export function testSettings(
  env: Record<string, string> = {},
  defaults: KnobDefaults = CLI_DEFAULTS,
): DetectionSettings {
  return resolveDetectionSettings(env, {}, defaults);
}
