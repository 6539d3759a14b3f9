import { randomBytes } from 'node:crypto';
import { KhiwError } from '@khiw/errors';
import { challengeDifficulty, isProofOfWorkValid } from './proof-of-work';
import { endAnswer, prequeueAnswer, waitingAnswer, type QueueAnswer } from './queue-answer';
import type { RoomCache } from './room-cache';
import type { RoomView } from './room-view';
import { finalStateOfSnapshot } from './sold-out';
import type { StandbyAccess } from './standby-access';
import type { TicketStanding } from './ticket-standing';
import type { QueueTokens } from './tokens/queue-tokens';
import type { WaitingRoomMetrics } from './waiting-room-metrics';
import { JoinCode } from './waiting-room-scripts';

export interface JoinQueueCommand {
  campaignId: string;
  /** A ticket from an earlier join (Authorization header or body): same place again. */
  ticket?: string;
  challenge?: string;
  nonce?: string;
  /**
   * A partner app joining for its user (src/partners): the partner's credentials and its
   * rate limit are its price for a place, not a proof-of-work; the order is the same.
   */
  proofWaived?: true;
}

export interface JoinResult {
  /** false when an existing place was returned. */
  created: boolean;
  answer: Omit<QueueAnswer, 'ticket'> & { ticket: string | null };
}

/** `POST /api/campaigns/:campaignId/queue`: a place in the waiting room, once per browser. */
export class JoinQueue {
  constructor(
    private readonly rooms: RoomCache,
    private readonly tokens: QueueTokens,
    private readonly standing: TicketStanding,
    private readonly metrics: WaitingRoomMetrics,
    private readonly standby: StandbyAccess,
  ) {}

  async execute(input: JoinQueueCommand): Promise<JoinResult> {
    const { view, snapshot } = await this.rooms.get(input.campaignId);
    if (input.ticket) {
      const again = await this.rejoin(input.ticket, input.campaignId);
      if (again) return again;
    }

    const snapshotFinal = finalStateOfSnapshot(snapshot);
    if (snapshotFinal || view.final) {
      this.metrics.joins.inc({ result: 'final' });
      const answer = endAnswer(view, (snapshotFinal ?? view.final)!, null, snapshot);
      return { created: false, answer: { ...(await this.standbyOffer(answer, input, view)), ticket: null } };
    }

    let solvedAt = input.proofWaived ? -2 : -1;
    if (input.challenge && !input.proofWaived) {
      const difficulty = challengeDifficulty(input.challenge);
      if (difficulty === undefined) throw new KhiwError('CHALLENGE_INVALID', 'not a challenge of ours');
      if (!isProofOfWorkValid(input.challenge, input.nonce ?? '', difficulty)) {
        this.metrics.joins.inc({ result: 'refused' });
        throw new KhiwError('PROOF_OF_WORK_INVALID', 'the nonce does not solve the challenge');
      }
      solvedAt = difficulty;
    }

    const keys = this.rooms.keys(input.campaignId);
    const ticketId = randomBytes(12).toString('base64url');
    const [code, numberReply, extra] = await this.rooms.redis.wrJoin(
      keys.room,
      keys.numbers,
      keys.pre,
      keys.seen,
      keys.challenge(input.challenge ?? 'none'),
      ticketId,
      solvedAt,
    );
    switch (Number(code) as JoinCode) {
      case JoinCode.ChallengeInvalid:
        this.metrics.joins.inc({ result: 'refused' });
        throw new KhiwError(
          'CHALLENGE_INVALID',
          'challenge missing, already used, expired or easier than required',
        );
      case JoinCode.Final: {
        this.metrics.joins.inc({ result: 'final' });
        const answer = endAnswer(view, extra === 'closed' ? 'closed' : 'sold_out', null, snapshot);
        // The join step returns before spending the challenge when the room is final.
        return {
          created: false,
          answer: { ...(await this.standbyOffer(answer, input, view)), ticket: null },
        };
      }
      case JoinCode.Prequeue: {
        this.metrics.joins.inc({ result: 'prequeue' });
        const ticket = this.tokens.signTicket({ ticketId, campaignId: input.campaignId, queueNumber: null });
        return { created: true, answer: { ...prequeueAnswer({ ...view, prequeue: Number(extra) }), ticket } };
      }
      default: {
        this.metrics.joins.inc({ result: 'waiting' });
        const queueNumber = Number(numberReply);
        const ticket = this.tokens.signTicket({ ticketId, campaignId: input.campaignId, queueNumber });
        // The view may be a second old: never show a position behind the number itself.
        const serving = Math.min(view.serving, queueNumber - 1);
        return { created: true, answer: { ...waitingAnswer(view, queueNumber, serving), ticket } };
      }
    }
  }

  /**
   * A newcomer after sell-out gets a standby token only for a solved, unused challenge, like
   * a place in the queue: the proof-of-work keeps scripts from collecting standby tokens.
   */
  private async standbyOffer(
    answer: QueueAnswer,
    input: JoinQueueCommand,
    view: RoomView,
  ): Promise<QueueAnswer> {
    if (answer.state !== 'sold_out' || !answer.standbyOffered) return answer;
    if (view.powDifficulty > 0 && !input.proofWaived) {
      const difficulty = input.challenge ? challengeDifficulty(input.challenge) : undefined;
      const solved =
        difficulty !== undefined &&
        difficulty >= view.powDifficulty &&
        isProofOfWorkValid(input.challenge!, input.nonce ?? '', difficulty) &&
        (await this.rooms.redis.del(this.rooms.keys(input.campaignId).challenge(input.challenge!))) === 1;
      if (!solved) return answer;
    }
    return this.standby.offer(answer, input);
  }

  /**
   * The same place for a ticket that still has one. An expired ticket, or one whose place
   * is gone (expired unclaimed, or unknown after a reset), joins anew at the back; a forged,
   * tampered or other campaign's ticket is refused.
   */
  private async rejoin(ticket: string, campaignId: string): Promise<JoinResult | undefined> {
    let claims;
    try {
      claims = this.tokens.verifyTicket(ticket, campaignId);
    } catch (error) {
      if (KhiwError.is(error, 'TOKEN_EXPIRED')) return undefined;
      throw error;
    }
    try {
      const answer = await this.standing.of(claims);
      if (answer.state === 'expired') return undefined;
      this.metrics.joins.inc({ result: 'rejoined' });
      return { created: false, answer: { ...answer, ticket: answer.ticket ?? ticket } };
    } catch (error) {
      if (KhiwError.is(error, 'TICKET_UNKNOWN')) return undefined;
      throw error;
    }
  }
}
