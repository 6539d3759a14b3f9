import type { Request, Response } from 'express';
import { decodeJwt } from '../waiting-room/tokens/queue-tokens';

/** The cookie that carries an ops token to the pages under /ops that cannot send a header (bull-board). */
export const OPS_COOKIE = 'khiw_ops';
const COOKIE_PATH = '/ops';

/** The ops token of the `khiw_ops` cookie, if the request has one. */
export function opsCookieToken(req: Request): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === OPS_COOKIE && value.length) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Sets the session cookie to the (already verified) token, for as long as the token lives:
 * HttpOnly (no script reads it), SameSite=Strict (no other site's form or link sends it),
 * Path=/ops (only the ops pages get it), Secure when the request came over HTTPS.
 */
export function setOpsSessionCookie(req: Request, res: Response, token: string): void {
  const exp = decodeJwt(token)?.payload.exp;
  const maxAge = typeof exp === 'number' ? Math.max(0, Math.floor(exp - Date.now() / 1000)) : 0;
  res.setHeader('Set-Cookie', cookie(encodeURIComponent(token), maxAge, req.secure));
}

/** Ends the session: the browser drops the cookie. */
export function clearOpsSessionCookie(req: Request, res: Response): void {
  res.setHeader('Set-Cookie', cookie('', 0, req.secure));
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${OPS_COOKIE}=${value}`,
    `Max-Age=${maxAgeSeconds}`,
    `Path=${COOKIE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
