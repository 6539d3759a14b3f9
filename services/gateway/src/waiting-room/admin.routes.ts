import express, { type Router } from 'express';
import type { Logger } from '@khiw/observability';
import { authorize } from '../auth/authorize';
import { parseInput } from '../http/problem';
import { recordControl, type AuditRecorder } from '../ops/audit-log';
import type { RoomCache } from './room-cache';
import { markSoldOut } from './sold-out';
import type { OpsClaims, QueueTokens } from './tokens/queue-tokens';
import type { UpdateWaitingRoom } from './update-waiting-room.usecase';
import { WaitingRoomSettingsPatch } from './waiting-room-settings';
import type { WaitingRoomStats } from './waiting-room-stats.usecase';

export interface AdminRoutesDeps {
  rooms: RoomCache;
  tokens: QueueTokens;
  update: UpdateWaitingRoom;
  stats: WaitingRoomStats;
  audit: AuditRecorder;
  logger: Logger;
}

/**
 * Staff sees, ops steers the waiting room (JWT with role `ops` or `staff`, audience khiw-ops;
 * who may call which is ROUTE_POLICIES', src/auth/route-policy.ts).
 */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = express.Router();
  const guard = authorize(deps.tokens);
  const base = '/api/admin/campaigns/:campaignId';
  const room = `${base}/waiting-room`;
  const stats = `${base}/stats`;
  const soldOut = `${base}/sold-out`;

  router.patch(room, guard('PATCH', room), async (req, res) => {
    const patch = parseInput(res, WaitingRoomSettingsPatch, req.body ?? {}, 'operator');
    if (!patch) return;
    const campaignId = String(req.params.campaignId);
    const operator = (res.locals.operator as OpsClaims).subject;
    const { settings, before } = await deps.update.execute({ campaignId, patch, operator });
    const changes = Object.fromEntries(
      (Object.keys(patch) as (keyof WaitingRoomSettingsPatch)[]).map((key) => [
        key,
        // Not from/to: the log masks any field named `to` (an SMS recipient), and a failed
        // audit write leaves this entry in the log.
        { before: before[key], after: settings[key] },
      ]),
    );
    const auditRecorded = await recordControl(deps.audit, res, {
      action: 'waiting-room.update',
      campaignId,
      detail: { changes },
    });
    res.json({ ...settings, auditRecorded });
  });

  router.get(stats, guard('GET', stats), async (req, res) => {
    const stats = await deps.stats.execute({ campaignId: String(req.params.campaignId) });
    res.set('Cache-Control', 'no-store').json(stats);
  });

  router.post(soldOut, guard('POST', soldOut), async (req, res) => {
    const campaignId = String(req.params.campaignId);
    await deps.rooms.get(campaignId);
    const changed = await markSoldOut(deps.rooms.redis, deps.rooms.namespace, campaignId);
    const operator = (res.locals.operator as OpsClaims).subject;
    deps.logger.info({ campaignId, operator, changed }, 'waiting room sold out');
    const { view } = await deps.rooms.refresh(campaignId);
    const auditRecorded = await recordControl(deps.audit, res, {
      action: 'campaign.sold-out',
      campaignId,
      detail: { changed, state: view.final },
    });
    res.json({ campaignId, state: view.final, changed, auditRecorded });
  });

  return router;
}
