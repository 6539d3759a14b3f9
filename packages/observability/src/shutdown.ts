import type { Logger } from 'pino';

type Step = { name: string; run: () => Promise<unknown> | unknown };

export interface Shutdown {
  /** Steps run in the order added: add "stop intake" first, "close connections" last. */
  add(name: string, run: Step['run']): void;
  /** True from the first signal on; readiness reports 503 so traffic drains away. */
  readonly draining: boolean;
  /** Runs every step once (later calls get the same promise), then resolves with the exit code. */
  run(reason: string): Promise<number>;
  /**
   * Maps SIGTERM and SIGINT to `run` and exits the process when it completes. A process
   * started with an IPC channel (by the local supervisor or a test) also shuts down when its
   * parent goes away, so a killed parent never leaves orphan services behind.
   */
  listen(): void;
}

/**
 * Graceful shutdown against a deadline: stop taking work, finish in-flight work, close
 * producers and connections, exit. A step that throws is logged and the rest still run; if
 * the deadline passes, the process exits 1 so the orchestrator does not wait forever.
 */
export function createShutdown({ logger, timeoutMs }: { logger: Logger; timeoutMs: number }): Shutdown {
  const steps: Step[] = [];
  let running: Promise<number> | undefined;
  let draining = false;

  const run = (reason: string): Promise<number> => {
    running ??= (async () => {
      draining = true;
      logger.info({ reason, timeoutMs }, 'shutting down');
      let code = 0;
      const deadline = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), timeoutMs).unref(),
      );
      const work = (async () => {
        for (const step of steps) {
          const started = Date.now();
          try {
            await step.run();
            logger.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
          } catch (err) {
            code = 1;
            logger.error({ err, step: step.name }, 'shutdown step failed');
          }
        }
        return 'done' as const;
      })();
      if ((await Promise.race([work, deadline])) === 'timeout') {
        logger.error({ timeoutMs }, 'shutdown deadline passed; exiting with work unfinished');
        return 1;
      }
      logger.info({ code }, 'shutdown complete');
      return code;
    })();
    return running;
  };

  return {
    add(name, fn) {
      steps.push({ name, run: fn });
    },
    get draining() {
      return draining;
    },
    run,
    listen() {
      const stopAndExit = (reason: string) =>
        void run(reason).then((code) => {
          logger.flush?.();
          process.exit(code);
        });
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAndExit(signal));
      if (process.connected) process.once('disconnect', () => stopAndExit('parent process went away'));
    },
  };
}
