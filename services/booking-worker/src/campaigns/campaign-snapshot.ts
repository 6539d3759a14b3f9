import type { PrismaClient } from '@khiw/db';
import { campaignIndexKey, campaignKey, type Redis } from '@khiw/redis';

/**
 * The gateway serves campaign information from Redis, never from the booking tables: the
 * worker owns those and publishes this snapshot when a campaign is loaded or changed.
 */
export async function publishCampaignSnapshot(
  prisma: PrismaClient,
  redis: Redis,
  namespace: string,
  campaignId: string,
): Promise<void> {
  const campaign = await prisma.campaign.findUniqueOrThrow({
    where: { id: campaignId },
    include: { groups: { orderBy: { sortOrder: 'asc' } }, sites: { orderBy: { id: 'asc' } } },
  });
  const snapshot = {
    id: campaign.id,
    name: { th: campaign.nameTh, en: campaign.nameEn },
    vaccine: campaign.vaccine,
    timezone: campaign.timezone,
    opensAt: campaign.opensAt.toISOString(),
    state: campaign.state,
    totalDoses: campaign.totalDoses,
    remainingDoses: campaign.totalDoses - campaign.bookedDoses,
    // The waiting room offers standby after sell-out while the standby list has room.
    standbySize: campaign.standbySize,
    standbyCount: campaign.standbyCount,
    groups: campaign.groups.map((g) => ({
      code: g.code,
      name: { th: g.nameTh, en: g.nameEn },
      quota: g.quota,
      remaining: g.quota - g.booked,
    })),
    sites: campaign.sites.map((s) => ({ id: s.id, name: { th: s.nameTh, en: s.nameEn }, kind: s.kind })),
    publishedAt: new Date().toISOString(),
  };
  await redis
    .multi()
    .set(campaignKey(namespace, campaignId, 'info'), JSON.stringify(snapshot))
    .sadd(campaignIndexKey(namespace), campaignId)
    .exec();
}
