import { z } from 'zod';
import { internalTokenInProduction, loadConfigOrExit, settings } from '@khiw/config';

export const RosterConfig = z
  .object({
    NODE_ENV: settings.NODE_ENV,
    LOG_LEVEL: settings.LOG_LEVEL,
    KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
    KHIW_VERSION: settings.KHIW_VERSION,
    PORT: settings.port(8083),
    /** Only for the replica heartbeat the ops console reads (the roster keeps no state in Redis). */
    REDIS_URL: settings.REDIS_URL,
    DATABASE_URL: settings.DATABASE_URL,
    DATABASE_POOL_SIZE: settings.DATABASE_POOL_SIZE,
    KAFKA_BROKERS: settings.KAFKA_BROKERS,
    KAFKA_CLIENT_ID: settings.KAFKA_CLIENT_ID,
    SHUTDOWN_TIMEOUT_MS: settings.SHUTDOWN_TIMEOUT_MS,
    ...settings.httpServer,
    /** Sent by the gateway in x-khiw-internal-token; when set, /internal calls without it are refused. */
    INTERNAL_API_TOKEN: z.string().min(16).optional(),
    /** Connections of the resident look-up's own pg pool (besides Prisma's DATABASE_POOL_SIZE). */
    ROSTER_LOOKUP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
    /** Events applied per database transaction at most. */
    ROSTER_CHUNK_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
    /** Kafka partitions worked on at once by one replica (each chunk is its own transaction). */
    ROSTER_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(12).default(3),
  })
  .superRefine(internalTokenInProduction);
export type RosterConfig = z.infer<typeof RosterConfig>;

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfigOrExit('roster', RosterConfig, env);
