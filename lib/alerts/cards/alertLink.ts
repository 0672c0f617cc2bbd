import type { Alert } from '../../schema/Alert.js';

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
  const values: Readonly<Record<string, string>> = {
    SrcIpAddr: alert.SrcIpAddr,
    AlertId: alert.AlertId,
    BinStart: alert.BinStart,
  };
  const url = template.replace(/\{\{(\w{1,64})\}\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : encodeURIComponent(value);
  });
  if (!URL.canParse(url) || new URL(url).protocol !== 'https:') return undefined;
  return url;
}
