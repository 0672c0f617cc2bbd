import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with the next requests. */
export type FaultMode =
  | { readonly kind: 'pass' }
  /** Closes every connection: the service is down. */
  | { readonly kind: 'down' }
  /** Closes the connection of every request the predicate picks (from then on: `down`), passes the others. */
  | { readonly kind: 'failFrom'; readonly picks: (method: string, url: string) => boolean }
  /** Passes the next `count` requests, then closes every connection (storage fails mid-batch). */
  | { readonly kind: 'downAfter'; count: number }
  /**
   * Answers the next `count` requests (those the predicate picks, when given) with `status` and the
   * storage error `code` (default `ServerBusy`) in the body and the `x-ms-error-code` header, as
   * the Table service answers; other requests pass.
   */
  | {
      readonly kind: 'status';
      readonly status: number;
      count: number;
      readonly retryAfterSeconds?: number;
      readonly code?: string;
      readonly picks?: (method: string, url: string) => boolean;
    }
  /**
   * Forwards the next `count` requests the predicate picks and waits for the service's whole
   * answer (the operation is done), then closes the connection instead of answering: a response
   * lost after commit. Other requests pass.
   */
  | { readonly kind: 'loseResponse'; readonly picks: (method: string, url: string) => boolean; count: number }
  /**
   * Forwards the head and at most `bytes` bytes of the body of the next `count` requests the
   * predicate picks, then resets both connections: the service sees a truncated request.
   */
  | {
      readonly kind: 'resetMidRequest';
      readonly picks: (method: string, url: string) => boolean;
      count: number;
      readonly bytes: number;
    };

/**
 * An HTTP proxy on 127.0.0.1 in front of a real service (Azurite), that can refuse connections,
 * reset them in the middle of a request, lose a response after the service has acted on the
 * request, or answer with throttling errors, so fault tests exercise the real SDKs against real
 * storage with controlled faults. It counts the requests it forwards, by method, and the faults
 * it injected.
 */
export interface FaultProxy {
  readonly port: number;
  mode: FaultMode;
  readonly forwarded: Map<string, number>;
  /** Requests seen, including refused ones. */
  requests: number;
  /** Responses lost and requests reset so far. */
  readonly injected: { lostResponses: number; resets: number };
  /**
   * Times a request arrived while none was in flight: the round trips a single client waited for
   * one after the other (requests it sent together count once while they overlap).
   */
  sequentialRoundTrips: number;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /**
   * How long an idle client connection is kept open, in ms: 1 by default, so that every request
   * after a pause opens a connection of its own (fault modes see each one); the benchmark keeps
   * them as a storage service does.
   */
  readonly keepAliveTimeoutMs?: number;
}

export async function startFaultProxy(
  targetPort: number,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const state: {
    mode: FaultMode;
    forwarded: Map<string, number>;
    requests: number;
    injected: { lostResponses: number; resets: number };
    sequentialRoundTrips: number;
  } = {
    mode: { kind: 'pass' },
    forwarded: new Map(),
    requests: 0,
    injected: { lostResponses: 0, resets: 0 },
    sequentialRoundTrips: 0,
  };
  let inFlight = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    if (inFlight++ === 0) state.sequentialRoundTrips++;
    res.once('close', () => inFlight--);
    const mode = state.mode;
    if (mode.kind === 'failFrom' && mode.picks(req.method ?? '', decodeURIComponent(req.url ?? ''))) {
      state.mode = { kind: 'down' };
    }
    if (mode.kind === 'downAfter') {
      if (mode.count > 0) mode.count--;
      else state.mode = { kind: 'down' };
    }
    if (state.mode.kind === 'down') {
      req.socket.destroy();
      return;
    }
    if (
      mode.kind === 'status' &&
      mode.count > 0 &&
      (mode.picks === undefined || mode.picks(req.method ?? '', decodeURIComponent(req.url ?? '')))
    ) {
      mode.count--;
      req.resume();
      const code = mode.code ?? 'ServerBusy';
      res.writeHead(mode.status, {
        'content-type': 'application/json',
        'x-ms-error-code': code,
        ...(mode.retryAfterSeconds === undefined ? {} : { 'retry-after': String(mode.retryAfterSeconds) }),
      });
      res.end(JSON.stringify({ 'odata.error': { code, message: { value: 'injected fault' } } }));
      return;
    }
    const url = decodeURIComponent(req.url ?? '');
    const picked = (m: FaultMode): boolean =>
      (m.kind === 'loseResponse' || m.kind === 'resetMidRequest') &&
      m.count > 0 &&
      m.picks(req.method ?? '', url);
    const lose = mode.kind === 'loseResponse' && picked(mode);
    const reset = mode.kind === 'resetMidRequest' && picked(mode);
    if (lose || reset) (mode as { count: number }).count--;
    state.forwarded.set(req.method ?? '?', (state.forwarded.get(req.method ?? '?') ?? 0) + 1);
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (lose) {
          // The service has answered (the operation happened); the client never hears of it.
          up.resume();
          up.on('end', () => {
            state.injected.lostResponses++;
            req.socket.destroy();
          });
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    if (reset && mode.kind === 'resetMidRequest') {
      let sent = 0;
      req.on('data', (chunk: Buffer) => {
        if (sent >= mode.bytes) return;
        const part = chunk.subarray(0, mode.bytes - sent);
        sent += part.length;
        upstream.write(part);
      });
      // Cut both sides once the head and part of the body have gone out (or the body ended).
      let done = false;
      const cut = () => {
        if (done) return;
        done = true;
        state.injected.resets++;
        upstream.destroy();
        req.socket.destroy();
      };
      req.once('end', cut);
      setTimeout(cut, 20).unref();
      upstream.flushHeaders();
      return;
    }
    req.pipe(upstream);
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get mode() {
      return state.mode;
    },
    set mode(m: FaultMode) {
      state.mode = m;
    },
    get forwarded() {
      return state.forwarded;
    },
    get requests() {
      return state.requests;
    },
    get injected() {
      return state.injected;
    },
    set requests(n: number) {
      state.requests = n;
    },
    get sequentialRoundTrips() {
      return state.sequentialRoundTrips;
    },
    set sequentialRoundTrips(n: number) {
      state.sequentialRoundTrips = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
