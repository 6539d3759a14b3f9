import { z } from 'zod';
import { isValidCitizenId, normalizeThaiMobile, parseBirthDate, toArabicDigits } from '@khiw/thai';

/**
 * Form fields as residents type them, normalised to what the contracts carry. Each issue's
 * message is a FIELD_MESSAGES key, so the resident reads why in Thai and English.
 */
const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'required' : 'notText') });

/**
 * 13 digits with a correct check digit (spaces, dashes and Thai digits are accepted), or a
 * passport's document id as khiw writes it (`P-MMR-MA1234567`, contracts `citizenId`).
 */
export const citizenIdField = text().transform((value, ctx) => {
  if (/^P-[A-Z]{3}-[A-Z0-9]{5,15}$/.test(value.trim())) return value.trim();
  const digits = toArabicDigits(value.trim()).replace(/[\s\-.]/g, '');
  if (!/^\d{13}$/.test(digits)) {
    ctx.addIssue({ code: 'custom', message: digits ? 'citizenIdFormat' : 'required' });
    return z.NEVER;
  }
  if (!isValidCitizenId(digits)) {
    ctx.addIssue({ code: 'custom', message: 'citizenIdCheckDigit' });
    return z.NEVER;
  }
  return digits;
});

/** A passport number: letters and digits, spaces and dashes dropped, upper case. */
export const passportNumberField = text().transform((value, ctx) => {
  const number = toArabicDigits(value.trim())
    .replace(/[\s\-.]/g, '')
    .toUpperCase();
  if (/^[A-Z0-9]{5,15}$/.test(number)) return number;
  ctx.addIssue({ code: 'custom', message: number ? 'passportNumber' : 'required' });
  return z.NEVER;
});

/** The issuing country of a passport, ISO 3166-1 alpha-3 (MMR, LAO, KHM...). */
export const nationalityField = text().transform((value, ctx) => {
  const code = value.trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(code)) return code;
  ctx.addIssue({ code: 'custom', message: code ? 'nationality' : 'required' });
  return z.NEVER;
});

// A date far enough ahead that only impossibility, never the future, makes parseBirthDate fail.
const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

/**
 * YYYY-MM-DD (a year above 2400 is read as Buddhist Era, as printed on Thai ID cards; the
 * Thai day-first D/M/YYYY is accepted too); impossible and future dates are refused.
 */
export const birthDateField = text().transform((value, ctx) => {
  const trimmed = toArabicDigits(value.trim());
  if (!/^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$/.test(trimmed)) {
    ctx.addIssue({ code: 'custom', message: trimmed ? 'birthDateFormat' : 'required' });
    return z.NEVER;
  }
  const date = parseBirthDate(trimmed);
  if (date) return date;
  const future = parseBirthDate(trimmed, FAR_FUTURE) !== null;
  ctx.addIssue({ code: 'custom', message: future ? 'birthDateFuture' : 'birthDateImpossible' });
  return z.NEVER;
});

/** Any common way of writing a Thai mobile number, to E.164. */
export const phoneField = text().transform((value, ctx) => {
  const phone = normalizeThaiMobile(value);
  if (phone) return phone;
  ctx.addIssue({ code: 'custom', message: value.trim() ? 'phone' : 'required' });
  return z.NEVER;
});

const NAME = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u;

/** Trimmed, inner spaces collapsed, letters (any script) and a little punctuation, at most 100. */
export const nameField = text().transform((value, ctx) => {
  const name = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!name) ctx.addIssue({ code: 'custom', message: 'required' });
  else if (name.length > 100) ctx.addIssue({ code: 'custom', message: 'nameLength' });
  else if (!NAME.test(name)) ctx.addIssue({ code: 'custom', message: 'nameCharacters' });
  else return name;
  return z.NEVER;
});

/** Group codes, site and slot ids: short, plain; whether they exist is checked elsewhere. */
export const codeField = (max: number) =>
  text().transform((value, ctx) => {
    const code = value.trim();
    if (!code) ctx.addIssue({ code: 'custom', message: 'required' });
    else if (code.length > max || !/^[A-Za-z0-9._-]+$/.test(code))
      ctx.addIssue({ code: 'custom', message: 'codeFormat' });
    else return code;
    return z.NEVER;
  });

export const provinceCodeField = z
  .string({ error: 'provinceCode' })
  .transform((value) => toArabicDigits(value.trim()))
  .refine((value) => /^\d{2}$/.test(value), 'provinceCode');
