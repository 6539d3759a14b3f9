import express, { type Router } from 'express';
import { z } from 'zod';
import { campaignId as campaignIdSchema, channelRefusal, e164Phone } from '@khiw/contracts';
import { bangkokDateKey } from '@khiw/thai';
import { authorize, scopeOf } from '../auth/authorize';
import type { BookAssisted } from '../bookings/book-assisted.usecase';
import type { CampaignCatalog } from '../bookings/campaign-catalog';
import { sendAssistedAnswer } from '../bookings/assisted-answer';
import { checkBookingBody } from '../bookings/check-booking-body';
import { fieldErrorsOf } from '../http/field-errors';
import { sendProblem } from '../http/problem';
import { sendRateLimited, type RateLimiter } from '../http/rate-limit';
import type { RosterClient } from '../staff/roster-client';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';

export interface AgentRoutesDeps {
  tokens: QueueTokens;
  catalog: CampaignCatalog;
  book: BookAssisted;
  roster: RosterClient;
  limiter: RateLimiter;
  /** Bookings one agent may enter per minute (a person on the phone takes a minute or two). */
  bookingsPerMinute: number;
}

const CampaignBody = z.object({ campaignId: campaignIdSchema });
const FindQuery = z.union([
  z.object({ campaignId: campaignIdSchema, citizenId: z.string().regex(/^\d{13}$/) }),
  z.object({ campaignId: campaignIdSchema, phone: e164Phone }),
]);

/**
 * Assisted booking (issue 11): a call-centre agent books for the person on the phone, a
 * walk-in counter clerk for the person at the desk. No waiting room (the agent's own rate
 * limit instead), the same checks, job and engine as a resident's booking, and the answer
 * awaited while the person is there. A counter's token is bound to its site: another site's
 * slot is refused (SITE_FORBIDDEN) by the guard. Cancelling goes through
 * `POST /api/appointments/:bookingId/cancel` with the agent's token; moving a booking through
 * the person's own reschedule (their citizen ID and birth date).
 */
export function agentRoutes(deps: AgentRoutesDeps): Router {
  const router = express.Router();
  const guard = authorize(deps.tokens);

  router.get('/api/agent/me', guard('GET', '/api/agent/me'), async (req, res) => {
    const { subject, channel, site, campaign } = scopeOf(res).operator;
    const asked = campaignIdSchema.safeParse(req.query.campaignId ?? campaign);
    let today: unknown = null;
    if (asked.success && (!campaign || campaign === asked.data)) {
      const who = encodeURIComponent(`agent:${subject}`);
      const answer = await deps.roster.call(
        'GET',
        `/internal/campaigns/${asked.data}/entered?enteredBy=${who}&date=${bangkokDateKey(new Date())}`,
      );
      if (answer.status === 200) today = answer.body;
    }
    res.set('Cache-Control', 'no-store').json({
      subject,
      channel,
      site: site ?? null,
      campaign: campaign ?? null,
      today,
    });
  });

  router.post('/api/agent/bookings', guard('POST', '/api/agent/bookings'), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const { operator } = scopeOf(res);
    const campaign = CampaignBody.safeParse(req.body ?? {});
    if (!campaign.success)
      return sendProblem(res, 'INVALID_INPUT', { fields: fieldErrorsOf(campaign.error) });
    const limit = await deps.limiter.hit('agent-bookings', operator.subject, deps.bookingsPerMinute);
    if (!limit.allowed) return sendRateLimited(res, limit.retryAfterSeconds);
    const snapshot = await deps.catalog.snapshot(campaign.data.campaignId);
    if (!snapshot) return sendProblem(res, 'CAMPAIGN_NOT_FOUND');
    const rule = snapshot.channels.find((c) => c.channel === operator.channel);
    const closed = channelRefusal(rule, new Date());
    if (closed) return sendProblem(res, closed);
    const checked = await checkBookingBody(deps.catalog, campaign.data.campaignId, snapshot, req.body);
    if (!checked.ok) return sendProblem(res, 'INVALID_INPUT', { fields: checked.fields });

    const answer = await deps.book.execute({
      campaignId: campaign.data.campaignId,
      input: checked.input,
      channel: operator.channel!,
      enteredBy: `agent:${operator.subject}`,
    });
    sendAssistedAnswer(res, answer);
  });

  router.get('/api/agent/bookings', guard('GET', '/api/agent/bookings'), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const query = FindQuery.safeParse(req.query);
    if (!query.success)
      return sendProblem(res, 'INVALID_INPUT', { variant: 'operator', fields: fieldErrorsOf(query.error) });
    const { campaignId, ...by } = query.data;
    const [[key, value]] = Object.entries(by) as [[string, string]];
    const answer = await deps.roster.call(
      'GET',
      `/internal/campaigns/${campaignId}/bookings?${key}=${encodeURIComponent(value)}`,
    );
    deps.roster.relay(res, answer, 'agent search', 'operator');
  });

  return router;
}
