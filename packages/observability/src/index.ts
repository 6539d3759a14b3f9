export { createLogger, type Logger, type LoggerSettings } from './logger';
export { findPii, maskDeep, maskString, type PiiKind, type PiiMatch } from './mask';
export {
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  httpMetricsMiddleware,
  metricPrefix,
  Registry,
} from './metrics';
export {
  createMetricsApp,
  createServiceApp,
  healthRoutes,
  runReadinessChecks,
  type HealthOptions,
  type ReadinessCheck,
} from './health';
export {
  REPLICA_TTL_MS,
  ReplicaHeartbeat,
  replicaIndexKey,
  replicaInstanceId,
  replicaKey,
  replicaKeyPrefix,
  resolveVersion,
  type HeartbeatRedis,
  type MetricSample,
  type ReplicaHeartbeatOptions,
  type ReplicaReport,
} from './heartbeat';
export {
  DEFAULT_HTTP_TIMEOUTS,
  httpTimeoutsOf,
  listen,
  type ClosableServer,
  type HttpTimeouts,
} from './http-server';
export { refreshEvery, type Refresh, type RefreshOptions } from './refresh-every';
export { createShutdown, type Shutdown } from './shutdown';
export { createServiceRuntime, runService, type ServiceRuntime } from './service-runtime';
