/**
 * Reads the Windows event XML that Windows (SecurityEvent `EventData`, WindowsEvent) and Sysmon
 * for Linux (`SyslogMessage`) write: `<Event><System>…</System><EventData><Data Name="X">v</Data>…`.
 *
 * Not a general XML parser: a single forward scan with `indexOf` that extracts the handful of
 * elements the network decoders read, decodes the five predefined entities and numeric character
 * references, and ignores everything else. Linear in the input; never throws.
 */
export interface EventXml {
  /** `<Provider Name="…">` of `<System>`. */
  readonly provider?: string;
  /** `<EventID>` text. */
  readonly eventId?: string;
  /** `<Computer>` text. */
  readonly computer?: string;
  /** `<EventRecordID>` text. */
  readonly eventRecordId?: string;
  /** `<TimeCreated SystemTime="…">`. */
  readonly timeCreated?: string;
  /** `<Data Name="…">value</Data>` pairs, in document order (first occurrence wins). */
  readonly data: ReadonlyMap<string, string>;
}

/** Parses event XML; returns `undefined` when the text holds no `<Event` element at all. */
export function parseEventXml(xml: string): EventXml | undefined {
  if (xml.indexOf('<Event') < 0 && xml.indexOf('<EventData') < 0 && xml.indexOf('<Data ') < 0)
    return undefined;
  const data = new Map<string, string>();
  let pos = 0;
  for (;;) {
    const open = xml.indexOf('<Data', pos);
    if (open < 0) break;
    const tagEnd = xml.indexOf('>', open);
    if (tagEnd < 0) break;
    pos = tagEnd + 1;
    const nextChar = xml.charCodeAt(open + 5);
    // `<DataItem>` and the like are other elements.
    if (nextChar !== 32 && nextChar !== 62 && nextChar !== 47 && nextChar !== 9 && nextChar !== 10) continue;
    const name = attribute(xml.slice(open, tagEnd), 'Name');
    if (xml.charCodeAt(tagEnd - 1) === 47) {
      // <Data Name="X"/>: empty value
      if (name !== undefined && !data.has(name)) data.set(name, '');
      continue;
    }
    const close = xml.indexOf('</Data>', pos);
    if (close < 0) break;
    if (name !== undefined && !data.has(name)) data.set(name, decodeEntities(xml.slice(pos, close)));
    pos = close + 7;
  }
  const providerTag = elementTag(xml, 'Provider');
  const timeTag = elementTag(xml, 'TimeCreated');
  const provider = providerTag === undefined ? undefined : attribute(providerTag, 'Name');
  const timeCreated = timeTag === undefined ? undefined : attribute(timeTag, 'SystemTime');
  const eventId = elementText(xml, 'EventID');
  const computer = elementText(xml, 'Computer');
  const eventRecordId = elementText(xml, 'EventRecordID');
  return {
    data,
    ...(provider === undefined ? {} : { provider }),
    ...(eventId === undefined ? {} : { eventId }),
    ...(computer === undefined ? {} : { computer }),
    ...(eventRecordId === undefined ? {} : { eventRecordId }),
    ...(timeCreated === undefined ? {} : { timeCreated }),
  };
}

/** The opening tag `<name …>` (without the text after it), or `undefined`. */
function elementTag(xml: string, name: string): string | undefined {
  let from = 0;
  for (;;) {
    const open = xml.indexOf(`<${name}`, from);
    if (open < 0) return undefined;
    const c = xml.charCodeAt(open + name.length + 1);
    if (c === 32 || c === 62 || c === 47 || c === 9 || c === 10) {
      const end = xml.indexOf('>', open);
      return end < 0 ? undefined : xml.slice(open, end + 1);
    }
    from = open + 1;
  }
}

/** The text of the first `<name …>text</name>`, entities decoded, or `undefined`. */
function elementText(xml: string, name: string): string | undefined {
  const tag = elementTag(xml, name);
  if (tag === undefined || tag.endsWith('/>')) return undefined;
  const start = xml.indexOf(tag) + tag.length;
  const close = xml.indexOf(`</${name}>`, start);
  return close < 0 ? undefined : decodeEntities(xml.slice(start, close).trim());
}

/** The value of `attr="…"` or `attr='…'` inside an opening tag. */
function attribute(tag: string, attr: string): string | undefined {
  let from = 0;
  for (;;) {
    const at = tag.indexOf(attr, from);
    if (at < 0) return undefined;
    const before = tag.charCodeAt(at - 1);
    let i = at + attr.length;
    while (tag[i] === ' ') i++;
    if ((before === 32 || before === 9 || before === 10) && tag[i] === '=') {
      i++;
      while (tag[i] === ' ') i++;
      const quote = tag[i];
      if (quote === '"' || quote === "'") {
        const end = tag.indexOf(quote, i + 1);
        if (end < 0) return undefined;
        return decodeEntities(tag.slice(i + 1, end));
      }
    }
    from = at + 1;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and `&#NN;`/`&#xHH;`; unknown entities stay as written. */
export function decodeEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});/g, (whole, body: string) => {
    if (body.startsWith('#x')) return fromCodePoint(Number.parseInt(body.slice(2), 16)) ?? whole;
    if (body.startsWith('#')) return fromCodePoint(Number(body.slice(1))) ?? whole;
    return ENTITIES[body] ?? whole;
  });
}

function fromCodePoint(cp: number): string | undefined {
  return Number.isInteger(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
}
