import type { Appointment, ResidentIdentity, StandbyPlace } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import { appointmentOf } from './booking-events';
import type { BookingRow } from './booking-store';
import type { StandbyStore, WaitingEntryRow } from './standby-store';

// What residents see of their rows: shared by the self-service use cases.

export const dateKey = (d: Date) => d.toISOString().slice(0, 10);

export function toAppointment(row: BookingRow): Appointment {
  return {
    bookingId: row.id,
    reference: row.reference,
    status: row.status,
    groupCode: row.group_code,
    ...appointmentOf(row),
  };
}

/** Both fields must match; a mismatch looks exactly like "no such booking". */
export function matches(row: { citizen_id: string; birth_date: Date }, who: ResidentIdentity): boolean {
  return row.citizen_id === who.citizenId && dateKey(row.birth_date) === who.birthDate;
}

/** The booking row when there is one and `who` (when given) holds it; otherwise NOT_FOUND. */
export function ownBooking(row: BookingRow | undefined, who: ResidentIdentity | null): BookingRow {
  if (!row || (who && !matches(row, who))) throw new KhiwError('NOT_FOUND');
  return row;
}

/** A waiting place as the resident sees it: its position counts only those still waiting ahead. */
export async function placeInLine(
  standby: StandbyStore,
  campaignId: string,
  entry: WaitingEntryRow | undefined,
): Promise<StandbyPlace | null> {
  if (!entry) return null;
  return {
    standbyId: entry.id,
    position: (await standby.waitingAhead(campaignId, entry.position)) + 1,
    groupCode: entry.group_code,
    siteId: entry.site_id,
    slotId: entry.slot_id,
  };
}
