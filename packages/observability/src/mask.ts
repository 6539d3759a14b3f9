/**
 * Citizen IDs and phone numbers must never reach a log in clear (CONVENTIONS.md). Fields with
 * these names are masked whatever they hold; any other string is scanned for the shapes of a
 * Thai citizen ID or mobile number, so an ID inside an error message is caught too.
 */
const SENSITIVE_KEYS = new Set([
  'citizenid',
  'citizen_id',
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

const CITIZEN_ID = /(?<!\d)\d(?:[- ]?\d){12}(?!\d)/g;
const PHONE = /(?<![\d+])(?:\+?66|0)[- ]?[689](?:[- ]?\d){7,8}(?!\d)/g;

export function maskString(value: string): string {
  return value.replace(CITIZEN_ID, maskDigits).replace(PHONE, maskDigits);
}

function maskDigits(match: string): string {
  const digits = match.replace(/\D/g, '');
  return `${match.startsWith('+') ? '+' : ''}${'x'.repeat(Math.max(0, digits.length - 3))}${digits.slice(-3)}`;
}

export function maskValue(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (SENSITIVE_KEYS.has(key.toLowerCase())) {
    return typeof value === 'string' ? maskDigits(value).replace(/[^x+\d]/g, '') : '[masked]';
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
