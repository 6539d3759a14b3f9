import express, { type Router } from 'express';
import { z } from 'zod';
import { campaignId, citizenId, e164Phone, enteredBy, isoDate } from '@khiw/contracts';
import {
  fieldsOf,
  internalErrorHandler,
  internalNotFound,
  parseOrAnswer,
  problemAnswer,
  requireInternalToken,
  sendAnswer,
  sendProblem,
  storableInPostgres,
  type InternalAnswer,
} from '@khiw/internal-api';
import type { Logger } from '@khiw/observability';
import type { LookupAppointment } from '../lookup/lookup-appointment.usecase';
import type { CountBookings } from '../ops/count-bookings.usecase';
import type { CountEntered } from '../ops/count-entered.usecase';
import type { ExportRegistry } from '../ops/export-registry.usecase';
import type { CheckIn } from '../site-roster/check-in.usecase';
import type { ListDayRoster } from '../site-roster/list-day-roster.usecase';
import { siteRosterCsv } from '../site-roster/roster-csv';
import type { FindBookings } from '../site-roster/find-bookings.usecase';
import type { SearchRoster } from '../site-roster/search-roster.usecase';

export interface RosterRoutesDeps {
  lookup: LookupAppointment;
  listDayRoster: ListDayRoster;
  searchRoster: SearchRoster;
  checkIn: CheckIn;
  countBookings: CountBookings;
  findBookings: FindBookings;
  countEntered: CountEntered;
  exportRegistry: ExportRegistry;
  logger: Logger;
  token?: string;
}

const LookupBody = z.object({ campaignId, citizenId, birthDate: isoDate });
const SiteParams = z.object({ campaignId, siteId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) });
const DayQuery = z.object({ date: isoDate });
const FindQuery = z.union([
  z.object({ citizenId: z.string().regex(/^[A-Z0-9]{6,20}$/) }).strict(),
  z.object({ phone: e164Phone }).strict(),
]);
const EnteredQuery = z.object({ enteredBy, date: isoDate });
const CheckInBody = z.object({
  campaignId,
  siteId: z.string().min(1).max(40),
  operator: z.string().min(1).max(100),
});

/**
 * POST /internal/lookup from its parsed JSON body. One function for the express route and the
 * fast path (http/lookup-fast-path.ts), so both give the same answers.
 */
export async function answerLookup(lookup: LookupAppointment, body: unknown): Promise<InternalAnswer> {
  const input = LookupBody.safeParse(body ?? {});
  if (!input.success) return problemAnswer('INVALID_INPUT', fieldsOf(input.error));
  const booking = await lookup.execute(input.data);
  if (!booking) return problemAnswer('NOT_FOUND');
  return { status: 200, body: { campaignId: input.data.campaignId, booking, standby: null } };
}

/**
 * The roster's HTTP API for the gateway (the public and staff routes are the gateway's):
 * resident look-up, a site's day list, search, check-in, CSV exports and campaign counts.
 * Staff scoping (which site a token may see) is decided by the gateway and passed here.
 * Problems are answered as codes; the gateway words them.
 */
export function rosterRoutes(deps: RosterRoutesDeps): Router {
  const router = express.Router();
  router.use('/internal', requireInternalToken(deps.token), express.json({ limit: '8kb' }));

  router.post('/internal/lookup', async (req, res) => {
    sendAnswer(res, await answerLookup(deps.lookup, req.body));
  });

  const site = '/internal/campaigns/:campaignId/sites/:siteId';
  router.get(`${site}/roster`, async (req, res) => {
    const params = parseOrAnswer(res, SiteParams, req.params);
    if (!params) return;
    const query = typeof req.query.q === 'string' ? req.query.q : '';
    if (!storableInPostgres(query))
      return sendProblem(res, 'INVALID_INPUT', { q: 'no NUL or lone surrogate' });
    if (query.trim()) {
      const matches = await deps.searchRoster.execute({ ...params, query });
      return void res.set('Cache-Control', 'no-store').json({ ...params, query, matches });
    }
    const day = parseOrAnswer(res, DayQuery, req.query);
    if (!day) return;
    res
      .set('Cache-Control', 'no-store')
      .json(await deps.listDayRoster.execute({ ...params, date: day.date }));
  });

  router.get(`${site}/roster.csv`, async (req, res) => {
    const params = parseOrAnswer(res, SiteParams, req.params);
    const day = params && parseOrAnswer(res, DayQuery, req.query);
    if (!params || !day) return;
    const roster = await deps.listDayRoster.execute({ ...params, date: day.date });
    res
      .set('Cache-Control', 'no-store')
      .type('text/csv; charset=utf-8')
      .attachment(`roster-${params.siteId}-${day.date}.csv`)
      .send(siteRosterCsv(roster));
  });

  router.post('/internal/bookings/:bookingId/check-in', async (req, res) => {
    const bookingId = parseOrAnswer(res, z.uuid(), req.params.bookingId);
    const body = bookingId && parseOrAnswer(res, CheckInBody, req.body);
    if (!bookingId || !body) return;
    if (!storableInPostgres(body)) return sendProblem(res, 'INVALID_INPUT', { '(body)': 'unstorable text' });
    const result = await deps.checkIn.execute({ ...body, bookingId });
    if (result.outcome === 'not_found') return sendProblem(res, 'NOT_FOUND');
    if (result.outcome === 'cancelled') return sendProblem(res, 'ALREADY_CANCELLED');
    res.set('Cache-Control', 'no-store').json({ bookingId, ...result });
  });

  router.get('/internal/campaigns/:campaignId/counts', async (req, res) => {
    const id = parseOrAnswer(res, campaignId, req.params.campaignId);
    if (id) res.set('Cache-Control', 'no-store').json(await deps.countBookings.execute({ campaignId: id }));
  });

  // A person's bookings by citizen ID (or another document number) or phone: agents.
  router.get('/internal/campaigns/:campaignId/bookings', async (req, res) => {
    const id = parseOrAnswer(res, campaignId, req.params.campaignId);
    const query = id && parseOrAnswer(res, FindQuery, req.query);
    if (!id || !query) return;
    res
      .set('Cache-Control', 'no-store')
      .json({ bookings: await deps.findBookings.execute({ campaignId: id, ...query }) });
  });

  router.get('/internal/campaigns/:campaignId/entered', async (req, res) => {
    const id = parseOrAnswer(res, campaignId, req.params.campaignId);
    const query = id && parseOrAnswer(res, EnteredQuery, req.query);
    if (!id || !query) return;
    res.set('Cache-Control', 'no-store').json(await deps.countEntered.execute({ campaignId: id, ...query }));
  });

  router.get('/internal/campaigns/:campaignId/registry-export.csv', async (req, res) => {
    const id = parseOrAnswer(res, campaignId, req.params.campaignId);
    if (!id) return;
    const checkedInOnly = req.query.status === 'checked_in';
    res
      .set('Cache-Control', 'no-store')
      .type('text/csv; charset=utf-8')
      .attachment(`registry-${id}${checkedInOnly ? '-checked-in' : ''}.csv`);
    for await (const chunk of deps.exportRegistry.execute({ campaignId: id, checkedInOnly })) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  router.use('/internal', internalNotFound);
  router.use('/internal', internalErrorHandler(deps.logger));
  return router;
}
