import { describe, expect, it } from '@jest/globals';
import type { ReplicaReport } from '@khiw/observability';
import { consumerLags, dependencies, maxGauge, replicaRows } from './ops-figures';

function replica(service: string, instance: string, extra: Partial<ReplicaReport> = {}): ReplicaReport {
  return {
    service,
    instance,
    version: '0.1.0',
    startedAt: '2026-12-02T09:00:00.000Z',
    ready: true,
    checks: {},
    metrics: {},
    ...extra,
  };
}

describe('dependencies', () => {
  it('is ok when every replica that checks a dependency says ok, and names the first that does not', () => {
    const deps = dependencies([
      replica('booking-worker', 'w1', { checks: { postgres: 'ok', redis: 'ok', kafka: 'ok' } }),
      replica('notification', 'n1', {
        checks: { postgres: 'ok', redis: 'ok', kafka: 'ok', kannel: 'Kannel unreachable (ECONNREFUSED)' },
      }),
      replica('roster', 'r1', { checks: { postgres: 'no answer within 2000 ms', kafka: 'ok' } }),
    ]);
    expect(deps).toEqual([
      { name: 'redis', ok: true },
      { name: 'postgres', ok: false, detail: 'roster r1: no answer within 2000 ms' },
      { name: 'kafka', ok: true },
      { name: 'kannel', ok: false, detail: 'notification n1: Kannel unreachable (ECONNREFUSED)' },
    ]);
  });

  it('cannot call a dependency no replica checks ok, except Redis, which this gateway just read', () => {
    expect(dependencies([])).toEqual([
      { name: 'redis', ok: true },
      { name: 'postgres', ok: false, detail: 'no replica reports this check' },
      { name: 'kafka', ok: false, detail: 'no replica reports this check' },
      { name: 'kannel', ok: false, detail: 'no replica reports this check' },
    ]);
  });
});

describe('gauges', () => {
  const lag = (group: string, topic: string, value: number) => ({ labels: { group, topic }, value });

  it('takes the largest consumer lag per group and topic (replicas report the group, not a share)', () => {
    const reports = [
      replica('notification', 'n1', {
        metrics: { khiw_kafka_consumer_lag: [lag('notification', 'booking.events', 40)] },
      }),
      replica('notification', 'n2', {
        metrics: { khiw_kafka_consumer_lag: [lag('notification', 'booking.events', 42)] },
      }),
      replica('roster', 'r1', { metrics: { khiw_kafka_consumer_lag: [lag('roster', 'booking.events', 0)] } }),
    ];
    expect(consumerLags(reports)).toEqual([
      { group: 'notification', topic: 'booking.events', lag: 42 },
      { group: 'roster', topic: 'booking.events', lag: 0 },
    ]);
  });

  it('is null when no replica reports a gauge', () => {
    const metric = 'khiw_booking_worker_outbox_oldest_unpublished_seconds';
    expect(maxGauge([replica('booking-worker', 'w1')], metric)).toBeNull();
    expect(
      maxGauge(
        [
          replica('booking-worker', 'w1', { metrics: { [metric]: [{ labels: {}, value: 0.4 }] } }),
          replica('booking-worker', 'w2', { metrics: { [metric]: [{ labels: {}, value: 3 }] } }),
        ],
        metric,
      ),
    ).toBe(3);
  });
});

describe('replicaRows', () => {
  it('gives uptime from startedAt and keeps how long ago the heartbeat was written', () => {
    const rows = replicaRows(
      [{ report: replica('gateway', 'g1'), lastSeenSeconds: 1.234 }],
      Date.parse('2026-12-02T09:05:00.000Z'),
    );
    expect(rows).toEqual([
      {
        service: 'gateway',
        instance: 'g1',
        version: '0.1.0',
        ready: true,
        uptimeSeconds: 300,
        lastSeenSeconds: 1.2,
      },
    ]);
  });
});
