import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { campaignId, citizenId, isoDate } from '@khiw/contracts';
import type { LookupAppointment } from '../lookup/lookup.usecase';
import type { CampaignCounts } from '../ops/campaign-counts.usecase';
import type { RegistryExport } from '../ops/registry-export.usecase';
import type { CheckIn } from '../site-roster/check-in.usecase';
import { siteRosterCsv } from '../site-roster/roster-csv';
import type { SiteRoster } from '../site-roster/site-roster.usecase';
import {
  internalToken,
  problem,
  problemAnswer,
  send,
  wrap,
  type InternalAnswer,
  type RosterProblem,
} from './internal-api';

export interface RosterRoutesDeps {
  lookup: LookupAppointment;
  siteRoster: SiteRoster;
  checkIn: CheckIn;
  counts: CampaignCounts;
  registryExport: RegistryExport;
  token?: string;
}

const LookupBody = z.object({ campaignId, citizenId, birthDate: isoDate });
const SiteParams = z.object({ campaignId, siteId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) });
const DayQuery = z.object({ date: isoDate });
const CheckInBody = z.object({
  campaignId,
  siteId: z.string().min(1).max(40),
  operator: z.string().min(1).max(100),
});

function parse<S extends z.ZodType>(schema: S, value: unknown, res: Response): z.infer<S> | undefined {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  problem(res, 'INVALID_INPUT', fieldErrors(result.error));
  return undefined;
}

function fieldErrors(error: z.ZodError): NonNullable<RosterProblem['fields']> {
  return Object.fromEntries(
    error.issues.map((i) => [i.path.join('.') || '(body)', { th: 'ค่าไม่ถูกต้อง', en: i.message }]),
  );
}

/**
 * POST /internal/lookup from its parsed JSON body. One function for the express route and the
 * fast path (http/lookup-fast-path.ts), so both give the same answers.
 */
export async function answerLookup(lookup: LookupAppointment, body: unknown): Promise<InternalAnswer> {
  const input = LookupBody.safeParse(body ?? {});
  if (!input.success) return problemAnswer('INVALID_INPUT', fieldErrors(input.error));
  const booking = await lookup.execute(input.data);
  if (!booking) return problemAnswer('NOT_FOUND');
  return { status: 200, body: { campaignId: input.data.campaignId, booking, standby: null } };
}

/**
 * The roster's HTTP API for the gateway (the public and staff routes are the gateway's):
 * resident look-up, a site's day list, search, check-in, CSV exports and campaign counts.
 * Staff scoping (which site a token may see) is decided by the gateway and passed here.
 */
export function rosterRoutes(deps: RosterRoutesDeps): Router {
  const router = express.Router();
  router.use('/internal', internalToken(deps.token), express.json({ limit: '8kb' }));

  router.post(
    '/internal/lookup',
    wrap(async (req, res) => send(res, await answerLookup(deps.lookup, req.body))),
  );

  const site = '/internal/campaigns/:campaignId/sites/:siteId';
  router.get(
    `${site}/roster`,
    wrap(async (req, res) => {
      const params = parse(SiteParams, req.params, res);
      if (!params) return;
      const q = typeof req.query.q === 'string' ? req.query.q : '';
      if (q.trim()) {
        const matches = await deps.siteRoster.search(params.campaignId, params.siteId, q);
        return void res.set('Cache-Control', 'no-store').json({ ...params, query: q, matches });
      }
      const day = parse(DayQuery, req.query, res);
      if (!day) return;
      res
        .set('Cache-Control', 'no-store')
        .json(await deps.siteRoster.day(params.campaignId, params.siteId, day.date));
    }),
  );

  router.get(
    `${site}/roster.csv`,
    wrap(async (req, res) => {
      const params = parse(SiteParams, req.params, res);
      const day = params && parse(DayQuery, req.query, res);
      if (!params || !day) return;
      const roster = await deps.siteRoster.day(params.campaignId, params.siteId, day.date);
      res
        .set('Cache-Control', 'no-store')
        .type('text/csv; charset=utf-8')
        .attachment(`roster-${params.siteId}-${day.date}.csv`)
        .send(siteRosterCsv(roster));
    }),
  );

  router.post(
    '/internal/bookings/:bookingId/check-in',
    wrap(async (req, res) => {
      const bookingId = parse(z.uuid(), req.params.bookingId, res);
      const body = bookingId && parse(CheckInBody, req.body, res);
      if (!bookingId || !body) return;
      const result = await deps.checkIn.execute({ ...body, bookingId });
      if (result.outcome === 'not_found') return problem(res, 'NOT_FOUND');
      if (result.outcome === 'cancelled') return problem(res, 'ALREADY_CANCELLED');
      res.set('Cache-Control', 'no-store').json({ bookingId, ...result });
    }),
  );

  router.get(
    '/internal/campaigns/:campaignId/counts',
    wrap(async (req, res) => {
      const id = parse(campaignId, req.params.campaignId, res);
      if (id) res.set('Cache-Control', 'no-store').json(await deps.counts.execute(id));
    }),
  );

  router.get(
    '/internal/campaigns/:campaignId/registry-export.csv',
    wrap(async (req, res) => {
      const id = parse(campaignId, req.params.campaignId, res);
      if (!id) return;
      const checkedInOnly = req.query.status === 'checked_in';
      res
        .set('Cache-Control', 'no-store')
        .type('text/csv; charset=utf-8')
        .attachment(`registry-${id}${checkedInOnly ? '-checked-in' : ''}.csv`);
      for await (const chunk of deps.registryExport.lines(id, { checkedInOnly })) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    }),
  );

  router.use('/internal', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if ((err as { type?: string }).type === 'entity.parse.failed') return problem(res, 'INVALID_INPUT');
    next(err);
  });
  return router;
}
