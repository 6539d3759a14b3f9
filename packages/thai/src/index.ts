export {
  isValidCitizenId,
  normalizeCitizenId,
  normalizeDocumentId,
  maskCitizenId,
  hashCitizenId,
} from './citizen-id';
export { normalizeThaiMobile, maskPhone } from './phone';
export {
  BANGKOK_TIME_ZONE,
  formatThaiDate,
  formatBangkokTime,
  bangkokDateKey,
  bangkokDateTime,
  ageOn,
  ageInMonthsOn,
  parseBirthDate,
} from './dates';
export type { DateLanguage } from './dates';
export { isGsm7, smsEncoding, ucs2Segments, smsSegments } from './sms-text';
export type { SmsEncoding } from './sms-text';
export { toArabicDigits } from './thai-digits';
