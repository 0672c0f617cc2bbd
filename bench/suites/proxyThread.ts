/**
 * The counting proxy of the ingest suite on a worker thread of its own, so that the main thread's
 * busy time is the function's work alone (the proxy forwards every Table request and its answer).
 * Messages from the parent: `reset` (counts to zero), `counts` (answers the counts), `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startFaultProxy } from '../../test/support/faultProxy.js';

const port = parentPort;
if (port === null) throw new Error('proxyThread.ts runs as a worker thread');
const { tablePort, keepAliveTimeoutMs } = workerData as { tablePort: number; keepAliveTimeoutMs: number };
const proxy = await startFaultProxy(tablePort, { keepAliveTimeoutMs });
port.on('message', (message: string) => {
  if (message === 'reset') {
    proxy.requests = 0;
    proxy.sequentialRoundTrips = 0;
    proxy.forwarded.clear();
    port.postMessage({ reset: true });
  } else if (message === 'counts') {
    port.postMessage({
      requests: proxy.requests,
      sequentialRoundTrips: proxy.sequentialRoundTrips,
      forwarded: Object.fromEntries(proxy.forwarded),
    });
  } else if (message === 'close') {
    void proxy.close().then(() => port.close());
  }
});
port.postMessage({ port: proxy.port });
