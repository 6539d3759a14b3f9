import express, { type Router } from 'express';
import type { Logger } from '@khiw/observability';
import { requireRole } from '../auth/require-role';
import { parseInput } from '../http/problem';
import type { RoomCache } from './room-cache';
import { markSoldOut } from './sold-out';
import { OPS_ROLES, type OpsClaims, type QueueTokens } from './tokens/queue-tokens';
import type { UpdateWaitingRoom } from './update-waiting-room.usecase';
import { WaitingRoomSettingsPatch } from './waiting-room-settings';
import type { WaitingRoomStats } from './waiting-room-stats.usecase';

export interface AdminRoutesDeps {
  rooms: RoomCache;
  tokens: QueueTokens;
  update: UpdateWaitingRoom;
  stats: WaitingRoomStats;
  logger: Logger;
}

/** Staff sees, ops steers the waiting room (JWT with role `ops` or `staff`, audience khiw-ops). */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = express.Router();
  const ops = requireRole(deps.tokens, ['ops']);
  const staff = requireRole(deps.tokens, OPS_ROLES);
  const base = '/api/admin/campaigns/:campaignId';

  router.patch(`${base}/waiting-room`, ops, async (req, res) => {
    const patch = parseInput(res, WaitingRoomSettingsPatch, req.body ?? {}, 'operator');
    if (!patch) return;
    const operator = (res.locals.operator as OpsClaims).subject;
    res.json(await deps.update.execute({ campaignId: String(req.params.campaignId), patch, operator }));
  });

  router.get(`${base}/stats`, staff, async (req, res) => {
    const stats = await deps.stats.execute({ campaignId: String(req.params.campaignId) });
    res.set('Cache-Control', 'no-store').json(stats);
  });

  router.post(`${base}/sold-out`, ops, async (req, res) => {
    const campaignId = String(req.params.campaignId);
    await deps.rooms.get(campaignId);
    const changed = await markSoldOut(deps.rooms.redis, deps.rooms.namespace, campaignId);
    const operator = (res.locals.operator as OpsClaims).subject;
    deps.logger.info({ campaignId, operator, changed }, 'waiting room sold out');
    const { view } = await deps.rooms.refresh(campaignId);
    res.json({ campaignId, state: view.final, changed });
  });

  return router;
}
