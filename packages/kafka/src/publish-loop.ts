import type { Logger } from '@khiw/observability';

export interface PublishLoopOptions {
  /** Publishes one batch; returns how many rows it published (0: nothing to do or not our turn). */
  publishBatch: () => Promise<number>;
  /** A full batch means more is waiting: the next one goes at once. */
  batchSize: number;
  pollMs: number;
  logger: Logger;
  /** Called for every batch that failed (a metric); the loop retries with backoff. */
  onFailure?: () => void;
  /** What the warning says did not happen. */
  what: string;
}

const MAX_BACKOFF_MS = 5000;

/**
 * The loop every outbox relay runs: publish a batch, go again at once after a full one or a
 * nudge, wait `pollMs` after a short one, back off (doubling, up to 5 s) while Kafka or the
 * database fails, and stop between batches. The relays differ only in their publishBatch
 * (one `OutboxRelay` class, parameterised by table, topic and mark-or-delete).
 */
export class PublishLoop {
  private stopping = false;
  private nudged = false;
  private loop: Promise<void> | undefined;
  /** Ends the current wait early: stop() always may, nudge() only outside a backoff. */
  private wake: (() => void) | undefined;
  private wakeOnNudge: (() => void) | undefined;

  constructor(private readonly options: PublishLoopOptions) {}

  start(): void {
    if (this.stopping) return;
    this.loop ??= this.run();
  }

  /**
   * Publish now instead of at the next poll; during a batch, another follows it at once. A
   * nudge does not cut a backoff short, so callers cannot hammer a failing Kafka.
   */
  nudge(): void {
    this.nudged = true;
    this.wakeOnNudge?.();
  }

  /** Finishes the batch in flight, then returns; safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { logger, pollMs, batchSize, what } = this.options;
    let backoff = pollMs;
    while (!this.stopping) {
      this.nudged = false;
      try {
        const published = await this.options.publishBatch();
        backoff = pollMs;
        if (published >= batchSize || this.nudged) continue;
        await this.sleep(pollMs, true);
      } catch (err) {
        this.options.onFailure?.();
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        logger.warn({ err, retryInMs: backoff }, `${what}; will retry`);
        await this.sleep(backoff, false);
      }
    }
  }

  private sleep(ms: number, nudgeable: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = this.wakeOnNudge = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      this.wakeOnNudge = nudgeable ? done : undefined;
    });
  }
}
