import fc from 'fast-check';
import { randomCitizenId } from '../support/env';
import type { FuzzBody } from './arbitraries';
import { requestOf, type RequestShape } from './request-arbitraries';
import type { Endpoint } from './fuzz-client';
import { csvBody, fuzzCitizenId } from './csv-arbitraries';

/** What the gateway fuzz knows that is valid, so a share of the requests goes deep. */
export interface GatewayFixtures {
  /** The residents' campaign (read and booked, never steered). */
  campaignId: string;
  /** The campaign ops routes steer (paused, sold out, reloaded, quotas moved). */
  adminCampaignId: string;
  adminCampaignFile: Record<string, unknown>;
  opsToken: string;
  staffToken: string;
  siteStaffToken: string;
  accessTokens: string[];
  tickets: string[];
  challenges: string[];
  bookingId: string;
  person: { citizenId: string; birthDate: string };
  slotId: string;
  /** Issue 11's ways in: a call-centre agent, an organisation with a cap, a partner's API key. */
  agentToken: string;
  organisationToken: string;
  partner: { id: string; secret: string };
}

const KB8 = 8 * 1024;
const FAKE_UUID = '00000000-0000-4000-8000-000000000000';

/** Every public, staff and ops route of the gateway (services/gateway/src/**\/*.routes.ts, main.ts). */
export function gatewayEndpoints(f: GatewayFixtures): Endpoint[] {
  const campaigns = [f.campaignId, f.adminCampaignId, 'no-such-campaign'];
  const operators = [f.opsToken, f.staffToken, f.siteStaffToken];
  const resident = { citizenId: f.person.citizenId, birthDate: f.person.birthDate };
  const citizens = [f.person.citizenId, randomCitizenId(), randomCitizenId()];
  const booking = {
    campaignId: f.campaignId,
    citizenId: resident.citizenId,
    firstName: 'สมชาย',
    lastName: 'ใจดี',
    birthDate: resident.birthDate,
    phone: '081-234-5678',
    groupCode: 'g1',
    siteId: 'SKH',
    slotId: f.slotId,
    provinceCode: '74',
  };
  // The resident (a match) now and then; else other valid IDs, each under its per-minute limit.
  const oneCitizen = (body: (citizenId: string) => Record<string, unknown>) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(body(resident.citizenId)) },
      { weight: 9, arbitrary: fuzzCitizenId.map(body) },
    );
  const ep = (name: string, shape: RequestShape, rawBody?: fc.Arbitrary<FuzzBody | undefined>): Endpoint => ({
    name,
    envelope: 'gateway',
    request: requestOf({ ...shape, ...(rawBody && { rawBody }) }),
  });
  const admin = [f.adminCampaignId];
  const endpoints = [
    // Residents: the waiting room.
    ep('GET /api/queue/status', {
      method: 'GET',
      path: ['/api/queue/status'],
      query: { campaignId: campaigns },
      tokens: [...f.tickets, ...f.accessTokens],
    }),
    ep('GET /api/campaigns/:id/queue/challenge', {
      method: 'GET',
      path: ['/api/campaigns/', campaigns, '/queue/challenge'],
    }),
    ep('POST /api/campaigns/:id/queue', {
      method: 'POST',
      path: ['/api/campaigns/', campaigns, '/queue'],
      tokens: f.tickets,
      body: { valid: { challenge: f.challenges[0]!, nonce: '0', ticket: f.tickets[0]! }, limitBytes: KB8 },
    }),
    ep('GET /api/campaigns/:id/queue/state', {
      method: 'GET',
      path: ['/api/campaigns/', campaigns, '/queue/state'],
    }),
    ep('GET /.well-known/jwks.json', { method: 'GET', path: ['/.well-known/jwks.json'] }),
    // Residents: campaigns and bookings.
    ep('GET /api/campaigns', { method: 'GET', path: ['/api/campaigns'] }),
    ep('GET /api/campaigns/:id', { method: 'GET', path: ['/api/campaigns/', campaigns] }),
    ep('GET /api/campaigns/:id/sites/:site/slots', {
      method: 'GET',
      path: ['/api/campaigns/', campaigns, '/sites/', ['SKH', 'KTB', 'NOPE'], '/slots'],
    }),
    ep('POST /api/bookings', {
      method: 'POST',
      path: ['/api/bookings'],
      tokens: f.accessTokens,
      body: { valid: booking, limitBytes: KB8 },
    }),
    ep('GET /api/bookings/requests/:id', {
      method: 'GET',
      path: ['/api/bookings/requests/', ['r-unknown', FAKE_UUID, `${f.campaignId}.x`]],
    }),
    // Residents: self-service (rate-limited per network and per citizen).
    ep('GET /api/appointments/lookup', {
      method: 'GET',
      path: ['/api/appointments/lookup'],
      query: { campaignId: campaigns, citizenId: citizens, birthDate: [resident.birthDate, '1999-02-30'] },
    }),
    ep('POST /api/appointments/lookup', {
      method: 'POST',
      path: ['/api/appointments/lookup'],
      body: {
        valid: oneCitizen((citizenId) => ({ campaignId: f.campaignId, ...resident, citizenId })),
        limitBytes: KB8,
      },
    }),
    ep('POST /api/appointments/:id/cancel', {
      method: 'POST',
      path: ['/api/appointments/', [FAKE_UUID, f.bookingId], '/cancel'],
      tokens: [f.staffToken, 'x.y.z'],
      body: {
        valid: oneCitizen((citizenId) => ({ citizenId, birthDate: resident.birthDate })),
        limitBytes: KB8,
      },
    }),
    ep('POST /api/appointments/:id/reschedule', {
      method: 'POST',
      path: ['/api/appointments/', [FAKE_UUID, f.bookingId], '/reschedule'],
      body: {
        valid: oneCitizen((citizenId) => ({ ...resident, citizenId, slotId: f.slotId })),
        limitBytes: KB8,
      },
    }),
    // Every other way in (issue 11): an agent books for a person, an organisation uploads its
    // list, a partner exchanges its credentials.
    ep('POST /api/agent/bookings', {
      method: 'POST',
      path: ['/api/agent/bookings'],
      tokens: [f.agentToken, f.staffToken],
      body: { valid: oneCitizen((citizenId) => ({ ...booking, citizenId })), limitBytes: KB8 },
    }),
    ep(
      'POST /api/organisation/uploads',
      {
        method: 'POST',
        path: ['/api/organisation/uploads'],
        query: { campaignId: campaigns },
        tokens: [f.organisationToken, f.opsToken],
      },
      csvBody,
    ),
    ep('POST /api/partner/token', {
      method: 'POST',
      path: ['/api/partner/token'],
      body: {
        valid: fc.constantFrom(
          { grant_type: 'client_credentials', client_id: f.partner.id, client_secret: f.partner.secret },
          {
            grant_type: 'client_credentials',
            client_id: f.partner.id,
            client_secret: 'pk_wrong-wrong-wrong-wrong',
          },
        ),
        limitBytes: KB8,
      },
    }),
    // Staff.
    ep('GET /api/staff/me', { method: 'GET', path: ['/api/staff/me'], tokens: operators }),
    ep('GET /api/staff/campaigns/:id/roster', {
      method: 'GET',
      path: ['/api/staff/campaigns/', campaigns, '/roster'],
      query: { site: ['SKH', 'KTB'], date: ['2021-08-02'], q: ['สมชาย', '1234'] },
      tokens: operators,
    }),
    ep('GET /api/staff/campaigns/:id/roster.csv', {
      method: 'GET',
      path: ['/api/staff/campaigns/', campaigns, '/roster.csv'],
      query: { site: ['SKH'], date: ['2021-08-02'] },
      tokens: operators,
    }),
    ep('POST /api/staff/campaigns/:id/bookings/:bid/check-in', {
      method: 'POST',
      path: ['/api/staff/campaigns/', campaigns, '/bookings/', [FAKE_UUID], '/check-in'],
      query: { site: ['SKH'] },
      tokens: operators,
      body: { valid: { site: 'SKH' }, limitBytes: KB8 },
    }),
    // Ops: waiting room, campaigns, quotas, roster figures, registry, console.
    ep('PATCH /api/admin/campaigns/:id/waiting-room', {
      method: 'PATCH',
      path: ['/api/admin/campaigns/', admin, '/waiting-room'],
      tokens: operators,
      body: { valid: { outflowPerMinute: 600, maxActive: 1000 }, limitBytes: KB8 },
    }),
    ep('GET /api/admin/campaigns/:id/stats', {
      method: 'GET',
      path: ['/api/admin/campaigns/', campaigns, '/stats'],
      tokens: operators,
    }),
    ep('POST /api/admin/campaigns/:id/sold-out', {
      method: 'POST',
      path: ['/api/admin/campaigns/', [...admin, 'no-such-campaign'], '/sold-out'],
      tokens: operators,
    }),
    ep('PUT /api/admin/campaigns/:id', {
      method: 'PUT',
      path: ['/api/admin/campaigns/', admin],
      tokens: operators,
      body: { valid: f.adminCampaignFile, limitBytes: 2 * 1024 * 1024 },
    }),
    ep('PATCH /api/admin/campaigns/:id/groups/:code', {
      method: 'PATCH',
      path: ['/api/admin/campaigns/', admin, '/groups/', ['g1', 'g2', 'zz']],
      tokens: operators,
      body: { valid: { quota: 2 }, limitBytes: KB8 },
    }),
    ep('POST /api/admin/campaigns/:id/quota-transfers', {
      method: 'POST',
      path: ['/api/admin/campaigns/', admin, '/quota-transfers'],
      tokens: operators,
      body: { valid: { from: 'g1', to: 'g2', doses: 0 }, limitBytes: KB8 },
    }),
    ep('GET /api/admin/campaigns/:id/roster/counts', {
      method: 'GET',
      path: ['/api/admin/campaigns/', campaigns, '/roster/counts'],
      tokens: operators,
    }),
    ep('GET /api/admin/campaigns/:id/registry-export.csv', {
      method: 'GET',
      path: ['/api/admin/campaigns/', campaigns, '/registry-export.csv'],
      query: { status: ['checked_in'] },
      tokens: operators,
    }),
    ep(
      'POST /api/admin/registry/vaccinated',
      {
        method: 'POST',
        path: ['/api/admin/registry/vaccinated'],
        query: { source: ['fuzz-import', 'a.b_c'], mode: ['skip-bad', 'all-or-nothing'] },
        tokens: operators,
      },
      csvBody,
    ),
    ep('GET /api/admin/ops/overview', {
      method: 'GET',
      path: ['/api/admin/ops/overview'],
      query: { campaignId: campaigns },
      tokens: operators,
    }),
    ep('GET /api/admin/ops/history', {
      method: 'GET',
      path: ['/api/admin/ops/history'],
      query: { campaignId: campaigns },
      tokens: operators,
    }),
    ep('GET /api/admin/campaigns/:id/audit', {
      method: 'GET',
      path: ['/api/admin/campaigns/', campaigns, '/audit'],
      query: { limit: ['1', '50', '200'] },
      tokens: operators,
    }),
    ep('POST /api/admin/ops/session', {
      method: 'POST',
      path: ['/api/admin/ops/session'],
      tokens: operators,
    }),
    ep('DELETE /api/admin/ops/session', {
      method: 'DELETE',
      path: ['/api/admin/ops/session'],
      tokens: operators,
    }),
    ep('GET /ops/queues (bull-board)', {
      method: 'GET',
      path: ['/ops/queues/', ['', 'api', 'queue'], '/', ['queues', 'booking', 'sms']],
      query: { activeQueue: ['booking'], status: ['failed', 'latest'], page: ['1'] },
      tokens: operators,
    }),
    ep('any method, unknown /api path', {
      method: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND'],
      path: ['/api/', ['nothing', 'bookings/requests/', 'campaigns/x/y/z', 'admin']],
      tokens: operators,
    }),
  ];
  // bull-board's own API answers a bad query in its own JSON (`code: INVALID_REQUEST`): its page reads that.
  const board = endpoints.find((e) => e.name.startsWith('GET /ops/queues'))!;
  board.documented = (status, text) => status === 400 && /"code":"INVALID_REQUEST"/.test(text);
  return endpoints;
}
