import { randomUUID } from 'node:crypto';
import { appointmentOf, promotedEvent } from './booking-events';
import { newBookingReference } from './booking-reference';
import { dateKey } from './resident-view';
import type { StandbyStore } from './standby-store';

/**
 * Moves up to `max` standby people, first come first, into free doses: a person fits when
 * their group has quota left and a slot at THEIR chosen site has room (their own slot
 * first, then the slot just freed, then the earliest with room). Someone the national
 * registry has listed as vaccinated since, or who holds a booking already, is withdrawn from
 * the list instead. Runs inside the caller's transaction (cancellation, reschedule, quota
 * change), with the campaign row already locked. Returns how many moved.
 */
export async function promoteStandby(
  standby: StandbyStore,
  campaignId: string,
  max: number,
  freedSlotId?: string,
): Promise<number> {
  let promoted = 0;
  while (promoted < max) {
    if (!(await standby.hasDoseLeft(campaignId))) break;
    const entry = await standby.firstThatFits(campaignId);
    if (!entry) break;
    const listed = await standby.isListedVaccinated(entry.citizen_id);
    const active = await standby.hasActiveBooking(campaignId, entry.citizen_id);
    if (listed || active) {
      await standby.withdraw(campaignId, entry.id);
      continue;
    }
    const slot = await standby.lockFreeSlot(campaignId, entry, freedSlotId);
    if (!slot) break;
    const booking = { id: randomUUID(), reference: newBookingReference() };
    await standby.promote(campaignId, entry, slot, booking);
    await standby.insertOutbox([
      promotedEvent({
        campaignId,
        requestId: entry.request_id,
        bookingId: booking.id,
        reference: booking.reference,
        channel: entry.channel,
        ...(entry.entered_by !== null && { enteredBy: entry.entered_by }),
        ...(entry.language !== null && { language: entry.language }),
        standbyPosition: entry.position,
        person: {
          citizenId: entry.citizen_id,
          firstName: entry.first_name,
          lastName: entry.last_name,
          birthDate: dateKey(entry.birth_date),
          phone: entry.phone,
          groupCode: entry.group_code,
        },
        appointment: appointmentOf({ ...slot, slot_id: slot.id }),
      }),
    ]);
    promoted += 1;
  }
  return promoted;
}
