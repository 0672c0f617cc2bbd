/**
 * The benchmark's seeded workload: a stream of flows with the documented mix (bench/README.md),
 * rendered in four real source formats. The same seed gives the same bytes on every machine.
 *
 * Mix, by flows:
 * - 75 % benign public sources: a pool of 20,000 addresses with Zipf-like popularity (s = 0.8),
 *   each touching only its own 1 to 3 service ports;
 * - 20 % private sources (10/8, 172.16/12, 192.168/16) that the filter drops;
 * - 5 % scanners: about three at a time, each sweeping 60 to 5,000 distinct ports (log-uniform),
 *   each new scanner from a fresh public address.
 * Event time advances at `flowsPerSecond` (200 by default: 60,000 flows per 5-minute bin), each
 * flow starting up to 30 s before its log time.
 */

/** sfc32: a small, fast, seeded generator with a 128-bit state. */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** `noise`: a flow of internet background noise, mostly from a source that sends nothing else. */
export type FlowKind = 'benign' | 'private' | 'scanner' | 'noise';

/** One generated flow: the ground truth the benchmark checks the product against. */
export interface Flow {
  readonly kind: FlowKind;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Flow start, ms since the epoch (what every format's decoder bins on). */
  readonly startMs: number;
  /** Log time, ms since the epoch (≥ startMs). */
  readonly logMs: number;
}

export interface MixOptions {
  readonly seed: number;
  /** The bench mix (absent) or internet background noise (`noise`, see `noiseFlows`). */
  readonly profile?: 'noise';
  /** Event-time rate of the stream. */
  readonly flowsPerSecond: number;
  /** Event time of the first flow. */
  readonly startMs: number;
}

export const DEFAULT_MIX: MixOptions = {
  seed: 20261129,
  flowsPerSecond: 200,
  startMs: Date.parse('2026-11-02T00:00:00Z'),
};

/**
 * Internet background noise at an exposed edge: 1,000,000 flows over 6 hours (46.3 per second),
 * 83 % from a fresh public address each (one flow, one commonly probed port), 5 % from a pool of
 * 2,000 crawlers (their own 1 to 3 ports), 12 % from scanners, about three at a time, each from a
 * fresh address sweeping 60 to 1,000 distinct ports (log-uniform): about 360 scans per million
 * flows. Every window of a one-off source is a window that lives until its bin closes.
 */
export const NOISE_MIX: MixOptions = {
  seed: 20261205,
  profile: 'noise',
  flowsPerSecond: 1_000_000 / (6 * 3600),
  startMs: Date.parse('2026-11-02T00:00:00Z'),
};

const BENIGN_POOL = 20_000;
const SERVICE_PORTS = [443, 80, 22, 53, 123, 25, 587, 993, 3389, 8080, 8443, 5432, 3306, 1433, 6379, 9200];
const SERVERS = ['10.0.1.10', '10.0.1.11', '10.0.1.12', '10.0.2.20', '10.0.2.21', '10.0.3.30'];

function publicAddress(r: Random): string {
  for (;;) {
    const a = r.int(1, 223);
    const b = r.int(0, 255);
    if (a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) continue;
    if (a === 169 && b === 254) continue;
    return `${a}.${b}.${r.int(0, 255)}.${r.int(1, 254)}`;
  }
}

function privateAddress(r: Random): string {
  const k = r.int(0, 2);
  if (k === 0) return `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  if (k === 1) return `172.${r.int(16, 31)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  return `192.168.${r.int(0, 255)}.${r.int(1, 254)}`;
}

interface Scanner {
  readonly src: string;
  readonly ports: number[];
  next: number;
}

/** The flow stream: an endless, seeded iterator in log-time order. */
export function flows(options: MixOptions = DEFAULT_MIX): Generator<Flow> {
  return options.profile === 'noise' ? noiseFlows(options) : benchFlows(options);
}

/** Ports background noise probes, most probed first (telnet, SSH, SMB, RDP, web, databases, IoT). */
const PROBED_PORTS = [
  23, 22, 445, 3389, 80, 443, 8080, 1433, 3306, 5900, 2323, 8443, 6379, 5432, 21, 25, 53, 123, 161, 1900,
  5060, 7547, 8888, 9200, 27017, 11211, 37215, 52869, 81, 8081,
];
/** The edge's public addresses (TEST-NET-3): the targets of the noise. */
const edgeAddress = (r: Random) => `203.0.113.${r.int(1, 254)}`;

/** A scanner of 60 to `maxPorts` distinct random ports (log-uniform), from a random public address. */
function randomScanner(r: Random, maxPorts: number): Scanner {
  const count = Math.round(Math.exp(Math.log(60) + r.next() * (Math.log(maxPorts) - Math.log(60))));
  const ports = new Set<number>();
  while (ports.size < count) ports.add(r.int(1, 65535));
  return { src: publicAddress(r), ports: [...ports], next: 0 };
}

function* noiseFlows(options: MixOptions): Generator<Flow> {
  const r = new Random(options.seed);
  const crawlers = Array.from({ length: 2000 }, () => ({
    src: publicAddress(r),
    ports: Array.from({ length: r.int(1, 3) }, () => r.pick(PROBED_PORTS)),
  }));
  const newScanner = (): Scanner => randomScanner(r, 1000);
  const scanners = [newScanner(), newScanner(), newScanner()];
  const stepMs = 1000 / options.flowsPerSecond;
  let t = options.startMs;
  for (;;) {
    t += stepMs;
    const logMs = Math.floor(t);
    const startMs = logMs - r.int(0, 30_000);
    const x = r.next();
    const srcPort = r.int(32768, 60999);
    if (x < 0.83) {
      // A popular port most of the time, any port otherwise.
      const dstPort = r.next() < 0.8 ? r.pick(PROBED_PORTS) : r.int(1, 65535);
      yield { kind: 'noise', src: publicAddress(r), dst: edgeAddress(r), srcPort, dstPort, startMs, logMs };
    } else if (x < 0.88) {
      const c = r.pick(crawlers);
      yield {
        kind: 'noise',
        src: c.src,
        dst: edgeAddress(r),
        srcPort,
        dstPort: r.pick(c.ports),
        startMs,
        logMs,
      };
    } else {
      const i = r.int(0, scanners.length - 1);
      const s = scanners[i] as Scanner;
      const dstPort = s.ports[s.next++] as number;
      if (s.next >= s.ports.length) scanners[i] = newScanner();
      yield { kind: 'scanner', src: s.src, dst: edgeAddress(r), srcPort, dstPort, startMs, logMs };
    }
  }
}

function* benchFlows(options: MixOptions): Generator<Flow> {
  const r = new Random(options.seed);
  const benign = Array.from({ length: BENIGN_POOL }, () => ({
    src: publicAddress(r),
    ports: Array.from({ length: r.int(1, 3) }, () => r.pick(SERVICE_PORTS)),
  }));
  // Zipf-like popularity (s = 0.8) by inverse transform over the cumulative weights.
  const cumulative = new Float64Array(BENIGN_POOL);
  let total = 0;
  for (let i = 0; i < BENIGN_POOL; i++) {
    total += 1 / (i + 1) ** 0.8;
    cumulative[i] = total;
  }
  const pickBenign = () => {
    const x = r.next() * total;
    let lo = 0;
    let hi = BENIGN_POOL - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return benign[lo] as { src: string; ports: number[] };
  };
  const newScanner = (): Scanner => randomScanner(r, 5000);
  const scanners = [newScanner(), newScanner(), newScanner()];
  const stepMs = 1000 / options.flowsPerSecond;
  let t = options.startMs;
  for (;;) {
    t += stepMs;
    const logMs = Math.floor(t);
    const startMs = logMs - r.int(0, 30_000);
    const x = r.next();
    const srcPort = r.int(32768, 60999);
    if (x < 0.75) {
      const b = pickBenign();
      yield {
        kind: 'benign',
        src: b.src,
        dst: r.pick(SERVERS),
        srcPort,
        dstPort: r.pick(b.ports),
        startMs,
        logMs,
      };
    } else if (x < 0.95) {
      yield {
        kind: 'private',
        src: privateAddress(r),
        dst: r.pick(SERVERS),
        srcPort,
        dstPort: r.pick(SERVICE_PORTS),
        startMs,
        logMs,
      };
    } else {
      const i = r.int(0, scanners.length - 1);
      const s = scanners[i] as Scanner;
      const dstPort = s.ports[s.next++] as number;
      if (s.next >= s.ports.length) scanners[i] = newScanner();
      yield { kind: 'scanner', src: s.src, dst: r.pick(SERVERS), srcPort, dstPort, startMs, logMs };
    }
  }
}

/** The formats the benchmark renders flows in. */
export const FORMATS = ['asim', 'aws-vpc', 'panos-cef', 'nsg-flow'] as const;
export type Format = (typeof FORMATS)[number];

const ASIM_REPORTERS = [
  ['Palo Alto', 'PanOS', 'pa-edge-01'],
  ['Fortinet', 'Fortigate', 'fgt-dc-02'],
  ['Microsoft', 'Azure Firewall', 'azfw-hub-01'],
] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether a flow was let through: benign and private ones always, scanners and noise one in five. */
const isAllowed = (f: Flow, r: Random) => (f.kind !== 'scanner' && f.kind !== 'noise') || r.next() < 0.2;

/** An ASimNetworkSessionLogs row as a Log Analytics export writes it (one JSON line, about 400 bytes). */
export function asimLine(f: Flow, r: Random): string {
  const [vendor, product, dvc] = r.pick(ASIM_REPORTERS);
  const allow = isAllowed(f, r);
  return `{"TimeGenerated":"${iso(f.logMs)}","EventStartTime":"${iso(f.startMs)}","EventCount":1,"EventVendor":"${vendor}","EventProduct":"${product}","EventSchema":"NetworkSession","EventResult":"${allow ? 'Success' : 'Failure'}","SrcIpAddr":"${f.src}","SrcPortNumber":${f.srcPort},"DstIpAddr":"${f.dst}","DstPortNumber":${f.dstPort},"NetworkProtocol":"TCP","DvcAction":"${allow ? 'Allow' : 'Deny'}","Dvc":"${dvc}","Type":"ASimNetworkSessionLogs"}`;
}

/** The header line that starts every AWS VPC flow-log file in the default (version 2) format. */
export const AWS_VPC_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** An AWS VPC flow-log record, default format version 2 (14 space-separated fields). */
export function awsVpcLine(f: Flow, r: Random): string {
  const accept = isAllowed(f, r);
  const packets = accept ? r.int(1, 40) : 1;
  const start = Math.floor(f.startMs / 1000);
  return `2 123456789010 eni-0a1b2c3d4e5f67890 ${f.src} ${f.dst} ${f.srcPort} ${f.dstPort} 6 ${packets} ${packets * (accept ? 620 : 44)} ${start} ${start + 60} ${accept ? 'ACCEPT' : 'REJECT'} OK`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function cefDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`;
}

/** A Palo Alto PAN-OS TRAFFIC log in the PAN-OS CEF template, over RFC 5424 syslog. */
export function panosCefLine(f: Flow, r: Random): string {
  const allow = isAllowed(f, r);
  return `<14>1 ${iso(f.logMs)} pa-edge-01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.2.8|end|TRAFFIC|1|rt=${cefDate(f.logMs)} deviceExternalId=013201027985 src=${f.src} dst=${f.dst} cs1Label=Rule cs1=${allow ? 'allow-web' : 'deny-all'} cs4Label=Source Zone cs4=untrust cs5Label=Destination Zone cs5=dmz cnt=1 spt=${f.srcPort} dpt=${f.dstPort} proto=tcp act=${allow ? 'allow' : 'deny'} start=${cefDate(f.startMs)} dvchost=pa-edge-01`;
}

/** Tuples per NSG flow-log envelope line. */
export const NSG_TUPLES_PER_ENVELOPE = 40;

/**
 * An NSG flow-log (version 2) `{"records":[…]}` envelope as diagnostic settings deliver it: two
 * records (minutes), each with an allow and a deny rule group of flow tuples.
 */
export function nsgEnvelopeLine(batch: readonly Flow[], r: Random): string {
  const records: string[] = [];
  const half = Math.ceil(batch.length / 2);
  for (const part of [batch.slice(0, half), batch.slice(half)]) {
    if (part.length === 0) continue;
    const allow: string[] = [];
    const deny: string[] = [];
    for (const f of part) {
      const denied = (f.kind === 'scanner' || f.kind === 'noise') && r.next() < 0.8;
      const sec = Math.floor(f.startMs / 1000);
      (denied ? deny : allow).push(
        denied
          ? `"${sec},${f.src},${f.dst},${f.srcPort},${f.dstPort},T,I,D,B,,,,"`
          : `"${sec},${f.src},${f.dst},${f.srcPort},${f.dstPort},T,I,A,E,${r.int(1, 30)},${r.int(100, 9000)},${r.int(1, 30)},${r.int(100, 90000)}"`,
      );
    }
    const groups: string[] = [];
    if (allow.length > 0)
      groups.push(
        `{"rule":"DefaultRule_AllowInternetOutBound","flows":[{"mac":"000D3AF87856","flowTuples":[${allow.join(',')}]}]}`,
      );
    if (deny.length > 0)
      groups.push(
        `{"rule":"UserRule_DenyAll","flows":[{"mac":"000D3AF87856","flowTuples":[${deny.join(',')}]}]}`,
      );
    const time = iso((part[part.length - 1] as Flow).logMs);
    records.push(
      `{"time":"${time}","systemId":"5f4d7d6e-3a2b-4c1d-9e8f-7a6b5c4d3e2f","macAddress":"000D3AF87856","category":"NetworkSecurityGroupFlowEvent","resourceId":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG-EDGE/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-EDGE","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[${groups.join(',')}]}}`,
    );
  }
  return `{"records":[${records.join(',')}]}`;
}

/** Renders flows as lines of one format, or of the mix (each flow's format drawn at random). */
export class LineRenderer {
  readonly #r: Random;
  readonly #format: Format | 'mixed';
  #nsg: Flow[] = [];
  /** The flows the last line returned by `render` or `flush` carries. */
  emitted: readonly Flow[] = [];

  constructor(format: Format | 'mixed', seed: number) {
    this.#format = format;
    this.#r = new Random(seed ^ 0x5bd1e995);
  }

  /** The lines one flow adds (NSG flows are held until an envelope is full). */
  render(f: Flow): string | undefined {
    const format = this.#format === 'mixed' ? this.#pickFormat() : this.#format;
    switch (format) {
      case 'asim':
        this.emitted = [f];
        return asimLine(f, this.#r);
      case 'aws-vpc':
        this.emitted = [f];
        return awsVpcLine(f, this.#r);
      case 'panos-cef':
        this.emitted = [f];
        return panosCefLine(f, this.#r);
      case 'nsg-flow':
        this.#nsg.push(f);
        if (this.#nsg.length < NSG_TUPLES_PER_ENVELOPE) return undefined;
        return this.flush();
    }
  }

  /** The envelope of held NSG flows, if any. */
  flush(): string | undefined {
    if (this.#nsg.length === 0) return undefined;
    const line = nsgEnvelopeLine(this.#nsg, this.#r);
    this.emitted = this.#nsg;
    this.#nsg = [];
    return line;
  }

  /** Mixed stream, by flows: AWS VPC 40 %, PAN-OS CEF 25 %, ASIM 20 %, NSG 15 %. */
  #pickFormat(): Format {
    const x = this.#r.next();
    return x < 0.4 ? 'aws-vpc' : x < 0.65 ? 'panos-cef' : x < 0.85 ? 'asim' : 'nsg-flow';
  }
}
