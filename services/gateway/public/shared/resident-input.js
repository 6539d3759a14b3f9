// Citizen ID and birth date, checked as the gateway checks them (it has the last word).

const THAI_DIGITS = /[\u0E50-\u0E59]/g;

export const arabicDigits = (s) =>
  String(s ?? '').replace(THAI_DIGITS, (d) => String(d.charCodeAt(0) - 0x0e50));

/** '1-2345 ๖…' → '123456…' */
export const digitsOf = (s) => arabicDigits(s).replace(/\D/g, '');

/** The 13th digit: sum of digit[i]*(13-i) for the first twelve, then (11 - sum % 11) % 10. */
function checkDigit(first12) {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

/** 'short' (n digits missing), 'bad' (13 digits, wrong check digit), 'ok', or 'long'. */
export function citizenIdState(input) {
  const digits = digitsOf(input);
  if (digits.length < 13) return { state: 'short', missing: 13 - digits.length, digits };
  if (digits.length > 13) return { state: 'long', digits };
  return { state: checkDigit(digits) === Number(digits[12]) ? 'ok' : 'bad', digits };
}

/** A real date in the past, 'YYYY-MM-DD'. Years above 2400 are Buddhist era typed by hand: rejected. */
export function validBirthDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  if (!m) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return (
    !Number.isNaN(date.getTime()) &&
    date.toISOString().slice(0, 10) === value &&
    Number(m[1]) >= 1900 &&
    date.getTime() <= Date.now()
  );
}

/** '1-2345-67890-12-3': the grouping printed on the card, as the resident types. */
export function groupCitizenId(digits) {
  const cuts = [1, 5, 10, 12, 13];
  const parts = [];
  let from = 0;
  for (const to of cuts) {
    if (digits.length <= from) break;
    parts.push(digits.slice(from, to));
    from = to;
  }
  return parts.join('-');
}

/** E.164 for a Thai mobile (06/08/09 + 8 digits, or +66 forms), or null. */
export function thaiMobile(input) {
  const compact = arabicDigits(input)
    .trim()
    .replace(/[\s\-.()]/g, '');
  const international = /^\+?66(0?)(\d{9})$/.exec(compact);
  const national = international ? `0${international[2]}` : compact;
  return /^0[689]\d{8}$/.test(national) ? `+66${national.slice(1)}` : null;
}
