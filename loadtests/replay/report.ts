/**
 * What the replay prints and writes: per stage of the path, throughput and p50/p95/p99 and
 * the first stage to saturate; a per-second time series (CSV) and its charts (SVG).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { lineChartSvg, writeCsv } from './charts';
import type { PersonRecord } from './resident-flow';

/** One booking's server-side times (ms from the opening), from PostgreSQL. */
export interface BookingTimes {
  bookingId: string;
  created: number;
  smsSent: number | null;
  smsDelivered: number | null;
  roster: number | null;
}

export interface StageFigures {
  stage: string;
  count: number;
  /** Completions per second from the first to the last, and the best 5 s window. */
  perSecond: number;
  peakPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Seconds from the opening when this stage first saturated (see saturation()). */
  saturatedAt: number | null;
}

type Interval = [start: number, end: number];

export const quantile = (sorted: ArrayLike<number>, q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** The stages of the path as intervals (ms from the opening) of each person or booking. */
export function stageIntervals(
  records: PersonRecord[],
  bookings: BookingTimes[],
): Record<string, Interval[]> {
  const submittedOf = new Map<string, number>();
  for (const r of records) for (const id of r.bookings) submittedOf.set(id, r.submitted);
  // 0 is "never" in a record (resident-flow.ts never records 0), but an arrival may be at 0.
  const pairs = (f: (r: PersonRecord) => [number, number], startAlwaysSet = false) =>
    records.map(f).filter(([a, b]) => (startAlwaysSet || a !== 0) && b !== 0 && b >= a);
  const server = (f: (b: BookingTimes) => [number | null, number | null]) =>
    bookings.map(f).filter((x): x is Interval => x[0] !== null && x[1] !== null);
  return {
    join: pairs((r) => [r.arrive, r.joined], true),
    wait: pairs((r) => [r.joined, r.admitted]),
    book: pairs((r) => [r.submitted, r.accepted]),
    decide: server((b) => [submittedOf.get(b.bookingId) ?? null, b.created]),
    'sms accepted': server((b) => [b.created, b.smsSent]),
    'sms delivered': server((b) => [b.smsSent, b.smsDelivered]),
    'roster visible': server((b) => [b.created, b.roster]),
  };
}

/**
 * A stage saturates when the work it finishes waits far longer than it did at first: the
 * median latency of a 5 s window of completions above 4x the first window's and above 1 s.
 * The waiting room's wait is by design, so it is never called saturated.
 */
function saturation(stage: string, intervals: Interval[]): number | null {
  if (stage === 'wait' || intervals.length < 50) return null;
  const byEnd = [...intervals].sort((a, b) => a[1] - b[1]);
  const windows = new Map<number, number[]>();
  for (const [start, end] of byEnd) {
    const w = Math.floor(end / 5000);
    (windows.get(w) ?? windows.set(w, []).get(w)!).push(end - start);
  }
  let first: number | null = null;
  for (const [w, latencies] of [...windows].sort((a, b) => a[0] - b[0])) {
    if (latencies.length < 10) continue;
    const median = quantile(
      latencies.sort((a, b) => a - b),
      0.5,
    );
    if (first === null) first = Math.max(median, 1);
    else if (median > 4 * first && median > 1000) return w * 5;
  }
  return null;
}

export function stageFigures(intervals: Record<string, Interval[]>): StageFigures[] {
  return Object.entries(intervals).map(([stage, list]) => {
    const latencies = list.map(([a, b]) => b - a).sort((a, b) => a - b);
    const ends = list.map(([, b]) => b).sort((a, b) => a - b);
    const span = ends.length > 1 ? (ends[ends.length - 1]! - ends[0]!) / 1000 : 0;
    let peak = 0;
    for (let lo = 0, hi = 0; hi < ends.length; hi++) {
      while (ends[hi]! - ends[lo]! > 5000) lo++;
      peak = Math.max(peak, (hi - lo + 1) / 5);
    }
    return {
      stage,
      count: list.length,
      perSecond: span > 0 ? list.length / span : list.length,
      peakPerSecond: peak,
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
      saturatedAt: saturation(stage, list),
    };
  });
}

export function stageTable(figures: StageFigures[]): string {
  const ms = (v: number) =>
    Number.isNaN(v) ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
  const lines = [
    '| stage | count | per s (whole run) | per s (best 5 s) | p50 | p95 | p99 | saturated at |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map(
      (f) =>
        `| ${f.stage} | ${f.count.toLocaleString('en')} | ${f.perSecond.toFixed(0)} | ${f.peakPerSecond.toFixed(0)} | ${ms(f.p50)} | ${ms(f.p95)} | ${ms(f.p99)} | ${f.saturatedAt === null ? '-' : `${f.saturatedAt} s`} |`,
    ),
  ];
  const first = figures
    .filter((f) => f.saturatedAt !== null)
    .sort((a, b) => a.saturatedAt! - b.saturatedAt!)[0];
  lines.push('', `first stage to saturate: ${first ? `${first.stage} at ${first.saturatedAt} s` : 'none'}`);
  return lines.join('\n');
}

/** Per second from the first arrival: the series the charts draw, written as CSV too. */
export function timeSeries(records: PersonRecord[], bookings: BookingTimes[], dir: string): string[] {
  // Loops, not Math.min(...list): a million-person run would overflow the call stack.
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    first = Math.min(first, r.arrive);
    last = Math.max(last, r.arrive, r.decided, r.left);
  }
  for (const b of bookings)
    last = Math.max(last, b.created, b.smsSent ?? 0, b.smsDelivered ?? 0, b.roster ?? 0);
  const from = Math.floor(first / 1000);
  const to = Math.ceil(last / 1000) + 1;
  const n = Math.max(1, to - from);
  const bin = () => new Float64Array(n);
  const s = {
    arrivals: bin(),
    joins: bin(),
    admitted: bin(),
    depthDelta: bin(),
    accepted: bin(),
    bookings: bin(),
    sms: bin(),
    delivered: bin(),
    roster: bin(),
    smsLag: bin(),
    rosterLag: bin(),
  };
  const add = (series: Float64Array, k: number, v: number) => (series[k] = series[k]! + v);
  const at = (ms: number) => Math.min(n - 1, Math.max(0, Math.floor(ms / 1000) - from));
  for (const r of records) {
    add(s.arrivals, at(r.arrive), 1);
    if (r.joined) {
      add(s.joins, at(r.joined), 1);
      add(s.depthDelta, at(r.joined), 1);
      if (r.left) add(s.depthDelta, at(r.left), -1);
    }
    if (r.admitted) add(s.admitted, at(r.admitted), 1);
    if (r.accepted) add(s.accepted, at(r.accepted), 1);
  }
  for (const b of bookings) {
    add(s.bookings, at(b.created), 1);
    if (b.smsSent !== null) {
      add(s.sms, at(b.smsSent), 1);
      add(s.smsLag, at(b.smsSent), b.smsSent - b.created);
    }
    if (b.smsDelivered !== null) add(s.delivered, at(b.smsDelivered), 1);
    if (b.roster !== null) {
      add(s.roster, at(b.roster), 1);
      add(s.rosterLag, at(b.roster), b.roster - b.created);
    }
  }
  const header = [
    'second',
    'arrivals_per_s',
    'joins_per_s',
    'queue_depth',
    'admitted_per_min',
    'accepted_per_s',
    'bookings_per_s',
    'sms_accepted_per_s',
    'sms_delivered_per_s',
    'roster_per_s',
    'sms_lag_s',
    'roster_lag_s',
  ];
  const rows: number[][] = [];
  let depth = 0;
  for (let k = 0; k < n; k++) {
    depth += s.depthDelta[k]!;
    let admittedMinute = 0;
    for (let j = Math.max(0, k - 59); j <= k; j++) admittedMinute += s.admitted[j]!;
    rows.push([
      from + k,
      s.arrivals[k]!,
      s.joins[k]!,
      depth,
      admittedMinute,
      s.accepted[k]!,
      s.bookings[k]!,
      s.sms[k]!,
      s.delivered[k]!,
      s.roster[k]!,
      s.sms[k] ? s.smsLag[k]! / s.sms[k]! / 1000 : 0,
      s.roster[k] ? s.rosterLag[k]! / s.roster[k]! / 1000 : 0,
    ]);
  }
  const csv = path.join(dir, 'timeseries.csv');
  writeCsv(csv, header, rows);
  const series = (col: number, name: string) => ({
    name,
    points: rows.map((row) => [row[0]!, row[col]!] as [number, number]),
  });
  const charts: Array<[string, Parameters<typeof lineChartSvg>[0]]> = [
    [
      'queue.svg',
      {
        title: 'Waiting room',
        xLabel: 'seconds from the opening',
        yLabel: 'people',
        series: [series(3, 'queue depth'), series(4, 'admitted in the last minute')],
      },
    ],
    [
      'rates.svg',
      {
        title: 'The path per second',
        xLabel: 'seconds from the opening',
        yLabel: 'per second',
        series: [
          series(1, 'arrivals'),
          series(2, 'joins'),
          series(6, 'bookings'),
          series(7, 'SMS accepted by Kannel'),
          series(9, 'roster entries'),
        ],
      },
    ],
    [
      'lag.svg',
      {
        title: 'Behind the booking',
        xLabel: 'seconds from the opening',
        yLabel: 'seconds after the booking',
        series: [series(10, 'SMS accepted'), series(11, 'roster visible')],
      },
    ],
  ];
  const written = [csv];
  for (const [file, chart] of charts) {
    writeFileSync(path.join(dir, file), lineChartSvg(chart));
    written.push(path.join(dir, file));
  }
  return written;
}
