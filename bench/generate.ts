import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import {
  AWS_VPC_HEADER,
  DEFAULT_MIX,
  type Format,
  flows,
  LineRenderer,
  type MixOptions,
} from './workload.js';

/** What a generated file holds. */
export interface GeneratedFile {
  readonly path: string;
  readonly format: Format | 'mixed';
  readonly bytes: number;
  readonly lines: number;
  readonly flows: number;
  readonly seed: number;
}

export interface GenerateRequest {
  readonly path: string;
  readonly format: Format | 'mixed';
  /** Stop after this many flows… */
  readonly flows?: number;
  /** …or once the file reaches this many bytes. */
  readonly bytes?: number;
  readonly mix?: MixOptions;
}

/**
 * Writes a workload file (kept when it exists with the same request: the `.json` beside it
 * records what it holds). AWS VPC files start with the default-format header line, as the files
 * AWS writes to S3 do.
 */
export function generateFile(request: GenerateRequest): GeneratedFile {
  const mix = request.mix ?? DEFAULT_MIX;
  const meta = `${request.path}.json`;
  const key = JSON.stringify({ ...request, mix, v: 1 });
  if (existsSync(meta) && existsSync(request.path)) {
    const cached = JSON.parse(readFileSync(meta, 'utf8')) as { key: string; file: GeneratedFile };
    if (cached.key === key) return cached.file;
  }
  const maxFlows = request.flows ?? Number.POSITIVE_INFINITY;
  const maxBytes = request.bytes ?? Number.POSITIVE_INFINITY;
  const renderer = new LineRenderer(request.format, mix.seed);
  const fd = openSync(request.path, 'w');
  let pending: string[] = [];
  let pendingChars = 0;
  let bytes = 0;
  let lines = 0;
  let count = 0;
  const push = (line: string) => {
    pending.push(line);
    pendingChars += line.length + 1;
    lines++;
    if (pendingChars > 4 << 20) flush();
  };
  const flush = () => {
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    bytes += writeSync(fd, text);
    pending = [];
    pendingChars = 0;
  };
  if (request.format === 'aws-vpc') push(AWS_VPC_HEADER);
  for (const flow of flows(mix)) {
    if (count >= maxFlows || bytes + pendingChars >= maxBytes) break;
    count++;
    const line = renderer.render(flow);
    if (line !== undefined) push(line);
  }
  const tail = renderer.flush();
  if (tail !== undefined) push(tail);
  flush();
  closeSync(fd);
  const file: GeneratedFile = {
    path: request.path,
    format: request.format,
    bytes,
    lines,
    flows: count,
    seed: mix.seed,
  };
  writeFileSync(meta, JSON.stringify({ key, file }));
  return file;
}
