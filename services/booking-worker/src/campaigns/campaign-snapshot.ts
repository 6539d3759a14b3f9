import type { PrismaClient } from '@khiw/db';
import { campaignIndexKey, campaignKey, type Redis } from '@khiw/redis';

/**
 * The gateway serves campaign information from Redis, never from the booking tables: the
 * worker owns those and publishes this snapshot when a campaign is loaded or changed, and
 * after bookings (SnapshotPublisher). Two keys:
 *   info  - campaign, state, doses left, groups with what is left, sites with what is left;
 *   slots - a HASH, one field per site: {siteId, slots:[{id, startsAt, capacity, remaining}]}.
 * These are display figures; the database's counters decide every booking.
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
  const slots = await prisma.slot.findMany({
    where: { campaignId },
    select: { id: true, siteId: true, startsAt: true, capacity: true, booked: true },
    orderBy: [{ siteId: 'asc' }, { startsAt: 'asc' }],
  });
  const publishedAt = new Date().toISOString();
  const bySite = new Map<
    string,
    Array<{ id: string; startsAt: string; capacity: number; remaining: number }>
  >();
  for (const slot of slots) {
    const list = bySite.get(slot.siteId) ?? [];
    list.push({
      id: slot.id,
      startsAt: slot.startsAt.toISOString(),
      capacity: slot.capacity,
      remaining: slot.capacity - slot.booked,
    });
    bySite.set(slot.siteId, list);
  }
  const eligibility = campaign.eligibility as Record<string, unknown>;
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
    eligibility: {
      provinceOfResidence: eligibility.provinceOfResidence,
      provinceCode: eligibility.provinceCode,
      minAgeYears: eligibility.minAgeYears,
      maxAgeYears: eligibility.maxAgeYears,
    },
    // What the notification service needs to word and time its messages.
    sms: campaign.sms,
    groups: campaign.groups.map((g) => ({
      code: g.code,
      name: { th: g.nameTh, en: g.nameEn },
      quota: g.quota,
      remaining: g.quota - g.booked,
      ...(g.minAgeYears !== null && { minAgeYears: g.minAgeYears }),
      ...(g.maxAgeYears !== null && { maxAgeYears: g.maxAgeYears }),
    })),
    sites: campaign.sites.map((s) => ({
      id: s.id,
      name: { th: s.nameTh, en: s.nameEn },
      kind: s.kind,
      remaining: (bySite.get(s.id) ?? []).reduce((sum, slot) => sum + slot.remaining, 0),
    })),
    publishedAt,
  };
  const slotsKey = campaignKey(namespace, campaignId, 'slots');
  const fields = [...bySite].flatMap(([siteId, list]) => [
    siteId,
    JSON.stringify({ siteId, slots: list, publishedAt }),
  ]);
  const multi = redis
    .multi()
    .set(campaignKey(namespace, campaignId, 'info'), JSON.stringify(snapshot))
    .sadd(campaignIndexKey(namespace), campaignId);
  if (fields.length > 0) multi.hset(slotsKey, ...fields);
  await multi.exec();
}
