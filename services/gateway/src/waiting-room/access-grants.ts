import { KhiwError } from '@khiw/errors';
import type { RoomCache } from './room-cache';
import type { AccessClaims } from './tokens/queue-tokens';
import type { WaitingRoomMetrics } from './waiting-room-metrics';
import { UseAccessCode } from './waiting-room-scripts';

/**
 * The bookings an access token allows (a family: maxBookings). The booking route calls
 * `use` once per submitted person after verifyAccessToken; each booking keeps the active
 * place only for the family grace (the next family member's booking), the last one frees it
 * at once, and `release` (the resident is done) frees it at once too (use-access-3.lua).
 */
export class AccessGrants {
  constructor(
    private readonly rooms: RoomCache,
    private readonly metrics?: Pick<WaitingRoomMetrics, 'placesFreed'>,
  ) {}

  /** Returns how many bookings of the grant are spent, this one included. */
  async use(claims: AccessClaims): Promise<number> {
    if (claims.standby) return this.spendStandby(claims);
    const [used, placeExpiresAt] = await this.call(claims, 'use');
    if (placeExpiresAt === 0) this.metrics?.placesFreed.inc({ reason: 'booked' });
    return used;
  }

  /** The resident is done: the place goes to the next in line. Idempotent; true when freed now. */
  async release(claims: AccessClaims): Promise<boolean> {
    // A standby token holds no active place.
    if (claims.standby) return false;
    const [, freed] = await this.call(claims, 'release');
    if (freed === 1) this.metrics?.placesFreed.inc({ reason: 'done' });
    return freed === 1;
  }

  private async call(claims: AccessClaims, mode: 'use' | 'release'): Promise<[number, number]> {
    const keys = this.rooms.keys(claims.campaignId);
    const [code, used, extra] = await this.rooms.redis.wrUseAccess(
      keys.room,
      keys.access,
      keys.grants,
      claims.queueNumber,
      claims.maxBookings,
      mode,
      claims.expiresAt * 1000,
      this.rooms.options.defaults.familyGraceSeconds,
    );
    if (Number(code) === UseAccessCode.Expired) throw new KhiwError('ACCESS_EXPIRED', 'access expired');
    if (Number(code) === UseAccessCode.Exhausted) {
      throw new KhiwError('ACCESS_EXHAUSTED', 'every booking of this access token is used');
    }
    return [Number(used), Number(extra)];
  }

  /** A standby token: only its bookings are counted, per token. */
  private async spendStandby(claims: AccessClaims): Promise<number> {
    if (claims.expiresAt * 1000 < Date.now()) throw new KhiwError('ACCESS_EXPIRED', 'access expired');
    const key = this.rooms.keys(claims.campaignId).standbyGrants;
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
