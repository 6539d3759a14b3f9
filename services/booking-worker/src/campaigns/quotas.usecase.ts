import type { PrismaClient } from '@khiw/db';
import { promoteStandby } from '../bookings/self-service.usecase';

export class QuotaError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'UNKNOWN_GROUP' | 'QUOTA_BELOW_BOOKED' | 'QUOTAS_OVER_TOTAL') {
    super(code);
    this.name = 'QuotaError';
  }
}

interface GroupRow {
  code: string;
  quota: number;
  booked: number;
}

/**
 * Quotas changed or moved between groups while the campaign runs (ops). A quota never goes
 * below what its group has booked and the quotas never add up to more than the campaign's
 * doses; room that opens up goes to the standby list at once (promotion, same transaction).
 */
export class ChangeQuotas {
  constructor(private readonly prisma: PrismaClient) {}

  async set(
    campaignId: string,
    code: string,
    quota: number,
  ): Promise<{ groups: GroupRow[]; promoted: number }> {
    return this.change(campaignId, (groups) => {
      const group = groups.get(code);
      if (!group) throw new QuotaError('UNKNOWN_GROUP');
      return [{ code, quota }];
    });
  }

  async transfer(
    campaignId: string,
    from: string,
    to: string,
    doses: number,
  ): Promise<{ groups: GroupRow[]; promoted: number }> {
    return this.change(campaignId, (groups) => {
      const source = groups.get(from);
      const target = groups.get(to);
      if (!source || !target || from === to) throw new QuotaError('UNKNOWN_GROUP');
      return [
        { code: from, quota: source.quota - doses },
        { code: to, quota: target.quota + doses },
      ];
    });
  }

  private async change(
    campaignId: string,
    plan: (groups: Map<string, GroupRow>) => Array<{ code: string; quota: number }>,
  ): Promise<{ groups: GroupRow[]; promoted: number }> {
    return this.prisma.$transaction(
      async (tx) => {
        const [campaign] = await tx.$queryRaw<{ total_doses: number }[]>`
        SELECT total_doses FROM booking.campaigns WHERE id = ${campaignId} FOR UPDATE`;
        if (!campaign) throw new QuotaError('NOT_FOUND');
        const rows = await tx.$queryRaw<GroupRow[]>`
        SELECT code, quota, booked FROM booking.priority_groups WHERE campaign_id = ${campaignId} ORDER BY sort_order`;
        const groups = new Map(rows.map((g) => [g.code, g]));
        const changes = plan(groups);
        for (const { code, quota } of changes) {
          if (quota < groups.get(code)!.booked || quota < 0) throw new QuotaError('QUOTA_BELOW_BOOKED');
          groups.set(code, { ...groups.get(code)!, quota });
        }
        const sum = [...groups.values()].reduce((total, g) => total + g.quota, 0);
        if (sum > campaign.total_doses) throw new QuotaError('QUOTAS_OVER_TOTAL');
        for (const { code, quota } of changes) {
          await tx.$executeRaw`
          UPDATE booking.priority_groups SET quota = ${quota} WHERE campaign_id = ${campaignId} AND code = ${code}`;
        }
        const room = [...groups.values()].reduce((total, g) => total + (g.quota - g.booked), 0);
        const promoted = await promoteStandby(tx, campaignId, room);
        const after = await tx.$queryRaw<GroupRow[]>`
        SELECT code, quota, booked FROM booking.priority_groups WHERE campaign_id = ${campaignId} ORDER BY sort_order`;
        return { groups: after, promoted };
      },
      { timeout: 60_000, maxWait: 15_000 },
    );
  }
}
