import jwt, { type JwtPayload } from 'jsonwebtoken';
import { campaignId as campaignIdSchema, ORGANISATION_ID } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import type { Keyring } from './keyring';

export const TOKEN_ISSUER = 'khiw-gateway';
/** Audience of staff and ops tokens (tickets and access tokens carry the campaign id). */
export const OPS_AUDIENCE = 'khiw-ops';
/**
 * Operators' roles: ops (a province's or the nation's), staff (a site's roster), agent (a
 * call-centre agent or a walk-in counter clerk booking for people: issue 11), organisation (a
 * company, temple, school or charity uploading its list: `sub` is the organisation's id, and
 * its token is bound to one campaign).
 */
export const OPS_ROLES = ['ops', 'staff', 'agent', 'organisation'] as const;
export type OpsRole = (typeof OPS_ROLES)[number];
/** The channels an agent token books through: by phone, or at a site's walk-in counter. */
export const AGENT_CHANNELS = ['call_center', 'walk_in'] as const;
export type AgentChannel = (typeof AGENT_CHANNELS)[number];

export interface TicketClaims {
  ticketId: string;
  campaignId: string;
  /** null for a pre-queue ticket: the number is drawn at opening. */
  queueNumber: number | null;
  /** Seconds since epoch. */
  expiresAt: number;
}
export interface AccessClaims {
  ticketId: string;
  campaignId: string;
  queueNumber: number;
  maxBookings: number;
  expiresAt: number;
  /**
   * A standby access token: given after sell-out while the standby list has room, to sign
   * up for it; not an admission (no active place; spent against its own counter).
   */
  standby?: boolean;
}
export interface OpsClaims {
  subject: string;
  role: OpsRole;
  /** The one vaccination site a staff token is for (roster lists, check-in); ops tokens have none. */
  site?: string;
  /**
   * The one campaign the token may act on (a province's ops or staff); none: every campaign.
   * Checked per route by the route policy (src/auth/route-policy.ts).
   */
  campaign?: string;
  /** An agent's channel; a walk_in agent's token also names its site (the counter's). */
  channel?: AgentChannel;
}

type TokenType = 'ticket' | 'access' | 'ops';

export interface QueueTokensOptions {
  ticketTtlSeconds: number;
  /** Verified tokens remembered (by their exact text) so a poll costs no signature check. */
  verifiedCacheSize?: number;
}

/**
 * Signs and verifies the waiting room's JWTs. The algorithm comes from the key named by the
 * `kid` header, never from the token, so `alg: none` and HS256-with-the-public-key fail;
 * `typ` keeps a ticket from being used as an access or ops token.
 */
export class QueueTokens {
  private readonly verified = new Map<string, { payload: JwtPayload; expiresAtMs: number }>();
  private readonly cacheSize: number;

  constructor(
    private readonly keyring: Keyring,
    private readonly options: QueueTokensOptions,
  ) {
    this.cacheSize = options.verifiedCacheSize ?? 50_000;
  }

  get ticketTtlSeconds(): number {
    return this.options.ticketTtlSeconds;
  }

  signTicket(input: { ticketId: string; campaignId: string; queueNumber: number | null }): string {
    return this.sign(
      { typ: 'ticket', queueNumber: input.queueNumber },
      { subject: input.ticketId, audience: input.campaignId, expiresIn: this.options.ticketTtlSeconds },
    );
  }

  signAccess(input: Omit<AccessClaims, 'expiresAt'> & { expiresAtMs: number }): string {
    const exp = Math.floor(input.expiresAtMs / 1000);
    return this.sign(
      {
        typ: 'access',
        queueNumber: input.queueNumber,
        maxBookings: input.maxBookings,
        exp,
        ...(input.standby && { standby: true }),
      },
      { subject: input.ticketId, audience: input.campaignId, jwtid: `${input.ticketId}.access` },
    );
  }

  signOps(input: {
    subject: string;
    role: OpsRole;
    ttlSeconds: number;
    site?: string;
    campaign?: string;
    channel?: AgentChannel;
  }): string {
    return this.sign(
      {
        typ: 'ops',
        role: input.role,
        ...(input.site && { site: input.site }),
        ...(input.campaign && { campaign: input.campaign }),
        ...(input.channel && { channel: input.channel }),
      },
      { subject: input.subject, audience: OPS_AUDIENCE, expiresIn: input.ttlSeconds },
    );
  }

  /** `campaignId` given: the ticket must be for that campaign (403 otherwise). */
  verifyTicket(token: string, campaignId?: string): TicketClaims {
    const payload = this.verify(token, 'ticket', campaignId);
    const queueNumber = payload.queueNumber === null ? null : Number(payload.queueNumber);
    if (queueNumber !== null && !(Number.isSafeInteger(queueNumber) && queueNumber > 0)) {
      throw new KhiwError('TOKEN_INVALID', 'ticket carries no valid queue number');
    }
    return {
      ticketId: payload.sub!,
      campaignId: payload.aud as string,
      queueNumber,
      expiresAt: payload.exp!,
    };
  }

  verifyAccess(token: string, campaignId: string): AccessClaims {
    const payload = this.verify(token, 'access', campaignId);
    const queueNumber = Number(payload.queueNumber);
    const maxBookings = Number(payload.maxBookings);
    if (!Number.isSafeInteger(queueNumber) || !Number.isSafeInteger(maxBookings)) {
      throw new KhiwError('TOKEN_INVALID', 'access token claims are malformed');
    }
    return {
      ticketId: payload.sub!,
      campaignId,
      queueNumber,
      maxBookings,
      expiresAt: payload.exp!,
      ...(payload.standby === true && { standby: true }),
    };
  }

  verifyOps(token: string, roles: readonly OpsRole[]): OpsClaims {
    const payload = this.verify(token, 'ops', OPS_AUDIENCE);
    if (!roles.includes(payload.role as OpsRole)) {
      throw new KhiwError('ROLE_FORBIDDEN', `role ${String(payload.role)} may not do this`);
    }
    const site = typeof payload.site === 'string' && payload.site ? payload.site : undefined;
    // A campaign claim of the wrong type must not widen the token to every campaign.
    if (payload.campaign !== undefined && (typeof payload.campaign !== 'string' || !payload.campaign)) {
      throw new KhiwError('TOKEN_INVALID', 'ops token campaign claim is malformed');
    }
    const campaign = payload.campaign as string | undefined;
    const channel = payload.channel as AgentChannel | undefined;
    // An agent books through exactly one channel; a counter is at exactly one site.
    if (payload.role === 'agent' && !AGENT_CHANNELS.includes(channel as AgentChannel)) {
      throw new KhiwError('TOKEN_INVALID', 'agent token names no channel (call_center or walk_in)');
    }
    // An organisation's cap and uploads are per campaign: its token names the one.
    if (payload.role === 'organisation' && (!campaign || !ORGANISATION_ID.test(payload.sub ?? ''))) {
      throw new KhiwError('TOKEN_INVALID', 'organisation token names no campaign or no valid id');
    }
    if (channel === 'walk_in' && !site)
      throw new KhiwError('SITE_SCOPE_REQUIRED', 'counter token names no site');
    return {
      subject: payload.sub!,
      role: payload.role as OpsRole,
      ...(site && { site }),
      ...(campaign && { campaign }),
      ...(payload.role === 'agent' && { channel }),
    };
  }

  private sign(claims: Record<string, unknown>, options: jwt.SignOptions): string {
    const key = this.keyring.signing;
    return jwt.sign(claims, key.privateKey, {
      ...options,
      algorithm: key.alg,
      keyid: key.kid,
      issuer: TOKEN_ISSUER,
    });
  }

  private verify(token: string, typ: TokenType, audience: string | undefined): JwtPayload {
    const nowMs = Date.now();
    let payload = this.cached(token, nowMs);
    if (!payload) {
      payload = this.verifySignature(token);
      if (
        typeof payload.exp === 'number' &&
        typeof payload.sub === 'string' &&
        typeof payload.aud === 'string'
      ) {
        this.remember(token, payload);
      }
    }
    if (
      typeof payload.sub !== 'string' ||
      typeof payload.aud !== 'string' ||
      typeof payload.exp !== 'number'
    ) {
      throw new KhiwError('TOKEN_INVALID', 'token lacks sub, aud or exp');
    }
    if (audience !== undefined && payload.aud !== audience) {
      throw new KhiwError('TOKEN_WRONG_AUDIENCE', `token is for ${payload.aud}, not ${audience}`);
    }
    if (payload.typ !== typ) {
      throw new KhiwError('TOKEN_WRONG_TYPE', `a ${String(payload.typ)} token is not a ${typ} token`);
    }
    return payload;
  }

  private verifySignature(token: string): JwtPayload {
    const decoded = decodeJwt(token);
    if (!decoded) throw new KhiwError('TOKEN_INVALID', 'not a JWT');
    const kid = decoded.header.kid;
    const key = typeof kid === 'string' ? this.keyring.find(kid) : undefined;
    if (!key) throw new KhiwError('TOKEN_INVALID', 'unknown key id');
    try {
      return jwt.verify(token, key.publicKey, {
        algorithms: [key.alg],
        issuer: TOKEN_ISSUER,
        clockTolerance: 5,
      }) as JwtPayload;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) {
        throw new KhiwError('TOKEN_EXPIRED', 'token expired', { cause: error });
      }
      throw new KhiwError('TOKEN_INVALID', (error as Error).message, { cause: error });
    }
  }

  private cached(token: string, nowMs: number): JwtPayload | undefined {
    const hit = this.verified.get(token);
    if (!hit) return undefined;
    if (hit.expiresAtMs <= nowMs) {
      this.verified.delete(token);
      return undefined;
    }
    return hit.payload;
  }

  private remember(token: string, payload: JwtPayload): void {
    if (this.cacheSize <= 0) return;
    if (this.verified.size >= this.cacheSize) {
      // Oldest first (Map keeps insertion order): a cheap FIFO bound on memory.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { payload, expiresAtMs: payload.exp! * 1000 });
  }
}

/** For the booking route: the access token's claims, or a KhiwError (TOKEN_*, 401/403). */
export function verifyAccessToken(tokens: QueueTokens, token: string, campaignId: string): AccessClaims {
  return tokens.verifyAccess(token, campaignId);
}

/**
 * The campaign an access token must be for: the body's campaignId when sent (a token of
 * another campaign is then refused as such), else the token's own audience, checked by
 * signature next.
 */
export function accessTokenCampaign(token: string, body: unknown): string {
  const fromBody = (body as { campaignId?: unknown } | undefined)?.campaignId;
  if (typeof fromBody === 'string' && campaignIdSchema.safeParse(fromBody).success) return fromBody;
  const audience = decodeJwt(token)?.payload.aud;
  if (typeof audience === 'string' && campaignIdSchema.safeParse(audience).success) return audience;
  throw new KhiwError('TOKEN_INVALID', 'access token names no campaign');
}

/** Longer than any token khiw signs (about 400 characters); anything longer is not ours. */
const MAX_TOKEN_LENGTH = 4096;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * The header and claims of a compact JWS, unverified, or null for anything else: too long,
 * not three base64url parts, a part that is not JSON, JSON that is not an object. Never
 * throws: `jwt.decode` throws a SyntaxError on a payload that is not JSON, which reached
 * the error handler as a 500 (issue 13).
 */
export function decodeJwt(token: string): DecodedJwt | null {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null;
  const [header, payload] = token.split('.', 2).map(jsonObjectOf);
  return header && payload ? { header, payload } : null;
}

function jsonObjectOf(part: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
