import type { PrismaClient } from '@khiw/db';
import { STAFF_ENTRY_FROM, toStaffEntry, type StaffEntry, type StaffEntryRow } from './staff-entry';

export interface FindBookingsCommand {
  campaignId: string;
  /** Exactly one of the two: the person's document number, or their phone (E.164). */
  citizenId?: string;
  phone?: string;
}

export type FoundBooking = StaffEntry & { siteId: string; channel: string | null; enteredBy: string | null };

/**
 * A person's bookings in a campaign at every site, by citizen ID or by phone (a family may
 * share one): what a call-centre agent or a counter clerk needs to find the booking of the
 * person in front of them. Active first, at most 20.
 */
export class FindBookings {
  constructor(private readonly prisma: PrismaClient) {}

  async execute({ campaignId, citizenId, phone }: FindBookingsCommand): Promise<FoundBooking[]> {
    const column = citizenId !== undefined ? 'citizen_id' : 'phone';
    const rows = await this.prisma.$queryRawUnsafe<
      (StaffEntryRow & { site_id: string; channel: string | null; entered_by: string | null })[]
    >(
      `SELECT ${STAFF_ENTRY_FROM.replace('e.booking_id,', 'e.booking_id, e.site_id, e.channel, e.entered_by,')}
       WHERE e.campaign_id = $1 AND e.${column} = $2
       ORDER BY (e.status = 'cancelled'), e.starts_at LIMIT 20`,
      campaignId,
      citizenId ?? phone,
    );
    return rows.map((row) => ({
      ...toStaffEntry(row),
      siteId: row.site_id,
      channel: row.channel,
      enteredBy: row.entered_by,
    }));
  }
}
