import type { ResidentState } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { BookingStore } from './booking-store';
import { placeInLine, toAppointment } from './resident-view';
import { StandbyStore } from './standby-store';

export interface GetRequestStateCommand {
  requestId: string;
}

/** What became of a booking request, now: its booking, or its standby place (which may have been promoted since). */
export class GetRequestState {
  private readonly bookings: BookingStore;
  private readonly standby: StandbyStore;

  constructor(prisma: PrismaClient) {
    this.bookings = new BookingStore(prisma);
    this.standby = new StandbyStore(prisma);
  }

  async execute({ requestId }: GetRequestStateCommand): Promise<ResidentState> {
    // PostgreSQL text cannot hold NUL (the query would fail, a 500): no request has such an id.
    if (requestId.includes('\u0000')) throw new KhiwError('NOT_FOUND');
    const row = await this.bookings.latestOfRequest(requestId);
    if (row) return { campaignId: row.campaign_id, booking: toAppointment(row), standby: null };
    const campaignId = await this.standby.campaignOfWaitingRequest(requestId);
    if (!campaignId) throw new KhiwError('NOT_FOUND');
    const entry = await this.standby.waitingOfRequest(requestId);
    return { campaignId, booking: null, standby: await placeInLine(this.standby, campaignId, entry) };
  }
}
