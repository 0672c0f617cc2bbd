/**
 * Writes the demo data of `npm start` (samples/demo/): a morning of flow logs from two real
 * formats — AWS VPC flow logs (default version 2 format, with its header line) and Palo Alto
 * PAN-OS TRAFFIC logs as CEF over RFC 5424 syslog — holding one real-shaped port scan among
 * benign traffic. Seeded: the output is the same on every run.
 *
 *   npx tsx scripts/make-demo.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** nmap's most frequently open TCP ports, in the order `nmap --top-ports` probes them (nmap-services frequencies). */
const NMAP_TOP_PORTS = [
  80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111, 995, 993, 5900, 1025,
  587, 8888, 199, 1720, 465, 548, 113, 81, 6001, 10000, 514, 5060, 179, 1026, 2000, 8443, 8000, 32768, 554,
  26, 1433, 49152, 2001, 515, 8008, 49154, 1027, 5666, 646, 5000, 5631, 631, 49153, 8081, 2049, 88, 79, 5800,
  106, 2121, 1110, 49155, 6000, 513, 990, 5357, 427, 49156, 543, 544, 5101, 144, 7, 389, 8009, 3128, 444,
  9999, 5009, 7070, 5190, 3000, 5432, 1900, 3986, 13, 1029, 9, 5051, 6646, 49157, 1028, 873, 1755, 2717, 4899,
  9100, 119, 37, 1000, 3001, 5001, 82, 10010, 1030, 9090, 2107, 1024, 2103, 6004, 1801, 5050, 19, 8031, 1041,
  255, 1048, 1049, 1053, 1054, 1056, 1064, 1065,
];

let seed = 20261129;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const T0 = Date.parse('2026-11-02T08:00:00Z') / 1000;
const ACCOUNT = '123456789010';
const ENI = 'eni-0a1b2c3d4e5f67890';

interface Flow {
  t: number;
  line: string;
}
const vpc: Flow[] = [];
const cef: Flow[] = [];

function vpcFlow(
  t: number,
  src: string,
  dst: string,
  sport: number,
  dport: number,
  action: 'ACCEPT' | 'REJECT',
  packets = 1,
): void {
  const bytes = packets * (action === 'REJECT' ? 44 : 620);
  vpc.push({
    t,
    line: `2 ${ACCOUNT} ${ENI} ${src} ${dst} ${sport} ${dport} 6 ${packets} ${bytes} ${t} ${t + 58} ${action} OK`,
  });
}

function panosTraffic(
  t: number,
  src: string,
  dst: string,
  sport: number,
  dport: number,
  action: 'allow' | 'drop' | 'deny',
): void {
  const iso = new Date(t * 1000).toISOString();
  const rt = new Date(t * 1000)
    .toUTCString()
    .replace(/^\w{3}, (\d{2}) (\w{3}) (\d{4}) /, '$2 $1 $3 ')
    .replace(' GMT', ' GMT');
  const subtype = action === 'allow' ? 'end' : action;
  cef.push({
    t,
    line:
      `<14>1 ${iso} pa-edge-01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.2.8|${subtype}|TRAFFIC|1|` +
      `rt=${rt} deviceExternalId=013201027985 src=${src} dst=${dst} cs1Label=Rule cs1=${action === 'allow' ? 'allow-web' : 'interzone-default'} ` +
      `cs4Label=Source Zone cs4=untrust cs5Label=Destination Zone cs5=dmz cnt=1 spt=${sport} dpt=${dport} proto=tcp act=${action} dvchost=pa-edge-01`,
  });
}

// Benign internet clients of the web tier and the bastion, 08:00-08:15, on both devices.
for (let i = 0; i < 420; i++) {
  const t = T0 + Math.floor(random() * 900);
  const src = `${pick(['203.0.113', '192.0.2', '198.51.100'])}.${1 + Math.floor(random() * 200)}`;
  const port = pick([443, 443, 443, 80, 22]);
  if (random() < 0.6)
    vpcFlow(
      t,
      src,
      pick(['10.0.1.10', '10.0.1.11']),
      32768 + Math.floor(random() * 28000),
      port,
      'ACCEPT',
      3 + Math.floor(random() * 20),
    );
  else panosTraffic(t, src, '10.0.20.20', 32768 + Math.floor(random() * 28000), port, 'allow');
}
// East-west traffic and an internal vulnerability scanner: private sources, never counted.
for (let i = 0; i < 120; i++)
  vpcFlow(
    T0 + Math.floor(random() * 900),
    '10.0.2.40',
    '10.0.1.10',
    40000 + i,
    pick([5432, 6379, 443]),
    'ACCEPT',
    5,
  );
for (const [i, port] of NMAP_TOP_PORTS.entries())
  vpcFlow(T0 + 300 + Math.floor(i / 4), '10.0.9.99', '10.0.1.11', 61000, port, 'REJECT');

// The scan: 198.51.100.23 sweeps nmap's top ports at 08:02 — the first 100 against the VPC
// host, then the other 24 through the Palo Alto edge — within one 5-minute bin.
for (const [i, port] of NMAP_TOP_PORTS.slice(0, 100).entries())
  vpcFlow(T0 + 125 + Math.floor(i / 3), '198.51.100.23', '10.0.1.11', 54613, port, 'REJECT');
for (const [i, port] of NMAP_TOP_PORTS.slice(100).entries())
  panosTraffic(T0 + 160 + i, '198.51.100.23', '10.0.20.20', 54613, port, 'drop');
// A slower prober: 45 ports, 5 s apart from 08:07, so 36 fall in the 08:05 bin and 9 in the
// 08:10 bin, both below the threshold.
for (const [i, port] of NMAP_TOP_PORTS.slice(0, 45).entries())
  panosTraffic(T0 + 420 + i * 5, '203.0.113.66', '10.0.20.20', 41000 + i, port, 'deny');

const dir = join(import.meta.dirname, '..', 'samples', 'demo');
mkdirSync(dir, { recursive: true });
const header =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const byTime = (a: Flow, b: Flow) => a.t - b.t;
writeFileSync(
  join(dir, 'aws-vpc-flow.log'),
  `${[header, ...vpc.sort(byTime).map((f) => f.line)].join('\n')}\n`,
);
writeFileSync(
  join(dir, 'paloalto-cef.log'),
  `${cef
    .sort(byTime)
    .map((f) => f.line)
    .join('\n')}\n`,
);
// The same VPC flows as AWS delivers them to S3: gzip files of 5 minutes of records, each with
// the header line, under AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/ and named
// <account>_vpcflowlogs_<region>_<flow log id>_<yyyymmddThhmmZ>_<hash>.log.gz.
const s3Day = join(
  import.meta.dirname,
  '..',
  'samples',
  'aws-s3',
  'AWSLogs',
  ACCOUNT,
  'vpcflowlogs',
  'eu-west-1',
  '2026',
  '11',
  '02',
);
mkdirSync(s3Day, { recursive: true });
const files = new Map<number, Flow[]>();
for (const f of vpc) {
  const slot = Math.floor(f.t / 300) * 300;
  files.set(slot, [...(files.get(slot) ?? []), f]);
}
for (const [slot, flows] of files) {
  const stamp = new Date(slot * 1000).toISOString().replace(/[-:]/g, '').slice(0, 13);
  const body = `${[header, ...flows.map((f) => f.line)].join('\n')}\n`;
  const hash = (slot % 0xffffffff).toString(16).padStart(8, '0');
  writeFileSync(
    join(s3Day, `${ACCOUNT}_vpcflowlogs_eu-west-1_fl-0a1b2c3d4e5f6789a_${stamp}Z_${hash}.log.gz`),
    gzipSync(body),
  );
}
console.log(`samples/demo: ${vpc.length} VPC flow records, ${cef.length} PAN-OS CEF lines`);
