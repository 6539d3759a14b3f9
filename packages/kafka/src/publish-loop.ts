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

/**
 * The loop every outbox relay runs: publish a batch, go again at once after a full one,
 * wait `pollMs` after a short one, back off (doubling, up to 5 s) while Kafka or the
 * database fails, and stop between batches. The relays differ only in their publishBatch.
 */
export class PublishLoop {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: PublishLoopOptions) {}

  start(): void {
    this.loop ??= this.run();
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
      try {
        const published = await this.options.publishBatch();
        backoff = pollMs;
        if (published >= batchSize) continue;
      } catch (err) {
        this.options.onFailure?.();
        logger.warn({ err, retryInMs: backoff }, `${what}; will retry`);
        backoff = Math.min(backoff * 2, 5000);
      }
      await this.sleep(backoff);
    }
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
