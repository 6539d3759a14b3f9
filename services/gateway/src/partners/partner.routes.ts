import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { z } from 'zod';
import { campaignId as campaignIdSchema, channelRefusal, withinHours } from '@khiw/contracts';
import type { BookAssisted } from '../bookings/book-assisted.usecase';
import type { CampaignCatalog } from '../bookings/campaign-catalog';
import { sendAssistedAnswer } from '../bookings/assisted-answer';
import { checkBookingBody } from '../bookings/check-booking-body';
import { fieldErrorsOf } from '../http/field-errors';
import { sendProblem } from '../http/problem';
import { sendRateLimited, type RateLimiter } from '../http/rate-limit';
import { networkOf } from '../waiting-room/join-rate-limit';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import type { CarryUser } from './carry-user.usecase';
import { TokenRequest, type ExchangePartnerToken } from './exchange-partner-token.usecase';
import { partnerGuard, partnerOf } from './partner-guard';
import type { Partner, PartnerRegistry } from './partner-registry';
import type { PartnerTokens } from './partner-tokens';

/** Where an app sends its user's queue ticket and, once admitted, the access token. */
export const TICKET_HEADER = 'khiw-ticket';
export const ACCESS_HEADER = 'khiw-access-token';

export interface PartnerRoutesDeps {
  registry: PartnerRegistry;
  partnerTokens: PartnerTokens;
  exchange: ExchangePartnerToken;
  carry: CarryUser;
  tokens: QueueTokens;
  catalog: CampaignCatalog;
  book: BookAssisted;
  limiter: RateLimiter;
  /** Joins and bookings one partner may send a minute (0: no limit): its proof-of-work. */
  requestsPerMinute: number;
  /** Token requests one network may send a minute (0: no limit), wrong or right. */
  tokenPerNetworkPerMinute: number;
}

const header = (en: string, th: string) => ({ th, en });
const ACCESS_MISSING = header(
  "Send the admitted user's access token in the Khiw-Access-Token header",
  'กรุณาส่งบัตรผ่านของผู้ใช้ในส่วนหัว Khiw-Access-Token',
);
const OPENAPI_FILE = path.resolve(__dirname, '../../public/openapi/partner.json');
const CampaignBody = z.object({ campaignId: campaignIdSchema });
const JoinBody = z.object({ userRef: z.string().min(1).max(128) });

/**
 * The partner API (issue 11; public/openapi/partner.json says it for machines): a partner
 * trades its credentials for a token, then an app carries its user through the waiting room
 * and books once admitted (channel `app`), and a store books at its terminal at once, like a
 * counter clerk (channel `store`). Either way `partner:<id>` is recorded as who entered it.
 */
export function partnerRoutes(deps: PartnerRoutesDeps): Router {
  const router = express.Router();
  const guard = partnerGuard(deps.partnerTokens, deps.registry);
  const openapi = readFileSync(OPENAPI_FILE, 'utf8');
  const limited = async (res: express.Response, partner: Partner): Promise<boolean> => {
    const perMinute = partner.requestsPerMinute ?? deps.requestsPerMinute;
    const limit = await deps.limiter.hit('partner', partner.id, perMinute);
    if (!limit.allowed) sendRateLimited(res, limit.retryAfterSeconds);
    return !limit.allowed;
  };

  router.get('/api/partner/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(openapi);
  });

  // OAuth 2 clients send a form; JSON is taken too.
  router.post(
    '/api/partner/token',
    express.urlencoded({ extended: false, limit: '8kb' }),
    async (req, res) => {
      res.set('Cache-Control', 'no-store');
      const network = networkOf(req.ip ?? 'unknown');
      const hit = await deps.limiter.hit('partner-token-net', network, deps.tokenPerNetworkPerMinute);
      if (!hit.allowed) return sendRateLimited(res, hit.retryAfterSeconds);
      const request = TokenRequest.safeParse(req.body ?? {});
      if (!request.success)
        return sendProblem(res, 'INVALID_INPUT', { fields: fieldErrorsOf(request.error) });
      res.json(await deps.exchange.execute(request.data));
    },
  );

  const joinPath = '/api/partner/campaigns/:campaignId/queue';
  router.post(joinPath, guard('POST', joinPath), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const partner = partnerOf(res);
    const body = JoinBody.safeParse(req.body ?? {});
    const campaign = campaignIdSchema.safeParse(req.params.campaignId);
    if (!body.success) return sendProblem(res, 'INVALID_INPUT', { fields: fieldErrorsOf(body.error) });
    if (!campaign.success) return sendProblem(res, 'CAMPAIGN_NOT_FOUND');
    if (await limited(res, partner)) return;
    const { created, answer } = await deps.carry.join(partner.id, campaign.data, body.data.userRef);
    res.status(created ? 201 : 200).json({ userRef: body.data.userRef, ...answer });
  });

  router.get('/api/partner/queue/status', guard('GET', '/api/partner/queue/status'), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const ticket = req.get(TICKET_HEADER);
    if (!ticket)
      return sendProblem(res, 'INVALID_INPUT', {
        fields: {
          ticket: header('Send the ticket in the Khiw-Ticket header', 'กรุณาส่งบัตรคิวในส่วนหัว Khiw-Ticket'),
        },
      });
    res.json(await deps.carry.status(partnerOf(res).id, ticket));
  });

  // The app's user is done (booked, or gave up): the place goes to the next in line now.
  const releasePath = '/api/partner/queue/release';
  router.post(releasePath, guard('POST', releasePath), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const campaign = CampaignBody.safeParse(req.body ?? {});
    if (!campaign.success)
      return sendProblem(res, 'INVALID_INPUT', { fields: fieldErrorsOf(campaign.error) });
    const access = req.get(ACCESS_HEADER);
    if (!access) return sendProblem(res, 'INVALID_INPUT', { fields: { accessToken: ACCESS_MISSING } });
    await deps.carry.release(partnerOf(res).id, access, campaign.data.campaignId);
    res.status(204).end();
  });

  router.post('/api/partner/bookings', guard('POST', '/api/partner/bookings'), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const partner = partnerOf(res);
    const campaign = CampaignBody.safeParse(req.body ?? {});
    if (!campaign.success)
      return sendProblem(res, 'INVALID_INPUT', { fields: fieldErrorsOf(campaign.error) });
    const access = req.get(ACCESS_HEADER);
    if (partner.channel === 'app' && !access)
      return sendProblem(res, 'INVALID_INPUT', {
        fields: { accessToken: ACCESS_MISSING },
      });
    if (await limited(res, partner)) return;
    const campaignId = campaign.data.campaignId;
    // An app's user must have been admitted, and be this partner's user, before anything else.
    // Of the campaign in the body: another campaign's access token is TOKEN_WRONG_AUDIENCE.
    const claims = partner.channel === 'app' ? deps.tokens.verifyAccess(access!, campaignId) : undefined;
    if (claims) await deps.carry.assertOwner(partner.id, campaignId, claims.ticketId);
    const snapshot = await deps.catalog.snapshot(campaignId);
    if (!snapshot) return sendProblem(res, 'CAMPAIGN_NOT_FOUND');
    const now = new Date();
    const closed =
      channelRefusal(
        snapshot.channels.find((c) => c.channel === partner.channel),
        now,
      ) ?? (withinHours(partner.hours, now) ? null : 'CHANNEL_CLOSED');
    if (closed) return sendProblem(res, closed);
    const checked = await checkBookingBody(deps.catalog, campaignId, snapshot, req.body);
    if (!checked.ok) return sendProblem(res, 'INVALID_INPUT', { fields: checked.fields });

    const enteredBy = `partner:${partner.id}`;
    const answer = claims
      ? await deps.book.executeAdmitted({
          claims,
          input: checked.input,
          origin: { channel: 'app', enteredBy },
        })
      : await deps.book.execute({ campaignId, input: checked.input, channel: 'store', enteredBy });
    sendAssistedAnswer(res, answer);
  });

  return router;
}
