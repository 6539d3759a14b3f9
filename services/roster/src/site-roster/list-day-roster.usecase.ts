import type { PrismaClient } from '@khiw/db';
import { dayBounds } from './day-bounds';
import { STAFF_ENTRY_FROM, toStaffEntry, type StaffEntry, type StaffEntryRow } from './staff-entry';

export interface ListDayRosterCommand {
  campaignId: string;
  siteId: string;
  /** A calendar day at the site (YYYY-MM-DD). */
  date: string;
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

/** A site's day for its staff: the bookings per time slot, with counts per slot and for the day. */
export class ListDayRoster {
  constructor(private readonly prisma: PrismaClient) {}

  async execute({ campaignId, siteId, date }: ListDayRosterCommand): Promise<SiteDayRoster> {
    const { from, to } = dayBounds(date);
    const rows = await this.prisma.$queryRawUnsafe<StaffEntryRow[]>(
      `SELECT ${STAFF_ENTRY_FROM}
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
      slot.entries.push(toStaffEntry(row));
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
}
