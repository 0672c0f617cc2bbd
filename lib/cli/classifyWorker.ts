import { parentPort, workerData } from 'node:worker_threads';
import { FastLinePath } from '../fastpath/FastLinePath.js';
import { SOURCE_DECODERS } from '../sources/pipeline/registry.js';
import { classifyChunk } from './classifiedChunk.js';

/**
 * Worker thread of `portscan detect --threads N`: reads chunks of lines with the fast path and
 * answers with what it read; the main thread applies the answers in input order.
 */
const { maxFieldChars } = workerData as { maxFieldChars: number };
const path = new FastLinePath(SOURCE_DECODERS, maxFieldChars);
parentPort?.on('message', (message: { id: number; text: string; count: number }) => {
  const chunk = classifyChunk(path, message.text, message.count);
  const transfer = [
    chunk.kinds,
    chunk.rows,
    chunk.timeMs,
    chunk.ports,
    chunk.eventCounts,
    chunk.reporterIndex,
    chunk.sourceIndex,
    chunk.targetIndex,
    chunk.reached,
    chunk.deviceIndex,
  ].map((a) => a.buffer as ArrayBuffer);
  parentPort?.postMessage({ id: message.id, chunk }, transfer);
});
