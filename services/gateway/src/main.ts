import path from 'node:path';
import express from 'express';
import { Queue } from 'bullmq';
import { QUEUES } from '@khiw/contracts';
import {
  createServiceApp,
  createServiceRuntime,
  httpMetricsMiddleware,
  listen,
  runService,
} from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, pingRedis } from '@khiw/redis';
import { bookingRequestRoutes } from './bookings/booking-requests.routes';
import { campaignRoutes } from './campaigns/campaigns.routes';
import { problemHandler } from './http/problem';
import { loadKeyring } from './waiting-room/tokens/load-keyring';
import { createWaitingRoom } from './waiting-room/waiting-room';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = 'gateway';
  const { logger, registry, shutdown } = createServiceRuntime(service, config);

  // Request paths fail fast when Redis is away (503), never queue requests in memory.
  const redis = createRedisClient({ url: config.REDIS_URL, name: service, logger });
  const queueConnection = createRedisClient({
    url: config.REDIS_URL,
    name: `${service}-queue`,
    logger,
    blocking: true,
  });
  const bookingQueue = new Queue(QUEUES.booking, {
    connection: queueConnection,
    prefix: bullPrefix(config.KHIW_NAMESPACE),
  });

  const app = createServiceApp({
    registry,
    isDraining: () => shutdown.draining,
    checks: { redis: () => pingRedis(redis) },
  });
  const waitingRoom = createWaitingRoom({
    config,
    redis,
    keyring: loadKeyring(config, logger),
    logger,
    registry,
  });
  app.use(waitingRoom.pollRouter);
  app.use(httpMetricsMiddleware(registry, service));
  app.use(express.json({ limit: '8kb' }));
  for (const router of waitingRoom.routers) app.use(router);
  app.use(campaignRoutes(redis, config.KHIW_NAMESPACE));
  app.use(bookingRequestRoutes(bookingQueue));
  app.use(express.static(path.resolve(__dirname, '../public'), { maxAge: '5m' }));
  app.use(problemHandler(logger));
  const server = await listen(app, config.PORT);
  if (config.WAITING_ROOM_ADMISSION_LOOP) waitingRoom.loop.start();

  shutdown.add('admission loop', () => waitingRoom.loop.close());
  shutdown.add('http', () => server.close());
  shutdown.add('booking queue', () => bookingQueue.close());
  shutdown.add('redis', async () => {
    await closeRedis(redis);
    await closeRedis(queueConnection);
  });
  logger.info({ port: server.port, url: config.PUBLIC_BASE_URL }, 'gateway ready');
}

runService('gateway', main);
