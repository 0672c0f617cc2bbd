import type { Alert } from '../../schema/Alert.js';
import { renderTemplate } from '../buildAlert.js';

/** The placeholders a link template may use (`PORTSCAN_ALERT_LINK_TEMPLATE`). */
export const LINK_PLACEHOLDERS = ['SrcIpAddr', 'AlertId', 'BinStart'] as const;

/**
 * The open-link URL of an alert: the template with `{{SrcIpAddr}}`, `{{AlertId}}` and
 * `{{BinStart}}` replaced by their URL-encoded values (`encodeURIComponent`), so that a value
 * from a log can never add a path, query parameter or fragment. Other placeholders stay as
 * written. Undefined when there is no template, or when the result is not an absolute https URL;
 * a card then has no link rather than a broken one.
 */
export function renderAlertLink(template: string | undefined, alert: Alert): string | undefined {
  if (template === undefined) return undefined;
  // Values are URL-encoded before the shared template rendering, so a log value stays one component.
  const values = Object.fromEntries(LINK_PLACEHOLDERS.map((name) => [name, encodeURIComponent(alert[name])]));
  const url = renderTemplate(template, values);
  if (!URL.canParse(url) || new URL(url).protocol !== 'https:') return undefined;
  return url;
}
