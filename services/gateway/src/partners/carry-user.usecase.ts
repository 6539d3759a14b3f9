import { createHash } from 'node:crypto';
import { KhiwError } from '@khiw/errors';
import { campaignKey, type Redis } from '@khiw/redis';
import type { AccessGrants } from '../waiting-room/access-grants';
import type { JoinQueue, JoinResult } from '../waiting-room/join-queue.usecase';
import type { QueueAnswer } from '../waiting-room/queue-answer';
import type { QueueStatus } from '../waiting-room/queue-status.usecase';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';

const DAY = 86_400;

// Compare-and-set of a user's place (KEYS[1]), only if it still holds what the join started
// from, and its owner (KEYS[2]) with it, in one step.
const BIND_PLACE = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] and current ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
return 1`;

/**
 * A partner app carries its user through the same waiting room as a browser (issue 11): the
 * same join step, the same numbers, the same admission loop and outflow. What differs is who
 * holds the place: a browser holds its ticket, here the place is bound to the partner and
 * its user's reference (`userRef`, the app's own id for the person, hashed before it
 * becomes a key). Joining again for the same user returns the same place; a ticket or access
 * token of another partner's user (or of a browser) is PARTNER_TICKET_FORBIDDEN.
 */
export class CarryUser {
  constructor(
    private readonly deps: {
      redis: Redis;
      namespace: string;
      join: JoinQueue;
      status: QueueStatus;
      tokens: QueueTokens;
      grants: AccessGrants;
    },
  ) {}

  async join(partnerId: string, campaignId: string, userRef: string): Promise<JoinResult> {
    const place = this.placeKey(partnerId, campaignId, userRef);
    // Two joins for one user at once (an app retrying, a double tap) end on one place: the
    // first to bind wins, the other answers with the winner's place.
    for (let attempt = 0; ; attempt += 1) {
      const held = await this.deps.redis.get(place);
      const joined = await this.deps.join.execute({
        campaignId,
        proofWaived: true,
        ...(held && { ticket: held }),
      });
      const ticket = joined.answer.ticket;
      if (!ticket || (await this.bind(partnerId, campaignId, place, held, ticket)) || attempt >= 2)
        return joined;
    }
  }

  /** Where the user's place stands; the access token once admitted (as a browser's poll). */
  async status(partnerId: string, ticket: string): Promise<QueueAnswer> {
    const claims = this.deps.tokens.verifyTicket(ticket);
    await this.assertOwner(partnerId, claims.campaignId, claims.ticketId);
    const answer = await this.deps.status.execute({ ticket });
    // A renewed ticket (number drawn at opening, or half its life gone) replaces the held one.
    if (answer.ticket) {
      const owner = await this.deps.redis.get(this.ownerKey(claims.campaignId, claims.ticketId));
      if (owner) await this.deps.redis.set(owner.split('\n')[1]!, answer.ticket, 'EX', this.ttl());
    }
    return answer;
  }

  /**
   * The user is done booking (as a browser's "done"): their active place goes to the next in
   * line now, not when the family grace runs out. Only this partner's user's access token;
   * releasing twice, or a place already gone, is no error (false).
   */
  async release(partnerId: string, accessToken: string, campaignId: string): Promise<boolean> {
    const claims = this.deps.tokens.verifyAccess(accessToken, campaignId);
    await this.assertOwner(partnerId, campaignId, claims.ticketId);
    return this.deps.grants.release(claims);
  }

  /** The place (ticket id) is one of this partner's users', or PARTNER_TICKET_FORBIDDEN. */
  async assertOwner(partnerId: string, campaignId: string, ticketId: string): Promise<void> {
    const owner = await this.deps.redis.get(this.ownerKey(campaignId, ticketId));
    if (owner?.split('\n')[0] !== partnerId) {
      throw new KhiwError(
        'PARTNER_TICKET_FORBIDDEN',
        `place ${ticketId} is not one of ${partnerId}'s users'`,
      );
    }
  }

  /** Binds the place to the user if it still holds `held` (nothing, or the ticket joined with). */
  private async bind(
    partnerId: string,
    campaignId: string,
    place: string,
    held: string | null,
    ticket: string,
  ): Promise<boolean> {
    const { ticketId } = this.deps.tokens.verifyTicket(ticket, campaignId);
    // The owner outlives the ticket by a day: an access token given near the end still books.
    const bound = await this.deps.redis.eval(
      BIND_PLACE,
      2,
      place,
      this.ownerKey(campaignId, ticketId),
      held ?? '',
      ticket,
      this.ttl(),
      `${partnerId}\n${place}`,
      this.ttl() + DAY,
    );
    return Number(bound) === 1;
  }

  private ttl(): number {
    return this.deps.tokens.ticketTtlSeconds;
  }

  private placeKey(partnerId: string, campaignId: string, userRef: string): string {
    const user = createHash('sha256').update(`${partnerId}\n${userRef}`).digest('base64url');
    return campaignKey(this.deps.namespace, campaignId, `partner-place:${user}`);
  }

  private ownerKey(campaignId: string, ticketId: string): string {
    return campaignKey(this.deps.namespace, campaignId, `partner-owner:${ticketId}`);
  }
}
