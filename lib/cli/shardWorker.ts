import type { MessagePort } from 'node:worker_threads';
import { parentPort, workerData } from 'node:worker_threads';
import { CLI_DEFAULTS, resolveDetectionSettings } from '../config/detectionSettings.js';
import { StreamingDetector } from '../detection/StreamingDetector.js';
import type { Alert } from '../schema/Alert.js';
import {
  attemptKey,
  ChunkDecoder,
  type DecodeReport,
  type DecodeRequest,
  lentBytesOf,
} from './ChunkDecoder.js';
import { applyRowBatch, type RowBatch, transferablesOf } from './shardRows.js';

/** What every thread of a sharded run reads alike: the detection settings' sources and the decoding limits. */
export interface ShardRunSettings {
  /** The settings' sources, resolved in each worker as on the main thread. */
  readonly env: Record<string, string | undefined>;
  readonly flags: Record<string, string | string[]>;
  readonly maxDocumentChars: number;
  readonly maxDeadLetters: number;
}

/** What the pool gives each worker thread at start. */
export interface ShardWorkerData extends ShardRunSettings {
  readonly index: number;
  readonly workers: number;
  readonly maxFieldChars: number;
  /** A port to every other worker (null at this worker's own index). */
  readonly peers: (MessagePort | null)[];
}

/** Messages from the pool. */
export type ToShardWorker =
  | ({ readonly type: 'decode' } & DecodeRequest)
  | { readonly type: 'commit'; readonly id: number; readonly attempt: number }
  | { readonly type: 'release'; readonly key: string }
  | { readonly type: 'finish' };

/** What a shard has counted so far. */
export interface ShardCounts {
  readonly rowsCounted: number;
  readonly beyondRetention: number;
  readonly openWindows: number;
}

/** Messages to the pool. */
export type FromShardWorker =
  | ({
      readonly type: 'decoded';
      /** The chunk's line bytes, given back (transferred) for another attempt at it. */
      readonly lent?: Uint8Array;
    } & DecodeReport)
  | {
      readonly type: 'applied';
      readonly shard: number;
      readonly id: number;
      readonly alerts: Alert[];
      readonly counts: ShardCounts;
    }
  | {
      readonly type: 'finished';
      readonly shard: number;
      readonly alerts: Alert[];
      readonly counts: ShardCounts;
    };

/*
 * Worker thread of `portscan detect --threads N` (lib/cli/ShardPool.ts describes the whole): it
 * decodes the chunks the pool gives it, sends each shard its rows, and is itself one shard: it
 * applies the rows of the sources it owns, chunk by chunk in input order once the pool commits
 * each chunk's attempt, to a detector of its own.
 */
const data = workerData as ShardWorkerData;
const settings = resolveDetectionSettings(data.env, data.flags, CLI_DEFAULTS);
const decoder = new ChunkDecoder(settings, {
  shards: data.workers,
  maxFieldChars: data.maxFieldChars,
  maxDeadLetters: data.maxDeadLetters,
  maxDocumentChars: data.maxDocumentChars,
});
const alerts: Alert[] = [];
const detector = new StreamingDetector(settings, (alert) => alerts.push(alert));
const commits = new Map<number, number>();
const batches = new Map<string, RowBatch>();
let next = 0;
let latestMs = Number.NEGATIVE_INFINITY;
const post = (message: FromShardWorker, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(message, transfer);
const countsOf = (): ShardCounts => {
  const c = detector.counts;
  return { rowsCounted: c.rowsCounted, beyondRetention: c.beyondRetention, openWindows: c.openWindows };
};

/** Applies every chunk whose committed batch is here, in order. */
function applyReady(): void {
  for (;;) {
    const attempt = commits.get(next);
    if (attempt === undefined) return;
    const key = attemptKey(next, attempt);
    const batch = batches.get(key);
    if (batch === undefined) return;
    commits.delete(next);
    const prefix = `${next}/`;
    for (const k of batches.keys()) if (k.startsWith(prefix)) batches.delete(k);
    latestMs = applyRowBatch(batch, detector, settings.binMs, latestMs);
    post({ type: 'applied', shard: data.index, id: next, alerts: alerts.splice(0), counts: countsOf() });
    next++;
  }
}

function receive(batch: RowBatch): void {
  if (batch.id < next) return;
  batches.set(attemptKey(batch.id, batch.attempt), batch);
  applyReady();
}

for (const port of data.peers) port?.on('message', receive);
parentPort?.on('message', (message: ToShardWorker) => {
  switch (message.type) {
    case 'decode': {
      const { report, batches: out } = decoder.decode(message);
      const lent = lentBytesOf(message.lines);
      if (lent === undefined) post({ type: 'decoded', ...report });
      else post({ type: 'decoded', ...report, lent }, [lent.buffer as ArrayBuffer]);
      for (let shard = 0; shard < out.length; shard++) {
        const batch = out[shard] as RowBatch;
        if (shard === data.index) receive(batch);
        else data.peers[shard]?.postMessage(batch, transferablesOf(batch));
      }
      return;
    }
    case 'commit':
      commits.set(message.id, message.attempt);
      applyReady();
      return;
    case 'release':
      decoder.release(message.key);
      return;
    case 'finish':
      detector.finish();
      post({ type: 'finished', shard: data.index, alerts: alerts.splice(0), counts: countsOf() });
      for (const port of data.peers) port?.close();
      return;
  }
});
