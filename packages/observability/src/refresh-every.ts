import type { Logger } from './logger';

export interface RefreshOptions {
  /** What is refreshed, for the log: `consumer lag`, `doses left`. */
  what: string;
  /** Reads the source and sets the gauges; a rejection is logged and the next round tries again. */
  refresh: () => Promise<void>;
  intervalMs: number;
  logger: Logger;
}

export interface Refresh {
  /** Runs one round now (after the one in flight, if any): tests, or after a change. */
  now(): Promise<void>;
  /** Stops the rounds; waits for the one in flight at most `waitMs`. Safe to call twice. */
  close(waitMs?: number): Promise<void>;
}

/**
 * Keeps gauges fresh from a source that costs a query (PostgreSQL, Kafka admin) by reading it
 * every `intervalMs` rather than on every scrape: `/metrics` and the replica heartbeat then
 * read values already set, never wait on a slow or absent database, and a scrape cannot fail
 * because a dependency is down (the last value stays, and the dependency's own alert fires).
 * Rounds start every `intervalMs` (not `intervalMs` after the last ended) and never overlap.
 * The first round starts at once. A failure is logged once per streak, and its end too.
 */
export function refreshEvery({ what, refresh, intervalMs, logger }: RefreshOptions): Refresh {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let failing = '';

  const round = (): Promise<void> => {
    inFlight ??= (async () => {
      try {
        await refresh();
        if (failing) logger.info({ what }, `${what}: refreshed again`);
        failing = '';
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message !== failing)
          logger.warn({ err, what }, `${what}: not refreshed, keeping the last values`);
        failing = message;
      }
    })().finally(() => (inFlight = undefined));
    return inFlight;
  };

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      const started = Date.now();
      void round().then(() => {
        if (!closing) schedule(Math.max(0, intervalMs - (Date.now() - started)));
      });
    }, delayMs);
    // A refresh never keeps the process alive: shutdown decides when it ends.
    timer.unref();
  };
  schedule(0);

  return {
    async now() {
      await inFlight;
      await round();
    },
    close(waitMs = 3000) {
      closing ??= (async () => {
        clearTimeout(timer);
        if (!inFlight) return;
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([
          inFlight,
          new Promise<void>((resolve) => {
            wait = setTimeout(resolve, waitMs);
          }),
        ]).finally(() => clearTimeout(wait));
      })();
      return closing;
    },
  };
}
