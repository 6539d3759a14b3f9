import { describe, expect, it } from '@jest/globals';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ReplicaHeartbeat, replicaKey, resolveVersion, type ReplicaReport } from './heartbeat';
import { createLogger } from './logger';
import { createMetricsRegistry } from './metrics';

const logger = createLogger({ service: 'test', level: 'silent' });

/** The two commands, in memory, remembering each key's expiry. */
function memoryRedis() {
  const store = new Map<string, { value: string; px: number }>();
  const index = new Set<string>();
  return {
    store,
    index,
    async set(key: string, value: string, _px: 'PX', ms: number) {
      store.set(key, { value, px: ms });
      return 'OK';
    },
    async sadd(_key: string, member: string) {
      index.add(member);
      return 1;
    },
    async del(key: string) {
      return store.delete(key) ? 1 : 0;
    },
    async srem(_key: string, member: string) {
      return index.delete(member) ? 1 : 0;
    },
  };
}

function setUp(options: { redisUp?: () => boolean; draining?: () => boolean } = {}) {
  const registry = createMetricsRegistry('booking-worker');
  const decisions = new Counter({
    name: 'khiw_booking_worker_requests_total',
    help: 'x',
    labelNames: ['status'],
    registers: [registry],
  });
  decisions.inc({ status: 'confirmed' }, 3);
  new Gauge({
    name: 'khiw_booking_worker_outbox_oldest_unpublished_seconds',
    help: 'x',
    registers: [registry],
    collect() {
      this.set(1.5);
    },
  });
  const lag = new Histogram({
    name: 'khiw_roster_event_lag_seconds',
    help: 'x',
    buckets: [1],
    registers: [registry],
  });
  lag.observe(0.25);
  lag.observe(0.75);
  const redis = memoryRedis();
  const heartbeat = new ReplicaHeartbeat({
    redis,
    namespace: 't-ns',
    service: 'booking-worker',
    version: '1.2.3',
    registry,
    metrics: [
      'khiw_booking_worker_requests_total',
      'khiw_booking_worker_outbox_oldest_unpublished_seconds',
      'khiw_roster_event_lag_seconds_sum',
      'khiw_roster_event_lag_seconds_count',
      'khiw_campaign_doses_left',
    ],
    checks: {
      redis: async () => {
        if (options.redisUp && !options.redisUp()) throw new Error('connection refused');
      },
    },
    probes: {
      kafka: async () => {
        throw new Error('broker down');
      },
    },
    isDraining: options.draining ?? (() => false),
    logger,
    instance: 'host-42',
  });
  return { redis, heartbeat };
}

const written = (redis: ReturnType<typeof memoryRedis>): ReplicaReport =>
  JSON.parse(redis.store.get(replicaKey('t-ns', 'booking-worker', 'host-42'))!.value) as ReplicaReport;

describe('ReplicaHeartbeat', () => {
  it('writes who it is, its checks and the metrics it lists (absent ones left out), expiring in 10 s', async () => {
    const { redis, heartbeat } = setUp();
    await heartbeat.beat();
    const key = 't-ns:khiw:ops:replica:booking-worker:host-42';
    expect(redis.store.get(key)?.px).toBe(10_000);
    expect([...redis.index]).toEqual([key]);
    const report = written(redis);
    expect(report).toMatchObject({
      service: 'booking-worker',
      instance: 'host-42',
      version: '1.2.3',
      ready: true,
      checks: { redis: 'ok', kafka: 'broker down' },
    });
    expect(Date.parse(report.startedAt)).toBeLessThanOrEqual(Date.now());
    expect(report.metrics).toEqual({
      khiw_booking_worker_requests_total: [{ labels: { status: 'confirmed' }, value: 3 }],
      khiw_booking_worker_outbox_oldest_unpublished_seconds: [{ labels: {}, value: 1.5 }],
      khiw_roster_event_lag_seconds_sum: [{ labels: {}, value: 1 }],
      khiw_roster_event_lag_seconds_count: [{ labels: {}, value: 2 }],
    });
  });

  it('is ready only while every readiness check answers and it is not draining (probes do not count)', async () => {
    let up = true;
    let draining = false;
    const { redis, heartbeat } = setUp({ redisUp: () => up, draining: () => draining });
    await heartbeat.beat();
    expect(written(redis).ready).toBe(true);
    up = false;
    await heartbeat.beat();
    expect(written(redis)).toMatchObject({ ready: false, checks: { redis: 'connection refused' } });
    up = true;
    draining = true;
    await heartbeat.beat();
    expect(written(redis).ready).toBe(false);
  });

  it('beats on its own once started, and close() stops it and deletes the key (twice is fine)', async () => {
    const { redis, heartbeat } = setUp();
    heartbeat.start();
    const deadline = Date.now() + 2000;
    while (redis.store.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(redis.store.size).toBe(1);
    await Promise.all([heartbeat.close(), heartbeat.close()]);
    expect(redis.store.size).toBe(0);
    expect(redis.index.size).toBe(0);
  });

  it('survives a Redis that refuses the write', async () => {
    const { heartbeat } = setUp();
    const broken = heartbeat as unknown as { options: { redis: { set: () => Promise<never> } } };
    broken.options.redis.set = () => Promise.reject(new Error('Connection is closed'));
    await expect(heartbeat.beat()).resolves.toBeUndefined();
  });
});

describe('resolveVersion', () => {
  it('prefers the deployment’s KHIW_VERSION, else reads package.json, else says unknown', () => {
    expect(resolveVersion('2026.12.1', '/nowhere/package.json')).toBe('2026.12.1');
    expect(resolveVersion(undefined, require.resolve('../package.json'))).toBe('0.1.0');
    expect(resolveVersion(undefined, '/nowhere/package.json')).toBe('unknown');
  });
});
