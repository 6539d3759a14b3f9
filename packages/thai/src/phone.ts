import { toArabicDigits } from './thai-digits';

// What people wrap around a number: '081-234-5678', '081 234 5678', '(081) 234.5678', '+66 (0)81…'.
const DECORATION = /[\s\-.()]/g;
// 0 then 6, 8 or 9 and eight more digits; 02-05 and 07 are landlines, which cannot receive SMS.
const NATIONAL_MOBILE = /^0[689]\d{8}$/;

/**
 * E.164 (+66XXXXXXXXX) for a Thai mobile number, or null. Accepts the national form and the
 * international one with or without '+', including the common '+66 0…' mistake of keeping the
 * trunk zero.
 */
export function normalizeThaiMobile(s: string): string | null {
  if (typeof s !== 'string') return null;
  const compact = toArabicDigits(s.trim()).replace(DECORATION, '');
  const international = /^\+?66(0?)(\d{9})$/.exec(compact);
  const national = international ? `0${international[2]}` : compact;
  return NATIONAL_MOBILE.test(national) ? `+66${national.slice(1)}` : null;
}

/**
 * Keeps the operator prefix and the last three digits ('+6681xxxx678'): enough for a resident or
 * call-center agent to recognise the number, not enough to call it.
 */
export function maskPhone(s: string): string {
  const e164 = normalizeThaiMobile(s);
  if (e164 === null) return '+66xxxxxxxxx';
  return `${e164.slice(0, 5)}xxxx${e164.slice(-3)}`;
}
