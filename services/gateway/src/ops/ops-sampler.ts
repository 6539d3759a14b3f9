import type { Queue } from 'bullmq';
import type { Logger } from '@khiw/observability';
import { CounterIncreases, sumBy } from './counter-increases';
import { consumerLags, OPS_COUNTERS, OPS_METRICS, outcomeOf } from './ops-figures';
import type { ReplicaReports, SeenReplica } from './replica-reports';

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface RoomPoint {
  waiting: number;
  active: number;
  admittedPerMinute: number;
}

/** One sample of the ring: gauges as read, counters as increases since the previous sample. */
export interface OpsPoint {
  at: number;
  /** Seconds since the previous point (0 for the first: its increases are unknown). */
  dt: number;
  decisions: Record<string, number>;
  sms: { sent: number; delivered: number; failed: number };
  rosterLag: { sum: number; count: number };
  bookingQueueWaiting: number | null;
  consumerLagMax: number | null;
  /** Per campaign with a published snapshot at the time. */
  rooms: Record<string, RoomPoint>;
}

/** What the last sample saw, beyond the point (the overview shows it as is). */
export interface OpsSnapshot {
  at: number;
  replicas: SeenReplica[];
  bookingQueue: JobCounts | null;
  smsQueue: JobCounts | null;
}

export interface OpsSamplerDeps {
  replicas: ReplicaReports;
  queues: { booking: Queue; sms: Queue };
  /** The campaigns with a published snapshot (the campaign index). */
  campaigns: () => Promise<string[]>;
  /** A campaign's room figures (the stats use case). */
  room: (campaignId: string) => Promise<RoomPoint>;
  logger: Logger;
  intervalMs?: number;
  historyMs?: number;
}

/**
 * Every 2 s: the replicas' heartbeats, the booking and sms queue counts and each campaign's
 * room figures, kept for 30 minutes in memory. Each gateway process keeps its own ring (a
 * restarted gateway starts an empty history). Samples never overlap; a failed read (Redis
 * away) skips the sample and the next one's increases span the gap.
 */
export class OpsSampler {
  private readonly counters = new CounterIncreases(OPS_COUNTERS);
  private readonly ring: OpsPoint[] = [];
  private snapshot: OpsSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private lastError = '';

  constructor(private readonly deps: OpsSamplerDeps) {}

  get intervalMs(): number {
    return this.deps.intervalMs ?? 2000;
  }

  start(): void {
    if (this.timer || this.closing) return;
    this.schedule(0);
  }

  /** The points of the last 30 minutes, oldest first. */
  points(): readonly OpsPoint[] {
    return this.ring;
  }

  /** The last sample; the first call before any sample waits for one. */
  async latest(): Promise<OpsSnapshot | undefined> {
    if (!this.snapshot) await this.sampleOnce();
    return this.snapshot;
  }

  /** One sample now (shared with a sample already running). */
  sampleOnce(): Promise<void> {
    this.running ??= this.sample().finally(() => (this.running = undefined));
    return this.running;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.timer);
      await this.running?.catch(() => undefined);
    })();
    return this.closing;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      void this.sampleOnce().finally(() => {
        if (!this.closing) this.schedule(this.intervalMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async sample(): Promise<void> {
    const at = Date.now();
    try {
      const [seen, booking, sms, campaignIds] = await Promise.all([
        this.deps.replicas.read(),
        jobCounts(this.deps.queues.booking),
        jobCounts(this.deps.queues.sms),
        this.deps.campaigns(),
      ]);
      const rooms = await this.rooms(campaignIds);
      const reports = seen.map((s) => s.report);
      const increases = this.counters.next(reports, at);
      const previous = this.ring.at(-1);
      const lags = consumerLags(reports);
      this.ring.push({
        at,
        dt: previous ? (at - previous.at) / 1000 : 0,
        decisions: sumBy(increases, OPS_METRICS.decisions, outcomeOf),
        sms: {
          sent: total(sumBy(increases, OPS_METRICS.smsSent)),
          delivered: total(sumBy(increases, OPS_METRICS.smsDelivered)),
          failed: total(sumBy(increases, OPS_METRICS.smsFailed)),
        },
        rosterLag: {
          sum: total(sumBy(increases, OPS_METRICS.rosterLagSum)),
          count: total(sumBy(increases, OPS_METRICS.rosterLagCount)),
        },
        bookingQueueWaiting: booking?.waiting ?? null,
        consumerLagMax: lags.length ? Math.max(...lags.map((l) => l.lag)) : null,
        rooms,
      });
      const oldest = at - (this.deps.historyMs ?? 30 * 60_000);
      while (this.ring.length > 0 && this.ring[0]!.at < oldest) this.ring.shift();
      this.snapshot = { at, replicas: seen, bookingQueue: booking, smsQueue: sms };
      if (this.lastError) this.deps.logger.info('ops sampler restored');
      this.lastError = '';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.deps.logger.warn({ err }, 'ops sampler: sample skipped');
      this.lastError = message;
    }
  }

  private async rooms(campaignIds: string[]): Promise<Record<string, RoomPoint>> {
    const rooms: Record<string, RoomPoint> = {};
    await Promise.all(
      campaignIds.map(async (campaignId) => {
        // A campaign whose snapshot breaks its contract is left out of this sample, not the rest.
        const room = await this.deps.room(campaignId).catch(() => undefined);
        if (room) rooms[campaignId] = room;
      }),
    );
    return rooms;
  }
}

/** Waiting counts prioritized jobs too: both are jobs no worker has taken yet. */
async function jobCounts(queue: Queue): Promise<JobCounts> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
  };
}

function total(sums: Record<string, number>): number {
  return Object.values(sums).reduce((a, b) => a + b, 0);
}
