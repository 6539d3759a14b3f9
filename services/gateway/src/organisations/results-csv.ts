import { bangkokDateKey, formatBangkokTime } from '@khiw/thai';
import type { RowResult } from './organisation-row';

/** Excel reads a UTF-8 file as UTF-8 (Thai names intact) only with this mark. */
const UTF8_BOM = '\uFEFF';

const HEADER = [
  'line',
  'citizen_id',
  'first_name',
  'last_name',
  'result',
  'reference',
  'site',
  'site_name',
  'date',
  'time',
  'standby_position',
  'code',
  'reason_th',
  'reason_en',
];

/**
 * A CSV field (RFC 4180), quoted when it holds a comma, quote or line break; a text a
 * spreadsheet would run as a formula (= + - @ first) gets a leading apostrophe.
 */
function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function fieldsOf(row: RowResult): (string | number | undefined)[] {
  const who = [row.line, row.citizenId, row.firstName, row.lastName, row.result];
  switch (row.result) {
    case 'booked':
    case 'already_booked': {
      const at = new Date(row.startsAt);
      return [
        ...who,
        row.reference,
        row.siteId,
        row.siteName,
        bangkokDateKey(at),
        formatBangkokTime(at),
        undefined,
        undefined,
      ];
    }
    case 'standby':
      return [...who, undefined, row.siteId, undefined, undefined, undefined, row.position];
    case 'refused':
      return [...who, ...Array<undefined>(6).fill(undefined), row.code, row.reason.th, row.reason.en];
    case 'pending':
      return who;
  }
}

/** Every row's result, one line each in the list's order, for a spreadsheet. */
export function resultsCsv(rows: RowResult[]): string {
  const lines = [HEADER, ...rows.map(fieldsOf)].map((fields) =>
    HEADER.map((_, i) => csvField(fields[i])).join(','),
  );
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}
