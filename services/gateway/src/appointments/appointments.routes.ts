import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { CancelRequest, LookupRequest, RescheduleRequest } from '@khiw/contracts';
import { authorize, optionalScopeOf } from '../auth/authorize';
import { citizenHash } from '../bookings/citizen-hash';
import type { BookingWorkerClient } from '../http/booking-worker-client';
import { parseInput, sendProblem } from '../http/problem';
import { FIELD_MESSAGES } from '../http/problem-messages';
import { sendRateLimited, type RateLimiter } from '../http/rate-limit';
import { networkOf } from '../waiting-room/join-rate-limit';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { BookingIdParam, CancelInput, LookupInput, RescheduleInput } from './self-service-input';

export interface AppointmentRoutesDeps {
  worker: BookingWorkerClient;
  /** The roster service: look-up is served from it (the worker only when the roster has nothing). */
  roster: BookingWorkerClient;
  tokens: QueueTokens;
  limiter: RateLimiter;
  secret: string;
  perCitizenPerMinute: number;
  perNetworkPerMinute: number;
}

/**
 * Self-service: look-up from the roster service, cancel and reschedule at the booking
 * worker, each proven by citizen ID + birth date (or, for cancel, a staff/ops token), so a
 * miss is worded as such (the `identity` variant). Rate-limited per network (generous:
 * carrier-grade NAT) and per citizen ID (tight: it is what stops someone from guessing a
 * birth date). Citizen IDs travel in bodies to the worker, never in its URLs.
 */
export function appointmentRoutes(deps: AppointmentRoutesDeps): Router {
  const router = express.Router();
  const guard = authorize(deps.tokens);

  // A limit of 0 is off (RateLimiter allows everything): skip the hashing and the key work.
  const perNetwork: RequestHandler = async (req, res, next) => {
    if (res.locals.operator || deps.perNetworkPerMinute <= 0) return next();
    const hit = await deps.limiter.hit('self-net', networkOf(req.ip ?? 'unknown'), deps.perNetworkPerMinute);
    if (!hit.allowed) return sendRateLimited(res, hit.retryAfterSeconds);
    next();
  };
  /** false when refused (the 429 is sent). */
  const perCitizen = async (res: Response, citizenId: string): Promise<boolean> => {
    if (deps.perCitizenPerMinute <= 0) return true;
    const id = citizenHash(deps.secret, citizenId);
    const hit = await deps.limiter.hit('self-cid', id, deps.perCitizenPerMinute);
    if (!hit.allowed) sendRateLimited(res, hit.retryAfterSeconds);
    return hit.allowed;
  };

  const lookup = async (req: Request, res: Response, source: unknown) => {
    const input = parseInput(res, LookupInput, source);
    if (!input || !(await perCitizen(res, input.citizenId))) return;
    const body: LookupRequest = input;
    const fromRoster = await deps.roster.call('POST', '/internal/lookup', body).catch(() => undefined);
    if (fromRoster?.status === 200) return deps.roster.relay(res, fromRoster, 'lookup', 'identity');
    // Not in the roster: a standby place (the worker's live list), a booking confirmed in the
    // last instant (roster lag), a wrong birth date, or the roster away. The worker answers
    // all of these, with the same 404 for "no match" as the roster.
    const answer = await deps.worker.call('POST', '/internal/appointments/lookup', body);
    deps.worker.relay(res, answer, 'lookup', 'identity');
  };
  // GET as in DESIGN.md; POST keeps the citizen ID out of URLs (proxy and CDN logs).
  router.get('/api/appointments/lookup', perNetwork, (req, res) => lookup(req, res, req.query));
  router.post('/api/appointments/lookup', perNetwork, (req, res) => lookup(req, res, req.body ?? {}));

  // With an Authorization header, a staff or ops token (the guard); without, the resident's identity.
  const cancel = '/api/appointments/:bookingId/cancel';
  router.post(cancel, guard('POST', cancel), perNetwork, async (req, res) => {
    const bookingId = parseBookingId(res, req.params.bookingId);
    if (!bookingId) return;
    const scope = optionalScopeOf(res);
    let body: CancelRequest;
    if (scope) {
      // The booking's site and campaign are the worker's to check: another site's or
      // campaign's booking is not found for this token (the guard refused a site-bound token
      // without a site).
      const { operator, site } = scope;
      body = {
        // The route's policy lets ops, staff and agents cancel, no other role.
        actor: operator.role as Exclude<typeof operator.role, 'organisation'>,
        operator: operator.subject,
        ...(site && { site }),
        ...(operator.campaign && { campaignId: operator.campaign }),
      };
    } else {
      const input = parseInput(res, CancelInput, req.body ?? {});
      if (!input || !(await perCitizen(res, input.citizenId))) return;
      body = { ...input, actor: 'resident' };
    }
    const answer = await deps.worker.call('POST', `/internal/bookings/${bookingId}/cancel`, body);
    deps.worker.relay(res, answer, 'cancel', 'identity');
  });

  router.post('/api/appointments/:bookingId/reschedule', perNetwork, async (req, res) => {
    const bookingId = parseBookingId(res, req.params.bookingId);
    if (!bookingId) return;
    const input = parseInput(res, RescheduleInput, req.body ?? {});
    if (!input || !(await perCitizen(res, input.citizenId))) return;
    const body: RescheduleRequest = input;
    const answer = await deps.worker.call('POST', `/internal/bookings/${bookingId}/reschedule`, body);
    deps.worker.relay(res, answer, 'reschedule', 'identity');
  });

  return router;
}

function parseBookingId(res: Response, value: unknown): string | undefined {
  const parsed = BookingIdParam.safeParse(value);
  if (parsed.success) return parsed.data;
  sendProblem(res, 'INVALID_INPUT', { fields: { bookingId: FIELD_MESSAGES.bookingId } });
  return undefined;
}
