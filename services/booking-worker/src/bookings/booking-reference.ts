import { randomInt } from 'node:crypto';

// No 0/O, 1/I/L: a reference is read aloud over the phone and typed on a tablet at the site.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A short human booking reference, unique by database constraint (retried on collision). */
export function newBookingReference(length = 8): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
