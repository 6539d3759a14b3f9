import http from 'node:http';
import type { Socket } from 'node:net';

export interface ClosableServer {
  server: http.Server;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle keep-alives. */
  close(): Promise<void>;
}

/** The server's timeouts, in ms (settings HTTP_*_TIMEOUT_MS, see docs/operations.md). */
export interface HttpTimeouts {
  /**
   * How long an idle keep-alive connection is kept. Longer than any load balancer's idle
   * timeout in front (AWS ALB and nginx `keepalive_timeout`: 60 s), so the balancer always
   * closes first and never sends a request on a socket this server is closing (a reset).
   */
  keepAliveTimeoutMs: number;
  /** From a request's first byte to its last header; also the limit on a socket that sends nothing. */
  headersTimeoutMs: number;
  /** From a request's first byte to its last body byte (uploads must fit: registry imports). */
  requestTimeoutMs: number;
  /** The listen backlog: connections the kernel queues before the server accepts them. */
  backlog: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  keepAliveTimeoutMs: 65_000,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  backlog: 4096,
};

/** The timeouts from a service's config (its `...settings.httpServer` fields). */
export const httpTimeoutsOf = (config: {
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_LISTEN_BACKLOG: number;
}): HttpTimeouts => ({
  keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  backlog: config.HTTP_LISTEN_BACKLOG,
});

const answeredOnce = new WeakSet<Socket>();

export async function listen(
  /** An express app, or a handler in front of one. */
  app: http.RequestListener,
  port: number,
  host = '0.0.0.0',
  drainGraceMs = 5000,
  timeouts: Partial<HttpTimeouts> = {},
): Promise<ClosableServer> {
  const { keepAliveTimeoutMs, headersTimeoutMs, requestTimeoutMs, backlog } = {
    ...DEFAULT_HTTP_TIMEOUTS,
    ...timeouts,
  };
  // Node refuses (and slowloris exploits) a headers timeout longer than the request timeout.
  const headersMs = Math.min(headersTimeoutMs, requestTimeoutMs);
  const server = http.createServer(
    // Checked every second, not Node's 30 s, so a slow client is cut close to its deadline.
    { headersTimeout: headersMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: 1000 },
    app,
  );
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.on('connection', (socket: Socket) => {
    // Node starts the headers timeout at a request's first byte: a socket that never sends one
    // would hold a file descriptor for ever (slowloris). Idle this long before a request: closed.
    socket.setTimeout(headersMs);
  });
  server.prependListener('request', (req: http.IncomingMessage) => {
    // The first request has arrived: from here Node's own timeouts (request, keep-alive) rule.
    // Ahead of the app, so this never undoes the keep-alive timeout of a response already sent.
    if (answeredOnce.has(req.socket)) return;
    answeredOnce.add(req.socket);
    req.socket.setTimeout(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  let closing: Promise<void> | undefined;
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Keep-alive clients (load balancers, Kannel's delivery reports) may keep a socket busy
        // for ever: close each socket as soon as its request is answered, and all of them
        // after a grace period.
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        const force = setTimeout(() => server.closeAllConnections(), drainGraceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
