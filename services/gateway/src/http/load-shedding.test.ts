import { describe, expect, it } from '@jest/globals';
import express from 'express';
import { Registry } from '@khiw/observability';
import { EventLoopLag, loadShedding, priorityOf, shouldShed } from './load-shedding';

const req = (method: string, url: string) => ({ method, url }) as Parameters<typeof priorityOf>[0];

describe('load shedding', () => {
  it('ranks new arrivals first to go, then status polls; bookings and everything else never', () => {
    expect(priorityOf(req('GET', '/api/campaigns/c1/queue/challenge'))).toBe('arrival');
    expect(priorityOf(req('POST', '/api/campaigns/c1/queue'))).toBe('arrival');
    expect(priorityOf(req('GET', '/api/queue/status'))).toBe('poll');
    expect(priorityOf(req('GET', '/api/queue/status?x=1'))).toBe('poll');
    for (const [method, url] of [
      ['POST', '/api/bookings'],
      ['GET', '/api/bookings/requests/abc'],
      ['POST', '/api/queue/release'],
      ['GET', '/api/campaigns/c1'],
      ['GET', '/api/campaigns/c1/queue/state'],
      ['GET', '/api/campaigns/c1/sites/SKH/slots'],
      ['GET', '/readyz'],
      ['GET', '/queue/'],
    ] as const)
      expect(priorityOf(req(method, url))).toBe('keep');
  });

  it('turns arrivals away past the limit with a probability rising to 1 at twice it, polls only past twice', () => {
    expect(shouldShed('arrival', 70, 70, 0)).toBe(false);
    expect(shouldShed('arrival', 105, 70, 0.49)).toBe(true); // (105 - 70) / 70 = 0.5
    expect(shouldShed('arrival', 105, 70, 0.51)).toBe(false);
    expect(shouldShed('arrival', 140, 70, 0.999)).toBe(true);
    expect(shouldShed('poll', 140, 70, 0)).toBe(false);
    expect(shouldShed('poll', 280, 70, 0.999)).toBe(true);
    expect(shouldShed('keep', 10_000, 70, 0)).toBe(false);
    expect(shouldShed('arrival', 10_000, 0, 0)).toBe(false); // 0: off
  });

  it('answers a shed arrival 503 with a Retry-After of 5-15 s and the Thai and English words, and counts it', async () => {
    const registry = new Registry();
    const lag = { ms: 1000 };
    const app = express();
    app.use(loadShedding({ lag, maxLagMs: 70, registry }));
    app.all('/{*any}', (_req, res) => res.status(200).json({ served: true }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const shed = await fetch(`${base}/api/campaigns/c1/queue/challenge`);
      expect(shed.status).toBe(503);
      const retryAfter = Number(shed.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(5);
      expect(retryAfter).toBeLessThanOrEqual(15);
      const body = (await shed.json()) as { error: { code: string; message: { th: string; en: string } } };
      expect(body.error.code).toBe('TEMPORARILY_UNAVAILABLE');
      expect(body.error.message.th).toMatch(/[\u0E00-\u0E7F]/);
      // A resident who is through is served however late the loop runs.
      expect((await fetch(`${base}/api/bookings`, { method: 'POST' })).status).toBe(200);
      lag.ms = 0;
      expect((await fetch(`${base}/api/campaigns/c1/queue/challenge`)).status).toBe(200);
      expect(await registry.getSingleMetricAsString('khiw_gateway_shed_total')).toContain(
        'khiw_gateway_shed_total{priority="arrival"} 1',
      );
    } finally {
      server.close();
    }
  });

  it('measures how late the event loop runs', async () => {
    const lag = new EventLoopLag(10, 1);
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const blockedUntil = performance.now() + 200;
      while (performance.now() < blockedUntil); // a busy loop, as under a surge
      await new Promise((resolve) => setTimeout(resolve, 5));
      const peak = lag.ms;
      expect(peak).toBeGreaterThan(150);
      await new Promise((resolve) => setTimeout(resolve, 60));
      // Back to the machine's ordinary lateness (a busy CI machine's timers are late too).
      expect(lag.ms).toBeLessThan(peak / 2);
    } finally {
      lag.stop();
    }
  });
});
