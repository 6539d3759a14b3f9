import http from 'node:http';

export interface ClosableServer {
  server: http.Server;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle keep-alives. */
  close(): Promise<void>;
}

export async function listen(
  /** An express app, or a handler in front of one. */
  app: http.RequestListener,
  port: number,
  host = '0.0.0.0',
  drainGraceMs = 5000,
): Promise<ClosableServer> {
  const server = http.createServer(app);
  // Behind a load balancer keep-alive must outlive its idle timeout to avoid resets at 09:00.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
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
