import type { Writable } from 'node:stream';
import { DetectorError } from '../errors.js';
import type { Alert } from '../schema/Alert.js';

/** The reader of the output went away (`portscan … | head -1`): the run ends quietly. */
export class OutputClosedError extends Error {
  constructor() {
    super('output closed');
    this.name = 'OutputClosedError';
  }
}

/** True for the error a write to a closed pipe gives. */
export function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

/**
 * Buffers output lines and writes them in large chunks, waiting when the destination is slow
 * (a pipe into `head` or a file on a busy disk), so that output never grows memory unbounded.
 * When the reader closes the pipe, the next write or flush throws `OutputClosedError`.
 */
export class LineWriter {
  readonly #out: Writable;
  #buffer: string[] = [];
  #size = 0;
  #closed = false;
  #failure: unknown;
  readonly #waiters = new Set<() => void>();

  constructor(out: Writable) {
    this.#out = out;
    const close = () => {
      this.#closed = true;
      for (const w of this.#waiters) w();
    };
    // A closed pipe is an ordinary end of the output, never a crash; any other error fails the run.
    out.on('error', (e) => {
      if (!isClosedPipe(e)) this.#failure = e;
      close();
    });
    out.on('close', close);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #check(): void {
    if (!this.#closed) return;
    if (this.#failure === undefined) throw new OutputClosedError();
    const code = (this.#failure as NodeJS.ErrnoException).code ?? String(this.#failure);
    throw new DetectorError('OUTPUT_UNWRITABLE', `cannot write the output (${code})`, {
      cause: this.#failure,
    });
  }

  /** Queues one line; returns a promise only when the caller should wait for the destination. */
  write(line: string): Promise<void> | undefined {
    this.#check();
    this.#buffer.push(line);
    this.#size += line.length + 1;
    if (this.#size < 1 << 16) return undefined;
    return this.flush();
  }

  /** Writes text as it is (a table), through the same buffer. */
  async text(text: string): Promise<void> {
    await this.flush();
    await this.#send(text);
  }

  async flush(): Promise<void> {
    this.#check();
    if (this.#buffer.length === 0) return;
    const text = `${this.#buffer.join('\n')}\n`;
    this.#buffer = [];
    this.#size = 0;
    await this.#send(text);
  }

  async #send(text: string): Promise<void> {
    this.#check();
    if (this.#out.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        this.#out.off('drain', done);
        resolve();
      };
      this.#waiters.add(done);
      this.#out.once('drain', done);
    });
    this.#check();
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = Array.isArray(value)
    ? value.join(' ')
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV columns of an alert, in this order. */
export const ALERT_CSV_COLUMNS = [
  'BinStart',
  'BinEnd',
  'SrcIpAddr',
  'AttemptedPortsCount',
  'AttemptedPorts',
  'ReportedBy',
  'FirstSeen',
  'LastSeen',
  'EventCount',
  'IsLate',
  'Severity',
  'DetectionMode',
  'Threshold',
  'AlertId',
] as const;

/** One CSV line of an alert; lists (ports, reporters) are space-separated. */
export function alertCsvLine(alert: Alert): string {
  return ALERT_CSV_COLUMNS.map((c) => csvField(alert[c])).join(',');
}

/** A readable table of alerts for people. */
export function formatAlertTable(alerts: readonly Alert[]): string {
  if (alerts.length === 0) return 'No alerts.\n';
  const rows = alerts.map((a) => [
    a.TimeGenerated.replace('T', ' ').replace('.000Z', 'Z'),
    a.SrcIpAddr,
    String(a.AttemptedPortsCount),
    summarizePorts(a.AttemptedPorts, a.AttemptedPortsCount),
    a.ReportedBy.join(', '),
    [a.IsTest ? 'smoke test' : '', a.IsLate ? 'late' : '', a.Suppression === undefined ? '' : 'known scanner']
      .filter((t) => t !== '')
      .join(', '),
  ]);
  const header = ['Bin (UTC)', 'Source', 'Ports', 'Attempted ports', 'Reported by', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

function summarizePorts(ports: readonly number[], total: number): string {
  const shown = ports.slice(0, 8).join(',');
  return total > 8 ? `${shown},… (+${total - 8})` : shown;
}

/** `12,345` */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `12.3 MB` */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
