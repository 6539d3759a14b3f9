import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUES } from '@khiw/contracts';
import { createPrismaClient } from '@khiw/db';
import {
  createKafka,
  createKafkaProbe,
  createProducer,
  OutboxRelay,
  topicName,
  watchConsumerLag,
  watchOutboxAge,
} from '@khiw/kafka';
import {
  createServiceApp,
  createServiceRuntime,
  httpTimeoutsOf,
  listen,
  runService,
} from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, pingRedis } from '@khiw/redis';
import { CampaignSmsSettingsSource } from './campaigns/campaign-sms-settings';
import { notificationGroupId, startBookingEventsConsumer } from './sms/booking-events.consumer';
import { deliveryReportRoutes } from './sms/delivery-reports.routes';
import { KannelProvider } from './sms/kannel.provider';
import { NotifyBookingEvents } from './sms/notify-booking-events.usecase';
import { SendSms } from './sms/send-sms.usecase';
import { createSendSmsWorker } from './sms/send-sms.worker';
import { SmsLedger } from './sms/sms-ledger';
import { createNotificationMetrics, watchOldestUnsentSms } from './metrics';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = 'notification';
  const runtime = createServiceRuntime(service, config);
  const { logger, registry, shutdown } = runtime;

  const prisma = createPrismaClient(config.DATABASE_URL, {
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: service,
  });
  const redis = createRedisClient({ url: config.REDIS_URL, name: service, logger, blocking: true });
  const prefix = bullPrefix(config.KHIW_NAMESPACE);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? service,
    logger,
  });
  const producer = createProducer(kafka);
  const smsQueue = new Queue(QUEUES.sms, { connection: redis, prefix });
  const metrics = createNotificationMetrics(registry, smsQueue);
  const ledger = new SmsLedger(prisma);

  const provider = new KannelProvider({
    sendsmsUrl: config.KANNEL_SENDSMS_URL,
    username: config.KANNEL_USERNAME,
    password: config.KANNEL_PASSWORD,
    sender: config.SMS_SENDER,
    dlrBaseUrl: config.DLR_BASE_URL,
    timeoutMs: config.KANNEL_TIMEOUT_MS,
  });
  const worker = createSendSmsWorker({
    connection: redis,
    prefix,
    sendSms: new SendSms({
      ledger,
      provider,
      metrics,
      logger,
      settings: {
        inDoubtAfterMs: config.SMS_IN_DOUBT_AFTER_MS,
        pauseMs: config.SMS_GATEWAY_PAUSE_MS,
        maxPauseMs: config.SMS_GATEWAY_MAX_PAUSE_MS,
      },
    }),
    ratePerSecond: config.SMS_RATE_PER_SECOND,
    concurrency: config.SMS_CONCURRENCY,
    logger,
  });

  const checks = {
    postgres: () => prisma.$queryRaw`SELECT 1`,
    redis: () => pingRedis(redis),
  };
  const app = createServiceApp({ registry, isDraining: () => shutdown.draining, checks });
  app.use(deliveryReportRoutes(ledger, logger, metrics));
  const server = await listen(app, config.PORT, undefined, undefined, httpTimeoutsOf(config));

  await producer.connect();
  const relay = new OutboxRelay({
    db: prisma,
    producer,
    table: 'notification.outbox_events',
    lockKey: 74_2021_08,
    topic: { name: topicName(config.KHIW_NAMESPACE, 'notificationEvents') },
    onPublished: 'delete',
    logger: logger.child({ component: 'outbox-relay' }),
    metrics: { published: metrics.outboxPublished, failures: metrics.outboxFailures },
  });
  relay.start();
  const consumer = await startBookingEventsConsumer({
    kafka,
    producer,
    namespace: config.KHIW_NAMESPACE,
    logger,
    metrics,
    notify: new NotifyBookingEvents({
      ledger,
      smsQueue,
      provider: provider.name,
      logger,
      retry: { attempts: config.SMS_MAX_ATTEMPTS, backoffMs: config.SMS_BACKOFF_MS },
      settings: new CampaignSmsSettingsSource(
        redis,
        config.KHIW_NAMESPACE,
        { reminderHoursBefore: config.SMS_DEFAULT_REMINDER_HOURS, language: config.SMS_DEFAULT_LANGUAGE },
        logger,
      ),
    }),
  });
  void worker.run();
  // Gauges read from Kafka and PostgreSQL every few seconds (alerts, the ops console).
  const gaugeRefreshes = [
    watchConsumerLag({
      kafka,
      groupId: notificationGroupId(config.KHIW_NAMESPACE),
      topics: [topicName(config.KHIW_NAMESPACE, 'bookingEvents')],
      registry,
      logger,
    }),
    watchOldestUnsentSms(ledger, registry, logger),
    watchOutboxAge({
      db: prisma,
      table: 'notification.outbox_events',
      onPublished: 'delete',
      registry,
      service,
      logger,
    }),
  ];
  const kafkaProbe = createKafkaProbe(kafka);
  const heartbeat = runtime.replicaHeartbeat({
    // The blocking client queues commands while Redis is away: a beat then waits for it,
    // and the next one is only scheduled after it (no pile-up).
    redis,
    metrics: [
      'khiw_notification_sms_sent_total',
      'khiw_notification_sms_delivered_total',
      'khiw_notification_sms_failed_total',
      'khiw_notification_sms_oldest_unsent_seconds',
      'khiw_kafka_consumer_lag',
    ],
    checks,
    probes: { kafka: () => kafkaProbe.check(), kannel: () => provider.probe() },
    packageJson: path.resolve(__dirname, '../package.json'),
    closeAfter: () => kafkaProbe.close(),
  });
  heartbeat.start();

  // Stop consuming first (its in-flight chunk finishes and commits), then let sends in flight
  // finish and publish their events; delivery reports keep arriving on HTTP until late.
  shutdown.add('gauge refreshes', () => Promise.all(gaugeRefreshes.map((refresh) => refresh.close())));
  shutdown.add('kafka consumer', () => consumer.disconnect());
  shutdown.add('sms worker', () => worker.close());
  shutdown.add('http', () => server.close());
  shutdown.add('notification events relay', () => relay.close());
  shutdown.add('kafka producer', () => producer.disconnect());
  shutdown.add('sms queue', () => smsQueue.close());
  shutdown.add('postgres', () => prisma.$disconnect());
  shutdown.add('redis', () => closeRedis(redis));
  logger.info({ port: server.port, prefix, rate: config.SMS_RATE_PER_SECOND }, 'notification ready');
}

runService('notification', main);
