import type { PrismaClient } from '@khiw/db';

export interface RosterAppointment {
  bookingId: string;
  reference: string;
  /** As in contracts' Appointment: confirmed (incl. promoted, rescheduled, checked in) or cancelled. */
  status: 'confirmed' | 'cancelled';
  /** The roster's finer state: confirmed | promoted | rescheduled | cancelled | checked_in. */
  rosterStatus: string;
  groupCode: string;
  siteId: string;
  siteName: { th: string; en: string };
  slotId: string;
  startsAt: string;
  checkedInAt: string | null;
  /** sent | delivered | failed, or null before the first SMS event. */
  smsStatus: string | null;
}

interface Row {
  booking_id: string;
  reference: string;
  birth_date: string;
  status: string;
  group_code: string;
  site_id: string;
  site_name_th: string | null;
  site_name_en: string | null;
  slot_id: string;
  starts_at: Date;
  checked_in_at: Date | null;
  sms_status: string | null;
}

/**
 * A resident's appointment from the roster, by citizen ID + birth date. Both must match: a
 * wrong birth date gets exactly the answer of an unknown citizen ID (null), nothing more.
 * The active booking wins over a cancelled one; among equals, the latest.
 */
export class LookupAppointment {
  constructor(private readonly prisma: PrismaClient) {}

  async execute(input: {
    campaignId: string;
    citizenId: string;
    birthDate: string;
  }): Promise<RosterAppointment | null> {
    const [row] = await this.prisma.$queryRaw<Row[]>`
      SELECT e.booking_id, e.reference, e.birth_date::text AS birth_date, e.status, e.group_code, e.site_id,
             e.site_name_th, e.site_name_en, e.slot_id, e.starts_at, e.checked_in_at, s.status AS sms_status
      FROM roster.entries e LEFT JOIN roster.sms_states s ON s.booking_id = e.booking_id
      WHERE e.campaign_id = ${input.campaignId} AND e.citizen_id = ${input.citizenId}
      ORDER BY (e.cancelled_at IS NULL) DESC, e.appointment_at DESC LIMIT 1`;
    if (!row || row.birth_date !== input.birthDate) return null;
    return {
      bookingId: row.booking_id,
      reference: row.reference,
      status: row.status === 'cancelled' ? 'cancelled' : 'confirmed',
      rosterStatus: row.status,
      groupCode: row.group_code,
      siteId: row.site_id,
      siteName: { th: row.site_name_th ?? row.site_id, en: row.site_name_en ?? row.site_id },
      slotId: row.slot_id,
      startsAt: row.starts_at.toISOString(),
      checkedInAt: row.checked_in_at?.toISOString() ?? null,
      smsStatus: row.sms_status,
    };
  }
}
