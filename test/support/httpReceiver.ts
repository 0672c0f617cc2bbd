import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the receiver saw it: raw body text, lower-case header names. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `Date.now()` when the body had been read. */
  readonly atMs: number;
}

/** What the receiver does with one request. */
export type Reply =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
    }
  /** Reads the request and never answers (until the receiver closes). */
  | { readonly kind: 'hang' }
  /** Destroys the connection without an answer. */
  | { readonly kind: 'destroy' };

/**
 * A real HTTP server on 127.0.0.1 and a free port, for webhook tests. Replies are taken from
 * `replies` in order, then `fallback` (202, as Teams Workflows answers) for every later request.
 */
export interface HttpReceiver {
  readonly port: number;
  readonly requests: ReceivedRequest[];
  readonly replies: Reply[];
  fallback: Reply;
  /** Awaited after a request's body is read and before it is answered (to act while a sender waits). */
  onRequest: ((request: ReceivedRequest) => Promise<void>) | undefined;
  /** Resolves once the receiver has read the bodies of `count` requests in all. */
  whenReceived(count: number): Promise<void>;
  /** `http://127.0.0.1:<port><path>`. */
  url(path?: string): string;
  close(): Promise<void>;
}

/** Starts a receiver; on `port` when given (one that was down a moment ago), else on a free one. */
export async function startHttpReceiver(
  fallback: Reply = { kind: 'status', status: 202 },
  atPort = 0,
): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const replies: Reply[] = [];
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const state: { fallback: Reply; onRequest: ((request: ReceivedRequest) => Promise<void>) | undefined } = {
    fallback,
    onRequest: undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        atMs: Date.now(),
      };
      requests.push(request);
      for (const waiter of waiters.filter((w) => w.count <= requests.length)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      await state.onRequest?.(request);
      const reply = replies.shift() ?? state.fallback;
      if (reply.kind === 'hang') return;
      if (reply.kind === 'destroy') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(atPort, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    replies,
    get fallback() {
      return state.fallback;
    },
    set fallback(reply: Reply) {
      state.fallback = reply;
    },
    get onRequest() {
      return state.onRequest;
    },
    set onRequest(hook: ((request: ReceivedRequest) => Promise<void>) | undefined) {
      state.onRequest = hook;
    },
    whenReceived: (count) =>
      count <= requests.length
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
