import { z } from 'zod';
import type { PrismaClient } from '@khiw/db';
import type { Logger } from '@khiw/observability';
import type { Redis } from '@khiw/redis';
import { publishCampaignSnapshot } from './campaign-snapshot';

/**
 * Keeps the Redis snapshot of each campaign fresh without publishing after every batch:
 * changes mark a campaign dirty and it is published at most every intervalMs; an urgent
 * change (the last dose went, so the waiting room must close now) is published at once.
 */
export class SnapshotPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  touch(campaignId: string, urgent = false): void {
    if (urgent) {
      this.clearTimer(campaignId);
      void this.publish(campaignId);
      return;
    }
    if (this.timers.has(campaignId)) return;
    this.timers.set(
      campaignId,
      setTimeout(() => {
        this.timers.delete(campaignId);
        void this.publish(campaignId);
      }, this.intervalMs),
    );
  }

  /** Publishes now, after any publication in flight (so the last one read the latest counters). */
  publish(campaignId: string): Promise<void> {
    const previous = this.inFlight.get(campaignId) ?? Promise.resolve();
    const next = previous
      .then(() => publishCampaignSnapshot(this.prisma, this.redis, this.namespace, campaignId))
      .catch((err: unknown) => {
        // A snapshot that breaks its contract is a bug in this worker, not a passing outage.
        if (err instanceof z.ZodError) {
          this.logger.error({ err, campaignId }, 'campaign snapshot breaks its contract: not published');
        } else {
          this.logger.warn({ err, campaignId }, 'campaign snapshot not published');
        }
      })
      .finally(() => {
        if (this.inFlight.get(campaignId) === next) this.inFlight.delete(campaignId);
      });
    this.inFlight.set(campaignId, next);
    return next;
  }

  /** Publishes what is still dirty and waits for it. */
  async close(): Promise<void> {
    const dirty = [...this.timers.keys()];
    for (const id of dirty) this.clearTimer(id);
    await Promise.all([...dirty.map((id) => this.publish(id)), ...this.inFlight.values()]);
  }

  private clearTimer(campaignId: string): void {
    clearTimeout(this.timers.get(campaignId));
    this.timers.delete(campaignId);
  }
}
