import { createHmac } from 'node:crypto';
import { bookingRequestId } from '@khiw/contracts';

/**
 * HMAC-SHA256 of the canonical 13-digit citizen ID, base64url: the same person always gives
 * the same value (idempotent request ids, rate-limit keys), and without the gateway's
 * secret nobody can test the 10^12 possible IDs against it.
 */
export function citizenHash(secret: string, citizenId: string): string {
  return createHmac('sha256', secret).update(citizenId).digest('base64url');
}

/** The BullMQ job id of one person's request in one campaign. */
export function requestIdFor(secret: string, campaignId: string, citizenId: string): string {
  return bookingRequestId(campaignId, citizenHash(secret, citizenId));
}
