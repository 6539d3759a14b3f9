import type { RequestHandler, Response } from 'express';
import { KhiwError } from '@khiw/errors';
import { bearerToken } from '../auth/bearer-token';
import { policyOf, type HttpMethod } from '../auth/route-policy';
import type { Partner, PartnerRegistry } from './partner-registry';
import type { PartnerTokens } from './partner-tokens';

/** The partner the guard let in; only on a route guarded by `partnerGuard`. */
export function partnerOf(res: Response): Partner {
  return res.locals.partner as Partner;
}

/**
 * `guard(method, path)`: the middleware of one partner route, from its ROUTE_POLICIES entry.
 * In order: a token (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED: 401), a partner token
 * (TOKEN_WRONG_AUDIENCE 403 for a ticket, access or operator token), a partner still
 * registered with the token's channel (PARTNER_CREDENTIALS_INVALID 401: a partner removed
 * loses its tokens at once), then the route's channels (PARTNER_CHANNEL_FORBIDDEN 403).
 */
export function partnerGuard(
  tokens: PartnerTokens,
  registry: PartnerRegistry,
): (method: HttpMethod, path: string) => RequestHandler {
  return (method, path) => {
    const { access } = policyOf(method, path);
    if (access.kind !== 'partner') throw new Error(`${method} ${path} is not a partner route`);
    return (req, res, next) => {
      const token = bearerToken(req);
      if (!token) throw new KhiwError('TOKEN_MISSING', 'no partner token');
      const claims = tokens.verify(token);
      const partner = registry.find(claims.partnerId);
      if (!partner || partner.channel !== claims.channel)
        throw new KhiwError('PARTNER_CREDENTIALS_INVALID', `partner ${claims.partnerId} is not registered`);
      if (!access.channels.includes(partner.channel))
        throw new KhiwError('PARTNER_CHANNEL_FORBIDDEN', `a ${partner.channel} partner may not call ${path}`);
      res.locals.partner = partner;
      next();
    };
  };
}
