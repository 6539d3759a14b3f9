import type { RequestHandler } from 'express';
import { KhiwError } from '@khiw/errors';
import type { OpsRole, QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { bearerToken } from './bearer-token';

/**
 * Staff sees, ops steers: a staff or ops JWT (audience khiw-ops) whose role is one of
 * `roles`, else TOKEN_* (401) or ROLE_FORBIDDEN (403). The verified claims are left in
 * `res.locals.operator` (OpsClaims) for the route.
 */
export function requireRole(tokens: QueueTokens, roles: readonly OpsRole[]): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req);
    if (!token) throw new KhiwError('TOKEN_MISSING', 'no ops token');
    res.locals.operator = tokens.verifyOps(token, roles);
    next();
  };
}
