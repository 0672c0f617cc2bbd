import { isReachedOutcome } from '../detection/RowRouter.js';
import type { FastLinePath } from '../fastpath/FastLinePath.js';
import { ASIM, AWS_VPC } from '../fastpath/FastLinePath.js';
import { deviceOf } from '../window/DeviceTally.js';
import { reporterOf } from '../window/WindowState.js';

/** Kinds of a classified line: the full path must read it, or the fast path read it as one of its sources. */
export const FULL_PATH = 0;
export const FAST_ASIM = 1;
export const FAST_VPC = 2;

/**
 * What a worker thread's fast path read from a chunk of lines, in arrays that cross threads
 * cheaply: per line its kind, and for fast lines the fields `RowRouter.routeFields` takes.
 */
export interface ClassifiedChunk {
  readonly kinds: Uint8Array;
  readonly rows: Uint8Array;
  /** `Date.parse(EventStartTime ?? TimeGenerated)`. */
  readonly timeMs: Float64Array;
  /** DstPortNumber, -1 when absent. */
  readonly ports: Int32Array;
  readonly eventCounts: Float64Array;
  /** Index into `reporters`. */
  readonly reporterIndex: Int32Array;
  readonly reporters: string[];
  /** Index into `sources` of the line's SrcIpAddr as written, -1 when it has none. */
  readonly sourceIndex: Int32Array;
  /** The distinct SrcIpAddr values of the chunk: the main thread judges each string object once. */
  readonly sources: string[];
  /** Index into `targets` of the line's DstIpAddr, -1 when it has none. */
  readonly targetIndex: Int32Array;
  readonly targets: string[];
  /** 1 when `isReachedOutcome(DvcAction, EventResult)`. */
  readonly reached: Uint8Array;
  /** Index into `devices` of `deviceOf(Dvc, DvcHostname, DvcIpAddr, DvcId)`. */
  readonly deviceIndex: Int32Array;
  readonly devices: string[];
}

/** Adds `value` to a chunk's table of distinct strings; returns its index. */
function indexOf(value: string, table: string[], ids: Map<string, number>): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = table.length;
    table.push(value);
    ids.set(value, id);
  }
  return id;
}

/** Classifies the lines of `text` (lines joined by `\n`, `count` of them) as `FastLinePath.classify` does. */
export function classifyChunk(path: FastLinePath, text: string, count: number): ClassifiedChunk {
  const kinds = new Uint8Array(count);
  const rows = new Uint8Array(count);
  const timeMs = new Float64Array(count);
  const ports = new Int32Array(count);
  const eventCounts = new Float64Array(count);
  const reporterIndex = new Int32Array(count);
  const sourceIndex = new Int32Array(count).fill(-1);
  const reporters: string[] = [];
  const reporterIds = new Map<string, number>();
  const sources: string[] = [];
  const sourceIds = new Map<string, number>();
  const targetIndex = new Int32Array(count).fill(-1);
  const targets: string[] = [];
  const targetIds = new Map<string, number>();
  const reached = new Uint8Array(count);
  const deviceIndex = new Int32Array(count);
  const devices: string[] = [];
  const deviceIds = new Map<string, number>();
  let start = 0;
  for (let i = 0; i < count; i++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // The splitter strips one carriage return before it offers a line to the fast path.
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    const f = path.classify(line);
    if (f === undefined) continue;
    kinds[i] = f.decoder === ASIM ? FAST_ASIM : f.decoder === AWS_VPC ? FAST_VPC : FULL_PATH;
    rows[i] = f.rows;
    timeMs[i] = Date.parse(f.eventStartTime ?? f.timeGenerated);
    ports[i] = f.port ?? -1;
    eventCounts[i] = f.eventCount;
    reporterIndex[i] = indexOf(reporterOf(f.vendor, f.product), reporters, reporterIds);
    if (f.src !== undefined) sourceIndex[i] = indexOf(f.src, sources, sourceIds);
    if (f.dst !== undefined) targetIndex[i] = indexOf(f.dst, targets, targetIds);
    reached[i] = isReachedOutcome(f.dvcAction, f.eventResult) ? 1 : 0;
    deviceIndex[i] = indexOf(deviceOf(f.dvc, f.dvcHostname, f.dvcIpAddr, f.dvcId), devices, deviceIds);
  }
  return {
    kinds,
    rows,
    timeMs,
    ports,
    eventCounts,
    reporterIndex,
    reporters,
    sourceIndex,
    sources,
    targetIndex,
    targets,
    reached,
    deviceIndex,
    devices,
  };
}
