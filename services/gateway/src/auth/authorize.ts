import type { Request, RequestHandler, Response } from 'express';
import { KhiwError } from '@khiw/errors';
import { opsCookieToken } from '../ops/ops-session';
import type { OpsClaims, QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { bearerToken } from './bearer-token';
import { policyOf, siteBound, type HttpMethod, type RouteAccess } from './route-policy';

type OperatorAccess = Extract<RouteAccess, { kind: 'operator' }>;

/** What the guard leaves for the route: the verified token, and the site it acts on. */
export interface OperatorScope {
  operator: OpsClaims;
  /** For `site: 'asked'`: the site to act on (a site-bound token's own); else its claim. */
  site?: string;
}

/** The scope the guard left; only on a route guarded by `authorize`. */
export function scopeOf(res: Response): OperatorScope {
  return res.locals.scope as OperatorScope;
}

/** The scope when a token was sent, undefined on an `orIdentity` route taken by a resident. */
export function optionalScopeOf(res: Response): OperatorScope | undefined {
  return res.locals.scope as OperatorScope | undefined;
}

/**
 * `guard(method, path)`: the middleware of one operator route, built from its entry in
 * ROUTE_POLICIES (a route without one throws as the router is built, so the gateway does not
 * start). In order: a token (TOKEN_MISSING 401; TOKEN_INVALID / TOKEN_EXPIRED 401; a ticket or
 * access token TOKEN_WRONG_AUDIENCE 403), its role (ROLE_FORBIDDEN), its campaign
 * (CAMPAIGN_FORBIDDEN), its site (SITE_SCOPE_REQUIRED, SITE_FORBIDDEN), all 403.
 */
export function authorize(tokens: QueueTokens): (method: HttpMethod, path: string) => RequestHandler {
  return (method, path) => {
    const { access } = policyOf(method, path);
    if (access.kind !== 'operator') {
      throw new Error(`${method} ${path} is a ${access.kind} route: its handler checks the caller`);
    }
    return (req, res, next) => {
      if (access.orIdentity && !req.get('authorization')) return next();
      const token = bearerToken(req) ?? (access.cookie ? opsCookieToken(req) : undefined);
      if (!token) throw new KhiwError('TOKEN_MISSING', 'no staff or ops token');
      const operator = tokens.verifyOps(token, access.roles);
      checkCampaign(access, operator, req);
      const site = siteOf(access, operator, req);
      res.locals.operator = operator;
      res.locals.scope = { operator, ...(site !== undefined && { site }) } satisfies OperatorScope;
      next();
    };
  };
}

function checkCampaign(access: OperatorAccess, operator: OpsClaims, req: Request): void {
  if (!operator.campaign) return;
  const rule = access.campaign;
  if (rule === 'none' || rule === 'booking') return;
  const named =
    rule === 'path'
      ? req.params.campaignId
      : rule === 'query'
        ? req.query.campaignId
        : rule === 'body'
          ? (req.body as { campaignId?: unknown } | undefined)?.campaignId
          : undefined;
  if (named !== operator.campaign) {
    throw new KhiwError('CAMPAIGN_FORBIDDEN', `token is for campaign ${operator.campaign}`);
  }
}

function siteOf(access: OperatorAccess, operator: OpsClaims, req: Request): string | undefined {
  if (access.site === 'none') return undefined;
  const bound = siteBound(operator);
  if (bound && !operator.site) throw new KhiwError('SITE_SCOPE_REQUIRED', 'token names no site');
  if (access.site === 'booking') return bound ? operator.site : undefined;
  const asked = typeof req.query.site === 'string' ? req.query.site : bodySite(req);
  if (!bound) return asked;
  if (asked !== undefined && asked !== operator.site) {
    throw new KhiwError('SITE_FORBIDDEN', `token is for site ${operator.site}`);
  }
  return operator.site;
}

/** The body's `site`, or the `siteId` of a booking in the body. */
function bodySite(req: Request): string | undefined {
  const body = req.body as { site?: unknown; siteId?: unknown } | undefined;
  const site = body?.site ?? body?.siteId;
  return typeof site === 'string' ? site : undefined;
}
