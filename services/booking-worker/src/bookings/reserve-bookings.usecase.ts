import type { BookingOutcome, BookingRequestJob } from '@khiw/contracts';
import type { PgPool } from '@khiw/db';
import { decideBatch, rejected } from './decide-batch';
import { ReservationStore } from './reservation-store';

export interface ReserveBookingsCommand {
  campaignId: string;
  /** Requests of this campaign, each request id once. */
  requests: BookingRequestJob[];
}

export interface BatchResult {
  outcomes: BookingOutcome[];
  /** Set when this batch took the campaign's last dose. */
  soldOut: boolean;
  /** Whether any counter changed (the published snapshot is stale). */
  changed: boolean;
}

/**
 * Decides a batch of booking requests for one campaign in ONE transaction (group commit):
 * the campaign row is locked first, so batches, cancellations and reschedules of a campaign
 * take turns and the decision (decideBatch) sees exact counters. Bookings, standby places,
 * counters and their outbox events are written in the same transaction, with the CHECK
 * constraints `booked <= capacity/quota/total` as the last word: if the decision ever
 * miscounted, the whole batch rolls back (the caller retries it one request at a time).
 */
export class ReserveBookings {
  private readonly store: ReservationStore;

  constructor(pool: PgPool) {
    this.store = new ReservationStore(pool);
  }

  execute({ campaignId, requests }: ReserveBookingsCommand): Promise<BatchResult> {
    return this.store.transaction(async (batch) => {
      const campaign = await batch.lockCampaign(campaignId);
      if (!campaign) {
        return { outcomes: requests.map(() => rejected('UNKNOWN_CAMPAIGN')), soldOut: false, changed: false };
      }
      const rows = await batch.readBatch(campaignId, requests, campaign.eligibility.orOnList);
      const decision = decideBatch({ campaignId, campaign, requests, ...rows });
      await batch.write(campaignId, decision);
      return { outcomes: decision.outcomes, soldOut: decision.soldOut, changed: decision.changed };
    });
  }
}
