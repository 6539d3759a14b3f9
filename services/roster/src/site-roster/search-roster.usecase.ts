import type { PrismaClient } from '@khiw/db';
import { STAFF_ENTRY_FROM, toStaffEntry, type StaffEntry, type StaffEntryRow } from './staff-entry';

export interface SearchRosterCommand {
  campaignId: string;
  siteId: string;
  /** A booking reference (exact) or part of a name. */
  query: string;
}

/** Finds bookings at a site on any day, by reference or name; active ones first, at most 50. */
export class SearchRoster {
  constructor(private readonly prisma: PrismaClient) {}

  async execute({ campaignId, siteId, query }: SearchRosterCommand): Promise<StaffEntry[]> {
    const text = query.trim().slice(0, 100);
    if (!text) return [];
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.prisma.$queryRawUnsafe<StaffEntryRow[]>(
      `SELECT ${STAFF_ENTRY_FROM}
       WHERE e.campaign_id = $1 AND e.site_id = $2 AND e.citizen_id IS NOT NULL
         AND (e.reference = upper($3) OR e.first_name ILIKE $4 OR e.last_name ILIKE $4
              OR (e.first_name || ' ' || e.last_name) ILIKE $4)
       ORDER BY (e.status = 'cancelled'), e.starts_at, e.first_name LIMIT 50`,
      campaignId,
      siteId,
      text,
      pattern,
    );
    return rows.map(toStaffEntry);
  }
}
