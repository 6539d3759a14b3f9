import type { LookupRequest, ResidentState, StandbyPlace } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { BookingStore } from './booking-store';
import { matches, placeInLine, toAppointment } from './resident-view';
import { StandbyStore } from './standby-store';

/**
 * A resident's booking (active first, else the latest cancelled one) or standby place in a
 * campaign, checked by citizen ID and birth date: when either does not match, NOT_FOUND, as
 * when there is nothing.
 */
export class LookupAppointment {
  private readonly bookings: BookingStore;
  private readonly standby: StandbyStore;

  constructor(prisma: PrismaClient) {
    this.bookings = new BookingStore(prisma);
    this.standby = new StandbyStore(prisma);
  }

  async execute(command: LookupRequest): Promise<ResidentState> {
    const { campaignId, citizenId } = command;
    const row = await this.bookings.latestOfCitizen(campaignId, citizenId);
    const booking = row && matches(row, command) ? toAppointment(row) : null;
    const standby = booking?.status === 'confirmed' ? null : await this.waitingPlace(command);
    if (!booking && !standby) throw new KhiwError('NOT_FOUND');
    return { campaignId, booking, standby };
  }

  private async waitingPlace(who: LookupRequest): Promise<StandbyPlace | null> {
    const entry = await this.standby.waitingOfCitizen(who.campaignId, who.citizenId);
    return placeInLine(this.standby, who.campaignId, entry && matches(entry, who) ? entry : undefined);
  }
}
