import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { DEFAULT_HTTP_TIMEOUTS, listen, type ClosableServer } from './http-server';

let running: ClosableServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const start = async (timeouts = {}) => {
  running = await listen((_req, res) => res.end('ok'), 0, '127.0.0.1', 100, timeouts);
  return running;
};

/** Connects, runs `use`, resolves with what came back and how long the socket lived. */
const connect = (port: number, use: (socket: net.Socket) => void) =>
  new Promise<{ received: string; livedMs: number }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const openedAt = Date.now();
    socket.on('connect', () => use(socket));
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ received, livedMs: Date.now() - openedAt }));
  });

describe('listen', () => {
  it('sets keep-alive longer than a 60 s load balancer idle timeout, and headers and request timeouts', async () => {
    const { server } = await start();
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(server.headersTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs);
  });

  it("listens with a backlog for a 09:00 burst of connections, not Node's 511 (Linux: ss shows it)", async () => {
    // A listening socket's Send-Q in `ss -ltn` is its backlog, as the kernel caps it.
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    const backlogOf = (port: number) =>
      Number(
        execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
          .trim()
          .split(/\s+/)[2],
      );
    const { port } = await start();
    expect(backlogOf(port)).toBe(Math.min(DEFAULT_HTTP_TIMEOUTS.backlog, somaxconn));
    expect(backlogOf(port)).toBeGreaterThan(511);
    await running!.close();
    const small = await start({ backlog: 64 });
    expect(backlogOf(small.port)).toBe(64);
  });

  it('takes its timeouts from the caller, the headers timeout never above the request timeout', async () => {
    const { server } = await start({
      keepAliveTimeoutMs: 5000,
      headersTimeoutMs: 9000,
      requestTimeoutMs: 4000,
    });
    expect(server.keepAliveTimeout).toBe(5000);
    expect(server.requestTimeout).toBe(4000);
    expect(server.headersTimeout).toBe(4000);
  });

  it('closes a socket that sends nothing after the headers timeout (Node alone would keep it)', async () => {
    const { port } = await start({ headersTimeoutMs: 1000 });
    const silent = await connect(port, () => undefined);
    // Cut by the socket's idle timeout (nothing said), or by Node's own connection check when
    // it runs first on the same 1 s tick (a 408 and close): either way closed at the deadline.
    expect(silent.received).toMatch(/^$|^HTTP\/1\.1 408 Request Timeout\r\nConnection: close\r\n\r\n$/);
    expect(silent.livedMs).toBeGreaterThanOrEqual(900);
    expect(silent.livedMs).toBeLessThan(3000);
  });

  it('answers 408 to headers that trickle in past the headers timeout', async () => {
    const { port } = await start({ headersTimeoutMs: 1000 });
    const slow = await connect(port, (socket) => {
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 200);
      socket.on('close', () => clearInterval(drip));
    });
    expect(slow.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow.livedMs).toBeLessThan(3000);
  });

  it('keeps a keep-alive socket idle for longer than the headers timeout between requests', async () => {
    const { port } = await start({ headersTimeoutMs: 1000 });
    const answers: string[] = [];
    await connect(port, (socket) => {
      const ask = () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.on('data', (chunk) => {
        answers.push(chunk.toString('latin1'));
        if (answers.length === 1) setTimeout(ask, 1800);
        else socket.end();
      });
      ask();
    });
    expect(answers.map((a) => a.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(answers[0]).toMatch(/\r\nKeep-Alive: timeout=65\r\n/);
  });
});
