import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { RequestHandler } from 'express';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process; metric names follow `khiw_<service>_<thing>_<unit>`. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: `khiw_${metricPrefix(service)}_` });
  return registry;
}

export function metricPrefix(service: string): string {
  return service.replace(/-/g, '_');
}

/** Request count and latency by route template (never by raw path: it may hold IDs). */
export function httpMetricsMiddleware(registry: Registry, service: string): RequestHandler {
  const prefix = `khiw_${metricPrefix(service)}_http`;
  const duration = new Histogram({
    name: `${prefix}_request_duration_seconds`,
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const requests = new Counter({
    name: `${prefix}_requests_total`,
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  // One child per label set, resolved once: the hot path then skips prom-client's label hashing.
  const children = new Map<
    string,
    { duration: ReturnType<typeof duration.labels>; requests: ReturnType<typeof requests.labels> }
  >();
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route =
        (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : 'other');
      const key = `${req.method} ${req.baseUrl}${route} ${res.statusCode}`;
      let child = children.get(key);
      if (!child) {
        const labels = {
          method: req.method,
          route: `${req.baseUrl}${route}`,
          status: String(res.statusCode),
        };
        child = { duration: duration.labels(labels), requests: requests.labels(labels) };
        children.set(key, child);
      }
      child.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      child.requests.inc();
    });
    next();
  };
}
