import { z } from 'zod';
import { campaignId, language, passportDocumentId } from '@khiw/contracts';
import { fieldErrorsOf, type FieldErrors } from '../http/field-errors';
import {
  birthDateField,
  citizenIdField,
  codeField,
  nameField,
  nationalityField,
  passportNumberField,
  phoneField,
  provinceCodeField,
} from '../http/resident-fields';

/** A passport instead of a Thai-issued ID: its number and issuing country. */
const PassportInput = z.object({ passportNumber: passportNumberField, nationality: nationalityField });

/**
 * The body of `POST /api/bookings` (and of every assisted way in): one person. Unknown fields
 * are ignored. The person is named by `citizenId` (a Thai-issued 13-digit number) or by
 * `passportNumber` + `nationality`, which become the document id `P-<NAT>-<NUMBER>`.
 */
export const BookingInput = z.object(
  {
    /** Optional: the access token names the campaign; when sent, the two must agree. */
    campaignId: campaignId.optional(),
    citizenId: citizenIdField,
    firstName: nameField,
    lastName: nameField,
    birthDate: birthDateField,
    phone: phoneField,
    groupCode: codeField(40),
    siteId: codeField(40),
    slotId: codeField(60),
    provinceCode: provinceCodeField.optional(),
    /** The language of the person's SMS (th, en, my); Thai when not sent. */
    language: language.optional(),
  },
  { error: 'body' },
);
export type BookingInput = z.infer<typeof BookingInput>;

/** The fields the campaign checks read (the choice, and what eligibility needs). */
type CheckedField = 'citizenId' | 'groupCode' | 'siteId' | 'slotId' | 'birthDate' | 'provinceCode';
const CHECKED_FIELDS = ['citizenId', 'groupCode', 'siteId', 'slotId', 'birthDate', 'provinceCode'] as const;

export type ParsedBookingInput =
  | { ok: true; input: BookingInput }
  | { ok: false; fields: FieldErrors; partial: Partial<Pick<BookingInput, CheckedField>> };

/**
 * Every field is checked, not just the first wrong one, so the form can mark them all. The
 * campaign checks (group, site, slot, province, age) want the fields they read, each parsed
 * on its own, even when others are wrong.
 */
export function parseBookingInput(raw: unknown): ParsedBookingInput {
  const { body, fields: passportFields } = withPassport(raw);
  const parsed = BookingInput.safeParse(body);
  if (passportFields) {
    const fields = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error)), ...passportFields };
    delete fields.citizenId;
    return { ok: false, fields, partial: partialOf(body, fields) };
  }
  if (parsed.success) return { ok: true, input: parsed.data };
  const fields = fieldErrorsOf(parsed.error);
  return { ok: false, fields, partial: partialOf(body, fields) };
}

/** The body with a passport turned into its document id, or the passport fields' errors. */
function withPassport(body: unknown): { body: unknown; fields?: FieldErrors } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { body };
  const record = body as Record<string, unknown>;
  if (record.passportNumber === undefined && record.nationality === undefined) return { body };
  const passport = PassportInput.safeParse(record);
  if (!passport.success) return { body, fields: fieldErrorsOf(passport.error) };
  const { nationality, passportNumber } = passport.data;
  return { body: { ...record, citizenId: passportDocumentId(nationality, passportNumber) } };
}

function partialOf(body: unknown, fields: FieldErrors): Partial<Pick<BookingInput, CheckedField>> {
  const partial: Partial<Pick<BookingInput, CheckedField>> = {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const key of CHECKED_FIELDS) {
      const value = BookingInput.shape[key].safeParse((body as Record<string, unknown>)[key]);
      if (!fields[key] && value.success && value.data !== undefined) partial[key] = value.data;
    }
  }
  return partial;
}
