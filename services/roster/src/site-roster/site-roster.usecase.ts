import type { PrismaClient } from '@khiw/db';
import { maskCitizenId, maskPhone } from '@khiw/thai';
import { dayBounds } from './day-bounds';

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

export interface SlotList {
  slotId: string;
  startsAt: string;
  /** Active bookings (not cancelled), of which checked in. */
  booked: number;
  checkedIn: number;
  cancelled: number;
  entries: StaffEntry[];
}

export interface SiteDayRoster {
  campaignId: string;
  siteId: string;
  date: string;
  totals: { booked: number; checkedIn: number; cancelled: number };
  slots: SlotList[];
}

interface Row {
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

const COLUMNS = `e.booking_id, e.reference, e.first_name, e.last_name, e.citizen_id, e.birth_date::text AS birth_date,
  e.group_code, e.phone, e.slot_id, e.starts_at, e.status, e.checked_in_at, e.checked_in_by, s.status AS sms_status
  FROM roster.entries e LEFT JOIN roster.sms_states s ON s.booking_id = e.booking_id`;

function toEntry(row: Row): StaffEntry {
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

/** A site's roster for staff: the day per time slot with counts, and search by name or reference. */
export class SiteRoster {
  constructor(private readonly prisma: PrismaClient) {}

  async day(campaignId: string, siteId: string, date: string): Promise<SiteDayRoster> {
    const { from, to } = dayBounds(date);
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS}
       WHERE e.campaign_id = $1 AND e.site_id = $2 AND e.starts_at >= $3 AND e.starts_at < $4
         AND e.citizen_id IS NOT NULL
       ORDER BY e.starts_at, e.slot_id, e.first_name, e.last_name, e.reference`,
      campaignId,
      siteId,
      from,
      to,
    );
    const slots = new Map<string, SlotList>();
    const totals = { booked: 0, checkedIn: 0, cancelled: 0 };
    for (const row of rows) {
      let slot = slots.get(row.slot_id);
      if (!slot) {
        slot = {
          slotId: row.slot_id,
          startsAt: row.starts_at.toISOString(),
          booked: 0,
          checkedIn: 0,
          cancelled: 0,
          entries: [],
        };
        slots.set(row.slot_id, slot);
      }
      slot.entries.push(toEntry(row));
      const counter =
        row.status === 'cancelled' ? 'cancelled' : row.status === 'checked_in' ? 'checkedIn' : null;
      if (counter) {
        slot[counter]++;
        totals[counter]++;
      }
      if (row.status !== 'cancelled') {
        slot.booked++;
        totals.booked++;
      }
    }
    return { campaignId, siteId, date, totals, slots: [...slots.values()] };
  }

  /** Any day at the site: a booking reference (exact) or part of a name. At most 50. */
  async search(campaignId: string, siteId: string, query: string): Promise<StaffEntry[]> {
    const text = query.trim().slice(0, 100);
    if (!text) return [];
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS}
       WHERE e.campaign_id = $1 AND e.site_id = $2 AND e.citizen_id IS NOT NULL
         AND (e.reference = upper($3) OR e.first_name ILIKE $4 OR e.last_name ILIKE $4
              OR (e.first_name || ' ' || e.last_name) ILIKE $4)
       ORDER BY (e.status = 'cancelled'), e.starts_at, e.first_name LIMIT 50`,
      campaignId,
      siteId,
      text,
      pattern,
    );
    return rows.map(toEntry);
  }
}
