import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '@khiw/observability';
import { sendProblem } from '../http/problem';
import { markSoldOut } from './sold-out';
import { OPS_ROLES, type OpsRole, type QueueTokens } from './tokens/queue-tokens';
import { WaitingRoomSettingsPatch, type UpdateWaitingRoom } from './update-waiting-room.usecase';
import { bearerToken, waitingRoomErrorHandler } from './waiting-room.problems';
import { WaitingRoomError } from './waiting-room-error';
import type { WaitingRoomMetrics } from './waiting-room-metrics';
import type { WaitingRoomStats } from './waiting-room-stats.usecase';
import type { WaitingRooms } from './waiting-rooms';

export interface AdminRoutesDeps {
  rooms: WaitingRooms;
  tokens: QueueTokens;
  update: UpdateWaitingRoom;
  stats: WaitingRoomStats;
  metrics: WaitingRoomMetrics;
  logger: Logger;
}

/** Staff sees, ops steers (JWT with role `ops` or `staff`, audience khiw-ops). */
export function requireRole(tokens: QueueTokens, roles: readonly OpsRole[]): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req);
    if (!token) throw new WaitingRoomError('TOKEN_MISSING', 'no ops token');
    res.locals.operator = tokens.verifyOps(token, roles);
    next();
  };
}

export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = express.Router();
  const ops = requireRole(deps.tokens, ['ops']);
  const staff = requireRole(deps.tokens, OPS_ROLES);
  const base = '/api/admin/campaigns/:campaignId';

  router.patch(`${base}/waiting-room`, ops, async (req, res) => {
    const patch = WaitingRoomSettingsPatch.safeParse(req.body ?? {});
    if (!patch.success) {
      return sendProblem(res, 400, {
        code: 'INVALID_INPUT',
        message: { th: 'ค่าที่ตั้งไม่ถูกต้อง', en: 'Invalid settings' },
        fields: Object.fromEntries(
          patch.error.issues.map((issue) => [
            issue.path.join('.') || '(body)',
            { th: 'ค่าไม่ถูกต้อง', en: issue.message },
          ]),
        ),
      });
    }
    const operator = res.locals.operator.subject as string;
    res.json(await deps.update.execute(String(req.params.campaignId), patch.data, operator));
  });

  router.get(`${base}/stats`, staff, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await deps.stats.execute(String(req.params.campaignId)));
  });

  router.post(`${base}/sold-out`, ops, async (req, res) => {
    const campaignId = String(req.params.campaignId);
    await deps.rooms.get(campaignId);
    const changed = await markSoldOut(deps.rooms.redis, deps.rooms.namespace, campaignId);
    deps.logger.info({ campaignId, operator: res.locals.operator.subject, changed }, 'waiting room sold out');
    const { view } = await deps.rooms.refresh(campaignId);
    res.json({ campaignId, state: view.final, changed });
  });

  router.use(waitingRoomErrorHandler(deps.metrics));
  return router;
}
