import { z } from 'zod';
import { ChannelSettings } from './channel-hours';
import { campaignId, channel, documentType, isoDate, isoDateTime, language, localized } from './primitives';

/** The campaign set-up file (shared/campaigns/*.json), loaded by ops through the CLI or the ops API. */
export const CampaignFile = z
  .object({
    id: campaignId,
    name: localized,
    vaccine: z.string().min(1),
    timezone: z.literal('Asia/Bangkok'),
    opensAt: isoDateTime,
    closesWhenFull: z.boolean().default(true),
    totalDoses: z.number().int().positive(),
    standbySize: z.number().int().min(0),
    eligibility: z.object({
      provinceOfResidence: z.string().min(1),
      provinceCode: z.string().regex(/^\d{2}$/),
      excludeAlreadyVaccinated: z.boolean().default(true),
      minAgeYears: z.number().int().min(0).max(130).optional(),
      maxAgeYears: z.number().int().min(0).max(130).optional(),
      /** A list imported by ops whose people are eligible whatever their province (Bangkok: working there). */
      orOnList: z
        .string()
        .regex(/^[a-z0-9-]{1,60}$/)
        .optional(),
      /** An upper age in years and months ("18 to 59 years 10 months"), checked on the appointment day. */
      maxAge: z
        .object({ years: z.number().int().min(0).max(130), months: z.number().int().min(0).max(11) })
        .optional(),
      /** Identity documents accepted (issue 11): Thai-issued 13-digit numbers only when absent. */
      documents: z.array(documentType).min(1).optional(),
    }),
    groups: z
      .array(
        z.object({
          code: z.string().regex(/^[a-z0-9-]+$/),
          name: localized,
          quota: z.number().int().min(0),
          /** Optional age window of the group on the appointment day (e.g. 70 for elderly70). */
          minAgeYears: z.number().int().min(0).max(130).optional(),
          maxAgeYears: z.number().int().min(0).max(130).optional(),
        }),
      )
      .min(1),
    sites: z
      .array(
        z.object({
          id: z.string().regex(/^[A-Z0-9]{2,10}$/),
          name: localized,
          kind: z.string().min(1),
        }),
      )
      .min(1),
    slotGrid: z.object({
      firstDay: isoDate,
      days: z.number().int().min(1).max(366),
      times: z.array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/)).min(1),
      capacityPerSlotPerSite: z.number().int().positive(),
    }),
    /**
     * The ways in (issue 11), each with its hours, reserved share and waiting-room flag.
     * Absent: every channel at every hour, nothing reserved. Present: only those named.
     */
    channels: z.partialRecord(channel, ChannelSettings).optional(),
    sms: z
      .object({
        confirmationWithinDays: z.array(z.number().int()).optional(),
        reminderHoursBefore: z.number().int().min(0).default(24),
        sender: z.string().max(11).optional(),
        /** The SMS language of a booking that does not say its own (each booking does today). */
        language: language.optional(),
      })
      .default({ reminderHoursBefore: 24 }),
  })
  .superRefine((file, ctx) => {
    const duplicates = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
    for (const code of duplicates(file.groups.map((g) => g.code))) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: `duplicate group code ${code}` });
    }
    for (const id of duplicates(file.sites.map((s) => s.id))) {
      ctx.addIssue({ code: 'custom', path: ['sites'], message: `duplicate site id ${id}` });
    }
    const shares = Object.values(file.channels ?? {}).reduce((sum, c) => sum + (c.reservedShare ?? 0), 0);
    if (shares > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels'],
        message: `reserved shares add up to ${shares}, more than 1`,
      });
    }
    const quotas = file.groups.reduce((sum, g) => sum + g.quota, 0);
    if (quotas > file.totalDoses) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups'],
        message: `group quotas add up to ${quotas}, more than totalDoses ${file.totalDoses}`,
      });
    }
  });
export type CampaignFile = z.infer<typeof CampaignFile>;

/** Slot ids are readable and stable: site, Bangkok date and time, e.g. `SKH-20210802-0900`. */
export function slotId(siteId: string, day: string, time: string): string {
  return `${siteId}-${day.replace(/-/g, '')}-${time.replace(':', '')}`;
}
