import { Prisma, type PrismaClient } from '@khiw/db';
import { PublishLoop, qualifyTopic, type Producer } from '@khiw/kafka';
import type { Counter, Logger } from '@khiw/observability';

export interface OutboxRelayOptions {
  prisma: PrismaClient;
  producer: Producer;
  logger: Logger;
  namespace: string;
  batchSize: number;
  pollMs: number;
  metrics: { published: Counter; failures: Counter };
}

type Row = { id: string; seq: bigint; topic: string; key: string; payload: unknown };

/**
 * Publishes outbox rows to Kafka in commit order and marks them sent. One relay at a time
 * holds a PostgreSQL advisory lock (the others wait as hot standbys), so rows of one booking
 * are never published out of order by two relays racing. Kafka down: the batch stays unsent
 * and is retried with backoff; nothing is lost. A crash between send and mark re-sends that
 * batch once, which consumers absorb by event id.
 */
export class OutboxRelay {
  private static readonly LOCK_KEY = 74_2021_07; // any constant shared by every relay
  private readonly loop: PublishLoop;

  constructor(private readonly options: OutboxRelayOptions) {
    this.loop = new PublishLoop({
      publishBatch: () => this.publishBatch(),
      batchSize: options.batchSize,
      pollMs: options.pollMs,
      logger: options.logger,
      onFailure: () => options.metrics.failures.inc(),
      what: 'outbox batch not published',
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Finishes the batch in flight, then returns; safe to call twice. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Publishes one batch if this relay holds the lock; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    const { prisma, producer, namespace, batchSize, metrics } = this.options;
    return prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
          SELECT pg_try_advisory_xact_lock(${OutboxRelay.LOCK_KEY}) AS locked`;
        if (!lock?.locked) return 0;
        const rows = await tx.$queryRaw<Row[]>`
          SELECT id, seq, topic, key, payload FROM booking.outbox_events
          WHERE published_at IS NULL ORDER BY seq LIMIT ${batchSize}`;
        if (rows.length === 0) return 0;
        const byTopic = new Map<string, { key: string; value: string }[]>();
        for (const row of rows) {
          const topic = qualifyTopic(namespace, row.topic);
          const list = byTopic.get(topic) ?? [];
          list.push({ key: row.key, value: JSON.stringify(row.payload) });
          byTopic.set(topic, list);
        }
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        await tx.$executeRaw`UPDATE booking.outbox_events SET published_at = now(), attempts = attempts + 1
          WHERE id IN (${Prisma.join(rows.map((r) => Prisma.sql`${r.id}::uuid`))})`;
        metrics.published.inc(rows.length);
        return rows.length;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }
}
