import express, { type Router } from 'express';
import type { Queue } from 'bullmq';
import {
  campaignId as campaignIdSchema,
  CancelRequest,
  LookupRequest,
  OrganisationCapBody,
  ORGANISATION_ID,
  QuotaChange,
  QuotaTransfer,
  RescheduleRequest,
} from '@khiw/contracts';
import {
  internalErrorHandler,
  internalNotFound,
  parseOrAnswer,
  storableInPostgres,
  requireInternalToken,
  sendProblem,
} from '@khiw/internal-api';
import type { Logger } from '@khiw/observability';
import type { CancelBooking } from '../bookings/cancel-booking.usecase';
import type { GetRequestState } from '../bookings/get-request-state.usecase';
import type { LookupAppointment } from '../bookings/lookup-appointment.usecase';
import type { RescheduleBooking } from '../bookings/reschedule-booking.usecase';
import type { LoadCampaign } from '../campaigns/load-campaign.usecase';
import type { SetGroupQuota } from '../campaigns/set-group-quota.usecase';
import type { SnapshotPublisher } from '../campaigns/snapshot-publisher';
import type { TransferQuota } from '../campaigns/transfer-quota.usecase';
import type { GetOrganisationCap } from '../organisations/get-organisation-cap.usecase';
import type { SetOrganisationCap } from '../organisations/set-organisation-cap.usecase';

export interface InternalRoutesDeps {
  lookupAppointment: LookupAppointment;
  getRequestState: GetRequestState;
  cancelBooking: CancelBooking;
  rescheduleBooking: RescheduleBooking;
  loadCampaign: LoadCampaign;
  setGroupQuota: SetGroupQuota;
  transferQuota: TransferQuota;
  setOrganisationCap: SetOrganisationCap;
  getOrganisationCap: GetOrganisationCap;
  snapshots: SnapshotPublisher;
  bookingQueue: Queue;
  logger: Logger;
  /** When set, every call must carry it in INTERNAL_TOKEN_HEADER. */
  token?: string;
}

/**
 * The booking worker's HTTP API for the gateway (DESIGN.md section 4 routes are the
 * gateway's; these are what they call): self-service, request state, campaign set-up and
 * quotas. Bodies are the shared contracts in packages/contracts/src/booking-api.ts; problems
 * are answered as codes (@khiw/internal-api), which the gateway words for people.
 */
export function internalRoutes(deps: InternalRoutesDeps): Router {
  const { snapshots, bookingQueue, logger } = deps;
  const router = express.Router();
  router.use('/internal', express.json({ limit: '2mb' }));
  router.use('/internal', requireInternalToken(deps.token));

  router.post('/internal/appointments/lookup', async (req, res) => {
    const body = parseOrAnswer(res, LookupRequest, req.body);
    if (body) res.set('Cache-Control', 'no-store').json(await deps.lookupAppointment.execute(body));
  });

  router.get('/internal/requests/:requestId', async (req, res) => {
    const state = await deps.getRequestState.execute({ requestId: String(req.params.requestId) });
    res.set('Cache-Control', 'no-store').json(state);
  });

  router.post('/internal/bookings/:bookingId/cancel', async (req, res) => {
    const body = parseOrAnswer(res, CancelRequest, req.body);
    if (!body) return;
    const result = await deps.cancelBooking.execute({ ...body, bookingId: String(req.params.bookingId) });
    logger.info(
      { bookingId: result.booking.bookingId, actor: body.actor, promoted: result.promoted },
      'booking cancelled',
    );
    // The person may book again: their finished request job must not answer for them.
    await bookingQueue.remove(result.requestId).catch(() => 0);
    snapshots.touch(result.campaignId);
    res.json({ booking: result.booking, promoted: result.promoted });
  });

  router.post('/internal/bookings/:bookingId/reschedule', async (req, res) => {
    const body = parseOrAnswer(res, RescheduleRequest, req.body);
    if (!body) return;
    const { booking, campaignId } = await deps.rescheduleBooking.execute({
      ...body,
      bookingId: String(req.params.bookingId),
    });
    snapshots.touch(campaignId);
    res.json({ booking });
  });

  router.put('/internal/campaigns/:campaignId', async (req, res) => {
    const campaignId = String(req.params.campaignId);
    if ((req.body as { id?: unknown } | undefined)?.id !== campaignId) {
      return sendProblem(res, 'INVALID_INPUT', { id: 'must match the campaign in the path' });
    }
    // The file is kept whole (jsonb): a NUL, a lone surrogate or a `__proto__` key would fail the write.
    if (!storableInPostgres(req.body)) {
      return sendProblem(res, 'INVALID_INPUT', { '(body)': 'unstorable text or key' });
    }
    const summary = await deps.loadCampaign.execute(req.body);
    await snapshots.publish(campaignId);
    res.json(summary);
  });

  router.patch('/internal/campaigns/:campaignId/groups/:code', async (req, res) => {
    const body = parseOrAnswer(res, QuotaChange, req.body);
    if (!body) return;
    const campaignId = campaignOf(req.params.campaignId);
    if (!campaignId) return sendProblem(res, 'NOT_FOUND');
    const result = await deps.setGroupQuota.execute({
      campaignId,
      code: String(req.params.code),
      quota: body.quota,
    });
    snapshots.touch(campaignId, true);
    res.json(result);
  });

  router.post('/internal/campaigns/:campaignId/quota-transfers', async (req, res) => {
    const body = parseOrAnswer(res, QuotaTransfer, req.body);
    if (!body) return;
    const campaignId = campaignOf(req.params.campaignId);
    if (!campaignId) return sendProblem(res, 'NOT_FOUND');
    const result = await deps.transferQuota.execute({ campaignId, ...body });
    snapshots.touch(campaignId, true);
    res.json(result);
  });

  // Organisation caps (issue 11): kept here so a Redis restart loses neither cap nor count.
  const capPath = '/internal/campaigns/:campaignId/organisations/:organisationId';
  router.put(capPath, async (req, res) => {
    const body = parseOrAnswer(res, OrganisationCapBody, req.body);
    if (!body) return;
    const campaignId = campaignOf(req.params.campaignId);
    const organisationId = organisationOf(req.params.organisationId);
    if (!campaignId || !organisationId) return sendProblem(res, 'NOT_FOUND');
    res.json(await deps.setOrganisationCap.execute({ campaignId, organisationId, ...body }));
  });

  router.get(capPath, async (req, res) => {
    const campaignId = campaignOf(req.params.campaignId);
    const organisationId = organisationOf(req.params.organisationId);
    if (!campaignId || !organisationId) return sendProblem(res, 'NOT_FOUND');
    res
      .set('Cache-Control', 'no-store')
      .json(await deps.getOrganisationCap.execute(campaignId, organisationId));
  });

  router.use('/internal', internalNotFound);
  router.use('/internal', internalErrorHandler(logger));
  return router;
}

/** The path's campaign id when it has a campaign id's shape (no campaign has another; NUL would fail the query). */
function campaignOf(value: unknown): string | undefined {
  const parsed = campaignIdSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** An organisation id as the gateway's tokens carry one (no other reaches the cap table). */
function organisationOf(value: unknown): string | undefined {
  const id = String(value);
  return ORGANISATION_ID.test(id) ? id : undefined;
}
