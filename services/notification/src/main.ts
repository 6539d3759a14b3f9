import { Queue } from 'bullmq';
import { QUEUES } from '@khiw/contracts';
import { createPrismaClient } from '@khiw/db';
import { createKafka, createProducer } from '@khiw/kafka';
import {
  Counter,
  createServiceApp,
  createServiceRuntime,
  Gauge,
  listen,
  runService,
} from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, pingRedis } from '@khiw/redis';
import { startBookingEventsConsumer } from './sms/booking-events.consumer';
import { deliveryReportRoutes } from './sms/delivery-reports.routes';
import { KannelProvider } from './sms/kannel.provider';
import { createSendSmsWorker } from './sms/send-sms.worker';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = 'notification';
  const { logger, registry, shutdown } = createServiceRuntime(service, config);

  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  const redis = createRedisClient({ url: config.REDIS_URL, name: service, logger, blocking: true });
  const prefix = bullPrefix(config.KHIW_NAMESPACE);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? service,
    logger,
  });
  const producer = createProducer(kafka);
  const smsQueue = new Queue(QUEUES.sms, { connection: redis, prefix });

  new Gauge({
    name: 'khiw_notification_sms_queue_waiting_jobs',
    help: 'SMS jobs waiting to be sent',
    registers: [registry],
    async collect() {
      this.set(await smsQueue.getWaitingCount());
    },
  });
  const provider = new KannelProvider({
    sendsmsUrl: config.KANNEL_SENDSMS_URL,
    username: config.KANNEL_USERNAME,
    password: config.KANNEL_PASSWORD,
    sender: config.SMS_SENDER,
    dlrBaseUrl: config.DLR_BASE_URL,
  });
  const worker = createSendSmsWorker({
    connection: redis,
    prefix,
    prisma,
    provider,
    ratePerSecond: config.SMS_RATE_PER_SECOND,
    concurrency: config.SMS_CONCURRENCY,
    logger,
    metrics: {
      sent: new Counter({
        name: 'khiw_notification_sms_send_attempts_total',
        help: 'SMS send attempts by outcome',
        labelNames: ['outcome'],
        registers: [registry],
      }),
    },
  });

  const app = createServiceApp({
    registry,
    isDraining: () => shutdown.draining,
    checks: {
      postgres: () => prisma.$queryRaw`SELECT 1`,
      redis: () => pingRedis(redis),
    },
  });
  app.use(
    deliveryReportRoutes(
      prisma,
      logger,
      new Counter({
        name: 'khiw_notification_delivery_reports_total',
        help: 'Delivery reports received, by status',
        labelNames: ['status'],
        registers: [registry],
      }),
    ),
  );
  const server = await listen(app, config.PORT);

  await producer.connect();
  const consumer = await startBookingEventsConsumer({
    kafka,
    producer,
    prisma,
    smsQueue,
    namespace: config.KHIW_NAMESPACE,
    logger,
    metrics: {
      events: new Counter({
        name: 'khiw_notification_booking_events_total',
        help: 'Booking events consumed, by type and outcome',
        labelNames: ['type', 'outcome'],
        registers: [registry],
      }),
    },
  });
  void worker.run();

  // Stop consuming first (its in-flight message finishes and commits), then let sends in
  // flight finish; delivery reports keep arriving on HTTP until the very end.
  shutdown.add('kafka consumer', () => consumer.disconnect());
  shutdown.add('sms worker', () => worker.close());
  shutdown.add('kafka producer', () => producer.disconnect());
  shutdown.add('http', () => server.close());
  shutdown.add('sms queue', () => smsQueue.close());
  shutdown.add('postgres', () => prisma.$disconnect());
  shutdown.add('redis', () => closeRedis(redis));
  logger.info({ port: server.port, prefix, rate: config.SMS_RATE_PER_SECOND }, 'notification ready');
}

runService('notification', main);
