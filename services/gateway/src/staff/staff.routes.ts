import express, { type Request, type Response, type Router } from 'express';
import { campaignId as campaignIdSchema } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { PROBLEMS, sendProblem } from '../http/problem';
import { bookingRouteErrors } from '../http/route-errors';
import { requireRole } from '../waiting-room/admin.routes';
import { OPS_ROLES, type OpsClaims, type QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { streamUpload, type RosterClient } from './roster-client';

export interface StaffRoutesDeps {
  roster: RosterClient;
  tokens: QueueTokens;
  logger: Logger;
}

const SITE = /^[A-Za-z0-9_-]{1,40}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SITE_REQUIRED = {
  code: 'SITE_SCOPE_REQUIRED',
  message: {
    th: 'บัตรผ่านของเจ้าหน้าที่ต้องระบุสถานที่ฉีด',
    en: 'A staff token must name its vaccination site',
  },
};
const invalid = (field: string, th: string, en: string) => ({
  code: 'INVALID_INPUT',
  message: { th: 'ข้อมูลไม่ถูกต้อง', en: 'Invalid input' },
  fields: { [field]: { th, en } },
});

/**
 * Site staff and ops on the roster (served by the roster service): the day's list per time
 * slot, search, check-in, CSV export; ops: campaign counts and the national-registry export.
 * A staff token is scoped to its site (the `site` claim); an ops token names the site in
 * the query (`?site=`).
 */
export function staffRoutes(deps: StaffRoutesDeps): Router {
  const router = express.Router();
  const staff = requireRole(deps.tokens, OPS_ROLES);
  const ops = requireRole(deps.tokens, ['ops']);
  const base = '/api/staff/campaigns/:campaignId';

  /** The campaign and site this caller may see, or undefined (the problem is sent). */
  const scope = (req: Request, res: Response): { campaignId: string; siteId: string } | undefined => {
    const campaign = campaignIdSchema.safeParse(req.params.campaignId);
    if (!campaign.success) return void sendProblem(res, 404, PROBLEMS.notFound);
    const operator = res.locals.operator as OpsClaims;
    const asked =
      typeof req.query.site === 'string'
        ? req.query.site
        : (req.body as { site?: unknown } | undefined)?.site;
    let siteId: string | undefined;
    if (operator.role === 'staff') {
      if (!operator.site) return void sendProblem(res, 403, SITE_REQUIRED);
      if (asked !== undefined && asked !== operator.site) return void sendProblem(res, 403, SITE_REQUIRED);
      siteId = operator.site;
    } else {
      siteId = typeof asked === 'string' ? asked : undefined;
    }
    if (!siteId || !SITE.test(siteId)) {
      return void sendProblem(res, 400, invalid('site', 'กรุณาระบุสถานที่ฉีด', 'site is required'));
    }
    return { campaignId: campaign.data, siteId };
  };
  const dateOf = (req: Request, res: Response): string | undefined => {
    const date = typeof req.query.date === 'string' ? req.query.date : '';
    if (DATE.test(date)) return date;
    sendProblem(res, 400, invalid('date', 'วันที่ต้องเป็น ปปปป-ดด-วว', 'date must be YYYY-MM-DD'));
    return undefined;
  };
  const sitePath = (s: { campaignId: string; siteId: string }) =>
    `/internal/campaigns/${s.campaignId}/sites/${encodeURIComponent(s.siteId)}`;

  router.get('/api/staff/me', staff, (_req, res) => {
    const { subject, role, site } = res.locals.operator as OpsClaims;
    res.set('Cache-Control', 'no-store').json({ subject, role, site: site ?? null });
  });

  router.get(`${base}/roster`, staff, async (req, res) => {
    const s = scope(req, res);
    if (!s) return;
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    if (q.trim()) {
      const answer = await deps.roster.call('GET', `${sitePath(s)}/roster?q=${encodeURIComponent(q)}`);
      return deps.roster.relay(res, answer, 'roster search');
    }
    const date = dateOf(req, res);
    if (!date) return;
    deps.roster.relay(res, await deps.roster.call('GET', `${sitePath(s)}/roster?date=${date}`), 'roster day');
  });

  router.get(`${base}/roster.csv`, staff, async (req, res) => {
    const s = scope(req, res);
    const date = s && dateOf(req, res);
    if (!s || !date) return;
    await deps.roster.download(`${sitePath(s)}/roster.csv?date=${date}`, res);
  });

  router.post(`${base}/bookings/:bookingId/check-in`, staff, async (req, res) => {
    const s = scope(req, res);
    if (!s) return;
    const bookingId = String(req.params.bookingId);
    if (!UUID.test(bookingId)) return sendProblem(res, 404, PROBLEMS.notFound);
    const operator = res.locals.operator as OpsClaims;
    const answer = await deps.roster.call('POST', `/internal/bookings/${bookingId}/check-in`, {
      campaignId: s.campaignId,
      siteId: s.siteId,
      operator: `${operator.role}:${operator.subject}`,
    });
    if (answer.status === 200) deps.logger.info({ ...s, bookingId, operator: operator.subject }, 'check-in');
    deps.roster.relay(res, answer, 'check-in');
  });

  router.get('/api/admin/campaigns/:campaignId/roster/counts', ops, async (req, res) => {
    const campaign = campaignIdSchema.safeParse(req.params.campaignId);
    if (!campaign.success) return sendProblem(res, 404, PROBLEMS.notFound);
    deps.roster.relay(
      res,
      await deps.roster.call('GET', `/internal/campaigns/${campaign.data}/counts`),
      'counts',
    );
  });

  router.get('/api/admin/campaigns/:campaignId/registry-export.csv', ops, async (req, res) => {
    const campaign = campaignIdSchema.safeParse(req.params.campaignId);
    if (!campaign.success) return sendProblem(res, 404, PROBLEMS.notFound);
    const status = req.query.status === 'checked_in' ? '?status=checked_in' : '';
    deps.logger.info(
      { campaignId: campaign.data, operator: (res.locals.operator as OpsClaims).subject },
      'registry export',
    );
    await deps.roster.download(
      `/internal/campaigns/${campaign.data}/registry-export.csv${status}`,
      res,
      600_000,
    );
  });

  router.use(bookingRouteErrors());
  return router;
}

export interface RegistryImportRoutesDeps {
  tokens: QueueTokens;
  logger: Logger;
  bookingApiUrl: string;
  internalToken?: string;
  timeoutMs: number;
}

/**
 * `POST /api/admin/registry/vaccinated` (ops): the national registry's "already vaccinated"
 * CSV, piped to the booking worker as it arrives (it owns booking.registry_vaccinated).
 * Mounted ahead of every body parser: the file may be hundreds of megabytes.
 */
export function registryImportRoutes(deps: RegistryImportRoutesDeps): Router {
  const router = express.Router();
  const ops = requireRole(deps.tokens, ['ops']);
  router.post('/api/admin/registry/vaccinated', ops, async (req, res) => {
    const url = new URL('/internal/registry/vaccinated', deps.bookingApiUrl);
    for (const key of ['source', 'mode']) {
      if (typeof req.query[key] === 'string') url.searchParams.set(key, req.query[key]);
    }
    deps.logger.info(
      { operator: (res.locals.operator as OpsClaims).subject, source: url.searchParams.get('source') },
      'registry import',
    );
    await streamUpload(req, res, { url, internalToken: deps.internalToken, timeoutMs: deps.timeoutMs });
  });
  router.use(bookingRouteErrors());
  return router;
}
