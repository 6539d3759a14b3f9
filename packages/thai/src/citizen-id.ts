import { createHmac } from 'node:crypto';
import { toArabicDigits } from './thai-digits';

const CITIZEN_ID = /^\d{13}$/;
// People copy the ID as printed on the card ('1 1037 02071 81 1') or with dashes.
const SEPARATORS = /[\s\-.]/g;

// The official scheme. It catches typos, not impostors, and not every typo: the third digit's
// weight of 11 vanishes mod 11, and sums of 0 and 10 mod 11 both fold to check digit 1.
function checkDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

/** Strict: the canonical 13-digit form only, with a correct check digit. */
export function isValidCitizenId(s: string): boolean {
  if (typeof s !== 'string' || !CITIZEN_ID.test(s)) return false;
  return checkDigit(s.slice(0, 12)) === Number(s[12]);
}

/** 13 digits in the right shape, whether or not the check digit holds. */
function citizenIdDigits(s: string): string | null {
  if (typeof s !== 'string') return null;
  const digits = toArabicDigits(s.trim()).replace(SEPARATORS, '');
  return CITIZEN_ID.test(digits) ? digits : null;
}

/**
 * Accepts what residents actually type and returns the canonical 13 digits, or null. A wrong
 * check digit is null too, so a non-null result is always safe to book with.
 */
export function normalizeCitizenId(s: string): string | null {
  const digits = citizenIdDigits(s);
  return digits !== null && isValidCitizenId(digits) ? digits : null;
}

const UNREADABLE = 'x-xxxx-xxxxx-xx-x';
/** A passport as khiw keeps it (issue 11): `P-<nationality, ISO 3166 alpha-3>-<number>`. */
const PASSPORT_ID = /^P-([A-Z]{3})-([A-Z0-9]{5,15})$/;

/** A Thai-issued ID as normalizeCitizenId reads it, or a passport's `P-NAT-NUMBER` id; else null. */
export function normalizeDocumentId(s: string): string | null {
  if (typeof s !== 'string') return null;
  const passport = s.trim().toUpperCase();
  return PASSPORT_ID.test(passport) ? passport : normalizeCitizenId(s);
}

/**
 * Only the first and last digits survive, in the card's 1-4-5-2-1 grouping, so a log line can be
 * matched against a card in hand but never reveals the ID. Anything that is not 13 digits gives
 * a fully masked value: malformed input may still be someone's ID with a typo.
 */
export function maskCitizenId(s: string): string {
  // A passport keeps its nationality and its number's first and last characters.
  const passport = typeof s === 'string' ? PASSPORT_ID.exec(s) : null;
  if (passport) return `P-${passport[1]}-${passport[2]![0]}…${passport[2]!.slice(-1)}`;
  const digits = citizenIdDigits(s);
  if (digits === null) return UNREADABLE;
  return `${digits[0]}-xxxx-xxxxx-xx-${digits[12]}`;
}

/**
 * Keyed so the 10^12 possible IDs cannot be hashed offline and looked up; the same person gives
 * the same value in every service's logs, whichever way the ID was typed.
 */
export function hashCitizenId(id: string, pepper: string): string {
  if (!pepper) throw new Error('hashCitizenId needs a non-empty pepper');
  const canonical = citizenIdDigits(id) ?? String(id).trim();
  return createHmac('sha256', pepper).update(canonical).digest('hex');
}
