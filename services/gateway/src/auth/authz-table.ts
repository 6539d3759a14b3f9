import type { PartnerChannel } from '../partners/partner-registry';
import type { AgentChannel, OpsRole } from '../waiting-room/tokens/queue-tokens';
import { ROUTE_POLICIES, siteBound, type RouteAccess, type RoutePolicy } from './route-policy';

/**
 * What each kind of caller gets from each route, derived from ROUTE_POLICIES alone: the
 * authorization table of docs/reliability.md is rendered from it, and
 * test/authorization.int.test.ts asserts the running gateway answers exactly this.
 */

/** A kind of caller. `campaign` and `site` are relative to the route's campaign and site. */
export interface Caller {
  id: string;
  label: string;
  token: 'none' | 'garbage' | 'expired' | 'ticket' | 'access' | 'operator' | 'partner';
  /** A ticket's or access token's campaign; an operator token's `campaign` claim (none: unscoped). */
  campaign?: 'same' | 'other';
  role?: OpsRole;
  site?: 'same' | 'other';
  /** An agent's channel (a walk-in counter has a site). */
  channel?: AgentChannel;
  /** A partner's channel (a partner token from POST /api/partner/token). */
  partner?: PartnerChannel;
}

export const CALLERS: readonly Caller[] = [
  { id: 'anonymous', label: 'no token', token: 'none' },
  { id: 'garbage', label: 'garbage token', token: 'garbage' },
  { id: 'expired', label: 'expired token', token: 'expired' },
  { id: 'ticket', label: 'queue ticket', token: 'ticket', campaign: 'same' },
  { id: 'access', label: 'access token', token: 'access', campaign: 'same' },
  { id: 'access-other', label: 'access token, other campaign', token: 'access', campaign: 'other' },
  { id: 'staff', label: 'staff of the site', token: 'operator', role: 'staff', site: 'same' },
  { id: 'staff-other-site', label: 'staff of another site', token: 'operator', role: 'staff', site: 'other' },
  { id: 'staff-no-site', label: 'staff without site', token: 'operator', role: 'staff' },
  {
    id: 'staff-other-campaign',
    label: 'staff of the site, other campaign',
    token: 'operator',
    role: 'staff',
    site: 'same',
    campaign: 'other',
  },
  { id: 'ops', label: 'ops', token: 'operator', role: 'ops' },
  { id: 'ops-campaign', label: 'ops of the campaign', token: 'operator', role: 'ops', campaign: 'same' },
  {
    id: 'ops-other-campaign',
    label: 'ops of another campaign',
    token: 'operator',
    role: 'ops',
    campaign: 'other',
  },
  { id: 'agent', label: 'call-centre agent', token: 'operator', role: 'agent', channel: 'call_center' },
  {
    id: 'agent-counter',
    label: 'walk-in counter of the site',
    token: 'operator',
    role: 'agent',
    channel: 'walk_in',
    site: 'same',
  },
  {
    id: 'agent-counter-other-site',
    label: 'walk-in counter of another site',
    token: 'operator',
    role: 'agent',
    channel: 'walk_in',
    site: 'other',
  },
  { id: 'organisation', label: 'organisation', token: 'operator', role: 'organisation', campaign: 'same' },
  {
    id: 'organisation-other-campaign',
    label: 'organisation, other campaign',
    token: 'operator',
    role: 'organisation',
    campaign: 'other',
  },
  { id: 'partner-app', label: 'partner app', token: 'partner', partner: 'app' },
  { id: 'partner-store', label: 'partner store', token: 'partner', partner: 'store' },
];

export type Expected =
  | { allowed: true }
  /** `service`: refused by the booking worker or roster, which hide what the caller may not see. */
  | { allowed: false; status: number; code: string; service?: true };

const ALLOWED: Expected = { allowed: true };
const refused = (status: number, code: string, service?: true): Expected => ({
  allowed: false,
  status,
  code,
  ...(service && { service }),
});

export function expectedAnswer(access: RouteAccess, caller: Caller): Expected {
  switch (access.kind) {
    case 'public':
    case 'identity':
    case 'request-id':
      // None of these reads an Authorization header.
      return ALLOWED;
    case 'ticket':
    case 'access':
      return residentToken(access.kind, access.kind === 'ticket' && access.optional === true, caller);
    case 'operator':
      return operatorToken(access, caller);
    case 'partner':
      return partnerToken(access.channels, caller);
  }
}

function partnerToken(channels: readonly PartnerChannel[], caller: Caller): Expected {
  if (caller.token === 'none') return refused(401, 'TOKEN_MISSING');
  const bad = badToken(caller);
  if (bad) return bad;
  if (caller.token !== 'partner') return refused(403, 'TOKEN_WRONG_AUDIENCE');
  return channels.includes(caller.partner!) ? ALLOWED : refused(403, 'PARTNER_CHANNEL_FORBIDDEN');
}

function badToken(caller: Caller): Expected | undefined {
  if (caller.token === 'garbage') return refused(401, 'TOKEN_INVALID');
  if (caller.token === 'expired') return refused(401, 'TOKEN_EXPIRED');
  return undefined;
}

function residentToken(kind: 'ticket' | 'access', optional: boolean, caller: Caller): Expected {
  if (caller.token === 'none') return optional ? ALLOWED : refused(401, 'TOKEN_MISSING');
  // Joining with an expired ticket is joining anew (a new place at the back).
  if (optional && caller.token === 'expired') return ALLOWED;
  const bad = badToken(caller);
  if (bad) return bad;
  // The audience (campaign or khiw-ops) is checked before the token's type.
  if (caller.token === 'operator' || caller.token === 'partner' || caller.campaign === 'other')
    return refused(403, 'TOKEN_WRONG_AUDIENCE');
  return caller.token === kind ? ALLOWED : refused(403, 'TOKEN_WRONG_TYPE');
}

function operatorToken(access: Extract<RouteAccess, { kind: 'operator' }>, caller: Caller): Expected {
  if (caller.token === 'none') return access.orIdentity ? ALLOWED : refused(401, 'TOKEN_MISSING');
  const bad = badToken(caller);
  if (bad) return bad;
  if (caller.token !== 'operator') return refused(403, 'TOKEN_WRONG_AUDIENCE');
  if (!caller.role || !access.roles.includes(caller.role)) return refused(403, 'ROLE_FORBIDDEN');
  if (caller.campaign) {
    if (access.campaign === 'every') return refused(403, 'CAMPAIGN_FORBIDDEN');
    if (caller.campaign === 'other') {
      if (access.campaign === 'path' || access.campaign === 'query' || access.campaign === 'body')
        return refused(403, 'CAMPAIGN_FORBIDDEN');
      if (access.campaign === 'booking') return refused(404, 'NOT_FOUND', true);
    }
  }
  if (siteBound({ role: caller.role, site: caller.site }) && access.site !== 'none') {
    if (!caller.site) return refused(403, 'SITE_SCOPE_REQUIRED');
    if (caller.site === 'other') {
      return access.site === 'asked' ? refused(403, 'SITE_FORBIDDEN') : refused(404, 'NOT_FOUND', true);
    }
  }
  return ALLOWED;
}

const CAMPAIGN_WORDS = {
  path: 'of the campaign in the path',
  query: 'of the campaign in `?campaignId=`',
  body: 'of the campaign in the body',
  booking: "of the booking's campaign",
  every: 'without a campaign claim (spans every campaign)',
  none: 'any campaign claim',
} as const;

/** Who may call, in words. */
export function whoMayCall(access: RouteAccess): string {
  switch (access.kind) {
    case 'public':
      return 'anyone';
    case 'ticket':
      return access.optional
        ? 'anyone (a new place; an expired ticket too), or a ticket of the campaign (its place)'
        : 'a ticket of the campaign';
    case 'access':
      return 'an access token of the campaign';
    case 'request-id':
      return 'whoever holds the request id (HMAC of the citizen ID, server secret)';
    case 'identity':
      return "the booking's person (citizen ID + birth date), rate-limited";
    case 'partner':
      return `a partner token of a registered ${access.channels.join(' or ')} partner`;
    case 'operator': {
      const roles = access.roles.join(' or ');
      const site =
        access.site === 'asked'
          ? '; staff: own site only (`?site=`)'
          : access.site === 'booking'
            ? "; staff: own site's bookings"
            : '';
      const resident = access.orIdentity
        ? "; without a token: the booking's person (citizen ID + birth date)"
        : '';
      const cookie = access.cookie ? ' (header or `khiw_ops` cookie)' : '';
      return `${roles}${cookie}, ${CAMPAIGN_WORDS[access.campaign]}${site}${resident}`;
    }
  }
}

function cell(expected: Expected): string {
  if (expected.allowed) return '✓';
  return `${expected.status} ${expected.code}${expected.service ? '*' : ''}`;
}

/** The markdown table: one row per route, one column per caller. */
export function renderAuthzTable(policies: readonly RoutePolicy[] = ROUTE_POLICIES): string {
  const head = ['route', 'who may call', ...CALLERS.map((c) => c.label)];
  const rows = policies.map((policy) => [
    `\`${policy.method} ${policy.path}\``,
    whoMayCall(policy.access),
    ...CALLERS.map((caller) => cell(expectedAnswer(policy.access, caller))),
  ]);
  return [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}
