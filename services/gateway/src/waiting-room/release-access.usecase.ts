import { KhiwError } from '@khiw/errors';
import type { AccessGrants } from './access-grants';
import { accessTokenCampaign, verifyAccessToken, type QueueTokens } from './tokens/queue-tokens';

export interface ReleaseAccessCommand {
  /** The access token (Authorization: Bearer). */
  token: string | undefined;
  /** The request body: an optional `campaignId` the token must be for. */
  body: unknown;
}

/**
 * `POST /api/queue/release`: the resident is done booking, so their active place goes to the
 * next in line now rather than when the family grace or the token runs out. The token is
 * verified like the booking route's; releasing twice, or a place already gone, is no error.
 */
export class ReleaseAccess {
  constructor(
    private readonly tokens: QueueTokens,
    private readonly grants: AccessGrants,
  ) {}

  /** Whether this call freed a place (false: already freed, lapsed, or a standby token). */
  async execute({ token, body }: ReleaseAccessCommand): Promise<boolean> {
    if (!token) throw new KhiwError('TOKEN_MISSING', 'no access token');
    const claims = verifyAccessToken(this.tokens, token, accessTokenCampaign(token, body));
    return this.grants.release(claims);
  }
}
