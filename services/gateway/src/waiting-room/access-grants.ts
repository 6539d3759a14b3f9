import type { AccessClaims } from './tokens/queue-tokens';
import { WaitingRoomError } from './waiting-room-error';
import { UseAccessCode } from './waiting-room-scripts';
import type { WaitingRooms } from './waiting-rooms';

/**
 * The bookings an access token allows (a family: maxBookings). The booking route (issue 4)
 * calls `use` once per submitted person after verifyAccessToken; the last one, or
 * `release`, frees the active place for the next resident.
 */
export class AccessGrants {
  constructor(private readonly rooms: WaitingRooms) {}

  /** Returns how many bookings of the grant are spent, this one included. */
  async use(claims: AccessClaims): Promise<number> {
    return this.call(claims, 'use');
  }

  async release(claims: AccessClaims): Promise<void> {
    await this.call(claims, 'release');
  }

  private async call(claims: AccessClaims, mode: 'use' | 'release'): Promise<number> {
    const keys = this.rooms.keys(claims.campaignId);
    const [code, used] = await this.rooms.redis.wrUseAccess(
      keys.room,
      keys.access,
      keys.grants,
      claims.queueNumber,
      claims.maxBookings,
      mode,
    );
    if (Number(code) === UseAccessCode.Expired)
      throw new WaitingRoomError('ACCESS_EXPIRED', 'access expired');
    if (Number(code) === UseAccessCode.Exhausted) {
      throw new WaitingRoomError('ACCESS_EXHAUSTED', 'every booking of this access token is used');
    }
    return Number(used);
  }
}
