import jwt, { type JwtPayload } from 'jsonwebtoken';
import { z } from 'zod';
import { KhiwError } from '@khiw/errors';
import type { Redis } from '@khiw/redis';
import { decodeJwt } from '../waiting-room/tokens/queue-tokens';
import type { Partner, PartnerRegistry } from './partner-registry';
import type { PartnerTokens } from './partner-tokens';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The `aud` a partner's signed assertion must carry (RFC 7523 names the token endpoint). */
export const PARTNER_ASSERTION_AUDIENCE = 'khiw-partner-token';
/** An assertion is a one-off proof: it may not live longer than this. */
const MAX_ASSERTION_SECONDS = 300;

export const TokenRequest = z.union([
  z.object({
    grant_type: z.literal('client_credentials'),
    client_id: z.string().min(1).max(64),
    client_secret: z.string().min(16).max(256),
  }),
  z.object({
    grant_type: z.literal('client_credentials'),
    client_id: z.string().min(1).max(64).optional(),
    client_assertion_type: z.literal(JWT_BEARER_ASSERTION),
    client_assertion: z.string().min(1).max(4096),
  }),
]);
export type TokenRequest = z.infer<typeof TokenRequest>;

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  partner_id: string;
  channel: Partner['channel'];
}

/**
 * `POST /api/partner/token` (OAuth 2 client credentials): an API key, or a JWT assertion
 * signed by a key the partner holds, for a short-lived partner token. Every wrong credential
 * is the same PARTNER_CREDENTIALS_INVALID, so a caller cannot tell an unknown partner from a
 * wrong key. A used assertion's `jti` is remembered until it expires: no replay.
 */
export class ExchangePartnerToken {
  constructor(
    private readonly deps: {
      registry: PartnerRegistry;
      tokens: PartnerTokens;
      redis: Redis;
      namespace: string;
    },
  ) {}

  async execute(request: TokenRequest): Promise<TokenAnswer> {
    const partner = 'client_secret' in request ? this.byApiKey(request) : await this.byAssertion(request);
    return {
      access_token: this.deps.tokens.sign({ partnerId: partner.id, channel: partner.channel }),
      token_type: 'Bearer',
      expires_in: this.deps.tokens.ttlSeconds,
      partner_id: partner.id,
      channel: partner.channel,
    };
  }

  private byApiKey(request: { client_id: string; client_secret: string }): Partner {
    const partner = this.deps.registry.find(request.client_id);
    if (!partner || !this.deps.registry.checkApiKey(partner, request.client_secret)) throw refused('API key');
    return partner;
  }

  private async byAssertion(request: { client_id?: string; client_assertion: string }): Promise<Partner> {
    const decoded = decodeJwt(request.client_assertion);
    const issuer = decoded?.payload.iss;
    if (typeof issuer !== 'string' || (request.client_id && request.client_id !== issuer))
      throw refused('assertion issuer');
    const partner = this.deps.registry.find(issuer);
    const key = partner?.publicKeys.find((k) => k.kid === decoded?.header.kid);
    if (!partner || !key) throw refused('assertion key');
    let claims: JwtPayload;
    try {
      claims = jwt.verify(request.client_assertion, key.publicKey, {
        algorithms: [key.alg],
        issuer: partner.id,
        subject: partner.id,
        audience: PARTNER_ASSERTION_AUDIENCE,
        clockTolerance: 5,
      }) as JwtPayload;
    } catch (error) {
      throw refused(`assertion: ${(error as Error).message}`);
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp - now > MAX_ASSERTION_SECONDS)
      throw refused(`assertion must expire within ${MAX_ASSERTION_SECONDS}s`);
    if (typeof claims.jti !== 'string' || claims.jti.length > 128) throw refused('assertion lacks jti');
    const seen = `${this.deps.namespace ? `${this.deps.namespace}:` : ''}khiw:partner-jti:${partner.id}:${claims.jti}`;
    const first = await this.deps.redis.set(seen, '1', 'EX', Math.max(1, claims.exp - now + 5), 'NX');
    if (!first) throw refused('assertion already used');
    return partner;
  }
}

const refused = (why: string) => new KhiwError('PARTNER_CREDENTIALS_INVALID', `partner credentials: ${why}`);
