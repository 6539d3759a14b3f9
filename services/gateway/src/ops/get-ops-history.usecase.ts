import { KhiwError } from '@khiw/errors';
import type { CampaignCatalog } from '../bookings/campaign-catalog';
import { windowRate } from './counter-increases';
import { round } from './ops-figures';
import type { OpsPoint, OpsSampler } from './ops-sampler';

export interface GetOpsHistoryCommand {
  campaignId: string;
}

export interface HistoryPoint {
  t: string;
  waiting: number;
  active: number;
  admittedPerMinute: number;
  bookingQueueWaiting: number | null;
  decisionsPerSecond: number;
  smsSentPerMinute: number;
  consumerLagMax: number | null;
}

/**
 * `GET /api/admin/ops/history?campaignId=`: the last 30 minutes of the console's charts, one
 * point per sample (2 s) in which the campaign's room was read. This gateway process's own
 * ring: another replica, or this one after a restart, has its own history.
 */
export class GetOpsHistory {
  constructor(
    private readonly sampler: OpsSampler,
    private readonly catalog: CampaignCatalog,
  ) {}

  async execute({ campaignId }: GetOpsHistoryCommand) {
    if (!(await this.catalog.snapshot(campaignId))) {
      throw new KhiwError('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    }
    const ring = this.sampler.points();
    const points: HistoryPoint[] = [];
    for (let i = 0; i < ring.length; i++) {
      const point = ring[i]!;
      const room = point.rooms[campaignId];
      if (!room) continue;
      points.push({
        t: new Date(point.at).toISOString(),
        waiting: room.waiting,
        active: room.active,
        admittedPerMinute: room.admittedPerMinute,
        bookingQueueWaiting: point.bookingQueueWaiting,
        decisionsPerSecond: round(windowRate(ring, 10, decisions, i + 1)),
        smsSentPerMinute: round(windowRate(ring, 60, (p) => p.sms.sent, i + 1) * 60, 1),
        consumerLagMax: point.consumerLagMax,
      });
    }
    return {
      stepSeconds: Math.round(this.sampler.intervalMs / 1000),
      from: new Date(ring[0]?.at ?? Date.now()).toISOString(),
      points,
    };
  }
}

function decisions(point: OpsPoint): number {
  return Object.values(point.decisions).reduce((a, b) => a + b, 0);
}
