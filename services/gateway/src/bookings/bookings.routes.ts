import express, { type Router } from 'express';
import { channelRefusal } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import { Counter, type Registry } from '@khiw/observability';
import { bearerToken } from '../auth/bearer-token';
import { sendProblem } from '../http/problem';
import {
  accessTokenCampaign,
  verifyAccessToken,
  type QueueTokens,
} from '../waiting-room/tokens/queue-tokens';
import { checkBookingBody } from './check-booking-body';
import type { BookingRequestStatus } from './booking-request-status.usecase';
import type { CampaignCatalog } from './campaign-catalog';
import type { SubmitBooking } from './submit-booking.usecase';

export interface BookingRoutesDeps {
  tokens: QueueTokens;
  catalog: CampaignCatalog;
  submit: SubmitBooking;
  status: BookingRequestStatus;
  pollAfterSeconds: number;
  registry: Registry;
}

/**
 * `POST /api/bookings` (one person, after admission) and `GET /api/bookings/requests/:id`.
 * Order of checks: the access token, then every field, then the choice against the
 * campaign, then what makes the person ineligible that the snapshot shows (province, age on
 * the slot's day); only then is anything queued or any booking of the grant spent. Refusals that
 * are thrown (tokens, grants, SUBMIT_BUSY) are answered by the app's problemHandler.
 */
export function bookingRoutes(deps: BookingRoutesDeps): Router {
  const router = express.Router();
  const submits = new Counter({
    name: 'khiw_gateway_booking_submits_total',
    help: 'Booking submits by result (queued, duplicate, invalid, refused)',
    labelNames: ['result'],
    registers: [deps.registry],
  });

  router.post('/api/bookings', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const token = bearerToken(req);
    if (!token) throw new KhiwError('TOKEN_MISSING', 'no access token');
    const claims = verifyAccessToken(deps.tokens, token, accessTokenCampaign(token, req.body));

    const snapshot = await deps.catalog.snapshot(claims.campaignId);
    if (!snapshot) {
      submits.inc({ result: 'refused' });
      return sendProblem(res, 'CAMPAIGN_NOT_FOUND');
    }
    // The web channel's hours, before any field: nothing the person fixes would help.
    const web = snapshot.channels.find((c) => c.channel === 'web');
    const closed = channelRefusal(web, new Date());
    if (closed) {
      submits.inc({ result: 'refused' });
      return sendProblem(res, closed);
    }
    const checked = await checkBookingBody(deps.catalog, claims.campaignId, snapshot, req.body);
    if (!checked.ok) {
      submits.inc({ result: 'invalid' });
      return sendProblem(res, 'INVALID_INPUT', { fields: checked.fields });
    }

    try {
      const { requestId, created } = await deps.submit.execute({ claims, input: checked.input });
      submits.inc({ result: created ? 'queued' : 'duplicate' });
      res
        .status(202)
        .location(`/api/bookings/requests/${encodeURIComponent(requestId)}`)
        .json({ requestId, pollAfterSeconds: deps.pollAfterSeconds });
    } catch (error) {
      submits.inc({ result: 'refused' });
      throw error;
    }
  });

  router.get('/api/bookings/requests/:requestId', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const answer = await deps.status.execute({ requestId: String(req.params.requestId) });
    if (!answer) return sendProblem(res, 'NOT_FOUND');
    res.json(answer);
  });

  return router;
}
