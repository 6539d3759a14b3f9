import { CampaignSnapshot, SiteSlots } from '@khiw/contracts';
import type { Campaign, CampaignChannel, PriorityGroup, PrismaClient, Site } from '@khiw/db';
import { campaignIndexKey, campaignKey, type Redis } from '@khiw/redis';

/** What the snapshot is built from: the campaign row with its groups (in order) and sites. */
export type CampaignRows = Campaign & { groups: PriorityGroup[]; sites: Site[]; channels: CampaignChannel[] };
export interface SlotCounts {
  id: string;
  siteId: string;
  startsAt: Date;
  capacity: number;
  booked: number;
}

/**
 * The campaign's snapshot and each site's slots (slots in time order), checked against their
 * contracts (@khiw/contracts): a bug here throws here and never reaches a reader. The objects
 * returned are the ones built, not the parsed copies, so the JSON written keeps every field
 * as built (the sms settings as loaded, for one).
 */
export function buildCampaignSnapshot(
  campaign: CampaignRows,
  slots: SlotCounts[],
  publishedAt: string,
): { snapshot: CampaignSnapshot; sites: SiteSlots[] } {
  const bySite = new Map<string, SiteSlots['slots']>();
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
    standbySize: campaign.standbySize,
    standbyCount: campaign.standbyCount,
    eligibility: {
      provinceOfResidence: eligibility.provinceOfResidence,
      provinceCode: eligibility.provinceCode,
      minAgeYears: eligibility.minAgeYears,
      maxAgeYears: eligibility.maxAgeYears,
      orOnList: eligibility.orOnList,
      maxAge: eligibility.maxAge,
      documents: eligibility.documents,
    },
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
    channels: campaign.channels.map((c) => ({
      channel: c.channel,
      offered: c.offered,
      hours: c.hours ?? null,
      waitingRoom: c.waitingRoom,
      reserved: c.reserved,
      booked: c.booked,
    })),
    publishedAt,
  };
  CampaignSnapshot.parse(snapshot);
  const sites = [...bySite].map(([siteId, list]) => ({ siteId, slots: list, publishedAt }));
  for (const site of sites) SiteSlots.parse(site);
  return { snapshot: snapshot as CampaignSnapshot, sites };
}

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
    include: {
      groups: { orderBy: { sortOrder: 'asc' } },
      sites: { orderBy: { id: 'asc' } },
      channels: { orderBy: { channel: 'asc' } },
    },
  });
  const slots = await prisma.slot.findMany({
    where: { campaignId },
    select: { id: true, siteId: true, startsAt: true, capacity: true, booked: true },
    orderBy: [{ siteId: 'asc' }, { startsAt: 'asc' }],
  });
  const { snapshot, sites } = buildCampaignSnapshot(campaign, slots, new Date().toISOString());
  const fields = sites.flatMap((site) => [site.siteId, JSON.stringify(site)]);
  const multi = redis
    .multi()
    .set(campaignKey(namespace, campaignId, 'info'), JSON.stringify(snapshot))
    .sadd(campaignIndexKey(namespace), campaignId);
  if (fields.length > 0) multi.hset(campaignKey(namespace, campaignId, 'slots'), ...fields);
  await multi.exec();
}
