import type { CampaignSnapshot } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import { pingRedis, type Redis } from '@khiw/redis';
import { bangkokDateKey } from '@khiw/thai';
import type { CampaignCatalog } from '../bookings/campaign-catalog';
import { campaignStateAt } from '../campaigns/campaign-state';
import type { WaitingRoomStats } from '../waiting-room/waiting-room-stats.usecase';
import type { AuditLog } from './audit-log';
import { windowRate } from './counter-increases';
import {
  consumerLags,
  dependencies,
  maxGauge,
  OPS_METRICS,
  replicaRows,
  reported,
  round,
} from './ops-figures';
import type { OpsPoint, OpsSampler } from './ops-sampler';

export interface GetOpsOverviewCommand {
  campaignId: string;
}

export interface GetOpsOverviewDeps {
  redis: Redis;
  stats: WaitingRoomStats;
  catalog: CampaignCatalog;
  sampler: OpsSampler;
  audit: AuditLog;
  /** What the console is told to wait between polls. */
  pollAfterMs: number;
}

/** Per-second rates over the last 10 s, per-minute ones over the last minute. */
const RATE_WINDOW_SECONDS = 10;
const MINUTE = 60;
/** Always listed, so the console's rows stay put while one of them is 0. */
const OUTCOMES = ['confirmed', 'standby', 'rejected'];

/**
 * `GET /api/admin/ops/overview?campaignId=`: the opening-day picture of one campaign in one
 * answer. The room (the stats body) and the doses are read now; queues, replicas and rates
 * come from the sampler's last sample (at most 2 s old). A figure no replica reports is null.
 */
export class GetOpsOverview {
  constructor(private readonly deps: GetOpsOverviewDeps) {}

  async execute({ campaignId }: GetOpsOverviewCommand) {
    // Everything here comes through Redis: without it, a clear 503 rather than stale figures.
    await pingRedis(this.deps.redis).catch((error: unknown) => {
      throw new KhiwError('TEMPORARILY_UNAVAILABLE', 'redis unreachable', { cause: error });
    });
    const room = await this.deps.stats.execute({ campaignId });
    const snapshot = await this.deps.catalog.snapshot(campaignId);
    if (!snapshot) throw new KhiwError('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    const [sites, latest, audit] = await Promise.all([
      this.sites(campaignId, snapshot),
      this.deps.sampler.latest(),
      this.deps.audit.recent(campaignId),
    ]);
    const now = Date.now();
    const points = this.deps.sampler.points();
    const reports = latest?.replicas.map((seen) => seen.report) ?? [];
    const perSecond = (pick: (p: OpsPoint) => number) => round(windowRate(points, RATE_WINDOW_SECONDS, pick));
    const perMinute = (pick: (p: OpsPoint) => number) => round(windowRate(points, MINUTE, pick) * MINUTE, 1);
    const lag = lagOf(points);

    return {
      at: new Date(now).toISOString(),
      pollAfterMs: this.deps.pollAfterMs,
      campaign: {
        id: snapshot.id,
        name: snapshot.name,
        state: campaignStateAt(snapshot, now),
        opensAt: snapshot.opensAt,
        totalDoses: snapshot.totalDoses,
        remainingDoses: snapshot.remainingDoses,
      },
      room,
      doses: {
        groups: snapshot.groups.map(({ code, name, quota, remaining }) => ({ code, name, quota, remaining })),
        sites,
        channels: snapshot.channels,
      },
      booking: {
        queue: latest?.bookingQueue ?? null,
        decisionsPerSecond: Object.fromEntries(
          outcomesIn(points).map((outcome) => [outcome, perSecond((p) => p.decisions[outcome] ?? 0)]),
        ),
        outboxAgeSeconds: maxGauge(reports, OPS_METRICS.outboxAge),
      },
      kafka: { consumerLag: consumerLags(reports) },
      sms: {
        queue: latest?.smsQueue ?? null,
        perMinute: {
          sent: perMinute((p) => p.sms.sent),
          delivered: perMinute((p) => p.sms.delivered),
          failed: perMinute((p) => p.sms.failed),
        },
        oldestUnsentSeconds: maxGauge(reports, OPS_METRICS.smsOldestUnsent),
      },
      roster: { lagSeconds: reported(reports, OPS_METRICS.rosterLagCount) ? lag : null },
      dependencies: dependencies(reports),
      replicas: replicaRows(latest?.replicas ?? [], now),
      audit,
    };
  }

  /** Doses left per site, and per day of each site from its slots (capacity and remaining). */
  private async sites(campaignId: string, snapshot: CampaignSnapshot) {
    return Promise.all(
      snapshot.sites.map(async ({ id, name, remaining }) => {
        const slots = await this.deps.catalog.siteSlots(campaignId, id);
        const days = new Map<string, { date: string; capacity: number; remaining: number }>();
        for (const slot of slots?.slots ?? []) {
          const date = bangkokDateKey(new Date(slot.startsAt));
          const day = days.get(date) ?? { date, capacity: 0, remaining: 0 };
          day.capacity += slot.capacity;
          day.remaining += Math.max(0, slot.remaining);
          days.set(date, day);
        }
        return { id, name, remaining, days: [...days.values()].sort((a, b) => a.date.localeCompare(b.date)) };
      }),
    );
  }
}

/** The outcomes to list: the usual three, and any other seen in the rate window. */
function outcomesIn(points: readonly OpsPoint[]): string[] {
  const outcomes = new Set(OUTCOMES);
  let seconds = 0;
  for (let i = points.length - 1; i >= 0 && seconds < RATE_WINDOW_SECONDS; i--) {
    seconds += points[i]!.dt;
    for (const outcome of Object.keys(points[i]!.decisions)) outcomes.add(outcome);
  }
  return [...outcomes];
}

/**
 * The roster's mean event-to-row lag over the rate window (its histogram's sum and count
 * increases); 0 when no event was applied in it: nothing is late that is not there (a
 * backlog shows as consumer lag).
 */
function lagOf(points: readonly OpsPoint[]): number {
  const sum = windowRate(points, RATE_WINDOW_SECONDS, (p) => p.rosterLag.sum);
  const count = windowRate(points, RATE_WINDOW_SECONDS, (p) => p.rosterLag.count);
  return count > 0 ? round(sum / count, 3) : 0;
}
