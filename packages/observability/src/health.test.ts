import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServiceApp } from './health';
import { listen, type ClosableServer } from './http-server';
import { createMetricsRegistry } from './metrics';

describe('health routes', () => {
  let server: ClosableServer;
  let redisUp = true;
  let draining = false;
  const base = () => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    const app = createServiceApp({
      registry: createMetricsRegistry('test-svc'),
      checks: {
        redis: async () => {
          if (!redisUp) throw new Error('connection refused');
        },
        slow: () => new Promise((resolve) => setTimeout(resolve, 5)),
      },
      isDraining: () => draining,
      checkTimeoutMs: 200,
    });
    server = await listen(app, 0, '127.0.0.1');
  });
  afterAll(() => server.close());

  it('answers ready only while every dependency answers and not draining', async () => {
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', slow: 'ok' } });

    redisUp = false;
    const down = await fetch(`${base()}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ checks: { redis: 'connection refused' } });

    redisUp = true;
    draining = true;
    expect((await fetch(`${base()}/readyz`)).status).toBe(503);
    draining = false;
  });

  it('reports each readiness check as khiw_readiness_check_up, 0 while it fails', async () => {
    const metrics = async () => (await fetch(`${base()}/metrics`)).text();
    expect(await metrics()).toContain('khiw_readiness_check_up{check="redis",service="test-svc"} 1');
    redisUp = false;
    const text = await metrics();
    redisUp = true;
    expect(text).toContain('khiw_readiness_check_up{check="redis",service="test-svc"} 0');
    expect(text).toContain('khiw_readiness_check_up{check="slow",service="test-svc"} 1');
  });

  it('exposes prometheus metrics with the service prefix', async () => {
    const text = await (await fetch(`${base()}/metrics`)).text();
    expect(text).toContain('khiw_test_svc_process_cpu_seconds_total');
  });
});

describe('listen().close()', () => {
  it('returns once a request in flight at close time is answered, though its client keeps the socket alive', async () => {
    const app = createServiceApp({
      registry: createMetricsRegistry('close-test'),
      checks: {},
      isDraining: () => false,
    });
    app.get('/slow', (_req, res) => {
      setTimeout(() => res.send('done'), 200);
    });
    // A 60 s grace: only the sweep of sockets that became idle can make close() return in time.
    const server = await listen(app, 0, '127.0.0.1', 60_000);
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true });
    const body = new Promise<string>((resolve) =>
      http.get({ port: server.port, host: '127.0.0.1', path: '/slow', agent }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close().then(() => 'closed');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('still open'), 5000)));
    expect(await Promise.race([closed, timeout])).toBe('closed');
    clearTimeout(timer);
    expect(await body).toBe('done');
    agent.destroy();
  });
});
