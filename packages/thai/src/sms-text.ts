// GSM 03.38 default alphabet (the escape 0x1B excluded: it is how the extension table is reached).
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// Each of these is sent as escape + character, so it costs two septets.
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

const GSM7_SINGLE = 160;
const GSM7_PART = 153; // 7 septets of each part go to the concatenation header
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

export type SmsEncoding = 'gsm7' | 'ucs2';

/** True when every character fits the GSM-7 default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) {
    if (!GSM7_BASIC.has(ch) && !GSM7_EXTENSION.has(ch)) return false;
  }
  return true;
}

/** Any Thai character forces UCS-2, which cuts a part from 160 characters to 70. */
export function smsEncoding(text: string): SmsEncoding {
  return isGsm7(text) ? 'gsm7' : 'ucs2';
}

function parts(units: number, single: number, perPart: number): number {
  return units <= single ? 1 : Math.ceil(units / perPart);
}

/**
 * Parts a UCS-2 message is billed as. Counted in UTF-16 code units, as operators do: an emoji
 * outside the Basic Multilingual Plane costs two.
 */
export function ucs2Segments(text: string): number {
  return parts(text.length, UCS2_SINGLE, UCS2_PART);
}

function gsm7Septets(text: string): number {
  let septets = 0;
  for (const ch of text) septets += GSM7_EXTENSION.has(ch) ? 2 : 1;
  return septets;
}

/** Parts the message will be sent as, in whichever encoding it needs. */
export function smsSegments(text: string): number {
  if (smsEncoding(text) === 'ucs2') return ucs2Segments(text);
  return parts(gsm7Septets(text), GSM7_SINGLE, GSM7_PART);
}
