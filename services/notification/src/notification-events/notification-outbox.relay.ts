import type { PrismaClient } from '@khiw/db';
import { Prisma } from '@khiw/db';
import { PublishLoop, topicName, type Producer } from '@khiw/kafka';
import type { Logger } from '@khiw/observability';
import type { NotificationMetrics } from '../metrics';

export interface NotificationOutboxRelayOptions {
  prisma: PrismaClient;
  producer: Producer;
  namespace: string;
  logger: Logger;
  metrics: Pick<NotificationMetrics, 'outboxPublished' | 'outboxFailures'>;
  batchSize?: number;
  pollMs?: number;
}

type Row = { seq: bigint; key: string; payload: unknown };

/**
 * Publishes notification.outbox_events to `notification.events` in the order they were written,
 * keyed by booking id, and deletes them once Kafka has them (acks from all in-sync replicas).
 * One relay at a time holds an advisory lock, so two replicas never publish one booking's
 * events out of order. Kafka down: rows wait and the batch is retried with backoff. A crash
 * between send and delete publishes the batch again with the same event ids.
 */
export class NotificationOutboxRelay {
  private static readonly LOCK_KEY = 74_2021_08;
  private readonly loop: PublishLoop;

  constructor(private readonly options: NotificationOutboxRelayOptions) {
    this.loop = new PublishLoop({
      publishBatch: () => this.publishBatch(),
      batchSize: options.batchSize ?? 500,
      pollMs: options.pollMs ?? 200,
      logger: options.logger,
      onFailure: () => options.metrics.outboxFailures.inc(),
      what: 'notification events not published',
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Finishes the batch in flight and one last drain, then returns; safe to call twice. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.publishBatch().catch(() => 0);
  }

  async publishBatch(): Promise<number> {
    const { prisma, producer, namespace, batchSize = 500, metrics } = this.options;
    return prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
          SELECT pg_try_advisory_xact_lock(${NotificationOutboxRelay.LOCK_KEY}) AS locked`;
        if (!lock?.locked) return 0;
        const rows = await tx.$queryRaw<Row[]>`
          SELECT seq, key, payload FROM notification.outbox_events ORDER BY seq LIMIT ${batchSize}`;
        if (rows.length === 0) return 0;
        await producer.send({
          topic: topicName(namespace, 'notificationEvents'),
          acks: -1,
          messages: rows.map((r) => ({ key: r.key, value: JSON.stringify(r.payload) })),
        });
        await tx.$executeRaw`DELETE FROM notification.outbox_events
          WHERE seq IN (${Prisma.join(rows.map((r) => r.seq))})`;
        metrics.outboxPublished.inc(rows.length);
        return rows.length;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }
}
