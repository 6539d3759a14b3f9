import type { MetricSample, ReplicaReport } from '@khiw/observability';

/** One counter series of one replica, as last seen. */
interface SeriesValue {
  metric: string;
  labels: MetricSample['labels'];
  value: number;
}

interface ReplicaCounters {
  startedAt: string;
  seenAt: number;
  series: Map<string, SeriesValue>;
}

/** What a counter series grew by between two samples, labels included (to group by). */
export interface SeriesIncrease {
  metric: string;
  labels: MetricSample['labels'];
  increase: number;
}

/** Forget a replica not seen for this long (it went away; its counters died with it). */
const FORGET_AFTER_MS = 5 * 60_000;

/**
 * Turns successive heartbeats into counter increases, the way Prometheus' `increase()` does
 * per series: a value lower than the last one, or a replica whose `startedAt` changed, is a
 * restart, and the new value is all growth since it (negative deltas never reach a rate). A
 * replica first seen after the first sample counts its whole value only if it started after
 * that sample; before it, its history is unknown and it only sets the baseline. The first
 * sample of all sets the baseline and yields nothing.
 */
export class CounterIncreases {
  private readonly replicas = new Map<string, ReplicaCounters>();
  private firstSampleAt: number | undefined;

  constructor(private readonly metrics: readonly string[]) {}

  /** The increases since the last call, from the reports read at `at` (ms). */
  next(reports: readonly ReplicaReport[], at: number): SeriesIncrease[] {
    const baseline = this.firstSampleAt === undefined;
    this.firstSampleAt ??= at;
    const increases: SeriesIncrease[] = [];
    for (const report of reports) {
      const id = `${report.service}/${report.instance}`;
      const known = this.replicas.get(id);
      const current = this.seriesOf(report);
      const restarted = known !== undefined && known.startedAt !== report.startedAt;
      const newSince = !known && !baseline && Date.parse(report.startedAt) >= this.firstSampleAt;
      for (const [key, series] of current) {
        let increase = 0;
        if (known && !restarted) {
          const last = known.series.get(key);
          // A series that appeared since (a label set first incremented) grew from 0.
          increase =
            last === undefined || series.value < last.value ? series.value : series.value - last.value;
        } else if (restarted || newSince) {
          increase = series.value;
        }
        if (increase > 0) increases.push({ metric: series.metric, labels: series.labels, increase });
      }
      this.replicas.set(id, { startedAt: report.startedAt, seenAt: at, series: current });
    }
    for (const [id, replica] of this.replicas) {
      if (at - replica.seenAt > FORGET_AFTER_MS) this.replicas.delete(id);
    }
    return increases;
  }

  private seriesOf(report: ReplicaReport): Map<string, SeriesValue> {
    const series = new Map<string, SeriesValue>();
    for (const metric of this.metrics) {
      for (const sample of report.metrics[metric] ?? []) {
        const labels = Object.entries(sample.labels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        series.set(`${metric}{${labels}}`, { metric, labels: sample.labels, value: sample.value });
      }
    }
    return series;
  }
}

/** Sums increases of one metric, keyed by what `keyOf` makes of their labels. */
export function sumBy(
  increases: readonly SeriesIncrease[],
  metric: string,
  keyOf: (labels: MetricSample['labels']) => string = () => '',
): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const { metric: name, labels, increase } of increases) {
    if (name !== metric) continue;
    const key = keyOf(labels);
    sums[key] = (sums[key] ?? 0) + increase;
  }
  return sums;
}

/**
 * Σ increases / Σ seconds over the newest points covering `windowSeconds`, up to (not
 * including) index `end`; 0 when no time is covered (a single first sample).
 */
export function windowRate<P extends { dt: number }>(
  points: readonly P[],
  windowSeconds: number,
  pick: (point: P) => number,
  end = points.length,
): number {
  let seconds = 0;
  let total = 0;
  for (let i = end - 1; i >= 0 && seconds < windowSeconds; i--) {
    const point = points[i]!;
    seconds += point.dt;
    total += pick(point);
  }
  return seconds > 0 ? total / seconds : 0;
}
