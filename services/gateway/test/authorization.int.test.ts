import { randomUUID } from 'node:crypto';
import express from 'express';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { eventually, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { internalRoutes } from '../../booking-worker/src/http/internal.routes';
import { opsAuditRoutes } from '../../booking-worker/src/ops/ops-audit.routes';
import { registryRoutes } from '../../booking-worker/src/registry/registry.routes';
import { KTB, newCampaignId, person, SKH, tinyCampaign } from '../../booking-worker/test/worker-fixtures';
import { rosterRoutes } from '../../roster/src/http/roster.routes';
import { CALLERS, expectedAnswer, type Caller, type Expected } from '../src/auth/authz-table';
import { routeInventory } from '../src/auth/route-inventory';
import { ROUTE_POLICIES, type RoutePolicy } from '../src/auth/route-policy';
import { solveProofOfWork } from '../src/waiting-room/proof-of-work';
import type { HttpAnswer } from './booking-fixtures';
import { gatewayWithWorker, INTERNAL_TOKEN } from './gateway-with-worker';
import { apiKey, partnersEnv } from './partner-fixtures';

/**
 * Walks ROUTE_POLICIES (src/auth/route-policy.ts) with every kind of caller against a real
 * gateway, booking worker and roster: each answer is the one authz-table.ts derives from the
 * policy (the same table docs/reliability.md shows), allowed (neither 401 nor 403, no 5xx)
 * or refused with its status and error envelope. A route mounted without a policy stops the
 * gateway at start-up (assertRoutePolicies in main.ts), so this file cannot pass with one.
 * Then the booking worker's and roster's internal APIs: every route (read from their
 * routers) refuses anything but the internal token with 401 UNAUTHORIZED.
 */
const rosterNamespace = uniqueNamespace('authz-roster');
let roster: RunningService | undefined;
// Before gatewayWithWorker's own beforeAll (hooks run in order): the gateway needs its port.
beforeAll(async () => {
  await createTopics(rosterNamespace);
  roster = await startService('roster', rosterNamespace, { INTERNAL_API_TOKEN: INTERNAL_TOKEN });
});
afterAll(async () => {
  const code = await roster?.stop();
  await deleteTopics(rosterNamespace);
  expect(code).toBe(0);
});

// A partner of each channel, to walk the partner routes (and every other route) with its token.
const partnerKeys = { app: apiKey('app-1'), store: apiKey('store-1') } as const;
const env = gatewayWithWorker('authz', () => ({
  ROSTER_API_URL: `http://127.0.0.1:${roster!.port}`,
  PARTNERS: partnersEnv([
    { id: 'authz-app', channel: 'app', keys: [partnerKeys.app.entry] },
    { id: 'authz-store', channel: 'store', keys: [partnerKeys.store.entry] },
  ]),
  // Rate limits off: 13 callers from one address must reach the authorization checks.
  SELF_SERVICE_PER_CITIZEN_PER_MINUTE: '0',
  SELF_SERVICE_PER_NETWORK_PER_MINUTE: '0',
  WAITING_ROOM_JOINS_PER_NETWORK_PER_MINUTE: '0',
}));

const campaignId = newCampaignId('authz');
const otherCampaign = newCampaignId('authz-other');
const DAY = '2021-08-02';
let bookingId = '';
const tokenOf = new Map<string, string | undefined>();

beforeAll(async () => {
  await env.loadThroughGateway(tinyCampaign(campaignId, { times: ['09:00', '10:00'] }));
  bookingId = await env.booked(campaignId, person(), 'g1', SKH, '09:00');
  // The organisation callers' organisation has a cap, so its upload reaches the list's checks.
  const cap = await env.call('PUT', `/api/admin/campaigns/${campaignId}/organisations/organisation`, {
    token: env.opsToken,
    body: { name: 'Authz Co', cap: 10 },
  });
  expect(cap.status).toBe(200);

  // A real ticket and access token of the campaign, through the waiting room.
  const { body: challenge } = await env.call('GET', `/api/campaigns/${campaignId}/queue/challenge`);
  const joined = await env.call('POST', `/api/campaigns/${campaignId}/queue`, {
    body: {
      challenge: challenge.challenge,
      nonce: solveProofOfWork(challenge.challenge, challenge.difficulty),
    },
  });
  expect(joined.status).toBe(201);
  const ticket = joined.body.ticket as string;
  const access = await eventually(
    async () => {
      const status = await env.call('GET', '/api/queue/status', { token: ticket });
      return status.body.state === 'admitted' ? (status.body.accessToken as string) : undefined;
    },
    20_000,
    'admission',
  );
  const partnerToken: Record<string, string> = {};
  for (const [channel, key] of Object.entries(partnerKeys)) {
    const answer = await env.call('POST', '/api/partner/token', {
      body: { grant_type: 'client_credentials', client_id: `authz-${channel}`, client_secret: key.secret },
    });
    expect(answer.status).toBe(200);
    partnerToken[channel] = answer.body.access_token as string;
  }
  for (const caller of CALLERS)
    tokenOf.set(caller.id, caller.partner ? partnerToken[caller.partner] : tokenFor(caller, ticket, access));
});

function tokenFor(caller: Caller, ticket: string, access: string): string | undefined {
  const campaign =
    caller.campaign === 'same' ? campaignId : caller.campaign === 'other' ? otherCampaign : undefined;
  switch (caller.token) {
    case 'none':
      return undefined;
    case 'garbage':
      return 'not-a-token';
    case 'expired':
      return env.tokens.signOps({ subject: 'late', role: 'ops', ttlSeconds: -60 });
    case 'ticket':
      return ticket;
    case 'access':
      return caller.campaign === 'same'
        ? access
        : env.tokens.signAccess({
            ticketId: 'other-ticket',
            campaignId: otherCampaign,
            queueNumber: 1,
            maxBookings: 1,
            expiresAtMs: Date.now() + 600_000,
          });
    case 'partner':
      return undefined; // from POST /api/partner/token, in beforeAll
    case 'operator':
      return env.tokens.signOps({
        subject: caller.id,
        role: caller.role!,
        ttlSeconds: 600,
        ...(caller.site && { site: caller.site === 'same' ? SKH : KTB }),
        ...(campaign && { campaign }),
        ...(caller.channel && { channel: caller.channel }),
      });
  }
}

/** A concrete request for a policy: its path filled in, the site and campaign named. */
function requestFor(policy: RoutePolicy): { method: string; path: string; body?: unknown } {
  let path = policy.path
    .replace(':campaignId', campaignId)
    .replace(':bookingId', bookingId)
    .replace(':code', 'g1')
    .replace(':siteId', SKH)
    .replace(':requestId', `${campaignId}.${'x'.repeat(22)}`)
    .replace(':organisationId', 'organisation')
    .replace(':uploadId', randomUUID());
  if (policy.method === 'USE') path = policy.path === '/api' ? '/api/no-such-route' : path;
  if (path.startsWith('/api/staff/campaigns/')) path += `?site=${SKH}&date=${DAY}`;
  if (path === '/api/queue/status' || path.startsWith('/api/admin/ops/')) path += `?campaignId=${campaignId}`;
  if (path.startsWith('/api/agent/')) path += `?campaignId=${campaignId}&phone=%2B66812345678`;
  if (path === '/api/organisation/uploads') path += `?campaignId=${campaignId}`;
  const method = policy.method === 'USE' ? 'GET' : policy.method;
  // The registry import streams its body to the worker: none (and a bad mode) changes nothing.
  if (path === '/api/admin/registry/vaccinated' || path.startsWith('/api/admin/registry/lists/'))
    return { method, path: `${path.replace(':list', 'works-in-bangkok')}?mode=none` };
  const body =
    method === 'GET' || method === 'DELETE'
      ? undefined
      : path.startsWith('/api/agent/')
        ? { campaignId, siteId: SKH }
        : { campaignId };
  return { method, path, body };
}

/** What is wrong with an answer, or undefined when it is what the policy says. */
function mismatch(answer: HttpAnswer, expected: Expected): string | undefined {
  if (expected.allowed) {
    if (answer.status === 401 || answer.status === 403 || answer.status >= 500) {
      return `allowed, but got ${answer.status} ${String(answer.body.error?.code)}`;
    }
    return undefined;
  }
  const error = answer.body.error as { code?: string; message?: { th?: string; en?: string } } | undefined;
  const got = `${answer.status} ${String(error?.code)}`;
  if (got !== `${expected.status} ${expected.code}`)
    return `expected ${expected.status} ${expected.code}, got ${got}`;
  if (!/[\u0E00-\u0E7F]/.test(error?.message?.th ?? '') || !error?.message?.en)
    return 'envelope lacks th/en message';
  if (answer.status === 401 && !answer.headers.get('www-authenticate')) return '401 without WWW-Authenticate';
  return undefined;
}

// The one route that changes what every later answer sees goes last.
const walk = [...ROUTE_POLICIES].sort(
  (a, b) => Number(a.path.endsWith('/sold-out')) - Number(b.path.endsWith('/sold-out')),
);

describe('every gateway route answers every caller as its policy says', () => {
  it.each(walk.map((policy) => [`${policy.method} ${policy.path}`, policy] as const))(
    '%s',
    async (_name, policy) => {
      const { method, path, body } = requestFor(policy);
      const problems: string[] = [];
      for (const caller of CALLERS) {
        const answer = await env.call(method, path, { token: tokenOf.get(caller.id), body });
        const wrong = mismatch(answer, expectedAnswer(policy.access, caller));
        if (wrong) problems.push(`${caller.label}: ${wrong}`);
      }
      expect(problems).toEqual([]);
    },
  );

  it('left the booking cancelled by the staff of its own site, not by another site or campaign', async () => {
    const [row] = await env.prisma.$queryRaw<{ cancelled_by: string | null }[]>`
      SELECT cancelled_by FROM booking.bookings WHERE id = ${bookingId}::uuid`;
    expect(row?.cancelled_by).toBe('staff:staff');
  });
});

describe('the internal APIs take only the internal token', () => {
  const stub = {} as never;
  const inventory = (router: express.Router) => {
    const app = express();
    app.use(router);
    return routeInventory(app).filter((route) => route.path.startsWith('/internal'));
  };
  const worker = [
    ...inventory(registryRoutes({ importRegistry: stub, logger: stub, token: 'x'.repeat(16) })),
    ...inventory(
      opsAuditRoutes({ recordAuditEntry: stub, listAuditEntries: stub, logger: stub, token: 'x'.repeat(16) }),
    ),
    ...inventory(internalRoutes({ ...(stub as object), logger: stub } as never)),
  ].filter((route) => route.method !== 'USE');
  const rosterApi = inventory(rosterRoutes({ ...(stub as object) } as never)).filter(
    (r) => r.method !== 'USE',
  );

  const concrete = (path: string) =>
    path
      .replace(':campaignId', campaignId)
      .replace(':siteId', SKH)
      .replace(':bookingId', randomUUID())
      .replace(':requestId', 'no-such-request')
      .replace(':code', 'g1');

  const callers = [
    { label: 'no token', headers: {} as Record<string, string>, allowed: false },
    {
      label: 'wrong internal token',
      headers: { [INTERNAL_TOKEN_HEADER]: 'wrong-token-of-32-characters-xxx' },
      allowed: false,
    },
    { label: "an ops bearer (the gateway's, not the internal one)", headers: {}, allowed: false, ops: true },
    { label: 'the internal token', headers: { [INTERNAL_TOKEN_HEADER]: INTERNAL_TOKEN }, allowed: true },
  ];

  // As listed in docs/reliability.md: a new internal route fails here until it is listed there.
  it('walks every internal route, as the docs list them', () => {
    const keys = (routes: { method: string; path: string }[]) => routes.map((r) => `${r.method} ${r.path}`);
    expect(keys(worker)).toEqual([
      'POST /internal/registry/vaccinated',
      'POST /internal/registry/lists/:list',
      'POST /internal/ops/audit',
      'GET /internal/ops/audit',
      'POST /internal/appointments/lookup',
      'GET /internal/requests/:requestId',
      'POST /internal/bookings/:bookingId/cancel',
      'POST /internal/bookings/:bookingId/reschedule',
      'PUT /internal/campaigns/:campaignId',
      'PATCH /internal/campaigns/:campaignId/groups/:code',
      'POST /internal/campaigns/:campaignId/quota-transfers',
      'PUT /internal/campaigns/:campaignId/organisations/:organisationId',
      'GET /internal/campaigns/:campaignId/organisations/:organisationId',
    ]);
    expect(keys(rosterApi)).toEqual([
      'POST /internal/lookup',
      'GET /internal/campaigns/:campaignId/sites/:siteId/roster',
      'GET /internal/campaigns/:campaignId/sites/:siteId/roster.csv',
      'POST /internal/bookings/:bookingId/check-in',
      'GET /internal/campaigns/:campaignId/counts',
      'GET /internal/campaigns/:campaignId/bookings',
      'GET /internal/campaigns/:campaignId/entered',
      'GET /internal/campaigns/:campaignId/registry-export.csv',
    ]);
  });

  it.each([
    ['booking worker', () => env.workerBase(), worker],
    ['roster', () => `http://127.0.0.1:${roster!.port}`, rosterApi],
  ] as const)('%s', async (_name, base, routes) => {
    const problems: string[] = [];
    for (const route of routes) {
      // A bad mode: the registry import, when let in, refuses before reading anything.
      const path = `${concrete(route.path)}${route.path.includes('registry/vaccinated') ? '?mode=none' : ''}`;
      for (const caller of callers) {
        const hasBody = route.method !== 'GET';
        const response = await fetch(`${base()}${path}`, {
          method: route.method,
          headers: {
            ...caller.headers,
            ...(caller.ops && { authorization: `Bearer ${env.opsToken}` }),
            ...(hasBody && { 'content-type': 'application/json' }),
          },
          body: hasBody ? '{}' : undefined,
        });
        const text = await response.text();
        const refusedRight = response.status === 401 && JSON.parse(text).code === 'UNAUTHORIZED';
        const allowedRight = response.status !== 401 && response.status !== 403 && response.status < 500;
        if (caller.allowed ? !allowedRight : !refusedRight) {
          problems.push(
            `${route.method} ${route.path}, ${caller.label}: ${response.status} ${text.slice(0, 80)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
