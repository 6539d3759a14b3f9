import type { QueueTokens, TicketClaims } from './tokens/queue-tokens';
import { admittedAnswer, endAnswer, prequeueAnswer, waitingAnswer, type QueueAnswer } from './queue-answer';
import { finalStateOfSnapshot } from './sold-out';
import { WaitingRoomError } from './waiting-room-error';
import type { WaitingRoomMetrics } from './waiting-room-metrics';
import { StatusCode } from './waiting-room-scripts';
import { statusScriptKeys } from './waiting-room-keys';
import type { WaitingRooms } from './waiting-rooms';
import type { StandbyAccess } from './standby-access';

/**
 * `GET /api/queue/status`: where a ticket stands. One Lua step (status-9) per poll; the
 * first poll after admission claims the place and gets the access token.
 */
export class QueueStatus {
  constructor(
    private readonly rooms: WaitingRooms,
    private readonly tokens: QueueTokens,
    private readonly metrics: WaitingRoomMetrics,
    private readonly standby: StandbyAccess,
  ) {}

  async execute(input: { ticket: string | undefined; campaignId?: string }): Promise<QueueAnswer> {
    if (!input.ticket) throw new WaitingRoomError('TOKEN_MISSING', 'no ticket');
    const claims = this.tokens.verifyTicket(input.ticket, input.campaignId);
    const answer = await this.forTicket(claims);
    this.metrics.statusPolls.inc({ state: answer.state });
    return answer;
  }

  /** Also used by join when a resident comes back with a ticket. */
  async forTicket(claims: TicketClaims): Promise<QueueAnswer> {
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
        throw new WaitingRoomError('TICKET_UNKNOWN', 'this ticket has no place in this waiting room');
      case StatusCode.Tampered:
        throw new WaitingRoomError('TICKET_TAMPERED', 'the queue number in the ticket is not this ticket’s');
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
