import { slotId } from '@khiw/contracts';
import type { FieldErrors } from '../http/field-errors';
import type { Localized } from '../http/problem-messages';
import type { ListColumn, ListRow } from './organisation-csv';

/** The booking body field each list column feeds (what POST /api/bookings is sent). */
const FIELD_OF_COLUMN: Record<Exclude<ListColumn, 'date' | 'time'>, string> = {
  citizen_id: 'citizenId',
  first_name: 'firstName',
  last_name: 'lastName',
  birth_date: 'birthDate',
  phone: 'phone',
  group: 'groupCode',
  site: 'siteId',
  slot: 'slotId',
  province_code: 'provinceCode',
  language: 'language',
};
const COLUMN_OF_FIELD = new Map(Object.entries(FIELD_OF_COLUMN).map(([column, field]) => [field, column]));

/**
 * One list row as the booking body a resident's page sends: the same parsers (citizen ID
 * with its check digit, any way of writing a birth date or a Thai mobile) and the same
 * campaign checks then apply (checkBookingBody). A slot is named by its id, or by date and
 * time at the row's site (`2021-08-02`, `09:00`).
 */
export function bookingBodyOf(campaignId: string, row: ListRow): Record<string, unknown> {
  const v = row.values;
  const body: Record<string, unknown> = { campaignId };
  for (const [column, field] of Object.entries(FIELD_OF_COLUMN)) {
    const value = v[column as ListColumn];
    if (value !== undefined) body[field] = column === 'language' ? value.toLowerCase() : value;
  }
  if (!v.slot && v.site && v.date && v.time) {
    body.slotId = slotId(v.site, v.date.trim(), v.time.trim().padStart(5, '0'));
  }
  return body;
}

/** The column a booking field came from, so the organisation reads its own words. */
export function columnOf(field: string): string {
  if (field === 'slotId') return 'slot';
  return COLUMN_OF_FIELD.get(field) ?? field;
}

/** Field errors as one line of Thai and one of English, named by the list's columns. */
export function fieldErrorsText(fields: FieldErrors): Localized {
  const entries = Object.entries(fields);
  return {
    th: entries.map(([field, m]) => `${columnOf(field)}: ${m.th}`).join('; '),
    en: entries.map(([field, m]) => `${columnOf(field)}: ${m.en}`).join('; '),
  };
}

/** What became of one row. */
export type RowResult = {
  line: number;
  citizenId: string;
  firstName: string;
  lastName: string;
} & (
  | {
      result: 'booked' | 'already_booked';
      reference: string;
      siteId: string;
      siteName: string;
      startsAt: string;
    }
  | { result: 'standby'; siteId: string; position: number }
  | { result: 'refused'; code: string; reason: Localized }
  /** The engine had not answered when the upload stopped waiting: look the person up later. */
  | { result: 'pending' }
);

export const RESULT_KINDS = ['booked', 'already_booked', 'standby', 'refused', 'pending'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];
