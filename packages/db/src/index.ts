import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { Prisma, PrismaClient } from './generated/prisma/client';

// @khiw/db: the Prisma schema, its migrations and a thin client factory. Run
// `pnpm db:generate` after a checkout or a schema change (the client is generated, not committed).

export interface CreatePrismaClientOptions {
  /** Connections in this client's pg pool. */
  poolSize?: number;
  /** Fail a connection attempt after this long instead of waiting for ever. */
  connectionTimeoutMs?: number;
  /** Shows in pg_stat_activity: say which service this is. */
  applicationName?: string;
  log?: Prisma.LogLevel[];
  /** An idle pooled connection failed (e.g. the server restarted); the pool replaces it. */
  onPoolError?: (error: Error) => void;
}

export function createPrismaClient(
  databaseUrl: string,
  options: CreatePrismaClientOptions = {},
): PrismaClient {
  const adapter = new PrismaPg(createPgPool(databaseUrl, options), {
    onPoolError: options.onPoolError,
    disposeExternalPool: true,
  });
  return new PrismaClient({ adapter, log: options.log });
}

/**
 * A plain `pg` pool, for a hot read path where Prisma's raw-query runtime costs more than the
 * query itself (the roster's resident look-up: ~300 µs of CPU per call through Prisma, ~70 µs
 * as a named prepared statement here; docs/roster.md). Everything else goes through Prisma.
 */
export function createPgPool(databaseUrl: string, options: CreatePrismaClientOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    application_name: options.applicationName,
  });
  // An idle client's error (the server restarted) must not crash the process: pg drops it.
  pool.on('error', (error) => options.onPoolError?.(error));
  // A checked-out client has no pool listener: when PostgreSQL goes away between two of its
  // statements (57P01 after a postmaster kill) its 'error' event would be unhandled and end
  // the process. The statement in flight fails through its own callback, and pg-pool discards
  // the broken client on release; this listener only keeps the event from being fatal.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onPoolError?.(error));
  });
  return pool;
}
export type PgPool = pg.Pool;
export type PgPoolClient = pg.PoolClient;

export { Prisma, PrismaClient };
export type {
  Booking,
  Campaign,
  CampaignChannel,
  DeliveryReport,
  OutboxEvent,
  PriorityGroup,
  RosterEntry,
  RosterProcessedEvent,
  Site,
  Slot,
  SmsMessage,
} from './generated/prisma/client';
export { ensureDatabase, migrate, type MigrateOptions, type MigrateResult } from './migrate';
