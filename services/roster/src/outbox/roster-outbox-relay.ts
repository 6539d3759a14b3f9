import type { PrismaClient } from '@khiw/db';
import { qualifyTopic, type Producer } from '@khiw/kafka';
import type { Logger } from '@khiw/observability';

/**
 * Publishes the roster's outbox (CheckedIn events) to Kafka in order, then marks the rows.
 * Runs on a timer and when nudged after a check-in; one pass at a time per process, and
 * `FOR UPDATE SKIP LOCKED` lets several roster replicas share the work. A crash between
 * send and mark publishes a row twice: consumers are idempotent by event id.
 */
export class RosterOutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      producer: Producer;
      namespace: string;
      logger: Logger;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.nudge(), this.deps.intervalMs ?? 2000);
    this.timer.unref();
  }

  nudge(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'roster outbox relay pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const sent = await this.deps.prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ id: string; topic: string; key: string; payload: unknown }[]>`
          SELECT id, topic, key, payload FROM roster.outbox_events
          WHERE published_at IS NULL ORDER BY seq LIMIT 200 FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const byTopic = new Map<string, { key: string; value: string }[]>();
        for (const row of rows) {
          const topic = qualifyTopic(this.deps.namespace, row.topic);
          byTopic.set(topic, [
            ...(byTopic.get(topic) ?? []),
            { key: row.key, value: JSON.stringify(row.payload) },
          ]);
        }
        await this.deps.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        const ids = rows.map((r) => r.id);
        await tx.$executeRaw`UPDATE roster.outbox_events SET published_at = now() WHERE id = ANY(${ids}::uuid[])`;
        return rows.length;
      });
      if (sent === 0) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
