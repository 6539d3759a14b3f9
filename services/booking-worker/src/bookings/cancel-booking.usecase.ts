import type { Appointment, CancelRequest } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import { KhiwError } from '@khiw/errors';
import { appointmentOf, cancelledEvent } from './booking-events';
import { BookingStore } from './booking-store';
import { ownBooking, toAppointment } from './resident-view';
import { promoteStandby } from './standby-promotion';
import { StandbyStore } from './standby-store';

/** The resident themself (checked by citizen ID and birth date), or staff/ops on their behalf. */
export type CancelBookingCommand = CancelRequest & { bookingId: string };

export interface CancelledBooking {
  booking: Appointment;
  /** Whether a standby person took the freed dose. */
  promoted: boolean;
  requestId: string;
  campaignId: string;
}

/**
 * Cancels a booking and frees its dose: slot, group and campaign counters go down (a sold-out
 * campaign reopens), and the first standby person who fits is promoted into it, all in one
 * transaction that locks the campaign row first, like booking batches do.
 */
export class CancelBooking {
  constructor(private readonly prisma: PrismaClient) {}

  async execute(command: CancelBookingCommand): Promise<CancelledBooking> {
    const { bookingId } = command;
    const campaignId = await new BookingStore(this.prisma).campaignOf(bookingId);
    if (!campaignId) throw new KhiwError('NOT_FOUND');
    // A token scoped to one campaign (the gateway passes its claim): another's booking is not found.
    if (command.actor !== 'resident' && command.campaignId && command.campaignId !== campaignId) {
      throw new KhiwError('NOT_FOUND');
    }
    return this.prisma.$transaction(
      async (tx) => {
        const bookings = new BookingStore(tx);
        if (!(await bookings.lockCampaign(campaignId))) throw new KhiwError('NOT_FOUND');
        const row = ownBooking(
          await bookings.lockBooking(bookingId),
          command.actor === 'resident' ? command : null,
        );
        // Like check-in at the roster: another site's booking is not found for this site's staff.
        if (command.actor !== 'resident' && command.site && row.site_id !== command.site) {
          throw new KhiwError('NOT_FOUND');
        }
        if (row.status === 'cancelled') throw new KhiwError('ALREADY_CANCELLED');
        const cancelledBy =
          command.actor === 'resident' ? 'resident' : `${command.actor}:${command.operator}`;
        await bookings.markCancelled(bookingId, cancelledBy);
        await bookings.releaseDose(campaignId, row.slot_id, row.group_code);
        await bookings.insertOutbox([
          cancelledEvent({
            campaignId,
            requestId: row.request_id,
            bookingId,
            reference: row.reference,
            phone: row.phone,
            appointment: appointmentOf(row),
            cancelledBy: command.actor,
          }),
        ]);
        const promoted = await promoteStandby(new StandbyStore(tx), campaignId, 1, row.slot_id);
        return {
          booking: { ...toAppointment(row), status: 'cancelled' as const },
          promoted: promoted > 0,
          requestId: row.request_id,
          campaignId,
        };
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
  }
}
