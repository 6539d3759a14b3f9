import type { PartnerChannel } from '../partners/partner-registry';
import type { OpsRole } from '../waiting-room/tokens/queue-tokens';

/**
 * Who may call each route of the gateway: the one place that says it. The operator routes'
 * middleware is built from it (authorize.ts), the gateway refuses to start when a mounted
 * route has no entry here or an entry names no mounted route (route-inventory.ts), the
 * authorization table in docs/reliability.md is rendered from it (authz-table.ts), and
 * test/authorization.int.test.ts walks it with every kind of caller.
 */

/** `USE`: a path prefix mounted as a whole (bull-board, the /api 404 fallback). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'USE';

/**
 * Roles whose tokens act for one site only (the token's `site` claim). An agent is bound
 * when its token names a site (a walk-in counter; its token must); a call-centre agent books
 * at every site.
 */
export const SITE_BOUND_ROLES: readonly OpsRole[] = ['staff'];

/** Whether this token acts for its own site only. */
export function siteBound(operator: { role: OpsRole; site?: string }): boolean {
  return (
    SITE_BOUND_ROLES.includes(operator.role) || (operator.role === 'agent' && operator.site !== undefined)
  );
}

/** The roster's and the console's readers: not agents. */
const STAFF_AND_OPS: readonly OpsRole[] = ['ops', 'staff'];

/**
 * Which campaign the route acts on, checked against the token's `campaign` claim (a token
 * without one may act on every campaign):
 * - `path`: `:campaignId`; `query`: `?campaignId=`; `body`: the body's `campaignId`;
 * - `booking`: the booking's own campaign, which only the booking worker knows: the gateway
 *   passes the claim on and another campaign's booking is answered 404 NOT_FOUND;
 * - `every`: the route spans every campaign (national registry, every queue's jobs): only a
 *   token without a campaign claim;
 * - `none`: not about a campaign (who am I, the session cookie).
 */
export type CampaignRule = 'path' | 'query' | 'body' | 'booking' | 'every' | 'none';

/**
 * Which site the route acts on, for SITE_BOUND_ROLES (other roles reach every site):
 * - `asked`: the site named by `?site=` (or the body's `site`): a site-bound token must have a
 *   site (403 SITE_SCOPE_REQUIRED), may omit the name (its own is used) and may not name
 *   another (403 SITE_FORBIDDEN); other roles must name one;
 * - `booking`: the booking's own site, which only the service knows: a site-bound token must
 *   have a site, and another site's booking is answered 404 NOT_FOUND (nothing disclosed);
 * - `none`: not about a site.
 */
export type SiteRule = 'asked' | 'booking' | 'none';

export type RouteAccess =
  /** Anyone: public information, or a route rate-limited per network. */
  | { kind: 'public' }
  /** A queue ticket of the campaign (`optional`: joining without one gets a new ticket). */
  | { kind: 'ticket'; optional?: true }
  /** An access token of the campaign the body names (its own campaign when none is named). */
  | { kind: 'access' }
  /** Whoever holds the request id: an HMAC of the citizen ID under a server secret. */
  | { kind: 'request-id' }
  /** Citizen ID and birth date of the booking's own person, in the body or query. */
  | { kind: 'identity' }
  /**
   * A partner token (audience khiw-partner, from POST /api/partner/token) of a partner still
   * registered whose channel is one of `channels` (src/partners/partner-guard.ts).
   */
  | { kind: 'partner'; channels: readonly PartnerChannel[] }
  /**
   * A staff or ops token (audience khiw-ops) of one of `roles`, then its campaign and site.
   * `orIdentity`: without an Authorization header the resident's identity route is taken.
   * `cookie`: the token may come in the ops session cookie (pages that cannot send a header).
   */
  | {
      kind: 'operator';
      roles: readonly OpsRole[];
      campaign: CampaignRule;
      site: SiteRule;
      orIdentity?: true;
      cookie?: true;
    };

export interface RoutePolicy {
  method: HttpMethod;
  /** The express path, exactly as the route is declared. */
  path: string;
  access: RouteAccess;
  /** Mounted by the shared service app (@khiw/observability), which may leave it out. */
  optional?: true;
}

const ops = (campaign: CampaignRule, extra: { cookie?: true } = {}): RouteAccess => ({
  kind: 'operator',
  roles: ['ops'],
  campaign,
  site: 'none',
  ...extra,
});
const staffOrOps = (campaign: CampaignRule, site: SiteRule): RouteAccess => ({
  kind: 'operator',
  roles: STAFF_AND_OPS,
  campaign,
  site,
});
const agent = (campaign: CampaignRule, site: SiteRule): RouteAccess => ({
  kind: 'operator',
  roles: ['agent'],
  campaign,
  site,
});
const organisation = (campaign: CampaignRule): RouteAccess => ({
  kind: 'operator',
  roles: ['organisation'],
  campaign,
  site: 'none',
});
const PUBLIC: RouteAccess = { kind: 'public' };

export const ROUTE_POLICIES: readonly RoutePolicy[] = [
  // Health and metrics (every service has them).
  { method: 'GET', path: '/healthz', access: PUBLIC, optional: true },
  { method: 'GET', path: '/readyz', access: PUBLIC, optional: true },
  { method: 'GET', path: '/metrics', access: PUBLIC, optional: true },

  // The waiting room, as residents see it.
  { method: 'GET', path: '/.well-known/jwks.json', access: PUBLIC },
  { method: 'GET', path: '/api/queue/status', access: { kind: 'ticket' } },
  { method: 'GET', path: '/api/campaigns/:campaignId/queue/challenge', access: PUBLIC },
  { method: 'POST', path: '/api/campaigns/:campaignId/queue', access: { kind: 'ticket', optional: true } },
  { method: 'GET', path: '/api/campaigns/:campaignId/queue/state', access: PUBLIC },
  { method: 'GET', path: '/api/campaigns', access: PUBLIC },
  { method: 'GET', path: '/api/campaigns/:campaignId', access: PUBLIC },
  { method: 'GET', path: '/api/campaigns/:campaignId/sites/:siteId/slots', access: PUBLIC },

  // Booking and self-service.
  { method: 'POST', path: '/api/bookings', access: { kind: 'access' } },
  // Done booking: the active place goes to the next in line (idempotent, 204).
  { method: 'POST', path: '/api/queue/release', access: { kind: 'access' } },
  { method: 'GET', path: '/api/bookings/requests/:requestId', access: { kind: 'request-id' } },
  { method: 'GET', path: '/api/appointments/lookup', access: { kind: 'identity' } },
  { method: 'POST', path: '/api/appointments/lookup', access: { kind: 'identity' } },
  {
    method: 'POST',
    path: '/api/appointments/:bookingId/cancel',
    access: {
      kind: 'operator',
      roles: ['ops', 'staff', 'agent'],
      campaign: 'booking',
      site: 'booking',
      orIdentity: true,
    },
  },
  { method: 'POST', path: '/api/appointments/:bookingId/reschedule', access: { kind: 'identity' } },

  // Site staff (and ops) on the roster.
  { method: 'GET', path: '/api/staff/me', access: staffOrOps('none', 'none') },
  { method: 'GET', path: '/api/staff/campaigns/:campaignId/roster', access: staffOrOps('path', 'asked') },
  { method: 'GET', path: '/api/staff/campaigns/:campaignId/roster.csv', access: staffOrOps('path', 'asked') },
  {
    method: 'POST',
    path: '/api/staff/campaigns/:campaignId/bookings/:bookingId/check-in',
    access: staffOrOps('path', 'asked'),
  },

  // Agents (call centre, walk-in counters) book, find, move and cancel for the person there.
  { method: 'GET', path: '/api/agent/me', access: agent('none', 'none') },
  { method: 'POST', path: '/api/agent/bookings', access: agent('body', 'asked') },
  { method: 'GET', path: '/api/agent/bookings', access: agent('query', 'none') },

  // Organisations (companies, temples, schools) upload a list and read only their own uploads.
  { method: 'POST', path: '/api/organisation/uploads', access: organisation('query') },
  { method: 'GET', path: '/api/organisation/uploads/:uploadId', access: organisation('none') },
  { method: 'GET', path: '/api/organisation/uploads/:uploadId/results.csv', access: organisation('none') },

  // Partner apps and stores (machine clients): credentials for a token, then by channel.
  { method: 'GET', path: '/api/partner/openapi.json', access: PUBLIC },
  { method: 'POST', path: '/api/partner/token', access: PUBLIC },
  {
    method: 'POST',
    path: '/api/partner/campaigns/:campaignId/queue',
    access: { kind: 'partner', channels: ['app'] },
  },
  { method: 'GET', path: '/api/partner/queue/status', access: { kind: 'partner', channels: ['app'] } },
  { method: 'POST', path: '/api/partner/bookings', access: { kind: 'partner', channels: ['app', 'store'] } },
  { method: 'POST', path: '/api/partner/queue/release', access: { kind: 'partner', channels: ['app'] } },

  // Ops: the waiting room's controls, campaign set-up, registry, the console.
  { method: 'PATCH', path: '/api/admin/campaigns/:campaignId/waiting-room', access: ops('path') },
  { method: 'GET', path: '/api/admin/campaigns/:campaignId/stats', access: staffOrOps('path', 'none') },
  { method: 'POST', path: '/api/admin/campaigns/:campaignId/sold-out', access: ops('path') },
  { method: 'PUT', path: '/api/admin/campaigns/:campaignId', access: ops('path') },
  { method: 'PATCH', path: '/api/admin/campaigns/:campaignId/groups/:code', access: ops('path') },
  {
    method: 'PUT',
    path: '/api/admin/campaigns/:campaignId/organisations/:organisationId',
    access: ops('path'),
  },
  { method: 'POST', path: '/api/admin/campaigns/:campaignId/quota-transfers', access: ops('path') },
  { method: 'GET', path: '/api/admin/campaigns/:campaignId/roster/counts', access: ops('path') },
  { method: 'GET', path: '/api/admin/campaigns/:campaignId/registry-export.csv', access: ops('path') },
  { method: 'GET', path: '/api/admin/campaigns/:campaignId/audit', access: ops('path') },
  { method: 'POST', path: '/api/admin/registry/vaccinated', access: ops('every') },
  { method: 'POST', path: '/api/admin/registry/lists/:list', access: ops('every') },
  { method: 'GET', path: '/api/admin/ops/overview', access: ops('query') },
  { method: 'GET', path: '/api/admin/ops/history', access: ops('query') },
  // Signing in to the console: any ops token; the cookie only opens bull-board, checked there.
  { method: 'POST', path: '/api/admin/ops/session', access: ops('none') },
  // Signing out drops a cookie: nothing to protect, and an expired token must still sign out.
  { method: 'DELETE', path: '/api/admin/ops/session', access: PUBLIC },
  // bull-board lists every campaign's jobs with their personal data.
  { method: 'USE', path: '/ops/queues', access: ops('every', { cookie: true }) },

  // Anything else under /api: the JSON 404.
  { method: 'USE', path: '/api', access: PUBLIC },
];

export const policyKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

const BY_KEY = new Map(ROUTE_POLICIES.map((policy) => [policyKey(policy.method, policy.path), policy]));

/** The policy of a route; throws (at start-up, when routes are built) for a route without one. */
export function policyOf(method: HttpMethod, path: string): RoutePolicy {
  const policy = BY_KEY.get(policyKey(method, path));
  if (!policy) throw new Error(`no route policy for ${policyKey(method, path)} (src/auth/route-policy.ts)`);
  return policy;
}
