import type { Producer } from 'kafkajs';
import { Counter, metricPrefix, type Logger, type Registry } from '@khiw/observability';
import { PublishLoop } from './publish-loop';
import { qualifyTopic } from './topics';

/**
 * What the relay needs from PostgreSQL: an interactive transaction with raw SQL. A PrismaClient
 * fits as it is, so @khiw/kafka does not depend on @khiw/db's generated client, and a test
 * (or a service on plain pg) can hand in anything with these three methods.
 */
export interface OutboxDatabase {
  $transaction<T>(
    work: (tx: OutboxTransaction) => Promise<T>,
    options?: { maxWait?: number; timeout?: number },
  ): Promise<T>;
}

export interface OutboxTransaction {
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}

/**
 * Where the rows go: one fixed (broker-side) topic name, for a table without a topic column;
 * or each row's logical `topic` column (`booking.events`) qualified by the namespace.
 */
export type OutboxTopic = { name: string } | { column: 'topic'; namespace: string };

export interface OutboxRelayOptions {
  db: OutboxDatabase;
  /** Connected by the caller; the relay neither connects nor disconnects it. */
  producer: Producer;
  /**
   * Schema-qualified table, e.g. `booking.outbox_events`, with `id uuid`, `seq bigint`,
   * `key text`, `payload jsonb`; `published_at` when rows are marked, `topic` when it names it.
   */
  table: string;
  /** PostgreSQL advisory lock key: one per table, the same in every replica. */
  lockKey: number;
  topic: OutboxTopic;
  /** `mark`: set `published_at` and keep the row as history; `delete`: the row goes. */
  onPublished: 'mark' | 'delete';
  /** Rows per transaction and per Kafka request (default 500). */
  batchSize?: number;
  /** Wait after a short batch (default 200 ms); nudge() cuts it short. */
  pollMs?: number;
  logger: Logger;
  /** Rows published, and batches that failed (retried); prom-client Counters fit. */
  metrics: { published: RelayCounter; failures: RelayCounter };
}

export interface RelayCounter {
  inc(value?: number): void;
}

/** The relay's two counters as `khiw_<service>_outbox_published_total` / `..._failures_total`. */
export function outboxRelayCounters(
  registry: Registry,
  service: string,
): { published: RelayCounter; failures: RelayCounter } {
  const prefix = `khiw_${metricPrefix(service)}_outbox`;
  return {
    published: new Counter({
      name: `${prefix}_published_total`,
      help: 'Outbox events published to Kafka',
      registers: [registry],
    }),
    failures: new Counter({
      name: `${prefix}_failures_total`,
      help: 'Outbox batches that could not be published (retried)',
      registers: [registry],
    }),
  };
}

type Row = { id: string; key: string; payload: unknown; topic?: string };

export const QUALIFIED_TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * Publishes an outbox table to Kafka in commit order (`seq`), with `acks: -1`, then marks or
 * deletes the rows in the same transaction. Kafka or PostgreSQL down: the rows stay, and the
 * batch is retried with backoff, so nothing is lost. A crash between send and commit sends the
 * batch again with the same event ids, which consumers absorb.
 *
 * Ordering across replicas: each batch runs under a transaction-scoped advisory lock
 * (`pg_try_advisory_xact_lock`). The replica that gets it publishes; the others find it taken,
 * publish nothing, and are hot standbys that take over on their next poll if it dies, since the
 * lock ends with its transaction (no lease to expire, no leader to elect). `FOR UPDATE SKIP
 * LOCKED` would let two replicas send disjoint batches at once, and a booking's later event
 * could then reach Kafka before its earlier one; one batch at a time keeps every key in order
 * at the price of one publisher, which batches of hundreds per request make ample.
 */
export class OutboxRelay {
  private readonly loop: PublishLoop;
  private readonly batchSize: number;
  private readonly sql: { lock: string; select: string; done: string };
  private started = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    const { table, lockKey, topic, onPublished } = options;
    if (!QUALIFIED_TABLE.test(table)) throw new TypeError(`outbox table must be schema.table: ${table}`);
    if (!Number.isSafeInteger(lockKey))
      throw new TypeError(`advisory lock key must be an integer: ${lockKey}`);
    this.batchSize = options.batchSize ?? 500;
    const topicColumn = 'column' in topic ? ', topic' : '';
    const pending = onPublished === 'mark' ? ' WHERE published_at IS NULL' : '';
    this.sql = {
      lock: 'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
      select: `SELECT id::text AS id, key, payload${topicColumn} FROM ${table}${pending} ORDER BY seq LIMIT $1`,
      done:
        onPublished === 'mark'
          ? `UPDATE ${table} SET published_at = now() WHERE id = ANY($1::uuid[])`
          : `DELETE FROM ${table} WHERE id = ANY($1::uuid[])`,
    };
    this.loop = new PublishLoop({
      publishBatch: () => this.publishBatch(),
      batchSize: this.batchSize,
      pollMs: options.pollMs ?? 200,
      logger: options.logger,
      onFailure: () => options.metrics.failures.inc(),
      what: `${table} not published`,
    });
  }

  start(): void {
    if (this.closing) return;
    this.started = true;
    this.loop.start();
  }

  /** Publish now (e.g. right after a check-in) rather than at the next poll. */
  nudge(): void {
    if (this.started && !this.closing) this.loop.nudge();
  }

  /**
   * Finishes the batch in flight; then, if this relay was started, drains what is left (rows
   * committed by work that finished during shutdown) until a short batch or a failure, which
   * leaves the rows for the next start. Safe to call twice: every caller gets the same promise
   * (BullMQ's `QueueBase.close`).
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await this.loop.stop();
    if (!this.started) return;
    try {
      for (;;) {
        if ((await this.publishBatch()) < this.batchSize) break;
      }
    } catch (err) {
      this.options.metrics.failures.inc();
      this.options.logger.warn(
        { err },
        `${this.options.table} not published at shutdown; left for the next start`,
      );
    }
  }

  /** Publishes one batch if this relay holds the lock; returns how many rows it published. */
  private publishBatch(): Promise<number> {
    const { db, producer, metrics } = this.options;
    return db.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(this.sql.lock, this.options.lockKey);
        if (!lock?.locked) return 0;
        const rows = await tx.$queryRawUnsafe<Row[]>(this.sql.select, this.batchSize);
        if (rows.length === 0) return 0;
        await producer.sendBatch({ acks: -1, topicMessages: this.byTopic(rows) });
        await tx.$executeRawUnsafe(
          this.sql.done,
          rows.map((row) => row.id),
        );
        metrics.published.inc(rows.length);
        return rows.length;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }

  /** Groups a batch by topic, each topic's messages in `seq` order. */
  private byTopic(rows: Row[]): { topic: string; messages: { key: string; value: string }[] }[] {
    const { topic } = this.options;
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const row of rows) {
      const name = 'column' in topic ? qualifyTopic(topic.namespace, row.topic ?? '') : topic.name;
      const messages = byTopic.get(name) ?? [];
      messages.push({ key: row.key, value: JSON.stringify(row.payload) });
      byTopic.set(name, messages);
    }
    return [...byTopic].map(([name, messages]) => ({ topic: name, messages }));
  }
}
