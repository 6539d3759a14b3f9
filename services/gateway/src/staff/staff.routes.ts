import express, { type Request, type Response, type Router } from 'express';
import { campaignId as campaignIdSchema } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { authorize, scopeOf } from '../auth/authorize';
import { sendProblem } from '../http/problem';
import { FIELD_MESSAGES } from '../http/problem-messages';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { streamUpload, type RosterClient } from './roster-client';

export interface StaffRoutesDeps {
  roster: RosterClient;
  tokens: QueueTokens;
  logger: Logger;
}

const SITE = /^[A-Za-z0-9_-]{1,40}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (res: Response, field: string, key: 'siteRequired' | 'dateFormat') =>
  sendProblem(res, 'INVALID_INPUT', { variant: 'operator', fields: { [field]: FIELD_MESSAGES[key] } });

/**
 * Site staff and ops on the roster (served by the roster service): the day's list per time
 * slot, search, check-in, CSV export; ops: campaign counts and the national-registry export.
 * Who may call which is ROUTE_POLICIES' (src/auth/route-policy.ts): a staff token is scoped
 * to its site (the `site` claim), an ops token names the site in the query (`?site=`), and
 * a token with a `campaign` claim reaches that campaign only.
 */
export function staffRoutes(deps: StaffRoutesDeps): Router {
  const router = express.Router();
  const guard = authorize(deps.tokens);
  const base = '/api/staff/campaigns/:campaignId';

  /** The campaign and site this caller may see, or undefined (the problem is sent). */
  const scope = (req: Request, res: Response): { campaignId: string; siteId: string } | undefined => {
    const campaign = campaignIdSchema.safeParse(req.params.campaignId);
    if (!campaign.success) return void sendProblem(res, 'NOT_FOUND');
    // The guard resolved the site: a staff token's own, the one an ops token named.
    const siteId = scopeOf(res).site;
    if (!siteId || !SITE.test(siteId)) return void invalid(res, 'site', 'siteRequired');
    return { campaignId: campaign.data, siteId };
  };
  const dateOf = (req: Request, res: Response): string | undefined => {
    const date = typeof req.query.date === 'string' ? req.query.date : '';
    if (DATE.test(date)) return date;
    invalid(res, 'date', 'dateFormat');
    return undefined;
  };
  const sitePath = (s: { campaignId: string; siteId: string }) =>
    `/internal/campaigns/${s.campaignId}/sites/${encodeURIComponent(s.siteId)}`;

  router.get('/api/staff/me', guard('GET', '/api/staff/me'), (_req, res) => {
    const { subject, role, site, campaign } = scopeOf(res).operator;
    res
      .set('Cache-Control', 'no-store')
      .json({ subject, role, site: site ?? null, campaign: campaign ?? null });
  });

  router.get(`${base}/roster`, guard('GET', `${base}/roster`), async (req, res) => {
    const s = scope(req, res);
    if (!s) return;
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    if (q.trim()) {
      const answer = await deps.roster.call('GET', `${sitePath(s)}/roster?q=${encodeURIComponent(q)}`);
      return deps.roster.relay(res, answer, 'roster search', 'operator');
    }
    const date = dateOf(req, res);
    if (!date) return;
    const answer = await deps.roster.call('GET', `${sitePath(s)}/roster?date=${date}`);
    deps.roster.relay(res, answer, 'roster day', 'operator');
  });

  router.get(`${base}/roster.csv`, guard('GET', `${base}/roster.csv`), async (req, res) => {
    const s = scope(req, res);
    const date = s && dateOf(req, res);
    if (!s || !date) return;
    await deps.roster.download(`${sitePath(s)}/roster.csv?date=${date}`, res);
  });

  const checkIn = `${base}/bookings/:bookingId/check-in`;
  router.post(checkIn, guard('POST', checkIn), async (req, res) => {
    const s = scope(req, res);
    if (!s) return;
    const bookingId = String(req.params.bookingId);
    if (!UUID.test(bookingId)) return sendProblem(res, 'NOT_FOUND');
    const { operator } = scopeOf(res);
    const answer = await deps.roster.call('POST', `/internal/bookings/${bookingId}/check-in`, {
      campaignId: s.campaignId,
      siteId: s.siteId,
      operator: `${operator.role}:${operator.subject}`,
    });
    if (answer.status === 200) deps.logger.info({ ...s, bookingId, operator: operator.subject }, 'check-in');
    deps.roster.relay(res, answer, 'check-in', 'operator');
  });

  const counts = '/api/admin/campaigns/:campaignId/roster/counts';
  router.get(counts, guard('GET', counts), async (req, res) => {
    const campaign = campaignIdSchema.safeParse(req.params.campaignId);
    if (!campaign.success) return sendProblem(res, 'NOT_FOUND');
    const answer = await deps.roster.call('GET', `/internal/campaigns/${campaign.data}/counts`);
    deps.roster.relay(res, answer, 'counts', 'operator');
  });

  const registryExport = '/api/admin/campaigns/:campaignId/registry-export.csv';
  router.get(registryExport, guard('GET', registryExport), async (req, res) => {
    const campaign = campaignIdSchema.safeParse(req.params.campaignId);
    if (!campaign.success) return sendProblem(res, 'NOT_FOUND');
    const status = req.query.status === 'checked_in' ? '?status=checked_in' : '';
    deps.logger.info(
      { campaignId: campaign.data, operator: scopeOf(res).operator.subject },
      'registry export',
    );
    await deps.roster.download(
      `/internal/campaigns/${campaign.data}/registry-export.csv${status}`,
      res,
      600_000,
    );
  });

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
 * CSV, piped to the booking worker as it arrives (it owns booking.registry_vaccinated); and
 * `POST /api/admin/registry/lists/:list`, an eligibility list a campaign's `orOnList` names.
 * Mounted ahead of every body parser: the file may be hundreds of megabytes.
 */
export function registryImportRoutes(deps: RegistryImportRoutesDeps): Router {
  const router = express.Router();
  const path = '/api/admin/registry/vaccinated';
  const lists = '/api/admin/registry/lists/:list';
  const forward =
    (internalPath: (req: express.Request) => string) => async (req: express.Request, res: Response) => {
      const url = new URL(internalPath(req), deps.bookingApiUrl);
      for (const key of ['source', 'mode']) {
        if (typeof req.query[key] === 'string') url.searchParams.set(key, req.query[key]);
      }
      deps.logger.info(
        { operator: scopeOf(res).operator.subject, source: url.searchParams.get('source') },
        'registry import',
      );
      await streamUpload(req, res, {
        url,
        internalToken: deps.internalToken,
        timeoutMs: deps.timeoutMs,
        logger: deps.logger,
      });
    };
  router.post(
    path,
    authorize(deps.tokens)('POST', path),
    forward(() => '/internal/registry/vaccinated'),
  );
  router.post(
    lists,
    authorize(deps.tokens)('POST', lists),
    forward((req) => `/internal/registry/lists/${encodeURIComponent(String(req.params.list))}`),
  );
  return router;
}
