import { KhiwError } from '@khiw/errors';
import type { QueueAnswer } from './queue-answer';
import type { TicketStanding } from './ticket-standing';
import type { QueueTokens } from './tokens/queue-tokens';
import type { WaitingRoomMetrics } from './waiting-room-metrics';

export interface QueueStatusCommand {
  /** The ticket from the Authorization header; none is TOKEN_MISSING. */
  ticket: string | undefined;
  /** When given, the ticket must be for this campaign. */
  campaignId?: string;
}

/**
 * `GET /api/queue/status`: where a ticket stands, the request every waiting resident
 * repeats. One Lua step per poll (TicketStanding).
 */
export class QueueStatus {
  constructor(
    private readonly tokens: QueueTokens,
    private readonly standing: TicketStanding,
    private readonly metrics: WaitingRoomMetrics,
  ) {}

  async execute(command: QueueStatusCommand): Promise<QueueAnswer> {
    if (!command.ticket) throw new KhiwError('TOKEN_MISSING', 'no ticket');
    const claims = this.tokens.verifyTicket(command.ticket, command.campaignId);
    const answer = await this.standing.of(claims);
    this.metrics.statusPolls.inc({ state: answer.state });
    return answer;
  }
}
