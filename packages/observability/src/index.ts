export { createLogger, type Logger, type LoggerSettings } from './logger';
export { maskDeep, maskString } from './mask';
export {
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  httpMetricsMiddleware,
  metricPrefix,
  Registry,
} from './metrics';
export { createServiceApp, healthRoutes, type HealthOptions, type ReadinessCheck } from './health';
export { listen, type ClosableServer } from './http-server';
export { createShutdown, type Shutdown } from './shutdown';
export { createServiceRuntime, runService, type ServiceRuntime } from './service-runtime';
