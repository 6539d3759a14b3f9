import { maskCitizenId, maskPhone } from '@khiw/thai';

/** One booking as site staff see it, in the day list and in search results. */
export interface StaffEntry {
  bookingId: string;
  reference: string;
  firstName: string;
  lastName: string;
  /** Masked (first and last digit): staff compare it with the card in hand. */
  citizenId: string;
  birthDate: string;
  groupCode: string;
  phone: string | null;
  slotId: string;
  startsAt: string;
  status: string;
  checkedInAt: string | null;
  checkedInBy: string | null;
  smsStatus: string | null;
}

export interface StaffEntryRow {
  booking_id: string;
  reference: string;
  first_name: string;
  last_name: string;
  citizen_id: string;
  birth_date: string;
  group_code: string;
  phone: string | null;
  slot_id: string;
  starts_at: Date;
  status: string;
  checked_in_at: Date | null;
  checked_in_by: string | null;
  sms_status: string | null;
}

/** SELECT … FROM for StaffEntryRow: entries `e` with their SMS state `s`; the caller adds WHERE. */
export const STAFF_ENTRY_FROM = `e.booking_id, e.reference, e.first_name, e.last_name, e.citizen_id, e.birth_date::text AS birth_date,
  e.group_code, e.phone, e.slot_id, e.starts_at, e.status, e.checked_in_at, e.checked_in_by, s.status AS sms_status
  FROM roster.entries e LEFT JOIN roster.sms_states s ON s.booking_id = e.booking_id`;

export function toStaffEntry(row: StaffEntryRow): StaffEntry {
  return {
    bookingId: row.booking_id,
    reference: row.reference,
    firstName: row.first_name,
    lastName: row.last_name,
    citizenId: maskCitizenId(row.citizen_id),
    birthDate: row.birth_date,
    groupCode: row.group_code,
    phone: row.phone ? maskPhone(row.phone) : null,
    slotId: row.slot_id,
    startsAt: row.starts_at.toISOString(),
    status: row.status,
    checkedInAt: row.checked_in_at?.toISOString() ?? null,
    checkedInBy: row.checked_in_by,
    smsStatus: row.sms_status,
  };
}
