import net from 'node:net';

/**
 * A free port below Linux's ephemeral range (32768-60999 by default). A fault test stops a
 * server and starts it again on the same port; a port the kernel hands out for outgoing
 * connections could be taken by one of them while the server is down, and the restart would
 * fail. Ports in 20000-32767 are only ever bound on purpose.
 */
export async function freeStablePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await isFree(port)) return port;
  }
  throw new Error('no free port found in 20000-32767');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
