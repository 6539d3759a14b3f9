import type { PgPool } from '@khiw/db';

export interface LookupAppointmentCommand {
  campaignId: string;
  citizenId: string;
  /** YYYY-MM-DD; must match the booking's. */
  birthDate: string;
}

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

/** A type, not an interface: pg's row type wants an index signature. */
type Row = {
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
};

/**
 * Named: PostgreSQL parses and plans it once per connection, not once per look-up. Both
 * parameters are bound, never interpolated.
 */
const LOOKUP = {
  name: 'roster-lookup-v1',
  text: `SELECT e.booking_id, e.reference, e.birth_date::text AS birth_date, e.status, e.group_code, e.site_id,
       e.site_name_th, e.site_name_en, e.slot_id, e.starts_at, e.checked_in_at, s.status AS sms_status
FROM roster.entries e LEFT JOIN roster.sms_states s ON s.booking_id = e.booking_id
WHERE e.campaign_id = $1 AND e.citizen_id = $2
ORDER BY (e.cancelled_at IS NULL) DESC, e.appointment_at DESC LIMIT 1`,
};

/**
 * A resident's appointment from the roster, by citizen ID + birth date. Both must match: a
 * wrong birth date gets exactly the answer of an unknown citizen ID (null), nothing more.
 * The active booking wins over a cancelled one; among equals, the latest.
 *
 * On a plain pg pool, not Prisma: this is the one query residents hit at up to 1,000/s, and
 * Prisma's raw-query runtime cost four times the CPU of the query itself (docs/roster.md).
 */
export class LookupAppointment {
  constructor(private readonly pool: PgPool) {}

  async execute(input: LookupAppointmentCommand): Promise<RosterAppointment | null> {
    const {
      rows: [row],
    } = await this.pool.query<Row>({ ...LOOKUP, values: [input.campaignId, input.citizenId] });
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
