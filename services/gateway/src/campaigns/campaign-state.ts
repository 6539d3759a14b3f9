import type { CampaignState } from '@khiw/contracts';

/**
 * The campaign's state as a resident should read it now. The booking worker's snapshot keeps
 * the database's `scheduled` until something else changes the campaign, while bookings are
 * taken from `opensAt` on: past the opening, a scheduled campaign reads `open` (issue 14).
 */
export function campaignStateAt(
  snapshot: { state: CampaignState; opensAt: string },
  nowMs: number,
): CampaignState {
  if (snapshot.state !== 'scheduled') return snapshot.state;
  return Date.parse(snapshot.opensAt) <= nowMs ? 'open' : 'scheduled';
}
