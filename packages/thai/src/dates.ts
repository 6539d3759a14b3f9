import { toArabicDigits } from './thai-digits';

export const BANGKOK_TIME_ZONE = 'Asia/Bangkok';
// Thailand has kept UTC+7 without daylight saving since 1920, so a fixed offset is exact for
// any date a booking can carry, and cheaper than asking Intl on the booking worker's hot path.
const BANGKOK_OFFSET_MS = 7 * 60 * 60 * 1000;
const BUDDHIST_ERA_OFFSET = 543;
// No Common Era birth year reaches 2400, and no Buddhist Era one goes below it for anyone alive.
const BUDDHIST_ERA_THRESHOLD = 2400;
const EARLIEST_BIRTH_YEAR = 1900;

export type DateLanguage = 'th' | 'en';

interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number;
}

// Latin digits even in Thai text: SMS and the roster are read on all kinds of phones.
const thaiFormat = new Intl.DateTimeFormat('th-TH-u-ca-buddhist-nu-latn', {
  timeZone: BANGKOK_TIME_ZONE,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
// en-US for the month name: en-GB now writes 'Sept', which reads oddly in an SMS.
const englishFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: BANGKOK_TIME_ZONE,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** '2 ส.ค. 2564' (Buddhist Era, as Thai readers expect) or '2 Aug 2021', for the day in Bangkok. */
export function formatThaiDate(date: Date, { lang }: { lang: DateLanguage } = { lang: 'th' }): string {
  const parts = (lang === 'th' ? thaiFormat : englishFormat).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // Assembled by hand so both languages share one day-month-year order whatever the locale data says.
  return `${part('day')} ${part('month')} ${part('year')}`;
}

function toBangkokWallClock(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid Date');
  return new Date(date.getTime() + BANGKOK_OFFSET_MS);
}

/** '09:00': the 24-hour wall-clock time in Bangkok. */
export function formatBangkokTime(date: Date): string {
  return toBangkokWallClock(date).toISOString().slice(11, 16);
}

/** '2021-08-02': the calendar date in Bangkok, which is the day a booking or a dose belongs to. */
export function bangkokDateKey(date: Date): string {
  return toBangkokWallClock(date).toISOString().slice(0, 10);
}

function isRealDate({ year, month, day }: CalendarDate): boolean {
  const probe = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  probe.setUTCFullYear(year);
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

function parseDateKey(day: string): CalendarDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isRealDate(date) ? date : null;
}

/** The instant a Bangkok day and wall-clock time ('2021-08-02', '09:00') denote. */
export function bangkokDateTime(day: string, time: string): Date {
  const date = parseDateKey(day);
  const t = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!date || !t) throw new RangeError(`Not a Bangkok date and time: '${day}' '${time}'`);
  const utc = Date.UTC(date.year, date.month - 1, date.day, Number(t[1]), Number(t[2]));
  return new Date(utc - BANGKOK_OFFSET_MS);
}

/**
 * Full years of age on a given instant, by the Bangkok calendar. Someone born on 29 February
 * turns a year older on 1 March in common years.
 */
export function ageOn(birthDate: string | Date, on: Date): number {
  const birth = parseDateKey(typeof birthDate === 'string' ? birthDate : bangkokDateKey(birthDate));
  if (!birth) throw new RangeError(`Not a birth date: '${String(birthDate)}'`);
  const today = parseDateKey(bangkokDateKey(on));
  if (!today) throw new RangeError('Invalid Date');
  const hadBirthday = today.month > birth.month || (today.month === birth.month && today.day >= birth.day);
  return today.year - birth.year - (hadBirthday ? 0 : 1);
}

/**
 * Full months of age on a given instant, by the Bangkok calendar (a month is complete on the
 * day of the month of birth, or on the month's last day when it has no such day): for limits
 * like Bangkok's "59 years 10 months".
 */
export function ageInMonthsOn(birthDate: string | Date, on: Date): number {
  const birth = parseDateKey(typeof birthDate === 'string' ? birthDate : bangkokDateKey(birthDate));
  if (!birth) throw new RangeError(`Not a birth date: '${String(birthDate)}'`);
  const today = parseDateKey(bangkokDateKey(on));
  if (!today) throw new RangeError('Invalid Date');
  const lastDay = new Date(Date.UTC(today.year, today.month, 0)).getUTCDate();
  const monthDone = today.day >= Math.min(birth.day, lastDay);
  return (today.year - birth.year) * 12 + (today.month - birth.month) - (monthDone ? 0 : 1);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * A birth date as residents and call-center agents write it, as 'YYYY-MM-DD' (Common Era), or
 * null. Accepts ISO 'YYYY-MM-DD' and the Thai day-first 'D/M/YYYY'; a year above 2400 is taken
 * as Buddhist Era, the year printed on Thai ID cards. Impossible and future dates are null.
 */
export function parseBirthDate(s: string, now: Date = new Date()): string | null {
  if (typeof s !== 'string') return null;
  const text = toArabicDigits(s.trim());
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  let date: CalendarDate;
  if (iso) date = { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
  else if (dayFirst)
    date = { year: Number(dayFirst[3]), month: Number(dayFirst[2]), day: Number(dayFirst[1]) };
  else return null;

  // Convert the era before checking the day: 2563 BE is the leap year 2020.
  if (date.year > BUDDHIST_ERA_THRESHOLD) date.year -= BUDDHIST_ERA_OFFSET;
  if (date.year < EARLIEST_BIRTH_YEAR || !isRealDate(date)) return null;

  const key = `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
  return key > bangkokDateKey(now) ? null : key;
}
