import { KhiwError } from '@khiw/errors';
import type { RoomCache } from './room-cache';
import type { AccessClaims } from './tokens/queue-tokens';
import { UseAccessCode } from './waiting-room-scripts';

/**
 * The bookings an access token allows (a family: maxBookings). The booking route
 * calls `use` once per submitted person after verifyAccessToken; the last one, or
 * `release`, frees the active place for the next resident.
 */
export class AccessGrants {
  constructor(private readonly rooms: RoomCache) {}

  /** Returns how many bookings of the grant are spent, this one included. */
  async use(claims: AccessClaims): Promise<number> {
    return this.call(claims, 'use');
  }

  async release(claims: AccessClaims): Promise<void> {
    await this.call(claims, 'release');
  }

  private async call(claims: AccessClaims, mode: 'use' | 'release'): Promise<number> {
    const keys = this.rooms.keys(claims.campaignId);
    if (claims.standby) return this.callStandby(claims, mode, keys.standbyGrants);
    const [code, used] = await this.rooms.redis.wrUseAccess(
      keys.room,
      keys.access,
      keys.grants,
      claims.queueNumber,
      claims.maxBookings,
      mode,
    );
    if (Number(code) === UseAccessCode.Expired) throw new KhiwError('ACCESS_EXPIRED', 'access expired');
    if (Number(code) === UseAccessCode.Exhausted) {
      throw new KhiwError('ACCESS_EXHAUSTED', 'every booking of this access token is used');
    }
    return Number(used);
  }

  /** A standby token holds no active place: only its bookings are counted, per token. */
  private async callStandby(claims: AccessClaims, mode: 'use' | 'release', key: string): Promise<number> {
    if (mode === 'release') return 0;
    if (claims.expiresAt * 1000 < Date.now()) throw new KhiwError('ACCESS_EXPIRED', 'access expired');
    const used = Number(
      await this.rooms.redis.eval(SPEND_STANDBY, 1, key, claims.ticketId, claims.maxBookings),
    );
    if (used < 0) throw new KhiwError('ACCESS_EXHAUSTED', 'every booking of this access token is used');
    return used;
  }
}

// One booking of a standby token, atomically; -1 when all are spent. The hash lives a day.
const SPEND_STANDBY = `
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if used >= tonumber(ARGV[2]) then return -1 end
used = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], 86400)
return used`;
