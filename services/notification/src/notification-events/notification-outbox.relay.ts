import type { PrismaClient } from '@khiw/db';
import { Prisma } from '@khiw/db';
import { topicName, type Producer } from '@khiw/kafka';
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
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: NotificationOutboxRelayOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the batch in flight and one last drain, then returns; safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { logger, pollMs = 200 } = this.options;
    let backoff = pollMs;
    for (;;) {
      const stopping = this.stopping;
      try {
        const published = await this.publishBatch();
        backoff = pollMs;
        if (published >= (this.options.batchSize ?? 500)) continue;
      } catch (err) {
        this.options.metrics.outboxFailures.inc();
        logger.warn({ err, retryInMs: backoff }, 'notification events not published; will retry');
        backoff = Math.min(backoff * 2, 5000);
        if (stopping) return;
      }
      if (stopping) return;
      await this.sleep(backoff);
    }
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

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
