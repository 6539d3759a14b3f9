import { KhiwError } from '@khiw/errors';
import type { Logger } from '@khiw/observability';
import type { RoomCache } from './room-cache';
import { settingsOf, type WaitingRoomSettings, type WaitingRoomSettingsPatch } from './waiting-room-settings';

export interface UpdateWaitingRoomCommand {
  campaignId: string;
  patch: WaitingRoomSettingsPatch;
  /** Who asked (the ops token's subject), for the audit log. */
  operator: string;
}

/** `PATCH /api/admin/campaigns/:campaignId/waiting-room`: ops steer the room live. */
export class UpdateWaitingRoom {
  constructor(
    private readonly rooms: RoomCache,
    private readonly logger: Logger,
  ) {}

  /** The settings after the change, and before it (for the audit log). */
  async execute({ campaignId, patch, operator }: UpdateWaitingRoomCommand): Promise<{
    settings: WaitingRoomSettings;
    before: WaitingRoomSettings;
  }> {
    const before = settingsOf((await this.rooms.refresh(campaignId)).view);
    const keys = this.rooms.keys(campaignId);
    const fields: Record<string, string | number> = {};
    if (patch.outflowPerMinute !== undefined) fields.outflowPerMinute = patch.outflowPerMinute;
    if (patch.maxActive !== undefined) fields.maxActive = patch.maxActive;
    if (patch.powDifficulty !== undefined) fields.powDifficulty = patch.powDifficulty;
    if (patch.familyGraceSeconds !== undefined) fields.familyGraceSeconds = patch.familyGraceSeconds;
    if (patch.paused !== undefined) fields.paused = patch.paused ? 1 : 0;
    if (patch.opensAt !== undefined) {
      const [opened, next] = await this.rooms.redis.hmget(keys.room, 'opened', 'next');
      if (opened === '1' || next !== null) {
        throw new KhiwError('QUEUE_ALREADY_STARTED', 'the queue has started; the opening time is fixed');
      }
      fields.opensAt = Date.parse(patch.opensAt);
    }
    await this.rooms.redis.hset(keys.room, fields);
    this.logger.info({ campaignId, operator, patch }, 'waiting room settings changed');
    return { settings: settingsOf((await this.rooms.refresh(campaignId)).view), before };
  }
}
