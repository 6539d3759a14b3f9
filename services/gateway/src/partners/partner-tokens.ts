import jwt, { type JwtPayload } from 'jsonwebtoken';
import { KhiwError } from '@khiw/errors';
import type { Keyring } from '../waiting-room/tokens/keyring';
import { decodeJwt, TOKEN_ISSUER } from '../waiting-room/tokens/queue-tokens';
import { PARTNER_CHANNELS, type PartnerChannel } from './partner-registry';

/** Audience of partner access tokens: never a ticket's, an access token's or an operator's. */
export const PARTNER_AUDIENCE = 'khiw-partner';

export interface PartnerClaims {
  partnerId: string;
  channel: PartnerChannel;
}

/**
 * The short-lived access tokens given for a partner's credentials, signed with the gateway's
 * keyring like every other token (the algorithm pinned by the key id, never read from the
 * token). The audience is checked before the type, as for the other tokens, so a resident's
 * or an operator's token is TOKEN_WRONG_AUDIENCE here and a partner token is that elsewhere.
 */
export class PartnerTokens {
  constructor(
    private readonly keyring: Keyring,
    readonly ttlSeconds: number,
  ) {}

  sign(claims: PartnerClaims): string {
    const key = this.keyring.signing;
    return jwt.sign({ typ: 'partner', channel: claims.channel }, key.privateKey, {
      algorithm: key.alg,
      keyid: key.kid,
      issuer: TOKEN_ISSUER,
      subject: claims.partnerId,
      audience: PARTNER_AUDIENCE,
      expiresIn: this.ttlSeconds,
    });
  }

  verify(token: string): PartnerClaims {
    const decoded = decodeJwt(token);
    const kid = decoded?.header.kid;
    const key = typeof kid === 'string' ? this.keyring.find(kid) : undefined;
    if (!key) throw new KhiwError('TOKEN_INVALID', decoded ? 'unknown key id' : 'not a JWT');
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token, key.publicKey, {
        algorithms: [key.alg],
        issuer: TOKEN_ISSUER,
        clockTolerance: 5,
      }) as JwtPayload;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError)
        throw new KhiwError('TOKEN_EXPIRED', 'token expired', { cause: error });
      throw new KhiwError('TOKEN_INVALID', (error as Error).message, { cause: error });
    }
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number')
      throw new KhiwError('TOKEN_INVALID', 'token lacks sub or exp');
    if (payload.aud !== PARTNER_AUDIENCE)
      throw new KhiwError(
        'TOKEN_WRONG_AUDIENCE',
        `token is for ${String(payload.aud)}, not ${PARTNER_AUDIENCE}`,
      );
    if (payload.typ !== 'partner') throw new KhiwError('TOKEN_WRONG_TYPE', 'not a partner token');
    if (!PARTNER_CHANNELS.includes(payload.channel as PartnerChannel))
      throw new KhiwError('TOKEN_INVALID', 'partner token names no channel');
    return { partnerId: payload.sub, channel: payload.channel as PartnerChannel };
  }
}
