import type { DvcAction, EventResult } from '../../schema/NetworkSession.js';
import { isJsonObject, ownValue } from '../pipeline/FieldReader.js';
import { fallbackTime, makeSession } from '../pipeline/fields.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder } from '../pipeline/types.js';
import { azureFields, fieldsOf } from './azurePlatform.js';

const VENDOR = 'Microsoft';
const PRODUCT = 'Azure Firewall';
/** `EventSchemaVersion` of `vimNetworkSessionAzureFirewall` v0.2.0. */
const SCHEMA_VERSION = '0.2.6';

const LEGACY_CATEGORY = 'AzureFirewallNetworkRule';
const LEGACY_RULE_OPERATIONS = new Set(['AzureFirewallNetworkRuleLog', 'AzureFirewallThreatIntelLog']);
const LEGACY_NAT_OPERATION = 'AzureFirewallNatRuleLog';
const STRUCTURED_TABLES = new Set(['AZFWNetworkRule', 'AZFWNatRule', 'AZFWIdpsSignature', 'AZFWThreatIntel']);

/** `DvcActionLookup` of the parser, keyed by `toupper(Action)`; a missing Action (AZFWNatRule) is `""`. */
const ACTION_LOOKUP: ReadonlyMap<string, { action: DvcAction; result: EventResult }> = new Map([
  ['ALLOW', { action: 'Allow', result: 'Success' }],
  ['', { action: 'Allow', result: 'Success' }],
  ['DENY', { action: 'Deny', result: 'Failure' }],
  ['DROP', { action: 'Drop', result: 'Failure' }],
]);

const DVC_ACTIONS: ReadonlySet<string> = new Set<DvcAction>([
  'Allow',
  'Deny',
  'Drop',
  'Drop ICMP',
  'Reset',
  'Reset Source',
  'Reset Destination',
  'Encrypt',
  'Decrypt',
  'VPNroute',
]);

/**
 * Azure Firewall network logs, as `vimNetworkSessionAzureFirewall` v0.2.0 reads them
 * (docs/sources/microsoft-azure.md#mapping-azure-firewall):
 *
 * - legacy category `AzureFirewallNetworkRule` (table AzureDiagnostics): the diagnostic-settings
 *   record `{time, resourceId, category, operationName, properties:{msg}}` or an AzureDiagnostics
 *   row `{Type:"AzureDiagnostics", Category, OperationName, msg_s, ResourceId, TimeGenerated}`.
 *   `AzureFirewallNetworkRuleLog`/`AzureFirewallThreatIntelLog` messages must match
 *   `<Protocol> request from <SrcIp>:<SrcPort> to <DstIp>:<DstPort>. Action: <Action>.<rest>`,
 *   `AzureFirewallNatRuleLog` messages
 *   `<Protocol> request from <SrcIp>:<SrcPort> to <DstIp>:<DstPort> was DNAT'ed to <NatIp>:<NatPort>`;
 *   other messages are skipped, as the parser's `parse-where` drops them;
 * - resource-specific categories AZFWNetworkRule, AZFWNatRule, AZFWThreatIntel, AZFWIdpsSignature:
 *   diagnostic-settings records `{time, resourceId, category, properties:{Protocol, SourceIp, …}}`
 *   or Log Analytics export rows with `Type` = the table name. Rows whose Action is `alert`
 *   are skipped like the parser's `UpperAction != "ALERT"`.
 *
 * Other Azure Firewall categories (application rules, DNS, flow trace, …) are recognized and
 * skipped. Times: `time` / `TimeGenerated` for TimeGenerated, EventStartTime and EventEndTime.
 * EventVendor/EventProduct `Microsoft`/`Azure Firewall`.
 */
export const azureFirewall: SourceDecoder = {
  name: 'azure-firewall',
  title:
    'Azure Firewall network, NAT, threat-intelligence and IDPS logs (AzureDiagnostics and AZFW* categories)',

  matchJson(record: JsonObject): boolean {
    const category = ownValue(record, 'category');
    if (typeof category === 'string') return isFirewallCategory(category);
    const type = ownValue(record, 'Type');
    if (type === 'AzureDiagnostics') {
      const legacyCategory = ownValue(record, 'Category');
      return typeof legacyCategory === 'string' && legacyCategory.startsWith('AzureFirewall');
    }
    return typeof type === 'string' && type.startsWith('AZFW');
  },

  decodeJson(record: JsonObject, out: DecodeSink, ctx: DecodeContext): void {
    const category = ownValue(record, 'category');
    if (typeof category === 'string') {
      decodeDiagnosticRecord(category, record, out, ctx);
      return;
    }
    const type = ownValue(record, 'Type');
    if (type === 'AzureDiagnostics') {
      decodeLegacy(
        {
          category: ownValue(record, 'Category'),
          operationName: ownValue(record, 'OperationName'),
          msg: ownValue(record, 'msg_s'),
          resourceId: ownValue(record, 'ResourceId') ?? ownValue(record, '_ResourceId'),
          time: ownValue(record, 'TimeGenerated'),
          timeField: 'TimeGenerated',
        },
        out,
        ctx,
      );
      return;
    }
    if (typeof type !== 'string' || !STRUCTURED_TABLES.has(type)) {
      out.skip('not a network session table');
      return;
    }
    decodeStructured(fieldsOf(record), record, out, ctx);
  },
};

function isFirewallCategory(category: string): boolean {
  return category.startsWith('AZFW') || category.startsWith('AzureFirewall');
}

function decodeDiagnosticRecord(
  category: string,
  record: JsonObject,
  out: DecodeSink,
  ctx: DecodeContext,
): void {
  const value = ownValue(record, 'properties');
  const properties = isJsonObject(value) ? value : undefined;
  if (category.startsWith('AzureFirewall')) {
    decodeLegacy(
      {
        category,
        operationName: ownValue(record, 'operationName'),
        msg: properties === undefined ? undefined : ownValue(properties, 'msg'),
        resourceId: ownValue(record, 'resourceId'),
        time: ownValue(record, 'time'),
        timeField: 'time',
      },
      out,
      ctx,
    );
    return;
  }
  if (!STRUCTURED_TABLES.has(category)) {
    out.skip('not a network session table');
    return;
  }
  if (properties === undefined) {
    out.invalid(
      'missing properties',
      `properties: ${ownValue(record, 'properties') === undefined ? 'absent' : 'not an object'}`,
    );
    return;
  }
  decodeStructured(fieldsOf(properties), record, out, ctx);
}

/** The AzureDiagnostics columns the legacy branch reads, from either record shape
 * (docs/sources/microsoft-azure.md#azure-firewall-how-records-arrive). */
interface LegacyFields {
  readonly category: unknown;
  readonly operationName: unknown;
  readonly msg: unknown;
  readonly resourceId: unknown;
  readonly time: unknown;
  readonly timeField: string;
}

function decodeLegacy(fields: LegacyFields, out: DecodeSink, ctx: DecodeContext): void {
  if (fields.category !== LEGACY_CATEGORY) {
    out.skip('not a network rule category');
    return;
  }
  const operation = fields.operationName;
  const isRuleLog = typeof operation === 'string' && LEGACY_RULE_OPERATIONS.has(operation);
  if (!isRuleLog && operation !== LEGACY_NAT_OPERATION) {
    out.skip('not a network, NAT or threat-intelligence rule log');
    return;
  }
  if (typeof fields.msg !== 'string' || fields.msg === '') {
    out.invalid('missing msg', `msg: ${fields.msg === undefined ? 'absent' : typeof fields.msg}`);
    return;
  }
  const parsed = isRuleLog ? parseRuleMessage(fields.msg) : parseNatMessage(fields.msg);
  if (parsed === undefined) {
    out.skip('msg does not match the rule log grammar');
    return;
  }
  const check = azureFields();
  const srcIp = check.address(parsed.srcIp, 'msg source address');
  const srcPort = check.port(parsed.srcPort, 'msg source port');
  const dstIp = check.address(parsed.dstIp, 'msg destination address');
  const dstPort = check.port(parsed.dstPort, 'msg destination port');
  const resourceId = check.text(fields.resourceId, 'resourceId');
  const time = check.time(fields.time, fields.timeField) ?? fallbackTime(ctx);
  if (check.problem !== undefined) {
    out.invalid(check.problem.reason, check.problem.detail);
    return;
  }
  if (time === undefined) {
    out.invalid('no event time');
    return;
  }
  // parse-where keeps any action text; EventResult is Success only for "Allow".
  const action = isRuleLog ? parsed.action : 'Allow';
  out.record(
    makeSession({
      TimeGenerated: time,
      EventStartTime: time,
      EventEndTime: time,
      EventCount: 1,
      EventVendor: VENDOR,
      EventProduct: PRODUCT,
      EventSchema: 'NetworkSession',
      EventSchemaVersion: SCHEMA_VERSION,
      EventType: 'NetworkSession',
      EventResult: action === 'Allow' ? 'Success' : 'Failure',
      SrcIpAddr: srcIp,
      SrcPortNumber: srcPort,
      DstIpAddr: dstIp,
      DstPortNumber: dstPort,
      NetworkProtocol: toNetworkProtocol(parsed.protocol),
      DvcAction: action !== undefined && DVC_ACTIONS.has(action) ? (action as DvcAction) : undefined,
      Dvc: resourceId,
      DvcId: resourceId,
    }),
  );
}

function decodeStructured(
  get: (name: string) => unknown,
  record: JsonObject,
  out: DecodeSink,
  ctx: DecodeContext,
): void {
  const check = azureFields();
  const rawAction = check.text(get('Action'), 'Action');
  const upperAction = (rawAction ?? '').toUpperCase();
  if (upperAction === 'ALERT') {
    out.skip('alert-only row');
    return;
  }
  const lookup = ACTION_LOOKUP.get(upperAction);
  const srcIp = check.address(get('SourceIp'), 'SourceIp');
  const srcPort = check.port(get('SourcePort'), 'SourcePort');
  const dstIp = check.address(get('DestinationIp'), 'DestinationIp');
  const dstPort = check.port(get('DestinationPort'), 'DestinationPort');
  const protocol = check.text(get('Protocol'), 'Protocol', { maxChars: 64 });
  const rule = check.text(get('Rule'), 'Rule');
  const itemId = check.text(get('_ItemId'), '_ItemId', { maxChars: 128 });
  // A diagnostic-settings record carries resourceId and time beside its properties;
  // an export row carries _ResourceId and TimeGenerated among its columns.
  const resourceId = check.text(
    ownValue(record, 'resourceId') ?? get('ResourceId') ?? get('_ResourceId'),
    'resourceId',
  );
  const timeField = ownValue(record, 'time') === undefined ? 'TimeGenerated' : 'time';
  const time = check.time(ownValue(record, timeField), timeField) ?? fallbackTime(ctx);
  if (check.problem !== undefined) {
    out.invalid(check.problem.reason, check.problem.detail);
    return;
  }
  if (time === undefined) {
    out.invalid('no event time');
    return;
  }
  out.record(
    makeSession({
      TimeGenerated: time,
      EventStartTime: time,
      EventEndTime: time,
      EventCount: 1,
      EventVendor: VENDOR,
      EventProduct: PRODUCT,
      EventSchema: 'NetworkSession',
      EventSchemaVersion: SCHEMA_VERSION,
      EventType: 'NetworkSession',
      EventResult: lookup?.result,
      EventOriginalUid: itemId,
      SrcIpAddr: srcIp,
      SrcPortNumber: srcPort,
      DstIpAddr: dstIp,
      DstPortNumber: dstPort,
      NetworkProtocol: protocol === undefined ? undefined : toNetworkProtocol(protocol),
      NetworkRuleName: rule,
      DvcAction: lookup?.action,
      Dvc: resourceId,
      DvcId: resourceId,
    }),
  );
}

/** `toupper(Protocol)`, with every `ICMP…` form (legacy `ICMP Type=8`) reduced to `ICMP`. */
function toNetworkProtocol(protocol: string): string {
  const upper = protocol.toUpperCase();
  return upper.startsWith('ICMP') ? 'ICMP' : upper;
}

/** The parts of a legacy rule message; ports stay text until the field readers check them. */
interface RuleMessage {
  readonly protocol: string;
  readonly srcIp: string;
  readonly srcPort: string;
  readonly dstIp: string;
  readonly dstPort: string;
  readonly action?: string;
}

/**
 * Reads KQL's `parse` pattern up to the destination port, the part common to both legacy grammars:
 * `<Protocol> " request from " <SrcIp> ":" <int> " to " <DstIp> ":" <int>`. String columns end at
 * the first occurrence of the next constant (KQL's non-greedy match,
 * docs/sources/microsoft-azure.md#azure-firewall-legacy-messages); an int column is
 * an optional `-` and digits. Returns the parts and the position after the destination port.
 */
function parseAddressPart(msg: string): { parts: RuleMessage; end: number } | undefined {
  const fromAt = msg.indexOf(' request from ');
  if (fromAt < 0) return undefined;
  let pos = fromAt + ' request from '.length;
  const srcColon = msg.indexOf(':', pos);
  if (srcColon < 0) return undefined;
  const srcIp = msg.slice(pos, srcColon);
  const srcPortEnd = scanKqlInt(msg, srcColon + 1);
  if (srcPortEnd === undefined || !msg.startsWith(' to ', srcPortEnd)) return undefined;
  const srcPort = msg.slice(srcColon + 1, srcPortEnd);
  pos = srcPortEnd + ' to '.length;
  const dstColon = msg.indexOf(':', pos);
  if (dstColon < 0) return undefined;
  const dstIp = msg.slice(pos, dstColon);
  const dstPortEnd = scanKqlInt(msg, dstColon + 1);
  if (dstPortEnd === undefined) return undefined;
  return {
    parts: {
      protocol: msg.slice(0, fromAt),
      srcIp,
      srcPort,
      dstIp,
      dstPort: msg.slice(dstColon + 1, dstPortEnd),
    },
    end: dstPortEnd,
  };
}

/** The end of a KQL int token (`-?\d+`) starting at `from`, or `undefined` when there is none. */
function scanKqlInt(text: string, from: number): number | undefined {
  let i = from;
  if (text[i] === '-') i++;
  const digitsStart = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i > digitsStart ? i : undefined;
}

/** `… ". Action: " <DvcAction> "." *` — the trailing "." is required. */
function parseRuleMessage(msg: string): RuleMessage | undefined {
  const head = parseAddressPart(msg);
  if (head === undefined || !msg.startsWith('. Action: ', head.end)) return undefined;
  const actionStart = head.end + '. Action: '.length;
  const actionEnd = msg.indexOf('.', actionStart);
  if (actionEnd < 0) return undefined;
  return { ...head.parts, action: msg.slice(actionStart, actionEnd) };
}

/** `… " was DNAT'ed to " <DstNatIpAddr> ":" <int>`; the translated address is checked but not kept (not in our schema). */
function parseNatMessage(msg: string): RuleMessage | undefined {
  const head = parseAddressPart(msg);
  const natMarker = " was DNAT'ed to ";
  if (head === undefined || !msg.startsWith(natMarker, head.end)) return undefined;
  const natStart = head.end + natMarker.length;
  const natColon = msg.indexOf(':', natStart);
  if (natColon < 0 || scanKqlInt(msg, natColon + 1) === undefined) return undefined;
  return head.parts;
}
