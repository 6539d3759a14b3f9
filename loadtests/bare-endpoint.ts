import { randomBytes } from 'node:crypto';
import express from 'express';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient } from '@khiw/redis';
import { statusScriptKeys, waitingRoomKeys } from '../services/gateway/src/waiting-room/waiting-room-keys';
import { withWaitingRoomCommands } from '../services/gateway/src/waiting-room/waiting-room-scripts';

/**
 * The baseline for loadtests/waiting-room.bench.ts: a bare express app that runs the same
 * single Redis step as the gateway (the waiting room's join and status Lua scripts, by
 * EVALSHA) and returns JSON, with no tokens, validation, metrics or middleware. The ratio
 * gateway / bare is what the gateway's own work costs. Run as its own process, like the
 * gateway, so both are measured by the same client from outside.
 *
 * Env: PORT, REDIS_URL, BARE_NAMESPACE, BARE_CAMPAIGN.
 */
const port = Number(process.env.PORT ?? 0);
const namespace = process.env.BARE_NAMESPACE ?? 'bench-bare';
const campaignId = process.env.BARE_CAMPAIGN ?? 'bare';
const keys = waitingRoomKeys(namespace, campaignId);
const logger = createLogger({ service: 'bare-endpoint', level: 'warn' });
const redis = withWaitingRoomCommands(
  createRedisClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', name: 'bare', logger }),
);

const app = express();
app.disable('x-powered-by');
app.get('/readyz', (_req, res) => void res.json({ ok: true }));

// Join: the same join-5 step the gateway runs (no challenge: difficulty -1).
app.post('/bare/queue', async (_req, res, next) => {
  try {
    const ticketId = randomBytes(12).toString('base64url');
    const [code, queueNumber] = await redis.wrJoin(
      keys.room,
      keys.numbers,
      keys.pre,
      keys.seen,
      '',
      ticketId,
      -1,
    );
    res.status(201).json({ ticket: `${queueNumber}.${ticketId}`, code, queueNumber });
  } catch (error) {
    next(error);
  }
});

// Status: the same status-9 step; the "ticket" is `<queueNumber>.<ticketId>` in plain text.
app.get('/bare/status', async (req, res, next) => {
  try {
    const [number, ticketId] = (req.headers.authorization ?? '').replace(/^Bearer /, '').split('.');
    const [code, queueNumber, serving] = await redis.wrStatus(
      ...statusScriptKeys(keys),
      ticketId ?? '',
      Number(number) || 0,
      600_000,
    );
    res.json({ code, queueNumber, position: Number(queueNumber) - Number(serving) });
  } catch (error) {
    next(error);
  }
});

const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : port });
});

process.on('SIGTERM', () => {
  server.close();
  void closeRedis(redis).then(() => process.exit(0));
});
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
