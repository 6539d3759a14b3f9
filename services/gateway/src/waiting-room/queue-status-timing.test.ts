import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { Histogram, listen, Registry, type ClosableServer } from '@khiw/observability';
import { queueStatusRoutes } from './queue.routes';
import type { QueueStatus } from './queue-status.usecase';

/**
 * The status poll is mounted ahead of the generic HTTP metrics; its own histogram must count
 * every answer, including the ones the app's error handler gives (Redis away: 503), since the
 * 5xx-ratio and p99 alerts read it.
 */
describe('GET /api/queue/status timing', () => {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'khiw_gateway_queue_status_duration_seconds',
    help: 'test',
    labelNames: ['status'],
    registers: [registry],
  });
  const status = {
    execute: async ({ campaignId }: { campaignId?: string }) => {
      if (campaignId === 'redis-away') throw new Error('redis away');
      return { state: 'waiting' };
    },
  } as unknown as QueueStatus;
  let server: ClosableServer;

  beforeAll(async () => {
    const app = express();
    app.use(queueStatusRoutes({ status, duration }));
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(503).json({ code: 'UNAVAILABLE' });
    });
    server = await listen(app, 0, '127.0.0.1');
  });
  afterAll(() => server.close());

  it('counts answers by status, error answers included', async () => {
    const poll = (campaignId: string) =>
      fetch(`http://127.0.0.1:${server.port}/api/queue/status?campaignId=${campaignId}`);
    expect((await poll('c1')).status).toBe(200);
    expect((await poll('c1')).status).toBe(200);
    expect((await poll('redis-away')).status).toBe(503);

    const { values } = await duration.get();
    const count = (code: string) =>
      values.find((v) => v.metricName?.endsWith('_count') && v.labels.status === code)?.value;
    expect({ ok: count('200'), unavailable: count('503') }).toEqual({ ok: 2, unavailable: 1 });
  });
});
