import { bangkokDateTime } from '@khiw/thai';
import { CampaignFile, channelRules, slotId, type CampaignFile as CampaignFileType } from '@khiw/contracts';
import { Prisma, type PrismaClient } from '@khiw/db';

export interface CampaignSummary {
  id: string;
  groups: number;
  sites: number;
  slots: number;
  slotCapacity: number;
}

/**
 * Creates or updates a campaign from its set-up file in one transaction. Counters already
 * booked are kept; a quota or capacity below what is already booked is refused by the
 * database's CHECK constraints, so a reload can never make the campaign overbooked.
 */
export class LoadCampaign {
  constructor(private readonly prisma: PrismaClient) {}

  async execute(input: unknown): Promise<CampaignSummary> {
    const file: CampaignFileType = CampaignFile.parse(input);
    const slots = file.sites.flatMap((site) =>
      days(file.slotGrid.firstDay, file.slotGrid.days).flatMap((day) =>
        file.slotGrid.times.map((time) => ({
          campaignId: file.id,
          id: slotId(site.id, day, time),
          siteId: site.id,
          startsAt: bangkokDateTime(day, time),
          capacity: file.slotGrid.capacityPerSlotPerSite,
        })),
      ),
    );
    const campaign = {
      nameTh: file.name.th,
      nameEn: file.name.en,
      vaccine: file.vaccine,
      timezone: file.timezone,
      opensAt: new Date(file.opensAt),
      closesWhenFull: file.closesWhenFull,
      totalDoses: file.totalDoses,
      standbySize: file.standbySize,
      eligibility: file.eligibility,
      sms: file.sms,
      source: input as object,
    };
    await this.prisma.$transaction(
      async (tx) => {
        await tx.campaign.upsert({
          where: { id: file.id },
          create: { id: file.id, ...campaign },
          update: campaign,
        });
        for (const [sortOrder, group] of file.groups.entries()) {
          const fields = {
            nameTh: group.name.th,
            nameEn: group.name.en,
            quota: group.quota,
            sortOrder,
            minAgeYears: group.minAgeYears ?? null,
            maxAgeYears: group.maxAgeYears ?? null,
          };
          await tx.priorityGroup.upsert({
            where: { campaignId_code: { campaignId: file.id, code: group.code } },
            create: { campaignId: file.id, code: group.code, ...fields },
            update: fields,
          });
        }
        for (const site of file.sites) {
          const fields = { nameTh: site.name.th, nameEn: site.name.en, kind: site.kind };
          await tx.site.upsert({
            where: { campaignId_id: { campaignId: file.id, id: site.id } },
            create: { campaignId: file.id, id: site.id, ...fields },
            update: fields,
          });
        }
        // Every channel gets its row, offered or not, so the engine reads one complete rule set;
        // `booked` is the triggers' to keep. A reserve below its channel's bookings is fine: the
        // channel just takes no more from the reserve (the triggers check the unreserved doses).
        for (const rule of channelRules(file.channels, file.totalDoses)) {
          const fields = {
            offered: rule.offered,
            hours: rule.hours ?? Prisma.DbNull,
            waitingRoom: rule.waitingRoom,
            reserved: rule.reserved,
          };
          await tx.campaignChannel.upsert({
            where: { campaignId_channel: { campaignId: file.id, channel: rule.channel } },
            create: { campaignId: file.id, channel: rule.channel, ...fields },
            update: fields,
          });
        }
        await tx.slot.createMany({ data: slots, skipDuplicates: true });
        await tx.slot.updateMany({
          where: { campaignId: file.id },
          data: { capacity: file.slotGrid.capacityPerSlotPerSite },
        });
      },
      { timeout: 60_000 },
    );
    return {
      id: file.id,
      groups: file.groups.length,
      sites: file.sites.length,
      slots: slots.length,
      slotCapacity: slots.length * file.slotGrid.capacityPerSlotPerSite,
    };
  }
}

function days(firstDay: string, count: number): string[] {
  const start = Date.parse(`${firstDay}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}
