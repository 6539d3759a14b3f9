import { describe, expect, it } from '@jest/globals';
import type { ReplicaReport } from '@khiw/observability';
import { CounterIncreases, sumBy, windowRate } from './counter-increases';

const DECISIONS = 'khiw_booking_worker_requests_total';
const T0 = Date.parse('2026-12-02T09:00:00Z');

function worker(
  instance: string,
  counts: Record<string, number>,
  startedAt = new Date(T0 - 60_000).toISOString(),
): ReplicaReport {
  return {
    service: 'booking-worker',
    instance,
    version: '1',
    startedAt,
    ready: true,
    checks: {},
    metrics: {
      [DECISIONS]: Object.entries(counts).map(([status, value]) => ({ labels: { status }, value })),
    },
  };
}

const byStatus = (labels: Record<string, string | number>) => String(labels.status);

describe('CounterIncreases', () => {
  it('yields nothing on the first sample (the baseline), then the deltas per series', () => {
    const counters = new CounterIncreases([DECISIONS]);
    expect(counters.next([worker('a', { confirmed: 100, rejected: 5 })], T0)).toEqual([]);
    const increases = counters.next([worker('a', { confirmed: 130, rejected: 5 })], T0 + 2000);
    expect(sumBy(increases, DECISIONS, byStatus)).toEqual({ confirmed: 30 });
  });

  it('adds the replicas up', () => {
    const counters = new CounterIncreases([DECISIONS]);
    counters.next([worker('a', { confirmed: 10 }), worker('b', { confirmed: 50 })], T0);
    const increases = counters.next(
      [worker('a', { confirmed: 15 }), worker('b', { confirmed: 57 })],
      T0 + 2000,
    );
    expect(sumBy(increases, DECISIONS, byStatus)).toEqual({ confirmed: 12 });
  });

  it('reads a value below the last one as a reset: the new value is the growth, never negative', () => {
    const counters = new CounterIncreases([DECISIONS]);
    counters.next([worker('a', { confirmed: 500 })], T0);
    const increases = counters.next([worker('a', { confirmed: 3 })], T0 + 2000);
    expect(sumBy(increases, DECISIONS, byStatus)).toEqual({ confirmed: 3 });
  });

  it('reads a changed startedAt as a restart, even when the new value is higher', () => {
    // A pod restarted in place keeps its hostname and may get the same pid (1 in a container).
    const counters = new CounterIncreases([DECISIONS]);
    counters.next([worker('pod-1', { confirmed: 10 })], T0);
    const restarted = worker('pod-1', { confirmed: 40 }, new Date(T0 + 1000).toISOString());
    expect(sumBy(counters.next([restarted], T0 + 2000), DECISIONS, byStatus)).toEqual({ confirmed: 40 });
  });

  it('counts a label set that first appears on a known replica from 0', () => {
    const counters = new CounterIncreases([DECISIONS]);
    counters.next([worker('a', { confirmed: 10 })], T0);
    const increases = counters.next([worker('a', { confirmed: 10, standby: 4 })], T0 + 2000);
    expect(sumBy(increases, DECISIONS, byStatus)).toEqual({ standby: 4 });
  });

  it('counts a replica started after the first sample whole; one older than that sets its baseline', () => {
    const counters = new CounterIncreases([DECISIONS]);
    counters.next([worker('a', { confirmed: 10 })], T0);
    const fresh = worker('b', { confirmed: 7 }, new Date(T0 + 500).toISOString());
    const old = worker('c', { confirmed: 900 }, new Date(T0 - 3_600_000).toISOString());
    const increases = counters.next([worker('a', { confirmed: 10 }), fresh, old], T0 + 2000);
    expect(sumBy(increases, DECISIONS, byStatus)).toEqual({ confirmed: 7 });
    const later = counters.next(
      [
        worker('a', { confirmed: 10 }),
        worker('b', { confirmed: 8 }, fresh.startedAt),
        worker('c', { confirmed: 901 }, old.startedAt),
      ],
      T0 + 4000,
    );
    expect(sumBy(later, DECISIONS, byStatus)).toEqual({ confirmed: 2 });
  });

  it('spans a gap: a replica missing from some samples counts from where it was last seen', () => {
    const counters = new CounterIncreases([DECISIONS]);
    counters.next([worker('a', { confirmed: 10 })], T0);
    expect(counters.next([], T0 + 2000)).toEqual([]);
    const increases = counters.next([worker('a', { confirmed: 25 })], T0 + 4000);
    expect(sumBy(increases, DECISIONS, byStatus)).toEqual({ confirmed: 15 });
  });

  it('ignores metrics it was not asked for', () => {
    const counters = new CounterIncreases(['khiw_other_total']);
    counters.next([worker('a', { confirmed: 1 })], T0);
    expect(counters.next([worker('a', { confirmed: 9 })], T0 + 2000)).toEqual([]);
  });
});

describe('windowRate', () => {
  const points = [
    { dt: 0, n: 0 },
    { dt: 2, n: 10 },
    { dt: 2, n: 20 },
    { dt: 2, n: 30 },
  ];

  it('divides the increases of the newest points covering the window by their seconds', () => {
    expect(windowRate(points, 4, (p) => p.n)).toBe(12.5);
    expect(windowRate(points, 60, (p) => p.n)).toBe(10);
  });

  it('stops at `end` (a rate as it was at an older point)', () => {
    expect(windowRate(points, 2, (p) => p.n, 3)).toBe(10);
  });

  it('is 0 while no time is covered', () => {
    expect(windowRate(points.slice(0, 1), 10, (p) => p.n)).toBe(0);
    expect(windowRate([], 10, () => 1)).toBe(0);
  });
});
