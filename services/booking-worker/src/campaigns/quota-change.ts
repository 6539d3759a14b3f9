import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { promoteStandby } from '../bookings/standby-promotion';
import { StandbyStore } from '../bookings/standby-store';
import { QuotaStore, type GroupQuota } from './quota-store';

export interface QuotaChangeResult {
  /** Every group of the campaign after the change, in order. */
  groups: GroupQuota[];
  /** Standby people who took the room the change opened. */
  promoted: number;
}

/** New quotas, from the campaign's groups as they are (throws UNKNOWN_GROUP for a code it lacks). */
export type QuotaPlan = (groups: ReadonlyMap<string, GroupQuota>) => Array<{ code: string; quota: number }>;

/**
 * The groups with `changes` applied, if the change is allowed: a quota never goes below what
 * its group has booked, and the quotas never add up to more than the campaign's doses.
 */
export function checkedQuotas(
  groups: ReadonlyMap<string, GroupQuota>,
  changes: Array<{ code: string; quota: number }>,
  totalDoses: number,
): Map<string, GroupQuota> {
  const after = new Map(groups);
  for (const { code, quota } of changes) {
    if (quota < after.get(code)!.booked || quota < 0) throw new KhiwError('QUOTA_BELOW_BOOKED');
    after.set(code, { ...after.get(code)!, quota });
  }
  const sum = [...after.values()].reduce((total, g) => total + g.quota, 0);
  if (sum > totalDoses) throw new KhiwError('QUOTAS_OVER_TOTAL');
  return after;
}

/**
 * Changes quotas while the campaign runs (ops), in one transaction that locks the campaign row
 * first; room that opens up goes to the standby list at once (promotion, same transaction).
 * Shared by SetGroupQuota and TransferQuota.
 */
export function changeQuotas(
  prisma: PrismaClient,
  campaignId: string,
  plan: QuotaPlan,
): Promise<QuotaChangeResult> {
  return prisma.$transaction(
    async (tx) => {
      const quotas = new QuotaStore(tx);
      const campaign = await quotas.lockCampaign(campaignId);
      if (!campaign) throw new KhiwError('NOT_FOUND');
      const groups = new Map((await quotas.groups(campaignId)).map((g) => [g.code, g]));
      const changes = plan(groups);
      const after = checkedQuotas(groups, changes, campaign.total_doses);
      for (const { code, quota } of changes) await quotas.setQuota(campaignId, code, quota);
      const room = [...after.values()].reduce((total, g) => total + (g.quota - g.booked), 0);
      const promoted = await promoteStandby(new StandbyStore(tx), campaignId, room);
      return { groups: await quotas.groups(campaignId), promoted };
    },
    { timeout: 60_000, maxWait: 15_000 },
  );
}
