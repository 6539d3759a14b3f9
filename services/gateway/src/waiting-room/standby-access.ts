import { randomBytes } from 'node:crypto';
import type { QueueAnswer } from './queue-answer';
import type { QueueTokens } from './tokens/queue-tokens';
import type { RoomCache } from './room-cache';

/**
 * The standby inlet. Once the doses are gone the waiting room closes for good, but while the
 * standby list has room a sold-out answer carries a standby access token: the resident can
 * still submit the booking form, and the booking worker puts them on the (bounded, ordered)
 * standby list. Nobody is admitted for a dose this way: a standby token takes no active
 * place, and its bookings are counted on their own (AccessGrants).
 */
export class StandbyAccess {
  constructor(
    private readonly rooms: RoomCache,
    private readonly tokens: QueueTokens,
  ) {}

  /** The answer, with a standby token added when it offers standby. */
  offer(
    answer: QueueAnswer,
    holder: { campaignId: string; ticketId?: string; queueNumber?: number | null },
  ): QueueAnswer {
    if (answer.state !== 'sold_out' || !answer.standbyOffered) return answer;
    const { accessTtlMs, maxBookings } = this.rooms.options;
    const expiresAtMs = Date.now() + accessTtlMs;
    const standbyAccessToken = this.tokens.signAccess({
      ticketId: holder.ticketId ?? randomBytes(12).toString('base64url'),
      campaignId: holder.campaignId,
      queueNumber: holder.queueNumber ?? 0,
      maxBookings,
      expiresAtMs,
      standby: true,
    });
    return {
      ...answer,
      standbyAccessToken,
      accessExpiresAt: new Date(expiresAtMs).toISOString(),
      maxBookings,
    };
  }
}
