import type { Appointment, RescheduleRequest } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { appointmentOf, rescheduledEvent } from './booking-events';
import { BookingStore } from './booking-store';
import { eligibilityProblem } from './eligibility';
import { dateKey, ownBooking, toAppointment } from './resident-view';
import { promoteStandby } from './standby-promotion';
import { StandbyStore } from './standby-store';

export type RescheduleBookingCommand = RescheduleRequest & { bookingId: string };

export interface RescheduledBooking {
  booking: Appointment;
  campaignId: string;
}

/**
 * Moves a resident's booking to another slot of the campaign, only to one with room (SLOT_FULL
 * otherwise) and where they are still of age on the new day. The dose stays theirs; the place
 * freed in the old slot may be what a standby person at that site needs, so promotion follows
 * in the same transaction, which locks the campaign row first like booking batches do.
 */
export class RescheduleBooking {
  constructor(private readonly prisma: PrismaClient) {}

  async execute(command: RescheduleBookingCommand): Promise<RescheduledBooking> {
    const { bookingId, slotId } = command;
    const campaignId = await new BookingStore(this.prisma).campaignOf(bookingId);
    if (!campaignId) throw new KhiwError('NOT_FOUND');
    return this.prisma.$transaction(
      async (tx) => {
        const bookings = new BookingStore(tx);
        const campaign = await bookings.lockCampaign(campaignId);
        if (!campaign) throw new KhiwError('NOT_FOUND');
        const row = ownBooking(await bookings.lockBooking(bookingId), command);
        if (row.status === 'cancelled') throw new KhiwError('ALREADY_CANCELLED');
        if (row.slot_id === slotId) return { booking: toAppointment(row), campaignId };
        const slot = await bookings.slotWithSite(campaignId, slotId);
        if (!slot) throw new KhiwError('UNKNOWN_SLOT');
        const group = await bookings.groupAges(campaignId, row.group_code);
        // Only the age depends on the day: the other rules were met when the booking was made.
        const problem = eligibilityProblem(
          { ...campaign.eligibility, excludeAlreadyVaccinated: false },
          { minAgeYears: group?.min_age_years ?? null, maxAgeYears: group?.max_age_years ?? null },
          {
            citizenId: row.citizen_id,
            birthDate: dateKey(row.birth_date),
            provinceCode: row.province_code ?? undefined,
            alreadyVaccinated: false,
          },
          slot.starts_at,
        );
        if (problem === 'NOT_ELIGIBLE_AGE') throw new KhiwError(problem);
        if (!(await bookings.takePlace(campaignId, slotId))) throw new KhiwError('SLOT_FULL');
        await bookings.freePlace(campaignId, row.slot_id);
        await bookings.moveBooking(bookingId, slotId, slot.site_id);
        const to = { ...slot, slot_id: slotId };
        await bookings.insertOutbox([
          rescheduledEvent({
            campaignId,
            requestId: row.request_id,
            bookingId,
            reference: row.reference,
            phone: row.phone,
            from: appointmentOf(row),
            appointment: appointmentOf(to),
          }),
        ]);
        await promoteStandby(new StandbyStore(tx), campaignId, 1, row.slot_id);
        return { booking: toAppointment({ ...row, ...to }), campaignId };
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
  }
}
