import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import { runReadinessChecks, withTimeout, type ReadinessCheck } from './health';
import type { Logger } from './logger';

/** One value of a metric as the heartbeat carries it (prom-client's `get()` values). */
export interface MetricSample {
  labels: Record<string, string | number>;
  value: number;
}

/**
 * What each service process writes to Redis every few seconds, for the gateway's ops
 * console: who runs, which version, since when, whether it is ready, what its dependencies
 * answered and the few metrics the console shows (docs/operations.md).
 */
export interface ReplicaReport {
  service: string;
  instance: string;
  version: string;
  startedAt: string;
  ready: boolean;
  /** `'ok'` or what went wrong, per readiness check and per probe. */
  checks: Record<string, string>;
  metrics: Record<string, MetricSample[]>;
}

/** The Redis commands the heartbeat needs (an ioredis client fits). */
export interface HeartbeatRedis {
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<unknown>;
  sadd(key: string, member: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  srem(key: string, member: string): Promise<unknown>;
}

export interface ReplicaHeartbeatOptions {
  redis: HeartbeatRedis;
  namespace: string;
  service: string;
  version: string;
  registry: Registry;
  /**
   * Metric names to report, read from the registry at each beat; a name the registry lacks
   * is left out. A histogram's `_sum` or `_count` series may be named on its own.
   */
  metrics: readonly string[];
  /** The readiness checks of /readyz: `ready` is true while all answer (and not draining). */
  checks: Record<string, ReadinessCheck>;
  /**
   * Dependencies reported but not part of readiness: a service keeps working through a
   * Kafka or SMS-gateway outage (outbox, paused queue), so they must not take it out of rotation.
   */
  probes?: Record<string, ReadinessCheck>;
  isDraining: () => boolean;
  logger: Logger;
  intervalMs?: number;
  checkTimeoutMs?: number;
  instance?: string;
}

const KEY_PREFIX = 'khiw:ops:replica:';
/** How long a heartbeat key lives after its last write (the reader derives "last seen" from PTTL). */
export const REPLICA_TTL_MS = 10_000;

/** Where every replica's heartbeat lives. */
export function replicaKeyPrefix(namespace: string): string {
  return `${namespace ? `${namespace}:` : ''}${KEY_PREFIX}`;
}

/**
 * The set of heartbeat keys, so a reader finds them without a SCAN (which walks the whole
 * keyspace, BullMQ's job hashes included: hundreds of thousands of keys on opening day).
 * A member whose key has expired is a replica gone; the reader removes it.
 */
export function replicaIndexKey(namespace: string): string {
  return `${namespace ? `${namespace}:` : ''}khiw:ops:replicas`;
}

export function replicaKey(namespace: string, service: string, instance: string): string {
  return `${replicaKeyPrefix(namespace)}${service}:${instance}`;
}

/** hostname-pid: the pod (or machine) and the process; random when there is no hostname. */
export function replicaInstanceId(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 60);
  return host ? `${host}-${process.pid}` : `replica-${randomBytes(4).toString('hex')}`;
}

/** The version a deployment sets (KHIW_VERSION), else the service's package.json version. */
export function resolveVersion(explicit: string | undefined, packageJsonPath: string): string {
  if (explicit) return explicit;
  try {
    const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown };
    return typeof version === 'string' && version ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Writes this process's ReplicaReport to `replicaKey(...)` every `intervalMs`, expiring
 * REPLICA_TTL_MS later: a killed process leaves the list by itself.
 * Beats never overlap: the next one is scheduled when the last has finished. `close()`
 * stops beating and deletes the key, so a replica shut down cleanly leaves the list at once.
 */
export class ReplicaHeartbeat {
  readonly instance: string;
  readonly key: string;
  private readonly index: string;
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private lastError = '';

  constructor(private readonly options: ReplicaHeartbeatOptions) {
    this.instance = options.instance ?? replicaInstanceId();
    this.key = replicaKey(options.namespace, options.service, this.instance);
    this.index = replicaIndexKey(options.namespace);
  }

  start(): void {
    if (this.timer || this.closing) return;
    this.schedule(0);
  }

  /** The report as it would be written now. */
  async report(): Promise<ReplicaReport> {
    const { service, version, checks, probes = {}, isDraining, checkTimeoutMs = 2000 } = this.options;
    const [readiness, probed, metrics] = await Promise.all([
      runReadinessChecks(checks, checkTimeoutMs),
      runReadinessChecks(probes, checkTimeoutMs),
      this.readMetrics(checkTimeoutMs),
    ]);
    const ready = !isDraining() && Object.values(readiness).every((outcome) => outcome === 'ok');
    return {
      service,
      instance: this.instance,
      version,
      startedAt: this.startedAt,
      ready,
      checks: { ...probed, ...readiness },
      metrics,
    };
  }

  /** Writes one report; a failure is logged (once per distinct error) and the next beat tries again. */
  async beat(): Promise<void> {
    try {
      const report = await this.report();
      await this.options.redis.set(this.key, JSON.stringify(report), 'PX', REPLICA_TTL_MS);
      // Every beat: a reader may have dropped the member while the key was briefly missing.
      await this.options.redis.sadd(this.index, this.key);
      if (this.lastError) this.options.logger.info({ key: this.key }, 'replica heartbeat restored');
      this.lastError = '';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError)
        this.options.logger.warn({ err, key: this.key }, 'replica heartbeat failed');
      this.lastError = message;
    }
  }

  /** Stops beating and deletes the key; safe to call twice. */
  close(): Promise<void> {
    // Bounded: on a client that queues commands while Redis is away, a beat or the delete
    // would otherwise hold shutdown until Redis returns.
    const atMost = (work: Promise<unknown> | undefined, ms: number) =>
      Promise.race([work?.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
    this.closing ??= (async () => {
      clearTimeout(this.timer);
      await atMost(this.beating, 2000);
      await atMost(
        Promise.all([this.options.redis.del(this.key), this.options.redis.srem(this.index, this.key)]),
        1000,
      );
    })();
    return this.closing;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => {
        this.beating = undefined;
        if (!this.closing) this.schedule(this.options.intervalMs ?? 2000);
      });
    }, ms);
    this.timer.unref();
  }

  private async readMetrics(timeoutMs: number): Promise<Record<string, MetricSample[]>> {
    const entries = await Promise.all(
      this.options.metrics.map(async (name) => {
        const samples = await readMetric(this.options.registry, name, timeoutMs).catch(() => undefined);
        return samples ? ([name, samples] as const) : undefined;
      }),
    );
    return Object.fromEntries(entries.filter((entry) => entry !== undefined));
  }
}

const HISTOGRAM_PART = /_(sum|count)$/;

/** A metric's values by name, or undefined when the registry has no such metric. */
async function readMetric(
  registry: Registry,
  name: string,
  timeoutMs: number,
): Promise<MetricSample[] | undefined> {
  const own = registry.getSingleMetric(name);
  const part = own ? undefined : HISTOGRAM_PART.exec(name);
  const metric = own ?? (part ? registry.getSingleMetric(name.slice(0, part.index)) : undefined);
  if (!metric) return undefined;
  // A gauge's collect() may query a database: bounded like a readiness check.
  const { values } = await withTimeout(metric.get(), timeoutMs);
  return (values as Array<{ labels: MetricSample['labels']; value: number; metricName?: string }>)
    .filter((v) => !part || v.metricName === name)
    .map((v) => ({ labels: { ...v.labels }, value: v.value }));
}
