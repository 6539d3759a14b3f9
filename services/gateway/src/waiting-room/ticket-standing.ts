import { KhiwError } from '@khiw/errors';
import { admittedAnswer, endAnswer, prequeueAnswer, waitingAnswer, type QueueAnswer } from './queue-answer';
import type { RoomCache } from './room-cache';
import { finalStateOfSnapshot } from './sold-out';
import type { StandbyAccess } from './standby-access';
import type { QueueTokens, TicketClaims } from './tokens/queue-tokens';
import { statusScriptKeys } from './waiting-room-keys';
import { StatusCode } from './waiting-room-scripts';

/**
 * Where a verified ticket stands: one Lua step (status-9). The first ask after admission
 * claims the place and gets the access token. Shared by status polls (QueueStatus) and a
 * resident who joins again with a ticket (JoinQueue).
 */
export class TicketStanding {
  constructor(
    private readonly rooms: RoomCache,
    private readonly tokens: QueueTokens,
    private readonly standby: StandbyAccess,
  ) {}

  async of(claims: TicketClaims): Promise<QueueAnswer> {
    const { view, snapshot } = await this.rooms.get(claims.campaignId);
    const keys = this.rooms.keys(claims.campaignId);
    const { accessTtlMs, maxBookings } = this.rooms.options;
    const [code, numberReply, servingReply, extra] = await this.rooms.redis.wrStatus(
      ...statusScriptKeys(keys),
      claims.ticketId,
      claims.queueNumber ?? 0,
      accessTtlMs,
    );
    const queueNumber = Number(numberReply) || null;
    const serving = Number(servingReply);
    const snapshotFinal = finalStateOfSnapshot(snapshot);
    let answer: QueueAnswer;
    switch (Number(code) as StatusCode) {
      case StatusCode.Unknown:
        throw new KhiwError('TICKET_UNKNOWN', 'this ticket has no place in this waiting room');
      case StatusCode.Tampered:
        throw new KhiwError('TICKET_TAMPERED', 'the queue number in the ticket is not this ticket’s');
      case StatusCode.Final:
        answer = endAnswer(view, extra === 'closed' ? 'closed' : 'sold_out', queueNumber, snapshot);
        break;
      case StatusCode.Prequeue:
        answer = snapshotFinal ? endAnswer(view, snapshotFinal, null, snapshot) : prequeueAnswer(view);
        break;
      case StatusCode.Waiting:
        answer = snapshotFinal
          ? endAnswer(view, snapshotFinal, queueNumber, snapshot)
          : waitingAnswer(view, queueNumber!, serving);
        break;
      case StatusCode.Returning:
        // Passed over while away and back: next in as soon as an active place frees.
        answer = { ...waitingAnswer(view, serving + 1, serving), queueNumber };
        break;
      case StatusCode.Admitted: {
        const expiresAtMs = Number(extra);
        const accessToken = this.tokens.signAccess({
          ticketId: claims.ticketId,
          campaignId: claims.campaignId,
          queueNumber: queueNumber!,
          maxBookings,
          expiresAtMs,
        });
        answer = admittedAnswer(view, queueNumber!, { accessToken, expiresAtMs, maxBookings });
        break;
      }
      default:
        answer = endAnswer(view, 'expired', queueNumber, snapshot);
    }
    answer = this.standby.offer(answer, { ...claims, queueNumber });
    const renewed = this.renewedTicket(claims, queueNumber);
    return renewed ? { ...answer, ticket: renewed } : answer;
  }

  /** A new ticket when the number was drawn at opening or the ticket is past half its life. */
  private renewedTicket(claims: TicketClaims, queueNumber: number | null): string | undefined {
    const drawn = claims.queueNumber === null && queueNumber !== null;
    const ageing = claims.expiresAt * 1000 - Date.now() < (this.tokens.ticketTtlSeconds * 1000) / 2;
    if (!drawn && !ageing) return undefined;
    return this.tokens.signTicket({
      ticketId: claims.ticketId,
      campaignId: claims.campaignId,
      queueNumber: queueNumber ?? claims.queueNumber,
    });
  }
}
