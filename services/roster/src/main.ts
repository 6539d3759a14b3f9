import { createPrismaClient } from '@khiw/db';
import { createKafka, createProducer } from '@khiw/kafka';
import { Counter, createServiceApp, createServiceRuntime, listen, runService } from '@khiw/observability';
import { ApplyBookingEvent } from './roster/apply-booking-event.usecase';
import { startRosterConsumer } from './roster/booking-events.consumer';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = 'roster';
  const { logger, registry, shutdown } = createServiceRuntime(service, config);

  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? service,
    logger,
  });
  const producer = createProducer(kafka);

  const app = createServiceApp({
    registry,
    isDraining: () => shutdown.draining,
    checks: { postgres: () => prisma.$queryRaw`SELECT 1` },
  });
  const server = await listen(app, config.PORT);

  await producer.connect();
  const consumer = await startRosterConsumer({
    kafka,
    producer,
    namespace: config.KHIW_NAMESPACE,
    applyBookingEvent: new ApplyBookingEvent(prisma),
    logger,
    events: new Counter({
      name: 'khiw_roster_events_total',
      help: 'Booking events consumed, by type and outcome',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
  });

  shutdown.add('kafka consumer', () => consumer.disconnect());
  shutdown.add('kafka producer', () => producer.disconnect());
  shutdown.add('http', () => server.close());
  shutdown.add('postgres', () => prisma.$disconnect());
  logger.info({ port: server.port }, 'roster ready');
}

runService('roster', main);
