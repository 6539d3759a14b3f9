import {
  Gauge,
  metricPrefix,
  refreshEvery,
  type Logger,
  type Refresh,
  type Registry,
} from '@khiw/observability';
import { QUALIFIED_TABLE } from './outbox-relay';

/** A PrismaClient fits. */
export interface OutboxAgeDatabase {
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
}

export interface OutboxAgeOptions {
  db: OutboxAgeDatabase;
  /** The relay's table (with `created_at`), and whether published rows stay marked or go. */
  table: string;
  onPublished: 'mark' | 'delete';
  registry: Registry;
  service: string;
  logger: Logger;
  intervalMs?: number;
}

/**
 * `khiw_<service>_outbox_oldest_unpublished_seconds`: age of the oldest outbox row the relay
 * has not published (0 when none). Seconds mean Kafka or the relay is stuck while the service
 * goes on committing events; read every few seconds, so a scrape never waits on PostgreSQL.
 */
export function watchOutboxAge(options: OutboxAgeOptions): Refresh {
  const { db, table, onPublished, registry, service, logger } = options;
  if (!QUALIFIED_TABLE.test(table)) throw new TypeError(`outbox table must be schema.table: ${table}`);
  const gauge = new Gauge({
    name: `khiw_${metricPrefix(service)}_outbox_oldest_unpublished_seconds`,
    help: 'Age of the oldest outbox row not yet published to Kafka (0 when none)',
    registers: [registry],
  });
  const pending = onPublished === 'mark' ? ' WHERE published_at IS NULL' : '';
  const sql = `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS age FROM ${table}${pending}`;
  return refreshEvery({
    what: `${table} age`,
    intervalMs: options.intervalMs ?? 5000,
    logger,
    refresh: async () => {
      const [row] = await db.$queryRawUnsafe<{ age: number | null }[]>(sql);
      gauge.set(Math.max(0, row?.age ?? 0));
    },
  });
}
