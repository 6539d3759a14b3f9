import express, { type Response, type Router } from 'express';
import { campaignId as campaignIdSchema, QuotaChange, QuotaTransfer } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { authorize } from '../auth/authorize';
import type { BookingWorkerClient, WorkerAnswer } from '../http/booking-worker-client';
import { parseInput, sendProblem } from '../http/problem';
import { recordControl, type AuditRecorder } from '../ops/audit-log';
import type { OpsClaims, QueueTokens } from '../waiting-room/tokens/queue-tokens';

export interface CampaignAdminRoutesDeps {
  worker: BookingWorkerClient;
  tokens: QueueTokens;
  audit: AuditRecorder;
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
  const guard = authorize(deps.tokens);
  const base = '/api/admin/campaigns/:campaignId';
  const group = `${base}/groups/:code`;
  const transfers = `${base}/quota-transfers`;
  const campaignFile = express.json({ limit: '2mb' });
  const small = express.json({ limit: '8kb' });

  router.put(base, guard('PUT', base), campaignFile, async (req, res) => {
    const campaignId = campaignOf(res, req.params.campaignId);
    if (!campaignId) return;
    audit(deps.logger, res, 'campaign load', { campaignId });
    const answer = await deps.worker.call(
      'PUT',
      `/internal/campaigns/${campaignId}`,
      req.body ?? {},
      deps.loadTimeoutMs,
    );
    const summary = answer.body as Record<string, unknown> | undefined;
    await audited(deps.audit, res, answer, { action: 'campaign.load', campaignId, detail: { summary } });
    deps.worker.relay(res, answer, 'campaign load', 'operator');
  });

  router.patch(group, guard('PATCH', group), small, async (req, res) => {
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
    const { promoted } = (answer.body ?? {}) as { promoted?: unknown };
    await audited(deps.audit, res, answer, {
      action: 'quota.set',
      campaignId,
      detail: { group: code, quota: change.quota, promoted },
    });
    deps.worker.relay(res, answer, 'quota change', 'operator');
  });

  router.post(transfers, guard('POST', transfers), small, async (req, res) => {
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
    const { promoted } = (answer.body ?? {}) as { promoted?: unknown };
    await audited(deps.audit, res, answer, {
      action: 'quota.transfer',
      campaignId,
      // Not `to`: the log masks that field name (an SMS recipient), and the log is where an
      // entry goes when the audit write fails.
      detail: { fromGroup: transfer.from, toGroup: transfer.to, doses: transfer.doses, promoted },
    });
    deps.worker.relay(res, answer, 'quota transfer', 'operator');
  });

  return router;
}

/**
 * A change the worker made (2xx) goes to the audit log, and its answer says whether the entry
 * was recorded (`auditRecorded`); a refused one is not audited (nothing changed).
 */
async function audited(
  audit: AuditRecorder,
  res: Response,
  answer: WorkerAnswer,
  entry: Parameters<typeof recordControl>[2],
): Promise<void> {
  if (answer.status < 200 || answer.status >= 300) return;
  const auditRecorded = await recordControl(audit, res, entry);
  if (answer.body !== null && typeof answer.body === 'object' && !Array.isArray(answer.body)) {
    answer.body = { ...answer.body, auditRecorded };
  }
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
