import type { OptionSpec } from './args.js';

/**
 * The command line's options and help texts. This module imports nothing heavy, so that
 * `portscan --help` and `--version` answer at once; test/unit/cli keeps the detection options here
 * in step with DETECTION_KNOBS (lib/config/detectionSettings.ts).
 */

const BOTH = ['detect', 'normalize'];
const DETECT = ['detect'];
const SEND = ['send'];
const SMOKE = ['smoke'];
/** The detection options `smoke` takes: what decides its scan, its bin and when the bin closes. */
const SMOKE_KNOBS = ['--smoke-source', '--threshold', '--bin-minutes', '--lateness-minutes', '--rule'];

/** The detection options: flag, app setting, what it accepts (short). */
export const KNOB_USAGE: readonly (readonly [flag: string, setting: string, accepts: string])[] = [
  ['--mode', 'PORTSCAN_MODE', 'default or sentinel-parity (the KQL literally)'],
  ['--threshold', 'PORTSCAN_THRESHOLD', 'alert above this many distinct ports (1-65535, default 50)'],
  ['--bin-minutes', 'PORTSCAN_BIN_MINUTES', '1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60 (default 5)'],
  ['--exclude', 'PORTSCAN_EXCLUDE_CIDRS', 'CIDRs or addresses never counted (repeat or comma-separate)'],
  [
    '--known-scanners',
    'PORTSCAN_KNOWN_SCANNERS',
    'a JSON file (or inline array) of {cidr, reason, expires}: their alerts skip chat sinks',
  ],
  [
    '--chat-group-hours',
    'PORTSCAN_CHAT_GROUP_HOURS',
    "a source's alerts within this many hours: one Teams/Slack card, then updates (0-168, default 5; 0: a card each)",
  ],
  ['--severity', 'PORTSCAN_SEVERITY', 'Informational, Low, Medium or High'],
  [
    '--smoke-source',
    'PORTSCAN_SMOKE_SOURCE',
    'the smoke-test address: its alerts are marked as tests (default 192.0.2.250)',
  ],
  ['--ports-limit', 'PORTSCAN_ATTEMPTED_PORTS_LIMIT', 'ports listed in an alert (1-65536, default 100)'],
  ['--reported-by-limit', 'PORTSCAN_REPORTED_BY_LIMIT', 'reporters listed in an alert (1-64, default 20)'],
  [
    '--lateness-minutes',
    'PORTSCAN_ALLOWED_LATENESS_MINUTES',
    'a bin closes this long after its end (0-1440, default 10)',
  ],
  [
    '--retention-hours',
    'PORTSCAN_RETENTION_HOURS',
    'rows further behind the newest are not counted (1-8760, default 168)',
  ],
  ['--rule', 'PORTSCAN_RULE_FILE', 'a rule JSON file shaped like lib/rule/portScanRule.json'],
];

/** What a detection option's value is called in the help, when not a number `N`. */
const KNOB_VALUE: Readonly<Record<string, string>> = {
  '--exclude': 'CIDR',
  '--rule': 'FILE',
  '--known-scanners': 'FILE',
  '--smoke-source': 'IP',
  '--mode': 'MODE',
  '--severity': 'LEVEL',
};

/** Every option of every command. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'help', short: 'h', commands: [...BOTH, ...SEND, ...SMOKE] },
  { name: 'quiet', short: 'q', commands: [...BOTH, ...SEND, ...SMOKE] },
  { name: 'format', value: 'auto or a source name', commands: BOTH },
  { name: 'output', value: 'jsonl, table or csv', commands: BOTH },
  { name: 'summary-json', value: 'a file to write the summary to', commands: BOTH },
  { name: 'threads', value: 'an integer from 1 to 32', commands: DETECT },
  { name: 'state', value: 'memory or table', commands: DETECT },
  { name: 'table-connection', value: 'a Table Storage connection string', commands: DETECT },
  { name: 'table-prefix', value: 'letters and digits', commands: [...DETECT, ...SMOKE] },
  { name: 'teams', value: 'a Teams Workflows webhook URL', repeatable: true, commands: DETECT },
  { name: 'slack', value: 'a Slack incoming webhook URL', repeatable: true, commands: DETECT },
  { name: 'webhook', value: 'a webhook URL', repeatable: true, commands: DETECT },
  { name: 'webhook-secret', value: 'whsec_<base64>', repeatable: true, commands: DETECT },
  { name: 'namespace', value: 'an Event Hubs namespace', commands: [...SEND, ...SMOKE] },
  { name: 'hub', value: 'an event hub name', commands: [...SEND, ...SMOKE] },
  { name: 'max-message-bytes', value: 'an integer from 1024', commands: SEND },
  { name: 'follow', commands: SEND },
  { name: 'flush-interval', value: 'seconds', commands: SEND },
  { name: 'storage-account', value: 'a storage account name', commands: SMOKE },
  { name: 'table-endpoint', value: 'a Table Storage endpoint URL', commands: SMOKE },
  { name: 'queue-endpoint', value: 'a Queue Storage endpoint URL', commands: SMOKE },
  { name: 'queue', value: 'a queue name', commands: SMOKE },
  { name: 'wait-alert', commands: SMOKE },
  { name: 'ingest-timeout', value: 'seconds', commands: SMOKE },
  { name: 'alert-timeout', value: 'minutes', commands: SMOKE },
  { name: 'no-keep-alive', commands: SMOKE },
  ...KNOB_USAGE.map(([flag]) => ({
    name: flag.slice(2),
    value: 'a value',
    repeatable: flag === '--exclude',
    commands: SMOKE_KNOBS.includes(flag) ? [...DETECT, ...SMOKE] : DETECT,
  })),
];

const INPUTS = `Inputs: files, directories (every file below them, in path order), FIFOs such as <(zcat x.gz),
or - for stdin. Gzip is recognized by content (zstd too on Node.js 22.15 or later), UTF-16 by
its byte order mark, Parquet files (VPC flow logs) by content and read row group by row group.
Records are recognized one by one: JSON lines, JSON arrays, {"records":[...]} envelopes,
CloudWatch Logs payloads, Log Analytics CSV exports and text lines (syslog, CEF, flow logs).`;

const COMMON = `  --format NAME            auto (default), or one source's --format name (docs/sources.md)
  --summary-json FILE      also write the summary as JSON to FILE
  -q, --quiet              no summary or progress on stderr (problems and warnings still)
  -h, --help               this help`;

const EXIT = `Exit status: 0 when every input was read (bad records are counted, not fatal); 1 when an input
could not be read or an alert could not be delivered (the rest is still processed and reported);
2 for bad usage or configuration.`;

export const MAIN_USAGE = `Usage:
  portscan detect [options] INPUT...      run the port-scan rule and print the alerts
  portscan normalize [options] INPUT...   print the NetworkSession rows the inputs decode to
  portscan send --hub HUB [options] INPUT...
                                          send the inputs to an Event Hub, framed as exporters do
  portscan smoke --hub HUB --storage-account NAME [--wait-alert]
                                          test a deployment end to end with a synthetic scan
  portscan COMMAND --help                 the options of a command
  portscan --version

${INPUTS}

${EXIT}
`;

export const DETECT_USAGE = `Usage: portscan detect [options] INPUT...

Runs the rule "Port scan detected (ASIM Network Session schema)" over the inputs and prints one
alert per (source, bin) over the threshold. The summary goes to stderr.

${INPUTS}

Output:
  --output jsonl|table|csv one JSON alert per line (default when stdout is not a terminal), a
                           table (default on a terminal), or CSV with a header line
${COMMON}

Detection (each also read from the app setting in brackets; a flag wins):
${KNOB_USAGE.map(knobLine).join('\n')}

Alerts to webhooks (also from the PORTSCAN_SINK_<NAME>_KIND|URL|SECRET settings, which keep
URLs and secrets out of the shell history):
  --teams URL              post each alert to a Teams Workflows webhook (repeatable)
  --slack URL              post each alert to a Slack incoming webhook (repeatable)
  --webhook URL --webhook-secret whsec_...
                           POST each alert, signed per Standard Webhooks (repeatable)

Engine:
  --threads N              decode and count on N threads, sources sharded among them
                           (1 to 32, default 1); the results are the same
  --state memory|table     memory (default), or the functions' Table Storage state and closing
  --table-connection CS    connection string for --state table [PortscanStorage]
  --table-prefix NAME      table name prefix for --state table (default: new tables per run)

${EXIT}
`;

export const NORMALIZE_USAGE = `Usage: portscan normalize [options] INPUT...

Prints the NetworkSession rows the inputs decode to, one JSON object per line (or CSV), to see
what a file holds and how each record is read. The summary goes to stderr.

${INPUTS}

Options:
  --output jsonl|csv       JSON lines (default) or CSV with a header line
${COMMON}

${EXIT}
`;

export const SEND_USAGE = `Usage: portscan send --namespace NS --hub HUB [options] INPUT...

Sends log files (or stdin) to an Event Hub, framed as the exporters frame them: text lines
(syslog, CEF, flow-log lines) many to a message, JSON records in {"records":[...]} messages,
each message within the hub's size limit and no record split; header lines (a VPC flow-log
field list, Zeek #fields) are repeated at the head of every message that needs them. A record
too large for a message is reported and not sent. The summary says what the function will
make of the records.

${INPUTS}

Credentials: the signed-in Azure identity (az login, a managed identity; it needs the "Azure
Event Hubs Data Sender" role), or a connection string in the EventHubConnection environment
variable (never a flag, so that it stays out of the shell history).

Options:
  --namespace NS            Event Hubs namespace, name or host name (optional with EventHubConnection)
  --hub HUB                 the event hub (the app setting PORTSCAN_EVENTHUB_NAME of the deployment)
  --max-message-bytes N     largest message body (default and most: what the hub accepts,
                            about 1 MB on Standard)
  --follow                  read stdin as a stream (tail -F … | portscan send --follow -): a
                            partly filled message is sent after --flush-interval; Ctrl-C or
                            SIGTERM sends what was read, then stops
  --flush-interval SECONDS  with --follow (default 1)
  -q, --quiet               no summary on stderr (problems still)
  -h, --help                this help

Exit status: 0 when every input was read and sent (records that cannot be sent are counted);
1 when an input could not be read (the others are sent) or Event Hubs refused (missing hub,
no access, throttled beyond the retries); 2 for bad usage.
`;

/** The help line of a detection option. */
function knobLine([flag, setting, accepts]: (typeof KNOB_USAGE)[number]): string {
  return `  ${`${flag} ${KNOB_VALUE[flag] ?? 'N'}`.padEnd(23)}  ${accepts} [${setting}]`;
}

export const SMOKE_USAGE = `Usage: portscan smoke --namespace NS --hub HUB --storage-account NAME [--wait-alert] [options]

Tests a deployed system end to end with a synthetic scan: one port more than the threshold from
the smoke-test source (192.0.2.250 unless PORTSCAN_SMOKE_SOURCE says otherwise), every record
stamped with the current time, sent to the Event Hub as send sends records. It waits until the
window state in Table Storage holds the scan (ingest works) and, with --wait-alert, until the
closing timer has closed the bin and the alert is in the alert queue (closing and delivery
work), printing each stage's latency. The alert says IsTest, and its Teams and Slack cards say
Test. Nothing is written but the smoke source's events (their rows go with the retention), and
the queue is only peeked at: its consumers get the alert as any other.

A bin closes at the closing timer's first run after the event-time watermark passes the bin's
end plus the allowed lateness: with the defaults (hourly at minute 5, 10 minutes) --wait-alert
waits up to about 75 minutes. On a hub without other traffic nothing moves the watermark, so
once that time has come one event of the smoke source stamped with the current time is sent,
and again every 5 minutes while no later event time is recorded.

Credentials: the signed-in Azure identity (az login) with the roles "Azure Event Hubs Data
Sender" on the hub, "Storage Table Data Reader" on the storage account and, for --wait-alert,
"Storage Queue Data Reader"; or connection strings in the EventHubConnection and
PortscanStorage environment variables (never flags, so that they stay out of the shell history).

Deployment (the azd outputs EVENT_HUB_NAMESPACE, EVENT_HUB_NAME, STORAGE_ACCOUNT_NAME):
  --namespace NS           Event Hubs namespace, name or host name (optional with EventHubConnection)
  --hub HUB                the event hub [PORTSCAN_EVENTHUB_NAME]
  --storage-account NAME   the storage account: sets both endpoints below
  --table-endpoint URL     the Table endpoint [PortscanStorage__tableServiceUri]
  --queue-endpoint URL     the Queue endpoint [PortscanStorage__queueServiceUri]
  --table-prefix NAME      table name prefix (default Portscan) [PORTSCAN_TABLE_PREFIX]
  --queue NAME             the alert queue (default portscan-alerts) [PORTSCAN_ALERT_QUEUE]

Detection (give the deployment's values where it changed them; each also read from the app
setting in brackets):
${KNOB_USAGE.filter(([flag]) => SMOKE_KNOBS.includes(flag))
  .map(knobLine)
  .join('\n')}

Waiting:
  --ingest-timeout SECONDS for the scan to be stored (1 to 3600, default 300)
  --wait-alert             then wait for the closing timer and the alert in the queue
  --alert-timeout MINUTES  for the alert, once the scan is stored (1 to 1440, default 90)
  --no-keep-alive          send no event to move the watermark (the bin then closes only
                           when other traffic reaches the hub)
  -q, --quiet              no notes on stderr while waiting (failures still)
  -h, --help               this help

Exit status: 0 when every stage passed; 1 when a stage failed or timed out (the message says what
was seen and what to check) or Azure refused a request; 2 for bad usage or configuration; 130
when interrupted.
`;
