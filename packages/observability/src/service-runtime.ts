import type { Registry } from 'prom-client';
import { createLogger, type Logger } from './logger';
import { createMetricsRegistry } from './metrics';
import { createShutdown, type Shutdown } from './shutdown';

export interface ServiceRuntime {
  logger: Logger;
  registry: Registry;
  shutdown: Shutdown;
}

/** What every `main.ts` starts with: its logger, its metrics registry, and shutdown on signals. */
export function createServiceRuntime(
  service: string,
  config: { LOG_LEVEL: string; SHUTDOWN_TIMEOUT_MS: number },
): ServiceRuntime {
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(service);
  const shutdown = createShutdown({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.listen();
  return { logger, registry, shutdown };
}

/** Runs a service's `main`; a failure to start is logged (masked) and exits 1. */
export function runService(service: string, main: () => Promise<void>): void {
  main().catch((err) => {
    createLogger({ service }).fatal({ err }, `${service} failed to start`);
    process.exit(1);
  });
}
