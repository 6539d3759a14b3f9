import type { Prisma } from '@khiw/db';

export interface GroupQuota {
  code: string;
  quota: number;
  booked: number;
}

/** booking.priority_groups' quotas, through Prisma, on a transaction that locks the campaign row first. */
export class QuotaStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  /** Locks the campaign row (as booking batches do) and reads its doses. */
  async lockCampaign(campaignId: string): Promise<{ total_doses: number } | undefined> {
    const [campaign] = await this.db.$queryRaw<{ total_doses: number }[]>`
      SELECT total_doses FROM booking.campaigns WHERE id = ${campaignId} FOR UPDATE`;
    return campaign;
  }

  /** The campaign's groups in their order. */
  groups(campaignId: string): Promise<GroupQuota[]> {
    return this.db.$queryRaw<GroupQuota[]>`
      SELECT code, quota, booked FROM booking.priority_groups WHERE campaign_id = ${campaignId} ORDER BY sort_order`;
  }

  async setQuota(campaignId: string, code: string, quota: number): Promise<void> {
    await this.db.$executeRaw`
      UPDATE booking.priority_groups SET quota = ${quota} WHERE campaign_id = ${campaignId} AND code = ${code}`;
  }
}
