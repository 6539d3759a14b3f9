import { z } from 'zod';
import { ChannelHours } from './channel-hours';
import { campaignId, channel, documentType, isoDateTime, language, localized } from './primitives';

/**
 * The campaign as the booking worker publishes it in Redis (`khiw:{campaignId}:info`) for
 * the gateway (campaign page, waiting room, booking checks) and notification (SMS wording
 * and timing). Display figures: the database's counters decide every booking. The worker
 * validates it before writing; readers parse it (parseCampaignSnapshot), never cast it.
 */
export const CampaignState = z.enum(['scheduled', 'open', 'sold_out', 'closed']);
export type CampaignState = z.infer<typeof CampaignState>;

const count = z.number().int().min(0);
const age = z.number().int().min(0).max(130);

export const CampaignSnapshot = z.object({
  id: campaignId,
  name: localized,
  vaccine: z.string(),
  timezone: z.string(),
  opensAt: isoDateTime,
  state: CampaignState,
  totalDoses: count,
  remainingDoses: count,
  /** The waiting room offers standby after sell-out while the standby list has room. */
  standbySize: count,
  standbyCount: count,
  eligibility: z.object({
    provinceOfResidence: z.string().optional(),
    provinceCode: z.string().optional(),
    minAgeYears: age.optional(),
    maxAgeYears: age.optional(),
    orOnList: z.string().optional(),
    maxAge: z.object({ years: age, months: z.number().int().min(0).max(11) }).optional(),
    documents: z.array(documentType).optional(),
  }),
  /** What the notification service needs to word and time its messages. */
  sms: z
    .object({
      confirmationWithinDays: z.array(z.number().int()).optional(),
      reminderHoursBefore: count.optional(),
      sender: z.string().optional(),
      language: language.optional(),
    })
    .default({}),
  groups: z.array(
    z.object({
      code: z.string(),
      name: localized,
      quota: count,
      remaining: z.number().int(),
      minAgeYears: age.optional(),
      maxAgeYears: age.optional(),
    }),
  ),
  sites: z.array(
    z.object({ id: z.string(), name: localized, kind: z.string(), remaining: z.number().int() }),
  ),
  /** The ways in (every channel, offered or not); empty from a worker that predates channels. */
  channels: z
    .array(
      z.object({
        channel,
        offered: z.boolean(),
        hours: ChannelHours.nullable(),
        waitingRoom: z.boolean(),
        reserved: count,
        booked: count,
      }),
    )
    .default([]),
  publishedAt: isoDateTime,
});
export type CampaignSnapshot = z.infer<typeof CampaignSnapshot>;

/** One site's slots (a field of the `khiw:{campaignId}:slots` hash), served as is to the booking page. */
export const SiteSlots = z.object({
  siteId: z.string(),
  slots: z.array(
    z.object({ id: z.string(), startsAt: isoDateTime, capacity: count, remaining: z.number().int() }),
  ),
  publishedAt: isoDateTime,
});
export type SiteSlots = z.infer<typeof SiteSlots>;
