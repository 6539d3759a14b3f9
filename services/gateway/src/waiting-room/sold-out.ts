import type { CampaignSnapshot } from '@khiw/contracts';
import type { Redis } from '@khiw/redis';
import { waitingRoomKeys } from './waiting-room-keys';

/**
 * Closes the waiting room of a campaign for good: admission stops at once and every status
 * answer becomes `sold_out` (or `closed`). Safe to call from anywhere, any number of times;
 * the first final state wins. Returns true when this call changed it.
 */
export async function markSoldOut(
  redis: Redis,
  namespace: string,
  campaignId: string,
  final: 'sold_out' | 'closed' = 'sold_out',
): Promise<boolean> {
  return (await redis.hsetnx(waitingRoomKeys(namespace, campaignId).room, 'final', final)) === 1;
}

/** The final state the booking worker's snapshot announces, if any. */
export function finalStateOfSnapshot(
  snapshot: Pick<CampaignSnapshot, 'state' | 'remainingDoses'>,
): 'sold_out' | 'closed' | null {
  if (snapshot.state === 'closed') return 'closed';
  if (snapshot.state === 'sold_out' || snapshot.remainingDoses <= 0) return 'sold_out';
  return null;
}
