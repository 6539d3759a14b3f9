import { z } from 'zod';
import { internalTokenInProduction, loadConfigOrExit, settings } from '@khiw/config';

export const BookingWorkerConfig = z
  .object({
    NODE_ENV: settings.NODE_ENV,
    LOG_LEVEL: settings.LOG_LEVEL,
    KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
    KHIW_VERSION: settings.KHIW_VERSION,
    PORT: settings.port(8081),
    REDIS_URL: settings.REDIS_URL,
    DATABASE_URL: settings.DATABASE_URL,
    DATABASE_POOL_SIZE: settings.DATABASE_POOL_SIZE,
    KAFKA_BROKERS: settings.KAFKA_BROKERS,
    KAFKA_CLIENT_ID: settings.KAFKA_CLIENT_ID,
    SHUTDOWN_TIMEOUT_MS: settings.SHUTDOWN_TIMEOUT_MS,
    ...settings.httpServer,
    /**
     * Jobs held at once per process. They wait on the batcher, not on a connection each, so
     * this bounds the batch size under load (see BOOKING_MAX_BATCH).
     */
    BOOKING_CONCURRENCY: z.coerce.number().int().min(1).max(2000).default(200),
    /**
     * Connections of the booking batches' pool (beside DATABASE_POOL_SIZE's, for everything
     * else). Batches of one campaign take turns on its row, so this bounds the campaigns decided
     * at once.
     */
    BOOKING_DB_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(4),
    /** Most requests decided in one transaction. */
    BOOKING_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(200),
    /** A killed worker's jobs go back to the queue this long after its last lock renewal. */
    BOOKING_LOCK_MS: z.coerce.number().int().min(2000).max(300_000).default(10_000),
    /** The Redis campaign snapshot ("doses left") is refreshed at most this often. */
    SNAPSHOT_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
    /** Shared secret the gateway sends on /internal calls; unset = not checked (local runs only). */
    INTERNAL_API_TOKEN: z.string().min(16).optional(),
    /** Whether this process also runs the outbox relay (one relay is active at a time anyway). */
    OUTBOX_RELAY_ENABLED: settings.booleanFlag(true),
    OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(10_000).default(100),
    OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .superRefine(internalTokenInProduction);
export type BookingWorkerConfig = z.infer<typeof BookingWorkerConfig>;

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfigOrExit('booking-worker', BookingWorkerConfig, env);
