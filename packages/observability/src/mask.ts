import { isValidCitizenId } from '@khiw/thai';

/**
 * Citizen IDs, passport numbers and phone numbers must never reach a log in clear
 * (CONVENTIONS.md). Fields with these names are masked whatever they hold; any other string is
 * scanned for the shapes of a Thai citizen ID, a passport number or a Thai mobile number, so an
 * ID inside an error message is caught too. The scan must not mangle the many ids that merely
 * contain such digits (a campaign id with a millisecond timestamp, `demo-1733150000000`), so a
 * match counts only when it stands alone and, for a citizen ID, its check digit holds.
 */
const SENSITIVE_KEYS = new Set([
  'citizenid',
  'citizen_id',
  'passport',
  'passportno',
  'passportnumber',
  'documentid',
  'documentno',
  'documentnumber',
  'firstname',
  'lastname',
  'fullname',
  'phone',
  'phonenumber',
  'mobile',
  'to',
  'msisdn',
  'birthdate',
  'birth_date',
  'authorization',
  'password',
  'ticket',
  'accesstoken',
]);

export type PiiKind = 'citizen-id' | 'passport' | 'phone';

export interface PiiMatch {
  kind: PiiKind;
  /** Where the match starts in the scanned string. */
  index: number;
  text: string;
}

// Residents type Thai (๐-๙) and Myanmar (၀-၉) digits as often as ASCII ones.
const DIGIT = '[0-9\\u0E50-\\u0E59\\u1040-\\u1049]';
const ZERO = '[0\\u0E50\\u1040]';
const SIX = '[6\\u0E56\\u1046]';
const MOBILE_LEAD = '[689\\u0E56\\u0E58\\u0E59\\u1046\\u1048\\u1049]';
// Alone: no letter, digit or underscore next to it, and not glued to one by '-' or '.', which is
// how ids are built ('demo-1733150000000', 'file.1733150000000.log', a uuid's groups). Letters
// and digits of the scripts met here (Latin, Thai, Myanmar); no `u` flag, which is slower.
const WORD = '[A-Za-z0-9_\\u00C0-\\u024F\\u0E00-\\u0E7F\\u1000-\\u109F]';
// Checked just after the first character (`.` is that character), so that the engine only looks
// behind where a match can start: a lookbehind first costs its test at every position.
const ALONE_BEFORE_FIRST = `(?<!${WORD}.)(?<!${WORD}[-.].)`;
const NO_PLUS_BEFORE_FIRST = '(?<!\\+.)';
const ALONE_AFTER = `(?!${WORD})(?![-.]${WORD})`;

const SHAPES: ReadonlyArray<{ kind: PiiKind; pattern: RegExp; plausible: (digits: string) => boolean }> = [
  {
    // 13 digits, also as printed on the card ('1 1037 02071 81 1') or with dashes.
    kind: 'citizen-id',
    pattern: new RegExp(`${DIGIT}${ALONE_BEFORE_FIRST}(?:[- ]?${DIGIT}){12}${ALONE_AFTER}`, 'g'),
    plausible: (digits) => isValidCitizenId(digits),
  },
  {
    // 0 or (+)66, then 6, 8 or 9 and seven or eight more digits; '+' is part of the number.
    kind: 'phone',
    pattern: new RegExp(
      `(?:\\+${ALONE_BEFORE_FIRST}${SIX}${SIX}|${SIX}${ALONE_BEFORE_FIRST}${NO_PLUS_BEFORE_FIRST}${SIX}|${ZERO}${ALONE_BEFORE_FIRST}${NO_PLUS_BEFORE_FIRST})` +
        `[- ]?${MOBILE_LEAD}(?:[- ]?${DIGIT}){7,8}${ALONE_AFTER}`,
      'g',
    ),
    plausible: () => true,
  },
  {
    // A passport as khiw's contracts carry it (issue 11): P-<nationality>-<number>.
    kind: 'passport',
    pattern: new RegExp(`P${ALONE_BEFORE_FIRST}-[A-Z]{3}-[A-Z0-9]{5,15}${ALONE_AFTER}`, 'g'),
    plausible: () => true,
  },
  {
    // A passport number standing alone (a form field, a log message). This is the shape
    // of the passports the campaigns meet: Thai (AA1234567), Myanmar (MA123456, MB1234567),
    // Lao (P1234567), Cambodian (N1234567): one or two capital letters and six to eight digits.
    kind: 'passport',
    pattern: new RegExp(`[A-Z]${ALONE_BEFORE_FIRST}[A-Z]?[0-9]{6,8}${ALONE_AFTER}`, 'g'),
    plausible: () => true,
  },
];

function asciiDigits(s: string): string {
  return s.replace(/[\u0e50-\u0e59\u1040-\u1049]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code - (code >= 0x1040 ? 0x1040 : 0x0e50));
  });
}

/** Whether `value` has the 6 digits the shortest shape (a passport) needs: most log strings do not. */
function hasSixDigits(value: string): boolean {
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 0x0e50 && c <= 0x0e59) || (c >= 0x1040 && c <= 0x1049)) {
      if (++digits >= 6) return true;
    }
  }
  return false;
}

/** Every plausible citizen ID, passport and phone number in `value`, in order of position. */
export function findPii(value: string): PiiMatch[] {
  if (!hasSixDigits(value)) return [];
  const found: PiiMatch[] = [];
  for (const { kind, pattern, plausible } of SHAPES) {
    for (const match of value.matchAll(pattern)) {
      const digits = asciiDigits(match[0]).replace(/[^0-9]/g, '');
      const overlaps = found.some(
        (f) => match.index < f.index + f.text.length && f.index < match.index + match[0].length,
      );
      if (!overlaps && plausible(digits)) found.push({ kind, index: match.index, text: match[0] });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

export function maskString(value: string): string {
  const found = findPii(value);
  if (found.length === 0) return value;
  let out = '';
  let at = 0;
  for (const { index, text } of found) {
    out += value.slice(at, index) + maskMatch(text);
    at = index + text.length;
  }
  return out + value.slice(at);
}

/** Letters (a passport's country series) and the last three digits survive; separators go. */
function maskMatch(match: string): string {
  const letters = /^[A-Z]*/.exec(match)![0];
  const digits = asciiDigits(match.slice(letters.length)).replace(/\D/g, '');
  return `${match.startsWith('+') ? '+' : ''}${letters}${'x'.repeat(Math.max(0, digits.length - 3))}${digits.slice(-3)}`;
}

export function maskValue(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (SENSITIVE_KEYS.has(key.toLowerCase())) {
    // A number keeps its last three digits (enough to tell two apart); a name keeps nothing.
    if (typeof value === 'string' && /(?:\d\D*){4}/.test(asciiDigits(value))) {
      return maskMatch(value).replace(/[^x+\d]/g, '');
    }
    return '[masked]';
  }
  return maskDeep(value, 0);
}

/** Walks plain objects and arrays (bounded depth) masking what looks sensitive. */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskString(value);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: maskString(value.message),
      stack: value.stack && maskString(value.stack),
    };
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SENSITIVE_KEYS.has(k.toLowerCase()) ? maskValue(k, v) : maskDeep(v, depth + 1);
  }
  return out;
}
