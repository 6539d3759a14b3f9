import path from 'node:path';
import { createPgPool, createPrismaClient } from '@khiw/db';
import {
  createKafka,
  createKafkaProbe,
  createProducer,
  OutboxRelay,
  outboxRelayCounters,
  topicName,
  watchConsumerLag,
  watchOutboxAge,
} from '@khiw/kafka';
import {
  Counter,
  createServiceApp,
  createServiceRuntime,
  Histogram,
  httpMetricsMiddleware,
  httpTimeoutsOf,
  listen,
  runService,
} from '@khiw/observability';
import { answerInternalClientError } from '@khiw/internal-api';
import { closeRedis, createRedisClient } from '@khiw/redis';
import { withLookupFastPath } from './http/lookup-fast-path';
import { rosterRoutes } from './http/roster.routes';
import { LookupAppointment } from './lookup/lookup-appointment.usecase';
import { CountBookings } from './ops/count-bookings.usecase';
import { CountEntered } from './ops/count-entered.usecase';
import { ExportRegistry } from './ops/export-registry.usecase';
import { ApplyEvents } from './roster/apply-events.usecase';
import { rosterGroupId, startRosterConsumer } from './roster/roster-events.consumer';
import { CheckIn } from './site-roster/check-in.usecase';
import { ListDayRoster } from './site-roster/list-day-roster.usecase';
import { SearchRoster } from './site-roster/search-roster.usecase';
import { FindBookings } from './site-roster/find-bookings.usecase';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = 'roster';
  const runtime = createServiceRuntime(service, config);
  const { logger, registry, shutdown } = runtime;

  const prisma = createPrismaClient(config.DATABASE_URL, {
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: service,
  });
  const lookupPool = createPgPool(config.DATABASE_URL, {
    poolSize: config.ROSTER_LOOKUP_POOL_SIZE,
    applicationName: `${service}-lookup`,
    onPoolError: (error) => logger.warn({ err: error }, 'look-up pool: idle connection failed'),
  });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? service,
    logger,
  });
  const producer = createProducer(kafka);
  const relay = new OutboxRelay({
    db: prisma,
    producer,
    table: 'roster.outbox_events',
    lockKey: 74_2021_09,
    topic: { column: 'topic', namespace: config.KHIW_NAMESPACE },
    onPublished: 'mark',
    // Check-ins nudge the relay; the poll picks up what a nudge missed (another replica held the lock).
    batchSize: 200,
    pollMs: 2000,
    logger: logger.child({ component: 'outbox-relay' }),
    metrics: outboxRelayCounters(registry, service),
  });

  const checks = { postgres: () => prisma.$queryRaw`SELECT 1` };
  const app = createServiceApp({ registry, isDraining: () => shutdown.draining, checks });
  const metrics = httpMetricsMiddleware(registry, service);
  app.use(metrics);
  const lookup = new LookupAppointment(lookupPool);
  app.use(
    rosterRoutes({
      lookup,
      listDayRoster: new ListDayRoster(prisma),
      searchRoster: new SearchRoster(prisma),
      checkIn: new CheckIn(prisma, () => relay.nudge()),
      countBookings: new CountBookings(prisma),
      findBookings: new FindBookings(prisma),
      countEntered: new CountEntered(prisma),
      exportRegistry: new ExportRegistry(prisma),
      logger,
      token: config.INTERNAL_API_TOKEN,
    }),
  );
  const server = await listen(
    withLookupFastPath(app, { lookup, token: config.INTERNAL_API_TOKEN, metrics, logger }),
    config.PORT,
    undefined,
    undefined,
    httpTimeoutsOf(config),
  );
  server.server.on('clientError', answerInternalClientError);

  await producer.connect();
  relay.start();
  const consumer = await startRosterConsumer({
    kafka,
    producer,
    namespace: config.KHIW_NAMESPACE,
    applyEvents: new ApplyEvents(prisma),
    logger,
    chunkSize: config.ROSTER_CHUNK_SIZE,
    partitionsConsumedConcurrently: config.ROSTER_PARTITIONS_CONCURRENTLY,
    events: new Counter({
      name: 'khiw_roster_events_total',
      help: 'Events consumed, by type and outcome (seen, applied, duplicate, ignored, dead-letter)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'khiw_roster_event_lag_seconds',
      help: 'From the event (occurredAt) to its write in the roster',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
  });

  // Gauges read from Kafka and PostgreSQL every few seconds (alerts, the ops console).
  const gaugeRefreshes = [
    watchConsumerLag({
      kafka,
      groupId: rosterGroupId(config.KHIW_NAMESPACE),
      topics: [
        topicName(config.KHIW_NAMESPACE, 'bookingEvents'),
        topicName(config.KHIW_NAMESPACE, 'notificationEvents'),
      ],
      registry,
      logger,
    }),
    watchOutboxAge({
      db: prisma,
      table: 'roster.outbox_events',
      onPublished: 'mark',
      registry,
      service,
      logger,
    }),
  ];

  // The roster keeps nothing in Redis: this connection only carries the replica heartbeat.
  const redis = createRedisClient({ url: config.REDIS_URL, name: `${service}-heartbeat`, logger });
  const kafkaProbe = createKafkaProbe(kafka);
  const heartbeat = runtime.replicaHeartbeat({
    redis,
    metrics: [
      'khiw_roster_event_lag_seconds_sum',
      'khiw_roster_event_lag_seconds_count',
      'khiw_kafka_consumer_lag',
      'khiw_roster_outbox_oldest_unpublished_seconds',
    ],
    checks,
    probes: { kafka: () => kafkaProbe.check() },
    packageJson: path.resolve(__dirname, '../package.json'),
    closeAfter: async () => {
      await kafkaProbe.close();
      await closeRedis(redis);
    },
  });
  heartbeat.start();

  // Leave the ops console's replica list, stop taking events (the chunk in flight finishes
  // and commits), then the rest.
  shutdown.add('gauge refreshes', () => Promise.all(gaugeRefreshes.map((refresh) => refresh.close())));
  shutdown.add('kafka consumer', () => consumer.disconnect());
  shutdown.add('outbox relay', () => relay.close());
  shutdown.add('kafka producer', () => producer.disconnect());
  shutdown.add('http', () => server.close());
  shutdown.add('postgres', () => prisma.$disconnect());
  let lookupPoolEnded: Promise<void> | undefined;
  shutdown.add('postgres look-up pool', () => (lookupPoolEnded ??= lookupPool.end()));
  logger.info({ port: server.port }, 'roster ready');
}

runService('roster', main);
