import express, { type Response, type Router } from 'express';
import { campaignId as campaignIdSchema, QuotaChange, QuotaTransfer } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { requireRole } from '../auth/require-role';
import type { BookingWorkerClient } from '../http/booking-worker-client';
import { parseInput, sendProblem } from '../http/problem';
import type { OpsClaims, QueueTokens } from '../waiting-room/tokens/queue-tokens';

export interface CampaignAdminRoutesDeps {
  worker: BookingWorkerClient;
  tokens: QueueTokens;
  logger: Logger;
  /** Loading a campaign creates its slots: longer than a resident's call. */
  loadTimeoutMs: number;
}

const GROUP_CODE = /^[a-z0-9-]{1,40}$/;

/**
 * Campaign set-up and quota changes (ops token), proxied to the booking worker, which owns
 * campaigns and validates the file itself. Mounted ahead of the app's 8 kB JSON parser: a
 * campaign file may be large, so this router parses its own bodies, after the token check.
 */
export function campaignAdminRoutes(deps: CampaignAdminRoutesDeps): Router {
  const router = express.Router();
  const ops = requireRole(deps.tokens, ['ops']);
  const base = '/api/admin/campaigns/:campaignId';
  const campaignFile = express.json({ limit: '2mb' });
  const small = express.json({ limit: '8kb' });

  router.put(base, ops, campaignFile, async (req, res) => {
    const campaignId = campaignOf(res, req.params.campaignId);
    if (!campaignId) return;
    audit(deps.logger, res, 'campaign load', { campaignId });
    const answer = await deps.worker.call(
      'PUT',
      `/internal/campaigns/${campaignId}`,
      req.body ?? {},
      deps.loadTimeoutMs,
    );
    deps.worker.relay(res, answer, 'campaign load', 'operator');
  });

  router.patch(`${base}/groups/:code`, ops, small, async (req, res) => {
    const campaignId = campaignOf(res, req.params.campaignId);
    const code = String(req.params.code);
    if (!campaignId) return;
    if (!GROUP_CODE.test(code)) return sendProblem(res, 'NOT_FOUND');
    const change = parseInput(res, QuotaChange, req.body ?? {});
    if (!change) return;
    audit(deps.logger, res, 'group quota change', { campaignId, groupCode: code, quota: change.quota });
    const answer = await deps.worker.call(
      'PATCH',
      `/internal/campaigns/${campaignId}/groups/${code}`,
      change,
    );
    deps.worker.relay(res, answer, 'quota change', 'operator');
  });

  router.post(`${base}/quota-transfers`, ops, small, async (req, res) => {
    const campaignId = campaignOf(res, req.params.campaignId);
    if (!campaignId) return;
    const transfer = parseInput(res, QuotaTransfer, req.body ?? {});
    if (!transfer) return;
    audit(deps.logger, res, 'quota transfer', { campaignId, ...transfer });
    const answer = await deps.worker.call(
      'POST',
      `/internal/campaigns/${campaignId}/quota-transfers`,
      transfer,
    );
    deps.worker.relay(res, answer, 'quota transfer', 'operator');
  });

  return router;
}

function audit(logger: Logger, res: Response, what: string, fields: Record<string, unknown>): void {
  const operator = res.locals.operator as OpsClaims;
  logger.info({ ...fields, operator: operator.subject }, what);
}

function campaignOf(res: Response, value: unknown): string | undefined {
  const parsed = campaignIdSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  sendProblem(res, 'NOT_FOUND');
  return undefined;
}
