const THAI_DIGIT_ZERO = 0x0e50; // '๐'

/**
 * Residents typing on a Thai keyboard layout may enter Thai digits (๐-๙); they mean the same
 * numbers, so forms must accept them rather than reject a correct citizen ID or phone number.
 */
export function toArabicDigits(s: string): string {
  return s.replace(/[\u0e50-\u0e59]/g, (d) => String(d.charCodeAt(0) - THAI_DIGIT_ZERO));
}
