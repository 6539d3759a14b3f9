import { z } from 'zod';
import type { Logger } from '@khiw/observability';
import { isoDateTime } from '@khiw/contracts';
import { WaitingRoomError } from './waiting-room-error';
import type { WaitingRooms } from './waiting-rooms';

export const WaitingRoomSettingsPatch = z
  .object({
    outflowPerMinute: z.number().int().min(0).max(1_000_000),
    maxActive: z.number().int().min(0).max(10_000_000),
    paused: z.boolean(),
    powDifficulty: z.number().int().min(0).max(32),
    /** Tests and rehearsals: move the opening (only before the queue has started). */
    opensAt: isoDateTime,
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one setting');
export type WaitingRoomSettingsPatch = z.infer<typeof WaitingRoomSettingsPatch>;

export interface WaitingRoomSettings {
  outflowPerMinute: number;
  maxActive: number;
  paused: boolean;
  powDifficulty: number;
  opensAt: string;
}

/** `PATCH /api/admin/campaigns/:campaignId/waiting-room`: ops steer the room live. */
export class UpdateWaitingRoom {
  constructor(
    private readonly rooms: WaitingRooms,
    private readonly logger: Logger,
  ) {}

  async execute(
    campaignId: string,
    patch: WaitingRoomSettingsPatch,
    operator: string,
  ): Promise<WaitingRoomSettings> {
    await this.rooms.get(campaignId);
    const keys = this.rooms.keys(campaignId);
    const fields: Record<string, string | number> = {};
    if (patch.outflowPerMinute !== undefined) fields.outflowPerMinute = patch.outflowPerMinute;
    if (patch.maxActive !== undefined) fields.maxActive = patch.maxActive;
    if (patch.powDifficulty !== undefined) fields.powDifficulty = patch.powDifficulty;
    if (patch.paused !== undefined) fields.paused = patch.paused ? 1 : 0;
    if (patch.opensAt !== undefined) {
      const [opened, next] = await this.rooms.redis.hmget(keys.room, 'opened', 'next');
      if (opened === '1' || next !== null) {
        throw new WaitingRoomError(
          'QUEUE_ALREADY_STARTED',
          'the queue has started; the opening time is fixed',
        );
      }
      fields.opensAt = Date.parse(patch.opensAt);
    }
    await this.rooms.redis.hset(keys.room, fields);
    this.logger.info({ campaignId, operator, patch }, 'waiting room settings changed');
    return settingsOf((await this.rooms.refresh(campaignId)).view);
  }
}

export function settingsOf(view: {
  outflowPerMinute: number;
  maxActive: number;
  paused: boolean;
  powDifficulty: number;
  opensAt: number;
}): WaitingRoomSettings {
  return {
    outflowPerMinute: view.outflowPerMinute,
    maxActive: view.maxActive,
    paused: view.paused,
    powDifficulty: view.powDifficulty,
    opensAt: new Date(view.opensAt).toISOString(),
  };
}
