import { z } from 'zod';
import { isoDateTime } from '@khiw/contracts';

/** The body of `PATCH /api/admin/campaigns/:campaignId/waiting-room`: any of the settings. */
export const WaitingRoomSettingsPatch = z
  .object({
    outflowPerMinute: z.number().int().min(0).max(1_000_000),
    maxActive: z.number().int().min(0).max(10_000_000),
    paused: z.boolean(),
    powDifficulty: z.number().int().min(0).max(32),
    /** How long a place stays held after a booking, for the next family member's (0: freed at once). */
    familyGraceSeconds: z.number().int().min(0).max(3600),
    /** Tests and rehearsals: move the opening (only before the queue has started). */
    opensAt: isoDateTime,
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one setting');
export type WaitingRoomSettingsPatch = z.infer<typeof WaitingRoomSettingsPatch>;

/** What ops can steer live, as the update and the stats answer it. */
export interface WaitingRoomSettings {
  outflowPerMinute: number;
  maxActive: number;
  paused: boolean;
  powDifficulty: number;
  familyGraceSeconds: number;
  opensAt: string;
}

export function settingsOf(view: {
  outflowPerMinute: number;
  maxActive: number;
  paused: boolean;
  powDifficulty: number;
  familyGraceSeconds: number;
  opensAt: number;
}): WaitingRoomSettings {
  return {
    outflowPerMinute: view.outflowPerMinute,
    maxActive: view.maxActive,
    paused: view.paused,
    powDifficulty: view.powDifficulty,
    familyGraceSeconds: view.familyGraceSeconds,
    opensAt: new Date(view.opensAt).toISOString(),
  };
}
