import type { PrismaClient } from '@khiw/db';
import { csvLine, UTF8_BOM } from './csv';

/**
 * The national-registry export layout (docs/roster.md): one row per citizen ID, never two.
 * A person with several bookings in the campaign (cancelled, booked again) appears once, with
 * the booking that counts: checked in first, then the active one, then the latest.
 */
export const REGISTRY_EXPORT_HEADER = [
  'citizen_id',
  'first_name',
  'last_name',
  'birth_date',
  'campaign_id',
  'priority_group',
  'site_id',
  'appointment_date',
  'appointment_time',
  'status',
  'checked_in_at',
  'booking_reference',
] as const;

interface Row {
  citizen_id: string;
  first_name: string;
  last_name: string;
  birth_date: string;
  group_code: string;
  site_id: string;
  day: string;
  time: string;
  status: string;
  checked_in_at: Date | null;
  reference: string;
}

export interface ExportRegistryCommand {
  campaignId: string;
  /** Only the people who came (vaccinated). */
  checkedInOnly?: boolean;
}

/**
 * Yields the CSV in pages (keyset on citizen ID), so a large campaign streams without being
 * held in memory.
 */
export class ExportRegistry {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pageSize = 5000,
  ) {}

  async *execute({ campaignId, checkedInOnly = false }: ExportRegistryCommand): AsyncGenerator<string> {
    yield UTF8_BOM + csvLine([...REGISTRY_EXPORT_HEADER]);
    let after = '';
    for (;;) {
      const rows = await this.prisma.$queryRaw<Row[]>`
        SELECT DISTINCT ON (citizen_id) citizen_id, first_name, last_name, birth_date::text AS birth_date,
               group_code, site_id, to_char(starts_at AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD') AS day,
               to_char(starts_at AT TIME ZONE 'Asia/Bangkok', 'HH24:MI') AS time,
               CASE WHEN checked_in_at IS NOT NULL THEN 'vaccinated_checked_in' ELSE 'booked' END AS status,
               checked_in_at, reference
        FROM roster.entries
        WHERE campaign_id = ${campaignId} AND citizen_id IS NOT NULL AND citizen_id > ${after}
          AND cancelled_at IS NULL AND (${!checkedInOnly} OR checked_in_at IS NOT NULL)
        ORDER BY citizen_id, (checked_in_at IS NULL), appointment_at DESC
        LIMIT ${this.pageSize}`;
      if (rows.length === 0) return;
      let page = '';
      for (const r of rows) {
        page += csvLine([
          r.citizen_id,
          r.first_name,
          r.last_name,
          r.birth_date,
          campaignId,
          r.group_code,
          r.site_id,
          r.day,
          r.time,
          r.status,
          r.checked_in_at?.toISOString() ?? '',
          r.reference,
        ]);
      }
      yield page;
      after = rows[rows.length - 1]!.citizen_id;
      if (rows.length < this.pageSize) return;
    }
  }
}
