import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHaproxy, type RunningHaproxy } from '../loadtests/support/haproxy';

/**
 * loadtests/support/haproxy.ts in front of two tiny echo servers standing in for gateway
 * replicas (two real gateways would cost the shared 2-core machine far more than the check is
 * worth). What the replay relies on: both replicas get work, and each simulated client's own
 * 127.x.y.z source address reaches the replica in X-Forwarded-For, which is what the gateway's
 * per-network limits key on.
 */
const SOURCES = ['127.0.0.11', '127.1.2.3', '127.200.0.254'];
const REQUESTS = 200;
const PARALLEL = 10;

interface Echo {
  server: http.Server;
  port: number;
  hits: number;
}

interface Answer {
  xff: string | undefined;
  backend: number;
}

async function echoServer(): Promise<Echo> {
  const echo: Echo = { server: http.createServer(), port: 0, hits: 0 };
  echo.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    // haproxy's health check, as a gateway's /readyz would answer it.
    if (req.url === '/readyz') {
      res.end('ready');
      return;
    }
    echo.hits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ xff: req.headers['x-forwarded-for'], backend: echo.port }));
  });
  await new Promise<void>((resolve) => echo.server.listen(0, '127.0.0.1', resolve));
  echo.port = (echo.server.address() as net.AddressInfo).port;
  return echo;
}

function get(port: number, agent: http.Agent, index: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: `/echo/${index}`, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as Answer));
      })
      .on('error', reject);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('haproxy in front of gateway replicas', () => {
  const echoes: Echo[] = [];
  let haproxy: RunningHaproxy | undefined;

  beforeAll(async () => {
    echoes.push(await echoServer(), await echoServer());
    haproxy = await startHaproxy({ backends: echoes.map((echo) => echo.port) });
  });

  afterAll(async () => {
    await haproxy?.stop();
    await Promise.all(echoes.map((echo) => new Promise((resolve) => echo.server.close(resolve))));
  });

  it('spreads requests over both backends and forwards each client source address', async () => {
    // One keep-alive agent per simulated client, each bound to its own loopback address.
    const agents = SOURCES.map(
      (localAddress) => new http.Agent({ keepAlive: true, maxSockets: 4, localAddress }),
    );
    const mismatches: string[] = [];
    try {
      for (let start = 0; start < REQUESTS; start += PARALLEL) {
        const batch = Array.from({ length: Math.min(PARALLEL, REQUESTS - start) }, (_, k) => start + k);
        await Promise.all(
          batch.map(async (index) => {
            const source = SOURCES[index % SOURCES.length]!;
            const answer = await get(haproxy!.port, agents[index % SOURCES.length]!, index);
            if (answer.xff !== source) mismatches.push(`${source} arrived as ${String(answer.xff)}`);
          }),
        );
      }
    } finally {
      agents.forEach((agent) => agent.destroy());
    }

    expect(mismatches).toEqual([]);
    expect(echoes[0]!.hits + echoes[1]!.hits).toBe(REQUESTS);
    // leastconn with equal, idle replicas alternates; a fifth each is a loose floor.
    expect(echoes[0]!.hits).toBeGreaterThan(REQUESTS / 5);
    expect(echoes[1]!.hits).toBeGreaterThan(REQUESTS / 5);
  });

  it('stop() ends the haproxy process and removes its config directory', async () => {
    const running = haproxy!;
    expect(isAlive(running.pid)).toBe(true);
    // The config directory is private to startHaproxy; haproxy's own command line names it.
    const argv = readFileSync(`/proc/${running.pid}/cmdline`, 'utf8').split('\0');
    const configDir = path.dirname(argv[argv.indexOf('-f') + 1]!);
    expect(existsSync(configDir)).toBe(true);
    await running.stop();
    expect(isAlive(running.pid)).toBe(false);
    expect(existsSync(configDir)).toBe(false);
    // A second stop() is harmless (afterAll calls it again).
    await running.stop();
  });
});

describe('haproxy with every replica down', () => {
  it('answers 503 with Retry-After and a JSON problem, as the gateway itself does', async () => {
    // A port nothing listens on: the health check fails, the server goes down after 3 checks.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const running = await startHaproxy({ backends: [deadPort] });
    try {
      const answer = await fetch(`http://127.0.0.1:${running.port}/api/queue/status`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(await answer.json()).toEqual({ error: { code: 'UNAVAILABLE' } });
    } finally {
      await running.stop();
    }
  });
});

describe('startHaproxy without a backend', () => {
  it('refuses with a clear message', async () => {
    await expect(startHaproxy({ backends: [] })).rejects.toThrow('at least one backend');
  });
});
