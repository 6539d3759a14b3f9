import { z } from 'zod';
import { loadConfigOrExit, settings } from '@khiw/config';

export const BookingWorkerConfig = z.object({
  NODE_ENV: settings.NODE_ENV,
  LOG_LEVEL: settings.LOG_LEVEL,
  KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
  PORT: settings.port(8081),
  REDIS_URL: settings.REDIS_URL,
  DATABASE_URL: settings.DATABASE_URL,
  DATABASE_POOL_SIZE: settings.DATABASE_POOL_SIZE,
  KAFKA_BROKERS: settings.KAFKA_BROKERS,
  KAFKA_CLIENT_ID: settings.KAFKA_CLIENT_ID,
  SHUTDOWN_TIMEOUT_MS: settings.SHUTDOWN_TIMEOUT_MS,
  /** Jobs processed at once per process; each holds one database connection while it runs. */
  BOOKING_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  /** Whether this process also runs the outbox relay (one relay is active at a time anyway). */
  OUTBOX_RELAY_ENABLED: settings.booleanFlag(true),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
});
export type BookingWorkerConfig = z.infer<typeof BookingWorkerConfig>;

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfigOrExit('booking-worker', BookingWorkerConfig, env);
