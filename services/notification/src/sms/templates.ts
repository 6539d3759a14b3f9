import { formatBangkokTime, formatThaiDate, smsSegments } from '@khiw/thai';
import type { Language, SmsKind } from '@khiw/contracts';

/** Every message, the confirmation first of all, fits in two parts (2 × 67 UCS-2 characters). */
export const MAX_SEGMENTS = 2;
/** A site name is never cut shorter than this; below it the English text is used instead. */
const MIN_SITE_CHARS = 8;

export type SmsLanguage = Language;

export interface MessageFacts {
  kind: SmsKind;
  reference: string;
  siteName: { th: string; en: string };
  startsAt: string;
}

export interface RenderedSms {
  text: string;
  language: SmsLanguage;
  segments: number;
}

type Parts = { site: string; date: string; time: string; ref: string };

// What a resident needs and nothing else: where, when, the reference to quote. Never the
// citizen ID or the name (an SMS is read on a lock screen). Dates in the Buddhist Era for Thai.
// Burmese (Myanmar script, Unicode) for the migrant workers of Samut Sakhon: sites have no
// Burmese names, so the English name and the English date stand inside the Burmese text.
const TEMPLATES: Record<SmsLanguage, Record<SmsKind, (p: Parts) => string>> = {
  th: {
    confirmation: (p) =>
      `ยืนยันนัดฉีดวัคซีน ${p.site} วันที่ ${p.date} เวลา ${p.time} น. รหัส ${p.ref} กรุณานำบัตรประชาชนมาด้วย`,
    promotion: (p) =>
      `ได้คิวจากรายชื่อสำรอง นัดฉีดวัคซีน ${p.site} วันที่ ${p.date} เวลา ${p.time} น. รหัส ${p.ref} กรุณานำบัตรประชาชนมาด้วย`,
    reschedule: (p) => `เปลี่ยนนัดฉีดวัคซีนเป็น ${p.site} วันที่ ${p.date} เวลา ${p.time} น. รหัส ${p.ref}`,
    cancellation: (p) => `ยกเลิกนัดฉีดวัคซีน ${p.site} วันที่ ${p.date} เวลา ${p.time} น. แล้ว รหัส ${p.ref}`,
    reminder: (p) =>
      `เตือนนัดฉีดวัคซีน ${p.site} วันที่ ${p.date} เวลา ${p.time} น. รหัส ${p.ref} กรุณานำบัตรประชาชนมาด้วย`,
  },
  en: {
    confirmation: (p) =>
      `Vaccination booked: ${p.site}, ${p.date} at ${p.time}. Ref ${p.ref}. Please bring your ID card.`,
    promotion: (p) =>
      `A place from the standby list: vaccination at ${p.site}, ${p.date} at ${p.time}. Ref ${p.ref}. Please bring your ID card.`,
    reschedule: (p) => `Vaccination moved to ${p.site}, ${p.date} at ${p.time}. Ref ${p.ref}.`,
    cancellation: (p) => `Vaccination at ${p.site}, ${p.date} at ${p.time} is cancelled. Ref ${p.ref}.`,
    reminder: (p) =>
      `Reminder: vaccination at ${p.site}, ${p.date} at ${p.time}. Ref ${p.ref}. Please bring your ID card.`,
  },
  my: {
    confirmation: (p) =>
      `ကာကွယ်ဆေးထိုးရန် ရက်ချိန်း အတည်ပြုပြီး: ${p.site}၊ ${p.date} ${p.time}။ ကုဒ် ${p.ref}။ သက်သေခံကတ် ယူလာပါ။`,
    promotion: (p) =>
      `အရန်စာရင်းမှ နေရာရပါပြီ။ ကာကွယ်ဆေးထိုးရန် ${p.site}၊ ${p.date} ${p.time}။ ကုဒ် ${p.ref}။ သက်သေခံကတ် ယူလာပါ။`,
    reschedule: (p) => `ကာကွယ်ဆေးထိုးရန် ရက်ချိန်း ပြောင်းပြီး: ${p.site}၊ ${p.date} ${p.time}။ ကုဒ် ${p.ref}`,
    cancellation: (p) => `ကာကွယ်ဆေးထိုးရန် ရက်ချိန်း ${p.site}၊ ${p.date} ${p.time} ကို ပယ်ဖျက်ပြီးပါပြီ။ ကုဒ် ${p.ref}`,
    reminder: (p) => `သတိပေးချက်: ကာကွယ်ဆေးထိုးရန် ${p.site}၊ ${p.date} ${p.time}။ ကုဒ် ${p.ref}။ သက်သေခံကတ် ယူလာပါ။`,
  },
};

/** The site name's and the date's language inside a message: Burmese has neither. */
const NAMES_IN: Record<SmsLanguage, 'th' | 'en'> = { th: 'th', en: 'en', my: 'en' };

// Thai vowels and tone marks written above or below the consonant before them, and the vowels
// written before the consonant they follow in speech: a cut must not separate either.
const COMBINING = /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/;
const LEADING_VOWEL = /[\u0E40-\u0E44]/;

/** The site name cut to `length` characters or a little less, at a cluster boundary, with an ellipsis. */
export function shortenSiteName(name: string, length: number): string {
  if (name.length <= length) return name;
  let cut = Math.max(1, length - 1);
  while (cut > 1 && (COMBINING.test(name[cut] ?? '') || LEADING_VOWEL.test(name[cut - 1] ?? ''))) cut--;
  return `${name.slice(0, cut).trimEnd()}…`;
}

function renderIn(language: SmsLanguage, facts: MessageFacts): RenderedSms | undefined {
  const startsAt = new Date(facts.startsAt);
  const template = TEMPLATES[language][facts.kind];
  const parts = (site: string): Parts => ({
    site,
    date: formatThaiDate(startsAt, { lang: NAMES_IN[language] }),
    time: formatBangkokTime(startsAt),
    ref: facts.reference,
  });
  const fullName = facts.siteName[NAMES_IN[language]];
  let text = template(parts(fullName));
  // Only the site name gives: date, time and reference are what the resident must not miss.
  for (let length = fullName.length - 1; smsSegments(text) > MAX_SEGMENTS; length--) {
    if (length < MIN_SITE_CHARS) return undefined;
    text = template(parts(shortenSiteName(fullName, length)));
  }
  return { text, language, segments: smsSegments(text) };
}

/**
 * The message in the booking's language. Thai by default; English or Burmese when asked for,
 * and English as the fallback when a Thai or Burmese text cannot fit two parts even with the
 * site name cut short (English is GSM-7: 153 characters a part instead of 67).
 */
export function renderSms(facts: MessageFacts, language: SmsLanguage = 'th'): RenderedSms {
  const rendered = renderIn(language, facts) ?? (language !== 'en' ? renderIn('en', facts) : undefined);
  if (rendered) return rendered;
  // Nothing fits even in English (an absurd site name): send it long rather than not at all.
  const text = TEMPLATES.en[facts.kind]({
    site: shortenSiteName(facts.siteName.en, MIN_SITE_CHARS),
    date: formatThaiDate(new Date(facts.startsAt), { lang: 'en' }),
    time: formatBangkokTime(new Date(facts.startsAt)),
    ref: facts.reference,
  });
  return { text, language: 'en', segments: smsSegments(text) };
}
