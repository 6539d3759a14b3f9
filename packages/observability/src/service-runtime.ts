import type { Registry } from 'prom-client';
import { ReplicaHeartbeat, resolveVersion, type ReplicaHeartbeatOptions } from './heartbeat';
import { createLogger, type Logger } from './logger';
import { createMetricsRegistry } from './metrics';
import { createShutdown, type Shutdown } from './shutdown';

export interface ServiceRuntime {
  logger: Logger;
  registry: Registry;
  shutdown: Shutdown;
  /**
   * This process's ReplicaHeartbeat for the ops console, not yet started. Its shutdown step
   * (leave the replica list, then `closeAfter`) is added now: call this where the service
   * wants it in its shutdown order.
   */
  replicaHeartbeat(options: RuntimeHeartbeatOptions): ReplicaHeartbeat;
}

export interface RuntimeHeartbeatOptions extends Pick<
  ReplicaHeartbeatOptions,
  'redis' | 'metrics' | 'checks' | 'probes'
> {
  /** The service's package.json: its version when KHIW_VERSION is not set. */
  packageJson: string;
  /** Closed once the heartbeat has left the list (the probes' own connections). */
  closeAfter?: () => Promise<unknown>;
}

/** What every `main.ts` starts with: its logger, its metrics registry, and shutdown on signals. */
export function createServiceRuntime(
  service: string,
  config: { LOG_LEVEL: string; SHUTDOWN_TIMEOUT_MS: number; KHIW_NAMESPACE: string; KHIW_VERSION?: string },
): ServiceRuntime {
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(service);
  const shutdown = createShutdown({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.listen();
  const replicaHeartbeat = ({ packageJson, closeAfter, ...options }: RuntimeHeartbeatOptions) => {
    const heartbeat = new ReplicaHeartbeat({
      ...options,
      namespace: config.KHIW_NAMESPACE,
      service,
      version: resolveVersion(config.KHIW_VERSION, packageJson),
      registry,
      isDraining: () => shutdown.draining,
      logger,
    });
    shutdown.add('replica heartbeat', async () => {
      await heartbeat.close();
      await closeAfter?.();
    });
    return heartbeat;
  };
  return { logger, registry, shutdown, replicaHeartbeat };
}

/** Runs a service's `main`; a failure to start is logged (masked) and exits 1. */
export function runService(service: string, main: () => Promise<void>): void {
  main().catch((err) => {
    createLogger({ service }).fatal({ err }, `${service} failed to start`);
    process.exit(1);
  });
}
