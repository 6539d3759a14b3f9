import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUES } from '@khiw/contracts';
import { createPgPool, createPrismaClient } from '@khiw/db';
import {
  createKafka,
  createKafkaProbe,
  createProducer,
  OutboxRelay,
  outboxRelayCounters,
  watchOutboxAge,
} from '@khiw/kafka';
import {
  Counter,
  createServiceApp,
  createServiceRuntime,
  Gauge,
  Histogram,
  httpTimeoutsOf,
  listen,
  refreshEvery,
  runService,
} from '@khiw/observability';
import { answerInternalClientError } from '@khiw/internal-api';
import { bullPrefix, closeRedis, createRedisClient, pingRedis } from '@khiw/redis';
import { BookingEngine } from './bookings/booking-engine';
import { createBookingWorker } from './bookings/booking.worker';
import { ReserveBookings } from './bookings/reserve-bookings.usecase';
import { CancelBooking } from './bookings/cancel-booking.usecase';
import { GetRequestState } from './bookings/get-request-state.usecase';
import { LookupAppointment } from './bookings/lookup-appointment.usecase';
import { RescheduleBooking } from './bookings/reschedule-booking.usecase';
import { LoadCampaign } from './campaigns/load-campaign.usecase';
import { SetGroupQuota } from './campaigns/set-group-quota.usecase';
import { GetOrganisationCap } from './organisations/get-organisation-cap.usecase';
import { OrganisationCapStore } from './organisations/organisation-cap-store';
import { SetOrganisationCap } from './organisations/set-organisation-cap.usecase';
import { TransferQuota } from './campaigns/transfer-quota.usecase';
import { SnapshotPublisher } from './campaigns/snapshot-publisher';
import { watchDosesLeft } from './campaigns/doses-left-metrics';
import { DosesLeftStore } from './campaigns/doses-left-store';
import { loadConfig } from './config';
import { internalRoutes } from './http/internal.routes';
import { ListAuditEntries } from './ops/list-audit-entries.usecase';
import { opsAuditRoutes } from './ops/ops-audit.routes';
import { RecordAuditEntry } from './ops/record-audit-entry.usecase';
import { ImportRegistry } from './registry/import-registry.usecase';
import { registryRoutes } from './registry/registry.routes';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = 'booking-worker';
  const runtime = createServiceRuntime(service, config);
  const { logger, registry, shutdown } = runtime;

  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  // The booking batches' own pool (plain pg): one batch per campaign at a time per process.
  const bookingPool = createPgPool(config.DATABASE_URL, {
    poolSize: config.BOOKING_DB_POOL_SIZE,
    applicationName: `${service}-bookings`,
    onPoolError: (error) => logger.warn({ err: error }, 'booking pool: idle connection failed'),
  });
  const redis = createRedisClient({
    url: config.REDIS_URL,
    name: `${service}-worker`,
    logger,
    blocking: true,
  });
  const prefix = bullPrefix(config.KHIW_NAMESPACE);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? service,
    logger,
  });
  const producer = createProducer(kafka);
  const queue = new Queue(QUEUES.booking, { connection: redis, prefix });

  const outcomes = new Counter({
    name: 'khiw_booking_worker_requests_total',
    help: 'Booking requests processed, by outcome',
    labelNames: ['status', 'reason'],
    registers: [registry],
  });
  const waitingJobs = new Gauge({
    name: 'khiw_booking_worker_queue_waiting_jobs',
    help: 'Jobs waiting on the booking queue (scale workers on this)',
    registers: [registry],
  });
  // Read every few seconds, not on scrape: the blocking Redis client would hold a scrape for
  // as long as Redis is away, and the worker would look down instead of Redis.
  const gaugeRefreshes = [
    refreshEvery({
      what: 'booking queue depth',
      intervalMs: 2000,
      logger,
      refresh: async () => waitingJobs.set(await queue.getWaitingCount()),
    }),
    watchOutboxAge({
      db: prisma,
      table: 'booking.outbox_events',
      onPublished: 'mark',
      registry,
      service,
      logger,
    }),
    watchDosesLeft({ store: new DosesLeftStore(prisma), registry, logger }),
  ];

  // Snapshots go through a plain (fail-fast) client: the blocking one is BullMQ's.
  const snapshotRedis = createRedisClient({ url: config.REDIS_URL, name: `${service}-snapshots`, logger });
  const snapshots = new SnapshotPublisher(
    prisma,
    snapshotRedis,
    config.KHIW_NAMESPACE,
    config.SNAPSHOT_INTERVAL_MS,
    logger.child({ component: 'snapshots' }),
  );
  const engine = new BookingEngine({
    reserve: new ReserveBookings(bookingPool),
    snapshots,
    logger: logger.child({ component: 'booking-engine' }),
    maxBatch: config.BOOKING_MAX_BATCH,
    batchSize: new Histogram({
      name: 'khiw_booking_worker_batch_size',
      help: 'Booking requests decided per transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
  });
  const worker = createBookingWorker({
    connection: redis,
    prefix,
    concurrency: config.BOOKING_CONCURRENCY,
    engine,
    logger,
    outcomes,
    lockDurationMs: config.BOOKING_LOCK_MS,
  });
  const relay = new OutboxRelay({
    db: prisma,
    producer,
    table: 'booking.outbox_events',
    lockKey: 74_2021_07,
    topic: { column: 'topic', namespace: config.KHIW_NAMESPACE },
    onPublished: 'mark',
    logger: logger.child({ component: 'outbox-relay' }),
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollMs: config.OUTBOX_POLL_MS,
    metrics: outboxRelayCounters(registry, service),
  });

  const checks = {
    postgres: () => prisma.$queryRaw`SELECT 1`,
    redis: () => pingRedis(redis),
    worker: async () => {
      if (!worker.isRunning()) throw new Error('booking worker not running');
    },
  };
  const app = createServiceApp({ registry, isDraining: () => shutdown.draining, checks });
  // Before internalRoutes: the registry import streams its body (text/csv), never parsed whole.
  app.use(
    registryRoutes({
      importRegistry: new ImportRegistry(prisma),
      logger: logger.child({ component: 'registry-import' }),
      token: config.INTERNAL_API_TOKEN,
    }),
  );
  app.use(
    opsAuditRoutes({
      recordAuditEntry: new RecordAuditEntry(prisma),
      listAuditEntries: new ListAuditEntries(prisma),
      logger,
      token: config.INTERNAL_API_TOKEN,
    }),
  );
  app.use(
    internalRoutes({
      lookupAppointment: new LookupAppointment(prisma),
      getRequestState: new GetRequestState(prisma),
      cancelBooking: new CancelBooking(prisma),
      rescheduleBooking: new RescheduleBooking(prisma),
      loadCampaign: new LoadCampaign(prisma),
      setGroupQuota: new SetGroupQuota(prisma),
      setOrganisationCap: new SetOrganisationCap(new OrganisationCapStore(prisma)),
      getOrganisationCap: new GetOrganisationCap(new OrganisationCapStore(prisma)),
      transferQuota: new TransferQuota(prisma),
      snapshots,
      bookingQueue: queue,
      logger,
      token: config.INTERNAL_API_TOKEN,
    }),
  );
  const server = await listen(app, config.PORT, undefined, undefined, httpTimeoutsOf(config));
  server.server.on('clientError', answerInternalClientError);
  // Only a worker that runs the relay talks to Kafka.
  const kafkaProbe = config.OUTBOX_RELAY_ENABLED ? createKafkaProbe(kafka) : undefined;
  const heartbeat = runtime.replicaHeartbeat({
    redis: snapshotRedis,
    metrics: [
      'khiw_booking_worker_requests_total',
      'khiw_booking_worker_outbox_oldest_unpublished_seconds',
      'khiw_campaign_doses_left',
    ],
    checks,
    probes: kafkaProbe ? { kafka: () => kafkaProbe.check() } : {},
    packageJson: path.resolve(__dirname, '../package.json'),
    closeAfter: async () => kafkaProbe?.close(),
  });

  // Shutdown order: leave the ops console's replica list, stop taking jobs and let active ones
  // commit, flush the outbox, then close.
  shutdown.add('gauge refreshes', () => Promise.all(gaugeRefreshes.map((refresh) => refresh.close())));
  shutdown.add('booking worker', () => worker.close());
  shutdown.add('campaign snapshots', async () => {
    await snapshots.close();
    await closeRedis(snapshotRedis);
  });
  shutdown.add('outbox relay', () => relay.close());
  shutdown.add('kafka producer', () => producer.disconnect());
  shutdown.add('booking queue', () => queue.close());
  shutdown.add('postgres', async () => {
    await prisma.$disconnect();
    await bookingPool.end();
  });
  shutdown.add('redis', () => closeRedis(redis));
  shutdown.add('http', () => server.close());

  if (config.OUTBOX_RELAY_ENABLED) {
    await producer.connect();
    relay.start();
  }
  void worker.run();
  heartbeat.start();
  logger.info({ port: server.port, concurrency: config.BOOKING_CONCURRENCY, prefix }, 'booking-worker ready');
}

runService('booking-worker', main);
