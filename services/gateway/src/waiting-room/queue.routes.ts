import express, { type Router } from 'express';
import { z } from 'zod';
import { KhiwError } from '@khiw/errors';
import type { Histogram } from '@khiw/observability';
import { bearerToken } from '../auth/bearer-token';
import { sendProblem } from '../http/problem';
import type { IssueChallenge } from './issue-challenge.usecase';
import { JoinRateLimit, type JoinLimits } from './join-rate-limit';
import type { JoinQueue } from './join-queue.usecase';
import { admissionRate, awayShare } from './queue-estimate';
import type { QueueStatus } from './queue-status.usecase';
import type { ReleaseAccess } from './release-access.usecase';
import type { RoomCache } from './room-cache';
import { publicState } from './room-view';
import type { WaitingRoomMetrics } from './waiting-room-metrics';

const JoinBody = z.object({
  ticket: z.string().max(2048).optional(),
  challenge: z.string().max(64).optional(),
  nonce: z.string().max(64).optional(),
});

export interface QueueRoutesDeps {
  rooms: RoomCache;
  join: JoinQueue;
  status: QueueStatus;
  challenge: IssueChallenge;
  release: ReleaseAccess;
  limits: JoinLimits;
  metrics: Pick<WaitingRoomMetrics, 'rateLimited'>;
}

/**
 * `GET /api/queue/status`, the request 100,000 waiting residents repeat: mounted ahead of
 * every other router and middleware so a poll walks one layer (docs/waiting-room.md). It is
 * counted by `khiw_gateway_queue_status_polls_total`, not by the generic HTTP metrics. Its
 * refusals go on to the app's problemHandler.
 */
export function queueStatusRoutes(deps: Pick<QueueRoutesDeps, 'status'> & StatusTiming): Router {
  const router = express.Router();
  const observe = statusTimer(deps.duration);
  router.get('/api/queue/status', async (req, res) => {
    const started = process.hrtime.bigint();
    // On finish, so an answer from the problemHandler (a refusal, Redis away) is timed too.
    res.once('finish', () => observe(res.statusCode, started));
    const campaignId = typeof req.query.campaignId === 'string' ? req.query.campaignId : undefined;
    const answer = await deps.status.execute({ ticket: bearerToken(req), campaignId });
    res.set('Cache-Control', 'no-store').json(answer);
  });
  return router;
}

interface StatusTiming {
  duration: Histogram<'status'>;
}

/** Observes one poll; a child per status code, resolved once (no label hashing per poll). */
function statusTimer(duration: Histogram<'status'>): (status: number, started: bigint) => void {
  const children = new Map<number, { observe(seconds: number): void }>();
  return (status, started) => {
    let child = children.get(status);
    if (!child) {
      child = duration.labels({ status: String(status) });
      children.set(status, child);
    }
    child.observe(Number(process.hrtime.bigint() - started) / 1e9);
  };
}

/** The rest of the resident-facing waiting room API (docs/waiting-room.md, "API"). */
export function queueRoutes(deps: QueueRoutesDeps): Router {
  const router = express.Router();
  const limit = new JoinRateLimit(deps.limits, {
    onRefused: (budget) => deps.metrics.rateLimited.inc({ budget }),
  });

  router.get('/api/campaigns/:campaignId/queue/challenge', limit.challenge, async (req, res) => {
    const challenge = await deps.challenge.execute({ campaignId: String(req.params.campaignId) });
    res.set('Cache-Control', 'no-store').json(challenge);
  });

  router.post('/api/campaigns/:campaignId/queue', limit.join, async (req, res) => {
    const body = JoinBody.safeParse(req.body ?? {});
    if (!body.success) return sendProblem(res, 'INVALID_INPUT', { variant: 'queue' });
    const { created, answer } = await deps.join
      .execute({
        campaignId: String(req.params.campaignId),
        ticket: bearerToken(req) ?? body.data.ticket,
        challenge: body.data.challenge,
        nonce: body.data.nonce,
      })
      .catch((error: unknown) => {
        if (KhiwError.is(error, 'PROOF_OF_WORK_INVALID', 'CHALLENGE_INVALID')) limit.failed(req);
        throw error;
      });
    if (created && body.data.challenge) limit.redeemed(req);
    res
      .status(created ? 201 : 200)
      .set('Cache-Control', 'no-store')
      .json(answer);
  });

  // The booking page, when the resident is done: the place goes to the next in line now.
  router.post('/api/queue/release', async (req, res) => {
    await deps.release.execute({ token: bearerToken(req), body: req.body });
    res.set('Cache-Control', 'no-store').status(204).end();
  });

  // Public and CDN-cacheable: enough for a page to move its position between polls.
  router.get('/api/campaigns/:campaignId/queue/state', async (req, res) => {
    const view = await deps.rooms.view(String(req.params.campaignId));
    const rate = admissionRate(view);
    res.set('Cache-Control', 'public, max-age=2').json({
      campaignId: view.campaignId,
      state: publicState(view),
      opensAt: new Date(view.opensAt).toISOString(),
      servingNumber: view.serving,
      lastNumber: view.lastNumber,
      queueLength: view.lastNumber - view.serving + view.prequeue,
      prequeueLength: view.prequeue,
      outflowPerMinute: view.outflowPerMinute,
      admissionsPerMinute: Math.round(rate.used * 100) / 100,
      awayShare: Math.round(awayShare(view) * 1000) / 1000,
      updatedAt: new Date(view.now).toISOString(),
    });
  });
  return router;
}
