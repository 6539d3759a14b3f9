import express, { type Router } from 'express';
import { z } from 'zod';
import { campaignId } from '@khiw/contracts';
import { authorize } from '../auth/authorize';
import { bearerToken } from '../auth/bearer-token';
import { parseInput, sendProblem } from '../http/problem';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import type { AuditLog } from './audit-log';
import type { GetOpsHistory } from './get-ops-history.usecase';
import type { GetOpsOverview } from './get-ops-overview.usecase';
import { clearOpsSessionCookie, setOpsSessionCookie } from './ops-session';

export interface OpsRoutesDeps {
  tokens: QueueTokens;
  overview: GetOpsOverview;
  history: GetOpsHistory;
  audit: AuditLog;
}

const CampaignQuery = z.object({ campaignId });
const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** The ops console's API (ops token only): the overview, the charts' history, the audit log, the session. */
export function opsRoutes(deps: OpsRoutesDeps): Router {
  const router = express.Router();
  const guard = authorize(deps.tokens);
  const audit = '/api/admin/campaigns/:campaignId/audit';

  router.get('/api/admin/ops/overview', guard('GET', '/api/admin/ops/overview'), async (req, res) => {
    const query = parseInput(res, CampaignQuery, req.query, 'operator');
    if (!query) return;
    res.set('Cache-Control', 'no-store').json(await deps.overview.execute(query));
  });

  router.get('/api/admin/ops/history', guard('GET', '/api/admin/ops/history'), async (req, res) => {
    const query = parseInput(res, CampaignQuery, req.query, 'operator');
    if (!query) return;
    res.set('Cache-Control', 'no-store').json(await deps.history.execute(query));
  });

  router.get(audit, guard('GET', audit), async (req, res) => {
    const id = campaignId.safeParse(req.params.campaignId);
    if (!id.success) return sendProblem(res, 'NOT_FOUND');
    const query = parseInput(res, AuditQuery, req.query, 'operator');
    if (!query) return;
    const entries = await deps.audit.list(id.data, query.limit);
    res.set('Cache-Control', 'no-store').json({ entries });
  });

  // The bearer was checked by the guard: the cookie carries the same token to /ops/queues.
  router.post('/api/admin/ops/session', guard('POST', '/api/admin/ops/session'), (req, res) => {
    setOpsSessionCookie(req, res, bearerToken(req)!);
    res.set('Cache-Control', 'no-store').status(204).end();
  });

  router.delete('/api/admin/ops/session', (req, res) => {
    clearOpsSessionCookie(req, res);
    res.set('Cache-Control', 'no-store').status(204).end();
  });

  return router;
}
