import express, { type Express, type Request, type Response, type Router } from 'express';
import { Gauge, type Registry } from 'prom-client';

/** A readiness check resolves when the dependency answers and rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** While draining for shutdown, readiness fails so load balancers stop sending work. */
  isDraining: () => boolean;
  checkTimeoutMs?: number;
  /** false: `/metrics` is served by createMetricsApp on its own port instead (the gateway's METRICS_PORT). */
  metrics?: boolean;
}

/** `/healthz` (the process is alive), `/readyz` (its dependencies answer), `/metrics`. */
export function healthRoutes({
  registry,
  checks,
  isDraining,
  checkTimeoutMs = 2000,
  metrics = true,
}: HealthOptions): Router {
  const router = express.Router();
  readinessGauge(registry, checks, checkTimeoutMs);
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const results = await runReadinessChecks(checks, checkTimeoutMs);
    const failed = Object.values(results).some((outcome) => outcome !== 'ok');
    res.status(failed ? 503 : 200).json({ status: failed ? 'unready' : 'ready', checks: results });
  });
  if (metrics) router.get('/metrics', metricsHandler(registry));
  return router;
}

const metricsHandler = (registry: Registry) => async (_req: Request, res: Response) => {
  res.type(registry.contentType).send(await registry.metrics());
};

/** Only `/metrics`, for a listener on an internal interface that the public port does not share. */
export function createMetricsApp(registry: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(registry));
  return app;
}

/**
 * `khiw_readiness_check_up{check}`: 1 while a readiness check answers, 0 when not (Redis away:
 * the gateway's room fails closed, and this is what the alert reads). Run on each scrape with
 * the same timeout as /readyz, so a dead dependency slows a scrape by at most that.
 */
function readinessGauge(registry: Registry, checks: Record<string, ReadinessCheck>, timeoutMs: number): void {
  if (registry.getSingleMetric('khiw_readiness_check_up')) return;
  new Gauge({
    name: 'khiw_readiness_check_up',
    help: 'Whether each readiness check of /readyz answers (1) or not (0)',
    labelNames: ['check'],
    registers: [registry],
    async collect() {
      const results = await runReadinessChecks(checks, timeoutMs);
      for (const [check, outcome] of Object.entries(results)) this.set({ check }, outcome === 'ok' ? 1 : 0);
    },
  });
}

/** Runs every check at once: `'ok'` or what went wrong, per check (also the replica heartbeat's). */
export async function runReadinessChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<Record<string, string>> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return Object.fromEntries(results);
}

/** `promise`, or a rejection after `ms` (a readiness check, a metric read by the heartbeat). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An express app with the health routes, JSON body limits and no framework banner. */
export function createServiceApp(options: HealthOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // API answers are no-store; hashing every body for an ETag is work on the hot path for nothing.
  app.set('etag', false);
  app.set('trust proxy', 'loopback, uniquelocal');
  app.use(healthRoutes(options));
  return app;
}
