// How the console writes its figures: thousands separated, durations in words, clock times
// in Bangkok (where the campaign runs) whatever the operator's machine says.
import { lang } from '../shared/i18n-core.js';
import { t } from './i18n.js';

export const isNumber = (n) => typeof n === 'number' && Number.isFinite(n);

const locale = () => (lang === 'th' ? 'th-TH' : 'en-GB');

/** '12,345' (or '12,345.6' with `digits`); '–' when there is no figure. */
export function number(n, digits = 0) {
  if (!isNumber(n)) return t('none');
  return n.toLocaleString(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A rate: one decimal below 10 (a trickle), whole above. */
export const rate = (n) => number(n, isNumber(n) && Math.abs(n) < 10 ? 1 : 0);

/** A share 0..1 as '12.5 %'. */
export const percent = (share) => (isNumber(share) ? `${number(share * 100, 1)} %` : t('none'));

/** '45 s', '14 min', '2 h 5 min'; rounded to what a person reads at a glance. */
export function duration(seconds) {
  if (!isNumber(seconds)) return t('none');
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('seconds', number(s));
  if (s < 3600) return t('minutes', number(Math.round(s / 60)));
  if (s < 86_400) return t('hours', Math.floor(s / 3600), Math.floor((s % 3600) / 60));
  return t('days', number(Math.floor(s / 86_400)), Math.floor((s % 86_400) / 3600));
}

const clocks = {};
/** 'HH:MM:SS' in Bangkok. */
export function clock(date) {
  const key = lang;
  clocks[key] ??= new Intl.DateTimeFormat(lang === 'th' ? 'th-TH-u-nu-latn' : 'en-GB', {
    timeZone: 'Asia/Bangkok',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return clocks[key].format(date);
}

const stamps = {};
/** '25 ก.ค. 09:00:01' / '25 Jul 09:00:01' in Bangkok, for the audit log. */
export function stamp(date) {
  const key = lang;
  stamps[key] ??= new Intl.DateTimeFormat(lang === 'th' ? 'th-TH-u-ca-buddhist-nu-latn' : 'en-GB', {
    timeZone: 'Asia/Bangkok',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return stamps[key].format(date);
}

/** '2 ส.ค.' / '2 Aug' for a 'YYYY-MM-DD' day. */
export function shortDay(day) {
  const date = new Date(`${day}T12:00:00+07:00`);
  if (Number.isNaN(date.getTime())) return day;
  return date.toLocaleDateString(lang === 'th' ? 'th-TH-u-nu-latn' : 'en-GB', {
    timeZone: 'Asia/Bangkok',
    day: 'numeric',
    month: 'short',
  });
}
