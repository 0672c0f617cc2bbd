import type { Writable } from 'node:stream';
import type { Alert } from '../schema/Alert.js';

/**
 * Buffers output lines and writes them in large chunks, waiting when the destination is slow
 * (a pipe into `head` or a file on a busy disk), so that output never grows memory unbounded.
 */
export class LineWriter {
  readonly #out: Writable;
  #buffer: string[] = [];
  #size = 0;

  constructor(out: Writable) {
    this.#out = out;
  }

  /** Queues one line; returns a promise only when the caller should wait for the destination. */
  write(line: string): Promise<void> | undefined {
    this.#buffer.push(line);
    this.#size += line.length + 1;
    if (this.#size < 1 << 16) return undefined;
    return this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const text = `${this.#buffer.join('\n')}\n`;
    this.#buffer = [];
    this.#size = 0;
    if (!this.#out.write(text)) await new Promise<void>((resolve) => this.#out.once('drain', resolve));
  }
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
    a.IsLate ? 'late' : '',
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
