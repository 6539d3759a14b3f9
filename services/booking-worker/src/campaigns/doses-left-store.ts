import type { PrismaClient } from '@khiw/db';

export interface GroupDoses {
  campaignId: string;
  group: string;
  quota: number;
  remaining: number;
}

/** The dose counters the metrics read: booking.priority_groups of the campaigns not closed. */
export class DosesLeftStore {
  constructor(private readonly prisma: PrismaClient) {}

  groups(): Promise<GroupDoses[]> {
    return this.prisma.$queryRaw<GroupDoses[]>`
      SELECT g.campaign_id AS "campaignId", g.code AS "group", g.quota, g.quota - g.booked AS remaining
      FROM booking.priority_groups g JOIN booking.campaigns c ON c.id = g.campaign_id
      WHERE c.state <> 'closed'
      ORDER BY g.campaign_id, g.sort_order`;
  }
}
