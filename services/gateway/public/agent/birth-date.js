// The birth date as a counter clerk types it off the ID card. Here, not in ../shared/: the
// resident pages (which have a date picker) do not load it.
import { arabicDigits, validBirthDate } from '../shared/resident-input.js';

/**
 * A birth date typed as digits the way it is read off a Thai ID card, day first: '15032493',
 * '15/3/2493', '1950-03-15'. A year above 2400 is Buddhist Era (543 ahead). 'YYYY-MM-DD' in
 * the common era if it is a real past date, else null.
 */
export function typedBirthDate(input) {
  const text = arabicDigits(input).trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const dmy =
    /^(\d{2})(\d{2})(\d{4})$/.exec(text) ?? /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$/.exec(text);
  const [year, month, day] = iso ? iso.slice(1) : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!year) return null;
  const ce = Number(year) > 2400 ? Number(year) - 543 : Number(year);
  const value = `${ce}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return validBirthDate(value) ? value : null;
}
