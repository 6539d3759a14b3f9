import type { ReplicaReport } from '@khiw/observability';
import type { SeenReplica } from './replica-reports';

/** The metric names the console reads from the heartbeats (each service lists its own). */
export const OPS_METRICS = {
  decisions: 'khiw_booking_worker_requests_total',
  outboxAge: 'khiw_booking_worker_outbox_oldest_unpublished_seconds',
  smsSent: 'khiw_notification_sms_sent_total',
  smsDelivered: 'khiw_notification_sms_delivered_total',
  smsFailed: 'khiw_notification_sms_failed_total',
  smsOldestUnsent: 'khiw_notification_sms_oldest_unsent_seconds',
  consumerLag: 'khiw_kafka_consumer_lag',
  rosterLagSum: 'khiw_roster_event_lag_seconds_sum',
  rosterLagCount: 'khiw_roster_event_lag_seconds_count',
} as const;

/** Counters whose increases the sampler keeps. */
export const OPS_COUNTERS = [
  OPS_METRICS.decisions,
  OPS_METRICS.smsSent,
  OPS_METRICS.smsDelivered,
  OPS_METRICS.smsFailed,
  OPS_METRICS.rosterLagSum,
  OPS_METRICS.rosterLagCount,
] as const;

export const DEPENDENCIES = ['redis', 'postgres', 'kafka', 'kannel'] as const;

export interface Dependency {
  name: (typeof DEPENDENCIES)[number];
  ok: boolean;
  detail?: string;
}

export interface ReplicaRow {
  service: string;
  instance: string;
  version: string;
  ready: boolean;
  uptimeSeconds: number;
  lastSeenSeconds: number;
}

export interface ConsumerLag {
  group: string;
  topic: string;
  lag: number;
}

/** The outcome of a booking decision: the `outcome` label where a service has one, else `status`. */
export function outcomeOf(labels: Record<string, string | number>): string {
  return String(labels.outcome ?? labels.status ?? 'unknown');
}

/** The largest value of a gauge over every replica reporting it; null when none does. */
export function maxGauge(reports: readonly ReplicaReport[], metric: string): number | null {
  let max: number | null = null;
  for (const report of reports) {
    for (const { value } of report.metrics[metric] ?? []) {
      if (Number.isFinite(value)) max = max === null ? value : Math.max(max, value);
    }
  }
  return max;
}

/**
 * Messages behind per consumer group and topic. Every replica of a group reports the group's
 * lag as it sees it, so replicas are not added up: the largest (the freshest worst case) wins.
 */
export function consumerLags(reports: readonly ReplicaReport[]): ConsumerLag[] {
  const lags = new Map<string, ConsumerLag>();
  for (const report of reports) {
    for (const { labels, value } of report.metrics[OPS_METRICS.consumerLag] ?? []) {
      const group = String(labels.group ?? '');
      const topic = String(labels.topic ?? '');
      const key = `${group}\u0000${topic}`;
      const known = lags.get(key);
      if (!known || value > known.lag) lags.set(key, { group, topic, lag: Math.max(0, value) });
    }
  }
  return [...lags.values()].sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic));
}

/**
 * Each dependency from the checks the replicas report: ok when every replica that checks it
 * says ok. Redis is checked by this gateway too (it read the heartbeats from it). A
 * dependency no replica checks is not ok: nobody can say it works.
 */
export function dependencies(reports: readonly ReplicaReport[]): Dependency[] {
  return DEPENDENCIES.map((name) => {
    const reporters = reports.filter((r) => r.checks[name] !== undefined);
    const failing = reporters.filter((r) => r.checks[name] !== 'ok');
    if (failing.length > 0) {
      const first = failing[0]!;
      const more = failing.length > 1 ? ` (+${failing.length - 1} more)` : '';
      return { name, ok: false, detail: `${first.service} ${first.instance}: ${first.checks[name]}${more}` };
    }
    if (reporters.length === 0 && name !== 'redis') {
      return { name, ok: false, detail: 'no replica reports this check' };
    }
    return { name, ok: true };
  });
}

export function replicaRows(seen: readonly SeenReplica[], now: number): ReplicaRow[] {
  return seen.map(({ report, lastSeenSeconds }) => {
    const started = Date.parse(report.startedAt);
    return {
      service: report.service,
      instance: report.instance,
      version: report.version,
      ready: report.ready,
      uptimeSeconds: Number.isFinite(started) ? Math.max(0, Math.round((now - started) / 1000)) : 0,
      lastSeenSeconds: round(lastSeenSeconds, 1),
    };
  });
}

/** Whether any replica reports `metric` at all (so a 0 rate can be told from "no figure"). */
export function reported(reports: readonly ReplicaReport[], metric: string): boolean {
  return reports.some((report) => report.metrics[metric] !== undefined);
}

export function round(n: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(n * factor) / factor;
}
